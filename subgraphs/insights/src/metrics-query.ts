/**
 * `insightMetrics` (issue 11, "Metrics with exact formulas"; DOMAIN.md section 6): every metric by branch (rolled
 * up through the org tree), line of business and month, from the insights read model.
 *
 * How it is computed: three GROUP BY statements (policies, claims, complaints), each joined with a small derived
 * table of the months asked for, sum the additive components of the metrics (fen sums and counts: formulas.ts
 * MetricComponents) per month × customer branch path × line of business. No policy, claim or complaint row is
 * loaded into memory, only one row per group. The groups are then added up to the grouping asked for (the org tree
 * has three levels, so rolling a branch's path up is exact addition) and each metric is taken from the sums
 * (metricsFrom): ratios of sums, never averages of ratios.
 *
 * Whose figures: a fact's branch is its customer's branch (insight_customers.branch_path), the path the read
 * model keeps and the row scope of every insight (the fact tables carry an issuing branch id but no path). A
 * complaint names no policy in the read model, so grouped or filtered by line of business its components fall
 * in the group whose line is null.
 *
 * Access is decided by the enforcement layer from the field's `@classified(…, aggregate: true)` and handed over
 * (shared/src/aggregates/granted-access.ts); here it is obeyed as the shared mechanism does
 * (docs/access-model.md section 11): only rows in the decision's scope; for a role granted only aggregates, groups
 * over fewer than k records of any kind they count (policies, claims, closed claims, renewals due, complaints…) are
 * suppressed with their complements (suppressSmallGroups), decided over the caller's whole scope before the
 * filters select whole groups, and filters that would select part of a group (a day range inside a month, several
 * months summed) are refused.
 */
import {
  aggregateAccessOf,
  badUserInput,
  daysBetweenSql,
  dialectOf,
  forbiddenFieldError,
  monthBounds,
  parseEntityId,
  previousMonth,
  suppressSmallGroups,
  truncatePath,
  whereInCallerScope,
  type AggregateAccess,
  type Caller,
  type DatabaseDialect,
  type Knex,
  type SuppressionCell,
} from '@icg/shared';
import type { InsightMetricDimension, QueryInsightMetricsArgs, QueryResolvers, ResolversTypes } from './generated/schema-types';
import { addMonths, dayOf, isoDay, type DayNumber } from './metrics/calendar';
import { fenToYuan } from './metrics/money';
import { DAYS_PER_POLICY_YEAR, metricsFrom, type MetricComponents, type Metrics } from './metrics/formulas';

const COORDINATE = 'Query.insightMetrics';
/** The org tree's depth: head office 1, province 2, city 3. */
const ORG_TREE_DEPTH = 3;

/** One month (or the whole period) the statements group by: [start, end), and the closure rate's window start. */
interface MonthSlice {
  label: string;
  start: DayNumber;
  end: DayNumber;
}

/** The additive components of one group; every figure adds up over groups. */
type Components = { -readonly [K in keyof MetricComponents]: number } & { policiesInForce: number };

const COMPONENT_KEYS = [
  'earnedPremiumFen',
  'writtenPremiumFen',
  'policiesWritten',
  'policiesInForce',
  'exposureDays',
  'claims',
  'incurredFen',
  'claimsClosed',
  'daysToCloseTotal',
  'registeredTrailing12m',
  'registeredAndClosedTrailing12m',
  'renewalsDue',
  'renewed',
  'complaints',
  'complaintsDue',
  'complaintsOnTime',
  'callsAskingForAgent',
  'callsAnsweredByAgent',
] as const satisfies readonly (keyof Components)[];

/** The record counts a group's size is judged by for suppression (each is "how many records" of one kind). */
const RECORD_COUNTS = [
  'policiesInForce',
  'policiesWritten',
  'renewalsDue',
  'claims',
  'claimsClosed',
  'registeredTrailing12m',
  'complaints',
  'complaintsDue',
] as const satisfies readonly (keyof Components)[];

const emptyComponents = (): Components => Object.fromEntries(COMPONENT_KEYS.map((key) => [key, 0])) as Components;

function add(into: Components, from: Readonly<Components>): void {
  for (const key of COMPONENT_KEYS) into[key] += from[key];
}

/**
 * A group's size for suppression: the fewest records of any kind it has some of. A group with 200 policies and
 * 2 claims shows those 2 claims' incurred and severity, so it is as small as its 2 claims.
 */
function recordCount(components: Readonly<Components>): number {
  const counts = RECORD_COUNTS.map((key) => components[key]).filter((count) => count > 0);
  return counts.length === 0 ? 0 : Math.min(...counts);
}

/** One result row as the InsightMetricRow type's default resolvers read it. */
export interface InsightMetricRowRecord {
  /** The group's dimension values, as the shared mechanism keys its groups: what the audit trail records it by. */
  id: string;
  branch: { id: string } | null;
  branchLevel: number | null;
  lineOfBusiness: string | null;
  month: string | null;
  suppressed: boolean;
  components: InsightMetricComponentsRecord | null;
  metrics: InsightMetricValuesRecord | null;
}

export interface InsightMetricComponentsRecord {
  earnedPremium: string;
  writtenPremium: string;
  incurred: string;
  policiesInForce: number;
  policiesWritten: number;
  exposureDays: number;
  policyYears: number;
  claims: number;
  claimsClosed: number;
  daysToCloseTotal: number;
  claimsRegisteredTrailing12Months: number;
  claimsRegisteredAndClosedTrailing12Months: number;
  renewalsDue: number;
  renewed: number;
  complaints: number;
  complaintsDue: number;
  complaintsOnTime: number;
}

export type InsightMetricValuesRecord = Omit<Metrics, 'hotlineAnswerRate'>;

export interface InsightMetricsRecord {
  from: string;
  to: string;
  rows: InsightMetricRowRecord[];
  minimumGroupSize: number | null;
  suppressedRows: number;
}

// --- Arguments ----------------------------------------------------------------------------------------------

interface Request {
  period: { start: DayNumber; end: DayNumber };
  groupBy: Set<InsightMetricDimension>;
  branchLevel: number;
  branchId: string | null;
  lineOfBusiness: string | null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function readDay(value: string, argumentName: string): DayNumber {
  if (!DAY.test(value)) throw badUserInput(argumentName, 'must be a day, YYYY-MM-DD');
  try {
    const day = dayOf(value, argumentName);
    if (isoDay(day) !== value) throw new RangeError('not a calendar day');
    return day;
  } catch {
    throw badUserInput(argumentName, 'must be a calendar day, YYYY-MM-DD');
  }
}

function readRequest(args: QueryInsightMetricsArgs, now: Date): Request {
  const hasPeriod = args.period !== null && args.period !== undefined;
  const hasMonth = args.month !== null && args.month !== undefined;
  if (hasPeriod && hasMonth) throw badUserInput('period', 'give either period { from, to } or month, not both');
  let period: { start: DayNumber; end: DayNumber };
  // Neither: the last whole calendar month (UTC), as the monthly reports default.
  if (!hasPeriod) {
    const { first, next } = monthBounds(args.month ?? previousMonth(now));
    period = { start: dayOf(first, 'month'), end: dayOf(next, 'month') };
  } else {
    period = { start: readDay(args.period!.from, 'period.from'), end: readDay(args.period!.to, 'period.to') };
    if (period.end <= period.start) throw badUserInput('period.to', 'must be after period.from (the period is [from, to))');
    // A bound on the derived months table, and so on the statements' size.
    if (addMonths(period.start, 120) < period.end) throw badUserInput('period.to', 'the period may span at most 120 months');
  }
  const names = args.groupBy ?? [];
  const groupBy = new Set(names);
  if (groupBy.size !== names.length) throw badUserInput('groupBy', 'names a dimension twice');
  let branchLevel = ORG_TREE_DEPTH;
  if (args.branchLevel !== null && args.branchLevel !== undefined) {
    if (!groupBy.has('BRANCH')) throw badUserInput('branchLevel', 'applies only when grouping by BRANCH');
    if (!Number.isInteger(args.branchLevel) || args.branchLevel < 1 || args.branchLevel > ORG_TREE_DEPTH)
      throw badUserInput('branchLevel', 'must be 1 (head office), 2 (province) or 3 (city)');
    branchLevel = args.branchLevel;
  }
  const branchId = args.branchId === null || args.branchId === undefined ? null : parseEntityId(args.branchId, 'branchId');
  return { period, groupBy, branchLevel, branchId, lineOfBusiness: args.lineOfBusiness ?? null };
}

/** The calendar months of the period (cut to it at its ends), or the whole period as one slice. */
function slicesOf(period: { start: DayNumber; end: DayNumber }, byMonth: boolean): MonthSlice[] {
  if (!byMonth) return [{ label: '', start: period.start, end: period.end }];
  const slices: MonthSlice[] = [];
  let monthStart = dayOf(`${isoDay(period.start).slice(0, 7)}-01`);
  while (monthStart < period.end) {
    const next = addMonths(monthStart, 1);
    slices.push({ label: isoDay(monthStart).slice(0, 7), start: Math.max(monthStart, period.start), end: Math.min(next, period.end) });
    monthStart = next;
  }
  return slices;
}

const isMonthStart = (day: DayNumber): boolean => isoDay(day).endsWith('-01');

// --- SQL ----------------------------------------------------------------------------------------------------

/** Dialect pieces: a DATE from a DATETIME, whole days between two dates, least/greatest, integer division. */
function sqlOf(dialect: DatabaseDialect) {
  const mysql = dialect === 'mysql';
  return {
    day: (column: string) => (mysql ? `date(${column})` : `substr(${column}, 1, 10)`),
    daysBetween: (from: string, to: string) => (mysql ? `datediff(${to}, ${from})` : `cast(julianday(${to}) - julianday(${from}) as integer)`),
    least: (a: string, b: string) => (mysql ? `least(${a}, ${b})` : `min(${a}, ${b})`),
    greatest: (a: string, b: string) => (mysql ? `greatest(${a}, ${b})` : `max(${a}, ${b})`),
    // Whole fen of a DECIMAL yuan column, as an integer.
    fen: (column: string) => (mysql ? `cast(round(${column} * 100) as signed)` : `cast(round(${column} * 100) as integer)`),
    intDiv: (a: string, b: string) => (mysql ? `((${a}) div (${b}))` : `((${a}) / (${b}))`),
    date: mysql ? 'cast(? as date)' : '?',
  };
}

/**
 * The months table: `(select 'YYYY-MM' as m, start as ps, end as pe, window start as ws union all …)`. `ws` is the
 * closure rate's window, the 12 months before the slice's end.
 */
function joinMonths(query: Knex.QueryBuilder, dialect: DatabaseDialect, slices: readonly MonthSlice[], condition: string): void {
  const sql = sqlOf(dialect);
  const selects = slices.map(() => `select ? as m, ${sql.date} as ps, ${sql.date} as pe, ${sql.date} as ws`).join(' union all ');
  const bindings = slices.flatMap((slice) => [slice.label, isoDay(slice.start), isoDay(slice.end), isoDay(addMonths(slice.end, -12))]);
  query.joinRaw(`inner join (${selects}) mo on ${condition}`, bindings);
}

/** The read model's customers by their scope columns (joined as `c`): each statement sums over the caller's only. */
const CUSTOMER_SCOPE = { branchPath: 'branch_path', responsibleStaffIds: ['primary_manager_staff_id'] } as const;

/** The caller's customers only: their branch subtree, the customers they manage, or all. */
function inScope(query: Knex.QueryBuilder, caller: Caller, access: AggregateAccess): void {
  whereInCallerScope(query, 'c', CUSTOMER_SCOPE, caller, access.scope);
}

interface GroupRow {
  m: string;
  path: string | null;
  line: string | null;
  [figure: string]: unknown;
}

async function policyGroups(db: Knex, slices: readonly MonthSlice[], caller: Caller, access: AggregateAccess): Promise<GroupRow[]> {
  const sql = sqlOf(dialectOf(db));
  const coverEnd = sql.least('p.expiry_date', 'coalesce(p.cancelled_on, p.lapsed_on, p.expiry_date)');
  const overlap = sql.greatest('0', sql.daysBetween(sql.greatest('p.effective_date', 'mo.ps'), sql.least(coverEnd, 'mo.pe')));
  const term = sql.daysBetween('p.effective_date', 'p.expiry_date');
  // Earned premium of one policy, rounded once, half up, to the fen (prorateFen): (2·fen·days + term) div (2·term).
  const earned = `case when ${term} > 0 then ${sql.intDiv(`2 * ${sql.fen('p.written_premium')} * ${overlap} + ${term}`, `2 * ${term}`)} else 0 end`;
  const writtenDay = `coalesce(${sql.day('p.bound_at')}, p.effective_date)`;
  const written = `(${writtenDay} >= mo.ps and ${writtenDay} < mo.pe)`;
  const due = `(p.status not in ('CANCELLED', 'LAPSED') and p.expiry_date >= mo.ps and p.expiry_date < mo.pe)`;
  // Renewed: its own status says so, or a renewal of it has been bound (the renewal names it).
  const renewed = `(p.status = 'RENEWED' or exists (select 1 from insight_policies r where r.renewal_of_policy_no = p.policy_no and r.status <> 'QUOTED'))`;
  const query = db
    .from('insight_policies as p')
    .join('insight_customers as c', 'c.customer_id', 'p.customer_id')
    .whereNot('p.status', 'QUOTED')
    .select(
      db.raw('mo.m as m'),
      db.raw('c.branch_path as path'),
      db.raw('p.line_of_business as line'),
      db.raw(`sum(${earned}) as earnedPremiumFen`),
      db.raw(`sum(${overlap}) as exposureDays`),
      db.raw(`sum(case when ${overlap} > 0 then 1 else 0 end) as policiesInForce`),
      db.raw(`sum(case when ${written} then 1 else 0 end) as policiesWritten`),
      db.raw(`sum(case when ${written} then ${sql.fen('p.written_premium')} else 0 end) as writtenPremiumFen`),
      db.raw(`sum(case when ${due} then 1 else 0 end) as renewalsDue`),
      db.raw(`sum(case when ${due} and ${renewed} then 1 else 0 end) as renewed`),
    )
    .groupByRaw('mo.m, c.branch_path, p.line_of_business');
  // A policy counts in a month where it covers days, expires (renewal due) or was written.
  joinMonths(query, dialectOf(db), slices, `((p.effective_date < mo.pe and p.expiry_date >= mo.ps) or ${written})`);
  inScope(query, caller, access);
  return (await query) as GroupRow[];
}

async function claimGroups(db: Knex, slices: readonly MonthSlice[], caller: Caller, access: AggregateAccess): Promise<GroupRow[]> {
  const dialect = dialectOf(db);
  const sql = sqlOf(dialect);
  // Accident-period basis: the loss date, else the report day; cancelled and withdrawn reports are not claims.
  const claimDay = `coalesce(cl.loss_date, ${sql.day('cl.reported_at')})`;
  const counted = `(${claimDay} >= mo.ps and ${claimDay} < mo.pe and cl.status not in ('CANCELLED', 'WITHDRAWN') and coalesce(cl.outcome, '') not in ('CANCELLED', 'WITHDRAWN'))`;
  const zeroClosed = `(cl.status = 'ZERO_CLOSED' or coalesce(cl.outcome, '') = 'ZERO_CLOSED')`;
  const cancelled = `(cl.status = 'CANCELLED' or coalesce(cl.outcome, '') = 'CANCELLED')`;
  const closedIn = `(cl.closed_at is not null and ${sql.day('cl.closed_at')} >= mo.ps and ${sql.day('cl.closed_at')} < mo.pe and not ${zeroClosed})`;
  const registered = `(cl.registered_at is not null and ${sql.day('cl.registered_at')} >= mo.ws and ${sql.day('cl.registered_at')} < mo.pe and not ${zeroClosed} and not ${cancelled})`;
  const closedInWindow = `(cl.closed_at is not null and ${sql.day('cl.closed_at')} >= mo.ws and ${sql.day('cl.closed_at')} < mo.pe)`;
  const incurred = `(${sql.fen('cl.paid')} + ${sql.fen('cl.outstanding_reserve')} - ${sql.fen('cl.recoveries')})`;
  const query = db
    .from('insight_claims as cl')
    .join('insight_customers as c', 'c.customer_id', 'cl.customer_id')
    .leftJoin('insight_policies as p', 'p.policy_no', 'cl.policy_no')
    .select(
      db.raw('mo.m as m'),
      db.raw('c.branch_path as path'),
      db.raw('p.line_of_business as line'),
      db.raw(`sum(case when ${counted} then 1 else 0 end) as claims`),
      db.raw(`sum(case when ${counted} then ${incurred} else 0 end) as incurredFen`),
      db.raw(`sum(case when ${closedIn} then 1 else 0 end) as claimsClosed`),
      db.raw(`sum(case when ${closedIn} then ${daysBetweenSql(dialect, 'cl.reported_at', 'cl.closed_at')} else 0 end) as daysToCloseTotal`),
      db.raw(`sum(case when ${registered} then 1 else 0 end) as registeredTrailing12m`),
      db.raw(`sum(case when ${registered} and ${closedInWindow} then 1 else 0 end) as registeredAndClosedTrailing12m`),
    )
    .groupByRaw('mo.m, c.branch_path, p.line_of_business');
  joinMonths(
    query,
    dialect,
    slices,
    `((${claimDay} >= mo.ps and ${claimDay} < mo.pe) or (cl.closed_at >= mo.ps and ${sql.day('cl.closed_at')} < mo.pe) or (cl.registered_at >= mo.ws and ${sql.day('cl.registered_at')} < mo.pe))`,
  );
  inScope(query, caller, access);
  return (await query) as GroupRow[];
}

async function complaintGroups(db: Knex, slices: readonly MonthSlice[], caller: Caller, access: AggregateAccess): Promise<GroupRow[]> {
  const sql = sqlOf(dialectOf(db));
  const accepted = `(${sql.day('k.accepted_at')} >= mo.ps and ${sql.day('k.accepted_at')} < mo.pe)`;
  const due = `(k.due_date >= mo.ps and k.due_date < mo.pe)`;
  // Decided and notified by the end of the due day: the source's own on-time flag when it gave one.
  const onTime = `(case when k.on_time is not null then (case when k.on_time = 1 then 1 else 0 end) when k.feedback_at is not null and ${sql.day('k.feedback_at')} <= k.due_date then 1 else 0 end)`;
  const query = db
    .from('insight_complaints as k')
    .join('insight_customers as c', 'c.customer_id', 'k.customer_id')
    .select(
      db.raw('mo.m as m'),
      db.raw('c.branch_path as path'),
      db.raw('null as line'),
      db.raw(`sum(case when ${accepted} then 1 else 0 end) as complaints`),
      db.raw(`sum(case when ${due} then 1 else 0 end) as complaintsDue`),
      db.raw(`sum(case when ${due} then ${onTime} else 0 end) as complaintsOnTime`),
    )
    .groupByRaw('mo.m, c.branch_path');
  joinMonths(query, dialectOf(db), slices, `(${accepted} or ${due})`);
  inScope(query, caller, access);
  return (await query) as GroupRow[];
}

// --- Groups, suppression, selection -------------------------------------------------------------------------

interface Cell extends SuppressionCell {
  values: string[];
  count: number;
  suppressed: boolean;
  components: Components;
}

/** `/1/3/9/` → 3. */
const depthOf = (path: string): number => path.split('/').filter((part) => part !== '').length;

/** The path of a branch known by its id, as the read model's customers know it; null when no customer lies under it. */
async function branchPathOf(db: Knex, branchId: string): Promise<string | null> {
  const own = (await db('insight_customers').where('branch_id', branchId).whereNotNull('branch_path').first('branch_path')) as
    { branch_path: string } | undefined;
  if (own) return own.branch_path;
  const segment = `/${branchId}/`;
  const below = (await db('insight_customers').where('branch_path', 'like', `%${segment}%`).first('branch_path')) as { branch_path: string } | undefined;
  return below ? below.branch_path.slice(0, below.branch_path.indexOf(segment) + segment.length) : null;
}

/** The parent a branch group sums into (its line for complementary suppression); a branch above the level: itself. */
function branchLine(path: string, level: number): string {
  const parts = path.split('/').filter((part) => part !== '');
  return parts.length < level ? path : `/${parts.slice(0, -1).join('/')}${parts.length > 1 ? '/' : ''}`;
}

function toRecord(cell: Cell, dimensions: { branch: boolean; line: boolean; month: boolean }): InsightMetricRowRecord {
  const [path, line, month] = cell.values;
  const parts = (path ?? '').split('/').filter((part) => part !== '');
  const c = cell.components;
  return {
    id: JSON.stringify(cell.values),
    branch: dimensions.branch && parts.length > 0 ? { id: parts[parts.length - 1]! } : null,
    branchLevel: dimensions.branch ? parts.length : null,
    lineOfBusiness: dimensions.line && line ? line : null,
    month: dimensions.month && month ? month : null,
    suppressed: cell.suppressed,
    components: cell.suppressed
      ? null
      : {
          earnedPremium: fenToYuan(c.earnedPremiumFen),
          writtenPremium: fenToYuan(c.writtenPremiumFen),
          incurred: fenToYuan(c.incurredFen),
          policiesInForce: c.policiesInForce,
          policiesWritten: c.policiesWritten,
          exposureDays: c.exposureDays,
          policyYears: c.exposureDays / DAYS_PER_POLICY_YEAR,
          claims: c.claims,
          claimsClosed: c.claimsClosed,
          daysToCloseTotal: c.daysToCloseTotal,
          claimsRegisteredTrailing12Months: c.registeredTrailing12m,
          claimsRegisteredAndClosedTrailing12Months: c.registeredAndClosedTrailing12m,
          renewalsDue: c.renewalsDue,
          renewed: c.renewed,
          complaints: c.complaints,
          complaintsDue: c.complaintsDue,
          complaintsOnTime: c.complaintsOnTime,
        },
    metrics: cell.suppressed ? null : (({ hotlineAnswerRate: _notHere, ...metrics }) => metrics)(metricsFrom(c)),
  };
}

export interface MetricsRequest {
  db: Knex;
  caller: Caller;
  args: QueryInsightMetricsArgs;
  /** Now, for the default period (the last whole month). */
  now: Date;
}

export async function insightMetrics({ db, caller, args, now }: MetricsRequest): Promise<InsightMetricsRecord> {
  const access = aggregateAccessOf(args);
  // Deny by default: reached without the enforcement layer's decision, nothing is computed.
  if (!access) throw forbiddenFieldError({ coordinate: COORDINATE, tier: 'CONFIDENTIAL', policyVersion: 'unknown' });
  const request = readRequest(args, now);
  const suppressed = access.mode === 'SUPPRESSED';
  const byMonth = request.groupBy.has('MONTH');
  if (suppressed) {
    // Figures of a day range inside a month, or of several months summed, minus those of the whole months would
    // give back what suppression hides: a role granted only aggregates asks for whole months, one by one.
    if (!isMonthStart(request.period.start)) throw badUserInput('period.from', 'with small groups suppressed the period starts on the first of a month');
    if (!isMonthStart(request.period.end)) throw badUserInput('period.to', 'with small groups suppressed the period ends on the first of a month');
    if (!byMonth && addMonths(request.period.start, 1) !== request.period.end)
      throw badUserInput('groupBy', 'with small groups suppressed a period of more than one month is grouped by MONTH');
  }

  // The branch filter selects the branch's group: grouped by BRANCH at a level at or below it, or, not grouped by
  // BRANCH, the group of the grouping by BRANCH at the branch's own level (so suppression is decided on it).
  let branchPath: string | null = null;
  let branchLevel = request.branchLevel;
  if (request.branchId !== null) {
    branchPath = await branchPathOf(db, request.branchId);
    if (branchPath !== null) {
      if (!request.groupBy.has('BRANCH')) branchLevel = depthOf(branchPath);
      else if (depthOf(branchPath) > branchLevel)
        throw badUserInput('branchId', `is below branchLevel ${branchLevel}; give a branchLevel at or below the branch's own level`);
    }
  }
  const dimensions = {
    branch: request.groupBy.has('BRANCH') || request.branchId !== null,
    line: request.groupBy.has('LINE_OF_BUSINESS') || request.lineOfBusiness !== null,
    month: byMonth,
  };

  const slices = slicesOf(request.period, byMonth);
  const rows =
    request.branchId !== null && branchPath === null
      ? []
      : (
          await Promise.all([policyGroups(db, slices, caller, access), claimGroups(db, slices, caller, access), complaintGroups(db, slices, caller, access)])
        ).flat();

  // Add the statement's groups up to the grid asked for (a branch's path cut to the level: exact roll-up).
  const cells = new Map<string, Cell>();
  for (const row of rows) {
    const values = [
      dimensions.branch ? truncatePath(row.path ?? '', branchLevel) : '',
      dimensions.line ? (row.line ?? '') : '',
      dimensions.month ? String(row.m) : '',
    ];
    const key = JSON.stringify(values);
    const cell = cells.get(key) ?? { values, count: 0, suppressed: false, components: emptyComponents() };
    cells.set(key, cell);
    const figures = emptyComponents();
    for (const name of COMPONENT_KEYS) figures[name] = Number(row[name] ?? 0) || 0;
    add(cell.components, figures);
  }
  const grid = [...cells.values()];
  for (const cell of grid) cell.count = recordCount(cell.components);
  // With nothing grouped there is one group, the whole period in scope.
  if (grid.length === 0 && !dimensions.branch && !dimensions.line && !dimensions.month)
    grid.push({ values: ['', '', ''], count: 0, suppressed: false, components: emptyComponents() });

  if (suppressed) {
    // Lines whose sum the caller can ask for: a branch's children sum to it one level up, the lines of business to
    // the grouping without them. Months are each their own line: a sum of months is never shown to this caller.
    suppressSmallGroups(grid, access.minimumGroupSize, (dimension, value) => (dimension === 0 ? branchLine(value, branchLevel) : dimension === 1 ? '' : value));
  }

  const selected = grid.filter(
    (cell) => (branchPath === null || cell.values[0]!.startsWith(branchPath)) && (request.lineOfBusiness === null || cell.values[1] === request.lineOfBusiness),
  );
  selected.sort((a, b) => (a.values.join('\u0000') < b.values.join('\u0000') ? -1 : a.values.join('\u0000') > b.values.join('\u0000') ? 1 : 0));
  const records = selected.map((cell) => toRecord(cell, dimensions));
  return {
    from: isoDay(request.period.start),
    to: isoDay(request.period.end),
    rows: records,
    minimumGroupSize: suppressed ? access.minimumGroupSize : null,
    suppressedRows: records.filter((record) => record.suppressed).length,
  };
}

export const metricsQueryResolvers = {
  insightMetrics: async (_root, args, { db, caller, clock }) =>
    (await insightMetrics({ db, caller, args, now: clock.now() })) as unknown as ResolversTypes['InsightMetrics'],
} satisfies Pick<QueryResolvers, 'insightMetrics'>;
