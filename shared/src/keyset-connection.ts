/**
 * Root Relay connections over one table (issue "Customer insight and BI", BI through GraphQL): a keyset on
 * the id in ascending order, so page 1,000 is one indexed range read like page 1 (never OFFSET) and a row
 * inserted during a scan is neither skipped nor repeated among the rows that existed when it began. Filters
 * are declared per subgraph as a map of input field → column; they are validated here (BAD_USER_INPUT naming
 * `filter.<field>`), and `totalCount` is one COUNT over the same conditions, run only when asked for.
 */
import type { Knex } from 'knex';
import { sqlTimestamp } from './dates';
import { badUserInput } from './errors';
import { parseEntityId } from './ids';
import { connectionFromRows, decodeCursor, readPageSize, type Connection } from './pagination';

/** How one filter field narrows the rows. Dates are `YYYY-MM-DD`, instants ISO 8601 with a zone (`…Z` or `+08:00`). */
export type KeysetFilterField =
  /** The value as the column holds it (enum values: GraphQL has already checked them). */
  | { kind: 'equals'; column: string }
  /** An entity id, e.g. `customerId`. */
  | { kind: 'id'; column: string }
  /** The branch and every branch below it in the org tree, by the table's own branch id and path columns. */
  | { kind: 'branchSubtree'; idColumn: string; pathColumn: string }
  /** On or after the day (DATE or DATETIME column). */
  | { kind: 'dateFrom'; column: string }
  /** On or before the day, the whole day included (DATE or DATETIME column). */
  | { kind: 'dateTo'; column: string }
  /** Strictly before the day. */
  | { kind: 'dateBefore'; column: string }
  /** At or after the instant (DATETIME column in UTC). */
  | { kind: 'instantSince'; column: string };

export type KeysetFilterSpec = Readonly<Record<string, KeysetFilterField>>;

export interface KeysetConnectionRequest<Row, Node extends object> {
  db: Knex;
  table: string;
  /** The keyset column: unique, ascending; `id` by default. */
  keyColumn?: string;
  filterSpec: KeysetFilterSpec;
  /** The GraphQL filter input as received (already opened from sealed identifiers by the enforcement layer). */
  filter: Readonly<Record<string, unknown>> | null | undefined;
  first: number | null | undefined;
  after: string | null | undefined;
  /** The record the subgraph returns for a row, with its own row scope. */
  toNode(row: Row): Node;
}

/** A connection whose `totalCount` resolver calls `countTotal` (one COUNT statement, only when selected). */
export type CountedConnection<Node> = Connection<Node> & { countTotal(): Promise<number> };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** A real calendar day, YYYY-MM-DD. */
export function parseDay(value: unknown, argumentName: string): string {
  const invalid = () => badUserInput(argumentName, 'must be a date, YYYY-MM-DD');
  if (typeof value !== 'string' || !DATE.test(value)) throw invalid();
  // Checked before formatting: toISOString throws on an impossible date such as 2020-13-45.
  const time = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(time) || !new Date(time).toISOString().startsWith(value)) throw invalid();
  return value;
}

/**
 * An ISO 8601 instant with its zone, as the API returns timestamps (e.g. 2026-12-06T10:00:00Z), or a day (YYYY-MM-DD,
 * from its start in UTC, as `bi:extract --since` sends it); as UTC for the column. A time without a zone is refused:
 * it would mean a different instant to each reader.
 */
export function parseInstant(value: unknown, argumentName: string): string {
  const invalid = () => badUserInput(argumentName, 'must be a day (YYYY-MM-DD) or a date and time with its zone, e.g. 2026-12-06T10:00:00Z');
  if (typeof value !== 'string') throw invalid();
  if (DATE.test(value)) return `${parseDay(value, argumentName)} 00:00:00`;
  const match = INSTANT.exec(value);
  if (!match) throw invalid();
  parseDay(match[1], argumentName);
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalid();
  return sqlTimestamp(new Date(time));
}

const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * Every path under `path` sorts in [path, path with its final "/" raised to "0"): a range an index serves on
 * both dialects, where SQLite would not use one for LIKE 'prefix%'.
 */
export function whereInBranchSubtree(query: Knex.QueryBuilder, column: string, path: string): Knex.QueryBuilder {
  return query.where(column, '>=', path).andWhere(column, '<', `${path.slice(0, -1)}0`);
}

/**
 * The materialised path of branch `branchId` as the table's own rows know it, in at most three indexed reads;
 * null when no row lies in its subtree (nothing matches then, as for a branch that does not exist). The org tree
 * has three levels (DOMAIN.md section 2: head office `/h/`, province `/h/p/`, city `/h/p/c/`, cities are leaves):
 * a branch with rows of its own names its path on them; otherwise only head office or a province can have rows
 * below it, whose path is `/h/` or `/h/p/` after the head office `h` every path starts with.
 */
async function subtreePath(db: Knex, table: string, field: { idColumn: string; pathColumn: string }, branchId: string): Promise<string | null> {
  const own = (await db.table(table).where(field.idColumn, branchId).first(field.pathColumn)) as Record<string, string> | undefined;
  if (own) return own[field.pathColumn]!;
  const any = (await db.table(table).orderBy(field.pathColumn).first(field.pathColumn)) as Record<string, string> | undefined;
  if (!any) return null;
  const headOffice = any[field.pathColumn]!.split('/')[1]!;
  const candidate = headOffice === branchId ? `/${branchId}/` : `/${headOffice}/${branchId}/`;
  const below = await whereInBranchSubtree(db.table(table), field.pathColumn, candidate).first(field.pathColumn);
  return below ? candidate : null;
}

type Condition = (query: Knex.QueryBuilder) => void;

/** The filter as query conditions; null when it cannot match anything (a branch with nothing below it). */
async function conditionsOf(
  db: Knex,
  table: string,
  spec: KeysetFilterSpec,
  filter: KeysetConnectionRequest<unknown, object>['filter'],
): Promise<Condition[] | null> {
  const conditions: Condition[] = [];
  if (!filter) return conditions;
  for (const [name, value] of Object.entries(filter)) {
    if (value === null || value === undefined) continue;
    const field = spec[name];
    const argumentName = `filter.${name}`;
    // The schema and the spec are kept together; a field the spec does not know is refused, never ignored.
    if (!field) throw badUserInput(argumentName, 'is not a filter of this connection');
    switch (field.kind) {
      case 'equals':
        if (typeof value !== 'string') throw badUserInput(argumentName, 'must be one of the values the schema lists');
        conditions.push((query) => query.where(field.column, value));
        break;
      case 'id': {
        const id = parseEntityId(value, argumentName);
        conditions.push((query) => query.where(field.column, id));
        break;
      }
      case 'branchSubtree': {
        const path = await subtreePath(db, table, field, parseEntityId(value, argumentName));
        if (path === null) return null;
        conditions.push((query) => whereInBranchSubtree(query, field.pathColumn, path));
        break;
      }
      case 'dateFrom': {
        const day = parseDay(value, argumentName);
        conditions.push((query) => query.where(field.column, '>=', day));
        break;
      }
      case 'dateTo': {
        const after = nextDay(parseDay(value, argumentName));
        conditions.push((query) => query.where(field.column, '<', after));
        break;
      }
      case 'dateBefore': {
        const day = parseDay(value, argumentName);
        conditions.push((query) => query.where(field.column, '<', day));
        break;
      }
      case 'instantSince': {
        const since = parseInstant(value, argumentName);
        conditions.push((query) => query.where(field.column, '>=', since));
        break;
      }
    }
  }
  return conditions;
}

/** `first` ≤ 200 and `after` checked before any statement runs, so a bad argument costs nothing. */
function pageArguments(first: number | null | undefined, after: string | null | undefined): { pageSize: number; afterKey: string | undefined } {
  return { pageSize: readPageSize(first, 'first'), afterKey: decodeCursor(after, 'after') };
}

/**
 * One page: `SELECT * … WHERE <filter> AND id > <cursor> ORDER BY id LIMIT first + 1` (the extra row only tells
 * whether there is a next page). The connection itself describes the query, not a record, so it carries no row
 * scope; each node carries its own and is decided per record like any other read.
 */
export async function keysetConnection<Row, Node extends object>(request: KeysetConnectionRequest<Row, Node>): Promise<CountedConnection<Node>> {
  const { db, table, filterSpec } = request;
  const key = `${table}.${request.keyColumn ?? 'id'}`;
  const { pageSize, afterKey } = pageArguments(request.first, request.after);
  const conditions = await conditionsOf(db, table, filterSpec, request.filter);
  const hasCursor = afterKey !== undefined;
  if (conditions === null) return { ...connectionFromRows<Node>([], pageSize, () => '', hasCursor), countTotal: () => Promise.resolve(0) };
  const filtered = (query: Knex.QueryBuilder) => {
    for (const condition of conditions) condition(query);
    return query;
  };
  const rows: Row[] =
    pageSize === 0
      ? []
      : ((await filtered(db.table(table).select(`${table}.*`))
          .modify((page) => {
            if (afterKey !== undefined) page.where(key, '>', afterKey);
          })
          .orderBy(key, 'asc')
          .limit(pageSize + 1)) as Row[]);
  const keys = new WeakMap<Node, string>();
  const nodes = rows.map((row) => {
    const node = request.toNode(row);
    keys.set(node, String((row as Record<string, unknown>)[request.keyColumn ?? 'id']));
    return node;
  });
  return {
    ...connectionFromRows(nodes, pageSize, (node) => keys.get(node)!, hasCursor),
    countTotal: async () => {
      const [row] = (await filtered(db.table(table).count({ total: '*' }))) as { total: number | string }[];
      return Number(row?.total ?? 0);
    },
  };
}
