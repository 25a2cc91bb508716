/**
 * `updated_at`: when a record last changed, for BI's incremental extracts (a connection's `updatedSince`).
 * Set by the subgraph's own clock on every insert and update of the row (spread `touch(now)` into the columns),
 * so it agrees with the timestamps the record already carries.
 */
import type { Knex } from 'knex';
import { dialectOf } from './database';
import { sqlTimestamp } from './dates';

/** The column's value for a write at `now`. */
export function touch(now: Date): { updated_at: string } {
  return { updated_at: sqlTimestamp(now) };
}

export interface UpdatedAtColumn {
  table: string;
  /** A NOT NULL timestamp of the record (when it was created): the backfill's floor. */
  createdColumn: string;
  /** Nullable timestamps of later steps: the backfill takes the latest one set. */
  laterColumns: readonly string[];
  /** Composite indexes the connection's filters read in id order, each `[column, 'id']`. */
  indexedFilters: readonly string[];
}

const indexName = (table: string, column: string) => `${table}_${column}_id_index`;

/**
 * Adds `updated_at` (nullable: SQLite cannot add a NOT NULL column without a default, and a default would
 * stamp rows with a time they were not changed), backfills it from the record's own timestamps, and adds the
 * indexes `updatedSince` and the other filters page through in id order. Schema builder and one UPDATE, so it
 * runs on SQLite and MariaDB alike.
 */
export async function addUpdatedAtColumn(db: Knex, column: UpdatedAtColumn): Promise<void> {
  const { table, createdColumn, laterColumns } = column;
  await db.schema.alterTable(table, (alter) => {
    alter.dateTime('updated_at').nullable();
  });
  const latest = dialectOf(db) === 'mysql' ? 'GREATEST' : 'MAX';
  const candidates = [createdColumn, ...laterColumns.map((later) => `COALESCE(${later}, ${createdColumn})`)];
  const expression = candidates.length === 1 ? createdColumn : `${latest}(${candidates.join(', ')})`;
  await db.table(table).update({ updated_at: db.raw(expression) });
  await db.schema.alterTable(table, (alter) => {
    alter.index(['updated_at', 'id'], indexName(table, 'updated_at'));
    for (const filter of column.indexedFilters) alter.index([filter, 'id'], indexName(table, filter));
  });
}

export async function dropUpdatedAtColumn(db: Knex, column: UpdatedAtColumn): Promise<void> {
  await db.schema.alterTable(column.table, (alter) => {
    alter.dropIndex(['updated_at', 'id'], indexName(column.table, 'updated_at'));
    for (const filter of column.indexedFilters) alter.dropIndex([filter, 'id'], indexName(column.table, filter));
  });
  await db.schema.alterTable(column.table, (alter) => {
    alter.dropColumn('updated_at');
  });
}

type Stamp = Date | string;

/** A Date, or a `YYYY-MM-DD HH:MM:SS` UTC column value, as a Date. */
const asDate = (value: Stamp): Date => (value instanceof Date ? value : new Date(`${value.replace(' ', 'T').slice(0, 19)}Z`));

/** A seeded record's `updated_at`: the latest of its own timestamps (the first always set). */
export function latestTimestamp(first: Stamp, ...later: readonly (Stamp | null | undefined)[]): string {
  let latest = asDate(first);
  for (const value of later) {
    const date = value === null || value === undefined ? null : asDate(value);
    if (date && date.getTime() > latest.getTime()) latest = date;
  }
  return sqlTimestamp(latest);
}
