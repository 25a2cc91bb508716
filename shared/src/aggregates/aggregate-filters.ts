/**
 * The filter of an aggregate request: the same input as the entity's root connection (`PolicyFilter`, …) with
 * the same meaning, read from the same kind of spec (input field → column and kind).
 *
 * Exact aggregates apply every filter in the statement. Suppressed aggregates do not: a group's fate is decided
 * over the caller's whole scope, and the filter then selects whole groups, so overlapping filters cannot be
 * subtracted from each other (aggregate-query.ts). A filter field is therefore accepted there only when it
 * selects whole groups of a dimension that is grouped by (status of STATUS, a branch at or above the grouping
 * level of BRANCH, whole months of a month dimension); any other (one customer, `updatedSince`, a day range
 * inside a month) is refused with BAD_USER_INPUT naming it.
 */
import type { Knex } from 'knex';
import { badUserInput } from '../errors';
import { parseEntityId } from '../ids';
import type { AggregateDimension } from './aggregate-query';

// --- Filter kinds: the same as the root connections' (shared/src/keyset-connection.ts, KeysetFilterField) -------
/** How one filter field narrows the rows. Dates are `YYYY-MM-DD`, instants ISO 8601 with a zone. */
export type AggregateFilterField =
  | { kind: 'equals'; column: string }
  | { kind: 'id'; column: string }
  | { kind: 'branchSubtree'; idColumn: string; pathColumn: string }
  | { kind: 'dateFrom'; column: string }
  | { kind: 'dateTo'; column: string }
  | { kind: 'dateBefore'; column: string }
  | { kind: 'instantSince'; column: string };

export interface AggregateFilterSpec {
  /** The connection's filter spec: input field → how it narrows the rows. */
  fields: Readonly<Record<string, AggregateFilterField>>;
  /** The filter fields that select whole groups of a dimension (by `groupBy` value), for suppressed aggregates. */
  dimensions: Readonly<Record<string, string>>;
}

/** Selects the groups whose value of dimension number `dimension` (in `groupBy` order) passes `test`. */
export interface CellFilter {
  dimension: number;
  test(value: string): boolean;
}

export interface FilterSelection {
  /** Conditions for the statement (exact aggregates). */
  conditions: ((query: Knex.QueryBuilder) => void)[];
  /** Group selections applied after suppression (suppressed aggregates). */
  cellFilters: CellFilter[];
  /** The filter cannot match anything (a branch with no records below it). */
  empty: boolean;
}

interface SelectionContext {
  suppressed: boolean;
  groupBy: readonly string[];
  branchLevel: number;
  dimensions: Readonly<Record<string, AggregateDimension>>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function parseDay(value: unknown, argumentName: string): string {
  const invalid = () => badUserInput(argumentName, 'must be a date, YYYY-MM-DD');
  if (typeof value !== 'string' || !DATE.test(value)) throw invalid();
  const time = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(time) || !new Date(time).toISOString().startsWith(value)) throw invalid();
  return value;
}

function parseInstant(value: unknown, argumentName: string): string {
  const invalid = () => badUserInput(argumentName, 'must be a date and time with its zone, e.g. 2026-12-06T10:00:00Z');
  if (typeof value !== 'string') throw invalid();
  const match = INSTANT.exec(value);
  if (!match) throw invalid();
  parseDay(match[1], argumentName);
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalid();
  return new Date(time).toISOString().slice(0, 19).replace('T', ' ');
}

const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Every path under `path` sorts in [path, path with its final "/" raised to "0"): an indexed range. */
function whereInSubtree(query: Knex.QueryBuilder, column: string, path: string): void {
  query.where(column, '>=', path).andWhere(column, '<', `${path.slice(0, -1)}0`);
}

/**
 * The materialised path of a branch as the table's rows know it (one indexed read, two when the branch has no
 * records of its own); null when no row lies in its subtree. The org tree has three levels under one head office.
 */
async function subtreePath(db: Knex, table: string, field: { idColumn: string; pathColumn: string }, branchId: string): Promise<string | null> {
  const own = (await db.table(table).where(field.idColumn, branchId).first(field.pathColumn)) as Record<string, string> | undefined;
  if (own) return own[field.pathColumn]!;
  const any = (await db.table(table).orderBy(field.pathColumn).first(field.pathColumn)) as Record<string, string> | undefined;
  if (!any) return null;
  const headOffice = any[field.pathColumn]!.split('/')[1]!;
  const candidate = headOffice === branchId ? `/${branchId}/` : `/${headOffice}/${branchId}/`;
  const below = db.table(table).first(field.pathColumn);
  whereInSubtree(below, field.pathColumn, candidate);
  return (await below) ? candidate : null;
}

/** Reads the filter into statement conditions (exact) or group selections (suppressed). */
export async function filterSelection(
  db: Knex,
  table: string,
  spec: AggregateFilterSpec,
  filter: Readonly<Record<string, unknown>> | null | undefined,
  context: SelectionContext,
): Promise<FilterSelection> {
  const selection: FilterSelection = { conditions: [], cellFilters: [], empty: false };
  if (!filter) return selection;
  for (const [name, value] of Object.entries(filter)) {
    if (value === null || value === undefined) continue;
    const field = spec.fields[name];
    const argumentName = `filter.${name}`;
    if (!field) throw badUserInput(argumentName, 'is not a filter of these aggregates');
    const dimensionIndex = context.suppressed ? groupedDimension(spec, name, context) : -1;
    switch (field.kind) {
      case 'equals': {
        if (typeof value !== 'string') throw badUserInput(argumentName, 'must be one of the values the schema lists');
        if (context.suppressed) selection.cellFilters.push({ dimension: dimensionIndex, test: (cell) => cell === value });
        else selection.conditions.push((query) => query.where(`${table}.${field.column}`, value));
        break;
      }
      case 'branchSubtree': {
        const path = await subtreePath(db, table, field, parseEntityId(value, argumentName));
        if (path === null) {
          selection.empty = true;
          break;
        }
        if (context.suppressed) {
          const depth = path.split('/').filter((part) => part !== '').length;
          if (depth > context.branchLevel)
            throw badUserInput(
              argumentName,
              `is below branchLevel ${context.branchLevel}; with small groups suppressed a branch filter must select whole groups`,
            );
          selection.cellFilters.push({ dimension: dimensionIndex, test: (cell) => cell.startsWith(path) });
        } else selection.conditions.push((query) => whereInSubtree(query, `${table}.${field.pathColumn}`, path));
        break;
      }
      case 'dateFrom': {
        const day = parseDay(value, argumentName);
        if (context.suppressed) {
          if (!day.endsWith('-01'))
            throw badUserInput(argumentName, 'must be the first day of a month: with small groups suppressed a filter must select whole months');
          selection.cellFilters.push({ dimension: dimensionIndex, test: (cell) => cell >= day.slice(0, 7) });
        } else selection.conditions.push((query) => query.where(`${table}.${field.column}`, '>=', day));
        break;
      }
      case 'dateTo': {
        const day = parseDay(value, argumentName);
        const after = nextDay(day);
        if (context.suppressed) {
          if (!after.endsWith('-01'))
            throw badUserInput(argumentName, 'must be the last day of a month: with small groups suppressed a filter must select whole months');
          selection.cellFilters.push({ dimension: dimensionIndex, test: (cell) => cell <= day.slice(0, 7) });
        } else selection.conditions.push((query) => query.where(`${table}.${field.column}`, '<', after));
        break;
      }
      case 'dateBefore':
      case 'id':
      case 'instantSince':
        // Never whole groups (a day, one customer, records changed since an instant): exact aggregates only.
        if (context.suppressed) throw badUserInput(argumentName, 'cannot be used where small groups are suppressed: filters may only select whole groups');
        selection.conditions.push(rowCondition(table, field, value, argumentName));
        break;
    }
  }
  return selection;
}

function rowCondition(
  table: string,
  field: Extract<AggregateFilterField, { kind: 'dateBefore' | 'id' | 'instantSince' }>,
  value: unknown,
  argumentName: string,
): (query: Knex.QueryBuilder) => void {
  switch (field.kind) {
    case 'dateBefore': {
      const day = parseDay(value, argumentName);
      return (query) => query.where(`${table}.${field.column}`, '<', day);
    }
    case 'id': {
      const id = parseEntityId(value, argumentName);
      return (query) => query.where(`${table}.${field.column}`, id);
    }
    case 'instantSince': {
      const since = parseInstant(value, argumentName);
      return (query) => query.where(`${table}.${field.column}`, '>=', since);
    }
  }
}

/** The position in `groupBy` of the dimension a filter field selects; refused when it selects none or is not grouped. */
function groupedDimension(spec: AggregateFilterSpec, name: string, context: SelectionContext): number {
  const argumentName = `filter.${name}`;
  const dimension = Object.hasOwn(spec.dimensions, name) ? spec.dimensions[name]! : undefined;
  if (dimension === undefined)
    throw badUserInput(argumentName, 'cannot be used where small groups are suppressed: filters may only select whole groups of a groupBy dimension');
  const index = context.groupBy.indexOf(dimension);
  if (index < 0) throw badUserInput(argumentName, `selects whole groups only when grouping by ${dimension}: add ${dimension} to groupBy`);
  return index;
}
