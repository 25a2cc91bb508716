/**
 * Idempotent writes: a retry with the same key and the same input returns the first result and writes nothing; the
 * same key with different input is refused (IDEMPOTENCY_KEY_REUSED). Keys are per staff member and action, so two
 * people (or two actions) never collide on a key.
 *
 * Concurrency: the key's row is inserted first in the write's transaction. A second identical request inserting the
 * same key waits on the primary key until the first commits (InnoDB) or runs after it (SQLite's one connection),
 * then fails on the key: its transaction is rolled back and it answers with the committed first result.
 */
import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Knex } from 'knex';
import { canonicalJson } from '../canonical-json';
import { sqlTimestamp } from '../dates';
import { badUserInput } from '../errors';
import { IDEMPOTENCY_TABLE, MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency-migration';

/** JSON a first result may be: stored as text and given back on a retry. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export const IDEMPOTENCY_KEY_ARGUMENT = 'idempotencyKey';

/** Printable ASCII without spaces: UUIDs, ULIDs and the like; nothing a collation could fold. */
const IDEMPOTENCY_KEY = /^[\x21-\x7E]+$/;

/** Validates the `idempotencyKey` argument: BAD_USER_INPUT naming it, with the reason. */
export function parseIdempotencyKey(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw badUserInput(IDEMPOTENCY_KEY_ARGUMENT, 'must be a non-empty string, e.g. a UUID');
  if (value.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw badUserInput(IDEMPOTENCY_KEY_ARGUMENT, `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  if (!IDEMPOTENCY_KEY.test(value)) throw badUserInput(IDEMPOTENCY_KEY_ARGUMENT, 'must be printable ASCII without spaces, e.g. a UUID');
  return value;
}

/** SHA-256 of the action and its input as canonical JSON: equal inputs hash equally whatever their key order. */
export function requestHashOf(action: string, input: unknown): string {
  return createHash('sha256').update(canonicalJson({ action, input })).digest('hex');
}

export function idempotencyKeyReused(action: string): GraphQLError {
  return new GraphQLError(`This idempotency key was already used for a different "${action}" request; use a new key for a new request`, {
    extensions: { code: 'IDEMPOTENCY_KEY_REUSED', action, argumentName: IDEMPOTENCY_KEY_ARGUMENT },
  });
}

export interface IdempotencyClaim {
  staffId: string;
  action: string;
  key: string;
  requestHash: string;
  at: Date;
}

/** Thrown out of the transaction when the key is already taken, so it rolls back before the first result is read. */
export class IdempotencyKeyTaken extends Error {
  override name = 'IdempotencyKeyTaken';
}

/** Inserts the key's row (result still empty); throws IdempotencyKeyTaken when a committed row holds the key. */
export async function claimIdempotencyKey(trx: Knex.Transaction, claim: IdempotencyClaim): Promise<void> {
  try {
    await trx(IDEMPOTENCY_TABLE).insert({
      staff_id: claim.staffId,
      action: claim.action,
      idempotency_key: claim.key,
      request_hash: claim.requestHash,
      result: null,
      created_at: sqlTimestamp(claim.at),
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new IdempotencyKeyTaken();
    throw error;
  }
}

/** Stores the first result on the key's row, in the same transaction as the change. */
export async function completeIdempotencyKey(trx: Knex.Transaction, claim: IdempotencyClaim, result: JsonValue): Promise<void> {
  await trx(IDEMPOTENCY_TABLE)
    .where({ staff_id: claim.staffId, action: claim.action, idempotency_key: claim.key })
    .update({ result: JSON.stringify(result) });
}

/**
 * The committed first result for a taken key: returned when the input is the same, IDEMPOTENCY_KEY_REUSED when not.
 * Read outside the failed transaction, so it sees the row the other request committed.
 */
export async function replayIdempotencyKey(db: Knex, claim: IdempotencyClaim): Promise<JsonValue> {
  const row = (await db(IDEMPOTENCY_TABLE)
    .where({ staff_id: claim.staffId, action: claim.action, idempotency_key: claim.key })
    .first('request_hash', 'result')) as { request_hash: string; result: string | null } | undefined;
  // Gone again (only if rows are ever purged between the two statements): the caller retries the whole write.
  if (row === undefined || row.result === null) throw new IdempotencyKeyVanished();
  if (row.request_hash !== claim.requestHash) throw idempotencyKeyReused(claim.action);
  return JSON.parse(row.result) as JsonValue;
}

export class IdempotencyKeyVanished extends Error {
  override name = 'IdempotencyKeyVanished';
}

/** A duplicate key, as mysql2 and better-sqlite3 report it (duck-typed: drivers throw plain objects). */
export function isUniqueViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
