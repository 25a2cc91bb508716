/**
 * The insights read model (docs/insights.md, "Tables"): the facts the rules need per customer, kept in the insights
 * database only, and the recomputation of one customer's insight and early warnings from them. Everything here runs
 * on the caller's transaction: an event handler's (so the facts and the insight commit together), the seeder's, or
 * refresh's. Nothing here reads another subgraph's database.
 */
import { canonicalJson, changedFields, sqlTimestamp, toBoolean, toId, toIsoDate, toIsoTimestamp, type Knex, type SystemChange } from '@icg/shared';
import {
  classifyCustomer,
  findEarlyWarnings,
  segmentCustomer,
  type ClaimClosedOutcome,
  type ClaimFigures,
  type ComplaintFigures,
  type CustomerFigures,
  type EarlyWarningFinding,
  type InsightRules,
  type OrgUnitPremium,
  type PolicyFigures,
  type UnitLeaderBoard,
  type UnitLeaders,
  type ValueCutoffs,
} from './rules';
import { fenToYuan, trailingMonthsThrough, writtenPremiumWithinFen } from './metrics';
import type { BranchLevel, ClaimStatus, ComplaintStatus, LineOfBusiness, PolicyStatus } from '@icg/shared';

type Db = Knex | Knex.Transaction;
type Id = number | string;

// --- Rows ----------------------------------------------------------------------------------------------------

export interface InsightCustomerRow {
  customer_id: Id;
  customer_no: string | null;
  kind: string | null;
  customer_since: string | Date | null;
  branch_id: Id | null;
  branch_path: string | null;
  primary_manager_staff_id: Id | null;
  group_head_customer_id: Id | null;
  blacklisted: boolean | number;
  updated_at: string | Date;
}

export interface InsightPolicyRow {
  policy_no: string;
  customer_id: Id;
  line_of_business: LineOfBusiness;
  status: PolicyStatus;
  effective_date: string | Date;
  expiry_date: string | Date;
  bound_at: string | Date | null;
  product_code: string | null;
  written_premium: number | string;
  cancelled_on: string | Date | null;
  cancelled_for_non_payment: boolean | number;
  lapsed_on: string | Date | null;
  renewal_of_policy_no: string | null;
  arrears_days: number | null;
  branch_id: Id | null;
  /** The key of the one object the policy insures (migration 005); null for none, several or not known. */
  insured_object_key: string | null;
  updated_at: string | Date;
}

export interface InsightClaimRow {
  report_no: string;
  customer_id: Id;
  policy_no: string;
  insured_object_key: string | null;
  loss_date: string | Date | null;
  reported_at: string | Date;
  registered_at: string | Date | null;
  closed_at: string | Date | null;
  status: ClaimStatus;
  outcome: ClaimClosedOutcome | null;
  paid: number | string;
  outstanding_reserve: number | string;
  recoveries: number | string;
  fraud_confirmed: boolean | number | null;
  branch_id: Id | null;
  updated_at: string | Date;
}

export interface InsightComplaintRow {
  complaint_no: string;
  customer_id: Id;
  category: string | null;
  source: string | null;
  status: ComplaintStatus;
  accepted_at: string | Date;
  registered_at: string | Date | null;
  due_date: string | Date;
  feedback_at: string | Date | null;
  closed_at: string | Date | null;
  on_time: boolean | number | null;
  branch_id: Id | null;
  updated_at: string | Date;
}

export interface CustomerInsightRow {
  customer_id: Id;
  classification: string;
  large: boolean | number;
  blacklisted: boolean | number;
  value_segment: string | null;
  contribution_segment: string | null;
  loyalty_segment: string | null;
  figures: string;
  reasons: string;
  rule_version: string;
  as_of: string | Date;
  branch_id: Id | null;
  branch_path: string | null;
  customer_manager_staff_id: Id | null;
}

export type EarlyWarningStatus = 'OPEN' | 'ACKNOWLEDGED' | 'RESOLVED' | 'DISMISSED';

export interface EarlyWarningRow {
  id: Id;
  early_warning_no: string;
  customer_id: Id;
  kind: string;
  level: string;
  subject_key: string | null;
  finding_key: string;
  status: EarlyWarningStatus;
  rule_version: string;
  figures: string;
  raised_at: string | Date;
  updated_at: string | Date;
  cleared_at: string | Date | null;
  acknowledged_at: string | Date | null;
  acknowledged_by_staff_id: Id | null;
  resolved_at: string | Date | null;
  resolved_by_staff_id: Id | null;
  dismissed_at: string | Date | null;
  dismissed_by_staff_id: Id | null;
  dismiss_reason: string | null;
  version: number;
  branch_id: Id | null;
  branch_path: string | null;
  customer_manager_staff_id: Id | null;
}

// --- Org units -------------------------------------------------------------------------------------------------

const LEVELS_BY_DEPTH: readonly BranchLevel[] = ['HEAD_OFFICE', 'PROVINCE', 'CITY'];

/** `/1/3/9/` → the org units on it, head office first: [`/1/`, `/1/3/`, `/1/3/9/`]. */
export function unitPathsOf(branchPath: string | null): string[] {
  if (branchPath === null) return [];
  const ids = branchPath.split('/').filter((part) => part !== '');
  return ids.map((_id, index) => `/${ids.slice(0, index + 1).join('/')}/`);
}

// --- Figures ---------------------------------------------------------------------------------------------------

const money = (value: number | string): string => (typeof value === 'number' ? value.toFixed(2) : value);
const day = (value: string | Date | null): string | null => toIsoDate(value);
const instant = (value: string | Date | null): string | null => toIsoTimestamp(value);

export function policyFigures(row: InsightPolicyRow): PolicyFigures {
  const terminatedOn = day(row.cancelled_on) ?? day(row.lapsed_on);
  return {
    policyNo: row.policy_no,
    lineOfBusiness: row.line_of_business,
    status: row.status,
    effectiveDate: day(row.effective_date)!,
    expiryDate: day(row.expiry_date)!,
    boundAt: instant(row.bound_at),
    terminatedAt: terminatedOn === null ? null : `${terminatedOn}T00:00:00Z`,
    writtenPremium: money(row.written_premium),
    cancelledForNonPayment: toBoolean(row.cancelled_for_non_payment),
    renewalOfPolicyNo: row.renewal_of_policy_no,
    productCode: row.product_code,
    arrearsDays: row.arrears_days,
  };
}

/** A policy's `insured_object_key` from the keys of the objects it insures: its one object's, null for none or several. */
export function soleObjectKeyOf(keys: readonly string[]): string | null {
  return keys.length === 1 ? keys[0]! : null;
}

/**
 * A claim's figures. Its insured object is the one the claim names, else the one object its policy insures (the
 * key `objectOfPolicy` gives); unknown when the policy insures several and the claim does not say.
 */
export function claimFigures(row: InsightClaimRow, objectOfPolicy: (policyNo: string) => string | null = () => null): ClaimFigures {
  return {
    reportNo: row.report_no,
    policyNo: row.policy_no,
    insuredObjectKey: row.insured_object_key ?? objectOfPolicy(row.policy_no),
    lossDate: day(row.loss_date),
    reportedAt: instant(row.reported_at)!,
    registeredAt: instant(row.registered_at),
    closedAt: instant(row.closed_at),
    status: row.status,
    closedOutcome: row.outcome,
    paid: money(row.paid),
    outstandingReserve: money(row.outstanding_reserve),
    recoveries: money(row.recoveries),
    fraudConfirmed: row.fraud_confirmed === null ? false : toBoolean(row.fraud_confirmed),
  };
}

export function complaintFigures(row: InsightComplaintRow): ComplaintFigures {
  return {
    complaintNo: row.complaint_no,
    acceptedAt: instant(row.accepted_at)!,
    registeredAt: instant(row.registered_at),
    dueDate: day(row.due_date)!,
    status: row.status,
    feedbackAt: instant(row.feedback_at),
    closedAt: instant(row.closed_at),
    onTime: row.on_time === null ? null : toBoolean(row.on_time),
  };
}

/** The customer's figures as the rules take them, from the read model only. */
export async function figuresOf(db: Db, customer: InsightCustomerRow, asOf: Date): Promise<CustomerFigures> {
  const customerId = toId(customer.customer_id);
  const [policies, claims, complaints, units] = await Promise.all([
    db('insight_policies').where('customer_id', customerId).orderBy('policy_no') as Promise<InsightPolicyRow[]>,
    db('insight_claims').where('customer_id', customerId).orderBy('report_no') as Promise<InsightClaimRow[]>,
    db('insight_complaints').where('customer_id', customerId).orderBy('complaint_no') as Promise<InsightComplaintRow[]>,
    db('insight_unit_premium').whereIn('branch_path', unitPathsOf(customer.branch_path)) as Promise<OrgUnitRow[]>,
  ]);
  return customerFiguresFrom(
    customer,
    { policies, claims, complaints, units: unitFiguresOf(units), corporateGroup: await corporateGroupOf(db, customer, asOf) },
    asOf,
  );
}

/** The customer's facts as the rules take them (the read model's rows, or a seed batch's). */
export function customerFiguresFrom(
  customer: InsightCustomerRow,
  facts: {
    policies: readonly InsightPolicyRow[];
    claims: readonly InsightClaimRow[];
    complaints: readonly InsightComplaintRow[];
    /** The org units' 12-month written premium and leaders, by unit path. */
    units: ReadonlyMap<string, UnitFigures>;
    corporateGroup: CustomerFigures['corporateGroup'];
  },
  asOf: Date,
): CustomerFigures {
  const policyFacts = facts.policies.map(policyFigures);
  const orgUnitPremiums: OrgUnitPremium[] = unitPathsOf(customer.branch_path).flatMap((path, depth) => {
    const unit = facts.units.get(path);
    const level = LEVELS_BY_DEPTH[depth];
    if (unit === undefined || level === undefined) return [];
    return [{ level, branchId: path.split('/').filter(Boolean).pop()!, writtenPremium12m: unit.writtenPremium12m, leaders: unit.leaders }];
  });
  const objectKeys = new Map(facts.policies.map((policy) => [policy.policy_no, policy.insured_object_key]));
  const arrears = policyFacts.map((policy) => policy.arrearsDays).filter((days): days is number => typeof days === 'number');
  return {
    customerId: toId(customer.customer_id),
    customerSince: day(customer.customer_since) ?? earliestEffectiveDate(policyFacts) ?? asOf.toISOString().slice(0, 10),
    blacklisted: toBoolean(customer.blacklisted),
    arrearsDays: arrears.length === 0 ? null : Math.max(...arrears),
    policies: policyFacts,
    claims: facts.claims.map((claim) => claimFigures(claim, (policyNo) => objectKeys.get(policyNo) ?? null)),
    complaints: facts.complaints.map(complaintFigures),
    orgUnitPremiums,
    corporateGroup: facts.corporateGroup,
  };
}

function earliestEffectiveDate(policies: readonly PolicyFigures[]): string | null {
  return policies.reduce<string | null>((earliest, policy) => (earliest === null || policy.effectiveDate < earliest ? policy.effectiveDate : earliest), null);
}

/**
 * The corporate group a customer belongs to (its head and every organisation naming that head), with the group's
 * policies' written premium; null for a customer in no group. The rules consolidate the 12-month premium over it.
 */
async function corporateGroupOf(db: Db, customer: InsightCustomerRow, asOf: Date): Promise<CustomerFigures['corporateGroup']> {
  const head = toId(customer.group_head_customer_id ?? customer.customer_id);
  const members = (await db('insight_customers').where('group_head_customer_id', head).orWhere('customer_id', head).select('customer_id')) as {
    customer_id: Id;
  }[];
  if (members.length <= 1 && customer.group_head_customer_id === null) return null;
  const policies = (await db('insight_policies').whereIn(
    'customer_id',
    members.map((member) => toId(member.customer_id)),
  )) as InsightPolicyRow[];
  return { groupKey: head, writtenPremium12m: groupPremium12m(policies, asOf) };
}

/** The group's written premium over the 12 months up to asOf, counted as the rules count the customer's own. */
export function groupPremium12m(policies: readonly InsightPolicyRow[], asOf: Date): string {
  return fenToYuan(writtenPremiumWithinFen(policies.map(policyFigures), trailingMonthsThrough(asOf, 12)));
}

// --- Recomputing one customer ------------------------------------------------------------------------------------

export interface RecomputeOptions {
  rules: InsightRules;
  asOf: Date;
  /** The population's value cut-offs; read from insight_population when omitted. */
  cutoffs?: ValueCutoffs | null;
  /** Told each early warning the recomputation raises, moves to another level or clears, for the audit trail. */
  noteChange?: WarningChangeNote;
}

/** Where the system's changes to early warnings are noted (a SystemChanges' `record`). */
export type WarningChangeNote = (change: SystemChange) => void;

export async function valueCutoffsOf(db: Db): Promise<ValueCutoffs | null> {
  const row = (await db('insight_population').where('name', 'valueCutoffs').first()) as { value: string } | undefined;
  return row === undefined ? null : (JSON.parse(row.value) as ValueCutoffs);
}

export async function saveValueCutoffs(db: Db, cutoffs: ValueCutoffs | null, asOf: Date): Promise<void> {
  if (cutoffs === null) return;
  await savePopulationRow(db, 'valueCutoffs', cutoffs, asOf);
}

/** One population figure (`insight_population`), replaced whole. */
async function savePopulationRow(db: Db, name: string, value: unknown, asOf: Date): Promise<void> {
  await db('insight_population')
    .insert({ name, value: canonicalJson(value), as_of: sqlTimestamp(asOf) })
    .onConflict('name')
    .merge();
}

/** The `insight_population` row naming the last full recompute (refresh, scheduled recompute): its asOf, its count. */
const FULL_RECOMPUTE = 'fullRecompute';

/** Notes a full recompute's end: the scheduled recompute is due an interval after it, whoever ran it. */
export async function saveFullRecompute(db: Db, customers: number, asOf: Date): Promise<void> {
  await savePopulationRow(db, FULL_RECOMPUTE, { customers }, asOf);
}

/** When every customer was last recomputed in one run (its asOf); null when never. */
export async function lastFullRecompute(db: Db): Promise<Date | null> {
  const row = (await db('insight_population').where('name', FULL_RECOMPUTE).first('as_of')) as { as_of: string | Date } | undefined;
  return row === undefined ? null : new Date(toIsoTimestamp(row.as_of)!);
}

/** A customer the read model does not know yet (an event about them came first): no scope until their facts arrive. */
export async function ensureCustomer(db: Db, customerId: string, now: Date): Promise<InsightCustomerRow> {
  const existing = (await db('insight_customers').where('customer_id', customerId).first()) as InsightCustomerRow | undefined;
  if (existing !== undefined) return existing;
  const row: InsightCustomerRow = {
    customer_id: customerId,
    customer_no: null,
    kind: null,
    customer_since: null,
    branch_id: null,
    branch_path: null,
    primary_manager_staff_id: null,
    group_head_customer_id: null,
    blacklisted: false,
    updated_at: sqlTimestamp(now),
  };
  await db('insight_customers').insert(row).onConflict('customer_id').ignore();
  return row;
}

/**
 * Recomputes a customer's insight and reconciles their early warnings with the rules' current findings
 * (docs/insights.md, "Warnings follow findings"). Returns the insight row written.
 */
export async function recomputeCustomer(trx: Knex.Transaction, customerId: string, options: RecomputeOptions): Promise<CustomerInsightRow | null> {
  const customer = (await trx('insight_customers').where('customer_id', customerId).first()) as InsightCustomerRow | undefined;
  if (customer === undefined) return null;
  const figures = await figuresOf(trx, customer, options.asOf);
  const cutoffs = options.cutoffs === undefined ? await valueCutoffsOf(trx) : options.cutoffs;
  const row = insightRowOf(customer, figures, options, cutoffs);
  await trx('customer_insights').insert(row).onConflict('customer_id').merge();
  await reconcileWarnings(trx, customer, findEarlyWarnings(figures, options.rules, options.asOf), options.asOf, undefined, options.noteChange);
  return row;
}

export function insightRowOf(
  customer: InsightCustomerRow,
  figures: CustomerFigures,
  options: RecomputeOptions,
  cutoffs: ValueCutoffs | null,
): CustomerInsightRow {
  const classification = classifyCustomer(figures, options.rules, options.asOf);
  const segments = segmentCustomer(figures, options.rules, options.asOf, cutoffs);
  return {
    customer_id: toId(customer.customer_id),
    classification: classification.classification,
    large: classification.large,
    blacklisted: classification.blacklisted,
    value_segment: segments.value.band,
    contribution_segment: segments.contribution.band,
    loyalty_segment: segments.loyalty.band,
    figures: canonicalJson({ classification: classification.figures, segments }),
    reasons: canonicalJson(classification.reasons),
    rule_version: classification.ruleVersion,
    as_of: sqlTimestamp(options.asOf),
    branch_id: customer.branch_id,
    branch_path: customer.branch_path,
    customer_manager_staff_id: customer.primary_manager_staff_id,
  };
}

const LIVE_STATUSES: readonly EarlyWarningStatus[] = ['OPEN', 'ACKNOWLEDGED'];

export const findingKeyOf = (finding: Pick<EarlyWarningFinding, 'kind' | 'subjectKey'>): string => `${finding.kind}:${finding.subjectKey}`;

/** EW + 12 digits: the warning's id, or the next free number when a seeded number holds it. */
async function newWarningNumber(trx: Knex.Transaction): Promise<{ id: number; number: string }> {
  const row = (await trx('early_warnings').select('id').orderBy('id', 'desc').limit(1).forUpdate().first()) as { id: Id } | undefined;
  for (let id = row === undefined ? 1 : Number(row.id) + 1; ; id++) {
    const number = `EW${String(id % 10 ** 12).padStart(12, '0')}`;
    if ((await trx('early_warnings').where('early_warning_no', number).first('id')) === undefined) return { id, number };
  }
}

/**
 * Raises, moves and clears the customer's warnings to match `findings`. `live`: the customer's warnings not cleared,
 * when the caller read them already (refresh reads a chunk's at once). Each change of a warning's state (raised, a new
 * level, cleared or resolved by the system: every change that moves its version) is told to `noteChange`, the
 * system's audited changes; new figures at the same level are derived data and are not.
 */
export async function reconcileWarnings(
  trx: Knex.Transaction,
  customer: InsightCustomerRow,
  findings: readonly EarlyWarningFinding[],
  now: Date,
  live?: readonly EarlyWarningRow[],
  noteChange: WarningChangeNote = () => undefined,
): Promise<void> {
  const at = sqlTimestamp(now);
  live ??= (await trx('early_warnings').where('customer_id', toId(customer.customer_id)).whereNull('cleared_at')) as EarlyWarningRow[];
  const liveByKey = new Map(live.map((row) => [row.finding_key, row]));
  const scope = { branch_id: customer.branch_id, branch_path: customer.branch_path, customer_manager_staff_id: customer.primary_manager_staff_id };
  const found = new Set<string>();
  for (const finding of findings) {
    const key = findingKeyOf(finding);
    if (found.has(key)) continue;
    found.add(key);
    const figures = canonicalJson({ rule: finding.rule, subject: finding.subject, ...finding.figures });
    const existing = liveByKey.get(key);
    if (existing === undefined) {
      const { id, number } = await newWarningNumber(trx);
      const row: EarlyWarningRow = {
        id,
        early_warning_no: number,
        customer_id: toId(customer.customer_id),
        kind: finding.kind,
        level: finding.level,
        subject_key: finding.subjectKey,
        finding_key: key,
        status: 'OPEN',
        rule_version: finding.ruleVersion,
        figures,
        raised_at: at,
        updated_at: at,
        cleared_at: null,
        acknowledged_at: null,
        acknowledged_by_staff_id: null,
        resolved_at: null,
        resolved_by_staff_id: null,
        dismissed_at: null,
        dismissed_by_staff_id: null,
        dismiss_reason: null,
        version: 1,
        ...scope,
      };
      await trx('early_warnings').insert(row);
      noteChange({
        recordKey: `EarlyWarning:${number}`,
        beforeVersion: null,
        afterVersion: 1,
        fields: changedFields(undefined, row, ['customer_id', 'kind', 'level', 'subject_key', 'status', 'rule_version']),
      });
      continue;
    }
    const levelChanged = existing.level !== finding.level;
    if (!levelChanged && existing.figures === figures && existing.rule_version === finding.ruleVersion && existing.branch_path === scope.branch_path) continue;
    // A new level is a new state of the warning: whoever acts on it must have seen it (the version moves). New
    // figures of the same level (days left, a ratio's last digits) are not.
    await trx('early_warnings')
      .where('id', existing.id)
      .update({
        level: finding.level,
        figures,
        rule_version: finding.ruleVersion,
        updated_at: at,
        ...scope,
        ...(levelChanged ? { version: Number(existing.version) + 1 } : {}),
      });
    if (levelChanged)
      noteChange({
        recordKey: `EarlyWarning:${existing.early_warning_no}`,
        beforeVersion: Number(existing.version),
        afterVersion: Number(existing.version) + 1,
        fields: { level: { before: existing.level, after: finding.level } },
      });
  }
  for (const row of live) {
    if (found.has(row.finding_key)) continue;
    // The finding no longer holds: the warning is cleared, and resolved by the system if nobody had.
    const resolve = LIVE_STATUSES.includes(row.status);
    const cleared = { cleared_at: at, ...(resolve ? { status: 'RESOLVED', resolved_at: at, resolved_by_staff_id: null } : {}) };
    await trx('early_warnings')
      .where('id', row.id)
      .update({ ...cleared, updated_at: at, version: Number(row.version) + 1 });
    noteChange({
      recordKey: `EarlyWarning:${row.early_warning_no}`,
      beforeVersion: Number(row.version),
      afterVersion: Number(row.version) + 1,
      fields: changedFields(row, cleared),
    });
  }
}

// --- Org units' premium -----------------------------------------------------------------------------------------

export interface OrgUnitRow {
  branch_path: string;
  written_premium_12m: number | string;
  /** JSON UnitLeaders, or null before the first full recompute. */
  leaders: string | null;
}

/** What the large rule takes of an org unit. */
export interface UnitFigures {
  writtenPremium12m: string;
  leaders: UnitLeaders | null;
}

export function unitFiguresOf(rows: readonly OrgUnitRow[]): Map<string, UnitFigures> {
  return new Map(
    rows.map((row) => [
      row.branch_path,
      { writtenPremium12m: money(row.written_premium_12m), leaders: row.leaders === null ? null : (JSON.parse(row.leaders) as UnitLeaders) },
    ]),
  );
}

/**
 * Writes each unit's leaders (the whole population's, from one pass): the top-N clause reads them until the next full
 * recompute, while the events move the premium in between. A unit whose only premium is a group's written elsewhere
 * gets a row with no premium of its own.
 */
export async function saveUnitLeaders(db: Db, board: UnitLeaderBoard, asOf: Date): Promise<void> {
  await db('insight_unit_premium').update({ leaders: null });
  for (const path of board.unitPaths()) {
    const leaders = canonicalJson(board.leadersOf(path));
    const updated = await db('insight_unit_premium').where('branch_path', path).update({ leaders });
    if (updated === 0) await db('insight_unit_premium').insert({ branch_path: path, written_premium_12m: '0.00', leaders, as_of: sqlTimestamp(asOf) });
  }
}

/**
 * Every org unit's 12-month written premium (its whole subtree: a policy counts for the units on its holder's branch
 * path), tallied customer by customer as a full recompute walks the read model, counted as the rules count a
 * customer's own.
 */
export class UnitPremiumTally {
  private readonly fenByUnit = new Map<string, number>();
  private readonly window: ReturnType<typeof trailingMonthsThrough>;

  constructor(asOf: Date) {
    this.window = trailingMonthsThrough(asOf, 12);
  }

  add(customer: InsightCustomerRow, policies: readonly InsightPolicyRow[]): void {
    if (customer.branch_path === null) return;
    const paths = unitPathsOf(customer.branch_path);
    for (const policy of policies) {
      const fen = writtenPremiumWithinFen([policyFigures(policy)], this.window);
      if (fen === 0) continue;
      for (const path of paths) this.fenByUnit.set(path, (this.fenByUnit.get(path) ?? 0) + fen);
    }
  }

  /** Each unit's premium so far (fen), to be added to another tally. */
  entries(): [string, number][] {
    return [...this.fenByUnit];
  }

  addEntries(entries: readonly (readonly [string, number])[]): void {
    for (const [path, fen] of entries) this.fenByUnit.set(path, (this.fenByUnit.get(path) ?? 0) + fen);
  }

  /** Replaces every unit's premium (and clears the leaders, which saveUnitLeaders writes next). */
  async save(db: Db, asOf: Date): Promise<void> {
    const at = sqlTimestamp(asOf);
    await db('insight_unit_premium').delete();
    const units = [...this.fenByUnit].map(([path, fen]) => ({ branch_path: path, written_premium_12m: fenToYuan(fen), as_of: at }));
    for (let start = 0; start < units.length; start += 300) await db('insight_unit_premium').insert(units.slice(start, start + 300));
  }
}

/** A newly bound policy's premium counts for its holder's org units until the next rebuild. */
export async function addToUnitPremium(db: Db, branchPath: string | null, writtenPremium: string, now: Date): Promise<void> {
  for (const path of unitPathsOf(branchPath)) {
    const updated = await db('insight_unit_premium')
      .where('branch_path', path)
      .update({ written_premium_12m: db.raw('written_premium_12m + ?', [writtenPremium]) });
    if (updated === 0) await db('insight_unit_premium').insert({ branch_path: path, written_premium_12m: writtenPremium, as_of: sqlTimestamp(now) });
  }
}
