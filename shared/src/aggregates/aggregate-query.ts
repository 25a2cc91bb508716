/**
 * Grouped aggregates over one table (issue "Customer insight and BI", "Aggregates with groupBy";
 * docs/access-model.md, "Aggregates"): count, and sum, average, minimum and maximum of per-record figures,
 * grouped by the dimensions a subgraph declares, computed by ONE `GROUP BY` statement over the caller's rows.
 *
 * How the caller may read them is not decided here: the enforcement layer decides the aggregate field from its
 * `@classified(…, aggregate: true)` and hands the decision over (granted-access.ts). Here it is obeyed:
 * - only rows in the decision's scope (OWN, BRANCH, ALL) are aggregated;
 * - a dimension whose values reveal a class of their own (a claim's cause is HEALTH) is decided the same way,
 *   as an aggregate of that field's classification; the stricter outcome applies, and a denial refuses;
 * - SUPPRESSED: groups of fewer than k records, and the complementary groups that would let one recompute them,
 *   come back with `suppressed: true` and no figures (suppression.ts). A group's fate is decided over the
 *   caller's whole scope, never over the filtered rows, so two overlapping filters show the same figures for
 *   the same group and their difference reveals nothing; filters may therefore only select whole groups (a
 *   filter on a dimension that is grouped by), and a total over a filtered selection that holds a suppressed
 *   group is suppressed with it.
 */
import { isObjectType, type GraphQLSchema } from 'graphql';
import type { Knex } from 'knex';
import { decide, type AccessPolicy, type AggregateAccess, type Caller, type FieldClassification, type Scope } from '../access';
import { dialectOf, type DatabaseDialect } from '../database';
import { classificationOf } from '../enforcement/classified-fields';
import { forbiddenFieldError } from '../enforcement/forbidden-field-error';
import { badUserInput } from '../errors';
import { SCOPES } from '../access/access-policy';
import { BRANCH_LEVELS } from '../domain/vocabulary';
import type { RowScopeColumns } from '../subgraph-manifest';
import { aggregateAccessOf } from './granted-access';
import { filterSelection, type AggregateFilterSpec, type CellFilter } from './aggregate-filters';
import { suppressSmallGroups, type SuppressionCell } from './suppression';

/** The org tree's depth (DOMAIN.md section 2, BRANCH_LEVELS): head office 1, province 2, city 3. */
const ORG_TREE_DEPTH = BRANCH_LEVELS.length;

/** What a group is keyed by. `field` is the group type's field that shows the value. */
export type AggregateDimension = (
  | { kind: 'branch'; pathColumn: string }
  | { kind: 'value'; column: string }
  /** `YYYY-MM` of a date or date-time column. */
  | { kind: 'month'; column: string }
) & {
  field: string;
  /**
   * The field (`Claim.cause`) whose values the dimension shows, when they carry a class of their own beyond the
   * aggregate field's: the dimension is then decided as an aggregate of that field's classification.
   */
  reveals?: string;
};

/** A per-record figure: an SQL expression over the table's columns, NULL where the record has none. */
export interface AggregateMeasure {
  sql(dialect: DatabaseDialect): string;
}

export interface AggregateDefinition {
  /** The entity aggregated, for messages (`Policy`). */
  entity: string;
  table: string;
  /** Who a row belongs to (the manifest's entity scope): the rows outside the caller's scope are left out. */
  scope: RowScopeColumns;
  /** By the GraphQL enum value of `groupBy` (`BRANCH`, `STATUS`, …). */
  dimensions: Readonly<Record<string, AggregateDimension>>;
  /** By the group type's field that shows the statistics (`writtenPremium`). */
  measures: Readonly<Record<string, AggregateMeasure>>;
  /** The connection's filter input (`PolicyFilter`) and which of its fields select whole groups of a dimension. */
  filters: AggregateFilterSpec;
}

export interface AggregateArguments {
  groupBy?: readonly string[] | null;
  branchLevel?: number | null;
  filter?: Readonly<Record<string, unknown>> | null;
}

/** sum, avg, min, max of one figure over a group's records that have it. */
export interface AggregateStatistics {
  sum: number | null;
  avg: number | null;
  min: number | null;
  max: number | null;
}

/** One group as the group type's default resolvers read it: dimension fields, `suppressed`, `count`, measures. */
export type AggregateGroup = Record<string, unknown> & { id: string; suppressed: boolean; count: number | null };

/**
 * For a measure that is 1 or 0 per record (a flag: overdue, answered, on time), how many of the group's records have
 * it: the measure's sum; null when the group is suppressed, 0 when no record had a value.
 */
export function flaggedCount(group: AggregateGroup, measure: string): number | null {
  if (group.suppressed) return null;
  const statistics = group[measure] as AggregateStatistics | null | undefined;
  return statistics?.sum === null || statistics?.sum === undefined ? 0 : Math.round(statistics.sum);
}

export interface AggregateResult {
  groups: AggregateGroup[];
  /** The whole selection (every record the filter selects in the caller's scope). */
  total: AggregateGroup;
  /** EXACT or SUPPRESSED. */
  mode: AggregateAccess['mode'];
  /** k, when small groups are suppressed. */
  minimumGroupSize: number | null;
  suppressedGroups: number;
}

export interface AggregateRequest {
  db: Knex;
  policy: AccessPolicy;
  caller: Caller;
  /** Where dimension classifications are read (`info.schema`). */
  schema: GraphQLSchema;
  /** The aggregate field's coordinate, for a refusal (`Query.policyAggregates`). */
  coordinate: string;
  /** The resolver's arguments as enforcement passed them (they carry its decision). */
  args: AggregateArguments;
}

interface Accumulator {
  values: string[];
  count: number;
  sums: number[];
  counts: number[];
  mins: (number | null)[];
  maxes: (number | null)[];
}

/** Runs one aggregate request: one GROUP BY statement, then roll-up, suppression and selection in memory. */
export async function runAggregate(definition: AggregateDefinition, request: AggregateRequest): Promise<AggregateResult> {
  const granted = aggregateAccessOf(request.args);
  // Deny by default: a resolver reached without the enforcement layer's decision computes nothing.
  if (!granted) throw forbiddenFieldError({ coordinate: request.coordinate, tier: 'RESTRICTED', policyVersion: request.policy.version });
  const groupBy = readGroupBy(definition, request.args.groupBy);
  const branchLevel = readBranchLevel(definition, groupBy, request.args.branchLevel);
  const access = [granted, ...groupBy.map((name) => dimensionAccess(definition.dimensions[name]!, request))].reduce(stricter);
  const suppressed = access.mode === 'SUPPRESSED';
  const dimensions = groupBy.map((name) => definition.dimensions[name]!);
  const measureNames = Object.keys(definition.measures);

  const selection = await filterSelection(request.db, definition.table, definition.filters, request.args.filter, {
    suppressed,
    groupBy,
    branchLevel,
    dimensions: definition.dimensions,
  });
  const rows = selection.empty ? [] : await groupedRows(request.db, definition, request.caller, access.scope, dimensions, measureNames, selection.conditions);

  // Roll the branch dimension up to the requested level: sums, counts, minima and maxima combine exactly.
  const cells = new Map<string, Accumulator>();
  for (const row of rows) {
    const values = dimensions.map((dimension, index) => {
      const value = row[`d${index}`] === null || row[`d${index}`] === undefined ? '' : String(row[`d${index}`]);
      return dimension.kind === 'branch' ? truncatePath(value, branchLevel) : value;
    });
    const key = JSON.stringify(values);
    const cell = cells.get(key) ?? {
      values,
      count: 0,
      sums: measureNames.map(() => 0),
      counts: measureNames.map(() => 0),
      mins: measureNames.map(() => null),
      maxes: measureNames.map(() => null),
    };
    cells.set(key, cell);
    merge(cell, readAccumulator(row, measureNames.length));
  }
  if (dimensions.length === 0 && cells.size === 0) cells.set('[]', emptyAccumulator([], measureNames.length));

  const grid: (SuppressionCell & { accumulator: Accumulator })[] = [...cells.values()].map((accumulator) => ({
    values: accumulator.values,
    count: accumulator.count,
    suppressed: false,
    accumulator,
  }));
  if (access.mode === 'SUPPRESSED') {
    suppressSmallGroups(grid, access.minimumGroupSize, (dimension, value) => (dimensions[dimension]!.kind === 'branch' ? branchLine(value, branchLevel) : ''));
  }
  const extremes = access.mode === 'EXACT' || access.extremes;
  const selected = grid.filter((cell) => selection.cellFilters.every((cellFilter) => matches(cellFilter, cell.values)));
  selected.sort((a, b) => compare(a.values, b.values));

  const groups = selected.map((cell) => toGroup(cell.accumulator, cell.suppressed, dimensions, measureNames, extremes));
  const totalAccumulator = emptyAccumulator([], measureNames.length);
  for (const cell of selected) merge(totalAccumulator, cell.accumulator);
  // A total over a filtered selection with a suppressed group in it would give that group back by subtraction;
  // the unfiltered total is a line sum the complementary suppression already protects.
  const totalSuppressed =
    access.mode === 'SUPPRESSED' &&
    (totalAccumulator.count < access.minimumGroupSize || (selection.cellFilters.length > 0 && selected.some((cell) => cell.suppressed)));
  return {
    groups,
    total: toGroup(totalAccumulator, totalSuppressed, [], measureNames, extremes),
    mode: access.mode,
    minimumGroupSize: access.mode === 'SUPPRESSED' ? access.minimumGroupSize : null,
    suppressedGroups: groups.filter((group) => group.suppressed).length,
  };
}

function readGroupBy(definition: AggregateDefinition, groupBy: readonly string[] | null | undefined): string[] {
  const names = [...(groupBy ?? [])];
  for (const name of names) {
    if (!Object.hasOwn(definition.dimensions, name)) throw badUserInput('groupBy', `${name} is not a dimension of ${definition.entity} aggregates`);
  }
  if (new Set(names).size !== names.length) throw badUserInput('groupBy', 'names a dimension twice');
  return names;
}

function readBranchLevel(definition: AggregateDefinition, groupBy: readonly string[], branchLevel: number | null | undefined): number {
  if (branchLevel === null || branchLevel === undefined) return ORG_TREE_DEPTH;
  if (!groupBy.some((name) => definition.dimensions[name]!.kind === 'branch')) throw badUserInput('branchLevel', 'applies only when grouping by branch');
  if (!Number.isInteger(branchLevel) || branchLevel < 1 || branchLevel > ORG_TREE_DEPTH)
    throw badUserInput('branchLevel', `must be 1 (head office), 2 (province) or ${ORG_TREE_DEPTH} (city)`);
  return branchLevel;
}

/** A dimension that reveals a field's own class (a claim's cause: HEALTH) is decided as an aggregate of it. */
function dimensionAccess(dimension: AggregateDimension, request: AggregateRequest): AggregateAccess {
  if (!dimension.reveals) return { mode: 'EXACT', scope: 'ALL' };
  const [typeName, fieldName] = dimension.reveals.split('.');
  const type = request.schema.getType(typeName ?? '');
  const field = isObjectType(type) ? type.getFields()[fieldName ?? ''] : undefined;
  // A dimension naming a field the schema lacks is a programming error; deny rather than guess.
  const classification: FieldClassification =
    field && isObjectType(type) ? classificationOf(type, field) : { tier: 'RESTRICTED', category: 'GENERAL', mask: null };
  const verdict = decide(
    request.policy,
    request.caller,
    { tier: classification.tier, category: classification.category, mask: null, aggregate: true },
    undefined,
  );
  if (verdict.decision !== 'ALLOW' || !verdict.aggregate)
    throw forbiddenFieldError({ coordinate: dimension.reveals, tier: classification.tier, policyVersion: request.policy.version });
  return verdict.aggregate;
}

/** The stricter of two decisions: suppression wins, with the larger k; the narrower scope. */
function stricter(a: AggregateAccess, b: AggregateAccess): AggregateAccess {
  const scope: Scope = SCOPES.indexOf(a.scope) <= SCOPES.indexOf(b.scope) ? a.scope : b.scope;
  if (a.mode === 'EXACT' && b.mode === 'EXACT') return { mode: 'EXACT', scope };
  const k = Math.max(a.mode === 'SUPPRESSED' ? a.minimumGroupSize : 0, b.mode === 'SUPPRESSED' ? b.minimumGroupSize : 0);
  const extremes = (a.mode === 'EXACT' || a.extremes) && (b.mode === 'EXACT' || b.extremes);
  return { mode: 'SUPPRESSED', scope, minimumGroupSize: k, extremes };
}

/**
 * `SELECT d0…, COUNT(*), SUM/COUNT/MIN/MAX(m…) FROM t WHERE <scope> AND <filter> GROUP BY d0…`: the one
 * statement. The branch dimension groups by the row's full path (indexed), rolled up afterwards.
 */
async function groupedRows(
  db: Knex,
  definition: AggregateDefinition,
  caller: Caller,
  scope: Scope,
  dimensions: readonly AggregateDimension[],
  measureNames: readonly string[],
  conditions: readonly ((query: Knex.QueryBuilder) => void)[],
): Promise<Record<string, unknown>[]> {
  const dialect = dialectOf(db);
  const table = definition.table;
  const dimensionSql = dimensions.map((dimension) => dimensionExpression(dimension, table));
  const selects = [
    ...dimensionSql.map((sql, index) => db.raw(`${sql} as ??`, [`d${index}`])),
    db.raw('count(*) as ??', ['n']),
    ...measureNames.flatMap((name, index) => {
      const sql = definition.measures[name]!.sql(dialect);
      return [
        db.raw(`sum(${sql}) as ??`, [`s${index}`]),
        db.raw(`count(${sql}) as ??`, [`c${index}`]),
        db.raw(`min(${sql}) as ??`, [`lo${index}`]),
        db.raw(`max(${sql}) as ??`, [`hi${index}`]),
      ];
    }),
  ];
  const query = db.table(table).select(selects);
  whereInCallerScope(query, definition.table, definition.scope, caller, scope);
  for (const condition of conditions) condition(query);
  if (dimensionSql.length > 0) query.groupByRaw(dimensionSql.join(', '));
  return (await query) as Record<string, unknown>[];
}

function dimensionExpression(dimension: AggregateDimension, table: string): string {
  switch (dimension.kind) {
    case 'branch':
      return `${table}.${dimension.pathColumn}`;
    case 'value':
      return `${table}.${dimension.column}`;
    case 'month':
      // Both dialects render a DATE or DATETIME as text starting YYYY-MM-DD.
      return `substr(${table}.${dimension.column}, 1, 7)`;
  }
}

/**
 * Only the caller's rows of `table` (an alias or a table name), by its row-scope columns: their branch subtree, the
 * records they are responsible for, or all. For statements that sum over rows rather than read them one by one.
 */
export function whereInCallerScope(query: Knex.QueryBuilder, table: string, columns: RowScopeColumns, caller: Caller, scope: Scope): void {
  switch (scope) {
    case 'ALL':
      return;
    case 'BRANCH': {
      // A malformed path of the caller's matches nothing (deny by default), as isInScope decides.
      if (!/^\/(?:[^/]+\/)+$/.test(caller.branchPath)) {
        query.whereRaw('1 = 0');
        return;
      }
      // Every path below `/1/3/` sorts in [`/1/3/`, `/1/30`): a range the branch path index serves.
      const column = `${table}.${columns.branchPath}`;
      query.where(column, '>=', caller.branchPath).andWhere(column, '<', `${caller.branchPath.slice(0, -1)}0`);
      return;
    }
    case 'OWN': {
      if (caller.staffId === '' || columns.responsibleStaffIds.length === 0) {
        query.whereRaw('1 = 0');
        return;
      }
      query.where((inner) => {
        for (const column of columns.responsibleStaffIds) inner.orWhere(`${table}.${column}`, caller.staffId);
      });
      return;
    }
  }
}

/** `/1/3/9/` at level 2 is `/1/3/`; a shallower path (a province's own records at level 3) stays as it is. */
export function truncatePath(path: string, level: number): string {
  const parts = path.split('/').filter((part) => part !== '');
  return parts.length <= level ? path : `/${parts.slice(0, level).join('/')}/`;
}

/**
 * The line a branch group belongs to for complementary suppression: the parent whose group (one level up)
 * equals the sum of the line. A group at the requested level has its parent; a branch above that level (its
 * own records) shares the line of its children.
 */
function branchLine(path: string, level: number): string {
  const parts = path.split('/').filter((part) => part !== '');
  return parts.length < level ? path : `/${parts.slice(0, -1).join('/')}${parts.length > 1 ? '/' : ''}`;
}

function numberOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

function readAccumulator(row: Record<string, unknown>, measures: number): Accumulator {
  const accumulator = emptyAccumulator([], measures);
  accumulator.count = Number(row.n ?? 0);
  for (let index = 0; index < measures; index++) {
    accumulator.sums[index] = numberOrNull(row[`s${index}`]) ?? 0;
    accumulator.counts[index] = Number(row[`c${index}`] ?? 0);
    accumulator.mins[index] = numberOrNull(row[`lo${index}`]);
    accumulator.maxes[index] = numberOrNull(row[`hi${index}`]);
  }
  return accumulator;
}

function emptyAccumulator(values: string[], measures: number): Accumulator {
  return {
    values,
    count: 0,
    sums: new Array<number>(measures).fill(0),
    counts: new Array<number>(measures).fill(0),
    mins: new Array<number | null>(measures).fill(null),
    maxes: new Array<number | null>(measures).fill(null),
  };
}

function merge(into: Accumulator, from: Accumulator): void {
  into.count += from.count;
  for (let index = 0; index < into.sums.length; index++) {
    into.sums[index]! += from.sums[index]!;
    into.counts[index]! += from.counts[index]!;
    const low = from.mins[index]!;
    const high = from.maxes[index]!;
    if (low !== null && (into.mins[index] === null || low < into.mins[index]!)) into.mins[index] = low;
    if (high !== null && (into.maxes[index] === null || high > into.maxes[index]!)) into.maxes[index] = high;
  }
}

/** Money and days to two decimals: sums of DECIMAL columns come back as text or floats depending on the driver. */
const round2 = (value: number): number => Math.round(value * 100) / 100;

function toGroup(
  accumulator: Accumulator,
  suppressed: boolean,
  dimensions: readonly AggregateDimension[],
  measureNames: readonly string[],
  extremes: boolean,
): AggregateGroup {
  const group: AggregateGroup = { id: `${JSON.stringify(accumulator.values)}`, suppressed, count: suppressed ? null : accumulator.count };
  dimensions.forEach((dimension, index) => {
    const value = accumulator.values[index]!;
    if (dimension.kind === 'branch') {
      const parts = value.split('/').filter((part) => part !== '');
      group[dimension.field] = parts.length > 0 ? { id: parts[parts.length - 1]! } : null;
      group.branchLevel = parts.length;
    } else {
      group[dimension.field] = value === '' ? null : value;
    }
  });
  measureNames.forEach((name, index) => {
    const count = accumulator.counts[index]!;
    group[name] =
      suppressed || count === 0
        ? null
        : ({
            sum: round2(accumulator.sums[index]!),
            avg: round2(accumulator.sums[index]! / count),
            min: extremes ? accumulator.mins[index]! : null,
            max: extremes ? accumulator.maxes[index]! : null,
          } satisfies AggregateStatistics);
  });
  return group;
}

function matches(cellFilter: CellFilter, values: readonly string[]): boolean {
  return cellFilter.test(values[cellFilter.dimension]!);
}

function compare(a: readonly string[], b: readonly string[]): number {
  for (let index = 0; index < a.length; index++) {
    if (a[index]! !== b[index]!) return a[index]! < b[index]! ? -1 : 1;
  }
  return 0;
}

/** Days from one date or date-time column to another, as an SQL expression (NULL when either is NULL). */
export function daysBetweenSql(dialect: DatabaseDialect, from: string, to: string): string {
  return dialect === 'mysql' ? `(timestampdiff(second, ${from}, ${to}) / 86400)` : `(julianday(${to}) - julianday(${from}))`;
}
