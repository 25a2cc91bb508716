/**
 * No lost updates: every update carries the version of the record the caller saw (`expectedVersion`), and the
 * write only happens while the record is still at that version. A stale one gets CONFLICT with the current version,
 * so the client can re-read and decide again.
 */
import { GraphQLError } from 'graphql';
import type { Knex } from 'knex';

export function conflictError(entity: string, expectedVersion: number, currentVersion: number): GraphQLError {
  return new GraphQLError(`The ${entity} was changed by someone else: you saw version ${expectedVersion}, it is now at version ${currentVersion}`, {
    extensions: { code: 'CONFLICT', entity, expectedVersion, currentVersion },
  });
}

/** Throws CONFLICT unless the record is at the version the caller saw. */
export function expectVersion(entity: string, currentVersion: number, expectedVersion: number): void {
  if (currentVersion !== expectedVersion) throw conflictError(entity, expectedVersion, currentVersion);
}

export interface VersionedUpdate {
  entity: string;
  table: string;
  /** Identifies the row, e.g. `{ id: 42 }`. */
  where: Readonly<Record<string, string | number>>;
  expectedVersion: number;
  /** Columns to set besides the version. */
  changes: Readonly<Record<string, unknown>>;
  /** The version column; `version` by default. */
  versionColumn?: string;
}

/**
 * `UPDATE … SET …, version = expected + 1 WHERE <row> AND version = expected`, returning the new version. The check
 * is in the statement itself, so of two transactions that both read version n, the second updates no row (InnoDB
 * re-reads the committed row for an UPDATE) and gets CONFLICT instead of overwriting the first.
 */
export async function updateVersioned(trx: Knex.Transaction, update: VersionedUpdate): Promise<number> {
  const column = update.versionColumn ?? 'version';
  const next = update.expectedVersion + 1;
  const updated = await trx(update.table)
    .where(update.where)
    .andWhere(column, update.expectedVersion)
    .update({ ...update.changes, [column]: next });
  if (updated === 1) return next;
  // A locking read: MySQL's plain read would answer from the transaction's snapshot, the version before the winner's.
  const row = (await trx(update.table).where(update.where).forUpdate().first(column)) as Record<string, unknown> | undefined;
  if (row === undefined) throw new Error(`updateVersioned: no ${update.entity} row matches`);
  throw conflictError(update.entity, update.expectedVersion, Number(row[column]));
}
