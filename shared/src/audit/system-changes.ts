/**
 * Changes the system makes on no person's request (docs/access-model.md "Actions", "Writes the system makes"): a
 * consumer applying an event it received, a scheduled job's run. Each changed record is audited as a person's change
 * is (a format-3 record: versions before and after, each changed value as a keyed hash), in the same transaction as
 * the write: room is reserved before the commit, the record goes to the writer after it, and a rollback withdraws it.
 * The actor is the subgraph itself (`system:<subgraph>`, role SYSTEM); the request id is the event's id (the producer's
 * outbox and the consumer's inbox hold the same id) or the job run's id; the action names the event type or the job.
 */
import type { Knex } from 'knex';
import { SYSTEM_ACTOR_ROLE, type AuditChange } from './audit-record';
import { handOverChanges } from './audit-handoff';
import type { ChangeAuditSink } from './request-audit-trail';

/** The staff id the audit trail names for the subgraph's own writes. */
export const systemActorOf = (subgraph: string): string => `system:${subgraph}`;

/** The action of a change an event brought: `event:customer.manager-changed`. */
export const eventAction = (eventType: string): string => `event:${eventType}`;
/** The action of a change a scheduled job made: `job:blacklist-expiry`. */
export const jobAction = (jobName: string): string => `job:${jobName}`;

/** The rule a system change is recorded under: the write follows from the event or the schedule, no role decided it. */
export const SYSTEM_CHANGE_RULE = 'system';

const UNKNOWN_OPERATION_HASH = '0'.repeat(64);

/** One record the system changed: its key, versions (null where the table keeps none), and each changed field's values. */
export type SystemChange = AuditChange & {
  /** `Type:key`, e.g. `Claim:2024000123` (pseudonymised in the audit store). */
  recordKey: string;
};

/** The audit trail as system work uses it (a RequestAuditTrail). */
export interface SystemChangeSink extends ChangeAuditSink {
  finish(request: object): void;
}

/** One unit of system work: whose, what, and the id that links it to what caused it. */
export interface SystemWork {
  subgraph: string;
  /** `eventAction(type)` or `jobAction(name)`. */
  action: string;
  /** The event's id, or the job run's id. */
  requestId: string;
  policyVersion: string;
  at: Date;
}

/** A change that could not be recorded: the write it belongs to must not commit (its transaction rolls back). */
export class SystemAuditUnavailableError extends Error {
  override name = 'SystemAuditUnavailableError';
  constructor() {
    super('the audit trail cannot take the change now; the write is rolled back and tried again later');
  }
}

/** The changes of one unit of system work, noted inside its transaction and handed over once it commits. */
export class SystemChanges {
  private readonly decisionIds: string[] = [];
  private settled = false;

  constructor(
    private readonly sink: SystemChangeSink,
    private readonly work: SystemWork,
  ) {}

  /** Notes one changed record; throws SystemAuditUnavailableError when the audit queue cannot take it. */
  record(change: SystemChange): void {
    if (this.settled) throw new Error(`${this.work.action}: a change noted after its transaction ended`);
    const { recordKey, beforeVersion, afterVersion, fields } = change;
    const decisionId = this.sink.recordChange(this, {
      requestId: this.work.requestId,
      occurredAt: this.work.at,
      staffId: systemActorOf(this.work.subgraph),
      role: SYSTEM_ACTOR_ROLE,
      purpose: null,
      operationName: this.work.action,
      operationHash: UNKNOWN_OPERATION_HASH,
      action: this.work.action,
      recordKey,
      decision: 'ALLOW',
      rule: SYSTEM_CHANGE_RULE,
      policyVersion: this.work.policyVersion,
      change: { beforeVersion, afterVersion, fields },
    });
    if (decisionId === undefined) throw new SystemAuditUnavailableError();
    this.decisionIds.push(decisionId);
  }

  /** How many changes are noted (tests, logs). */
  get count(): number {
    return this.decisionIds.length;
  }

  /** Writes the hand-over rows of the changes noted (audit-handoff.ts): call on the write's transaction, last. */
  async handOver(trx: Knex.Transaction): Promise<void> {
    await handOverChanges(trx, this.sink, this, this.decisionIds);
  }

  /** The transaction committed: the records go to the writer. */
  committed(): void {
    if (this.settled) return;
    this.settled = true;
    this.sink.finish(this);
  }

  /** The transaction rolled back: nothing of it is recorded, and the room is given back. */
  rolledBack(): void {
    if (this.settled) return;
    this.settled = true;
    for (const decisionId of this.decisionIds) this.sink.withdrawChange(this, decisionId);
    this.sink.finish(this);
  }
}

/** Runs `body` in one transaction whose writes are audited as the system's; the records follow the commit or vanish with a rollback. */
export async function inAuditedSystemTransaction<T>(
  db: Knex,
  sink: SystemChangeSink,
  work: SystemWork,
  body: (trx: Knex.Transaction, changes: SystemChanges) => Promise<T>,
): Promise<T> {
  const changes = new SystemChanges(sink, work);
  let result: T;
  try {
    result = await db.transaction(async (trx) => {
      const value = await body(trx, changes);
      await changes.handOver(trx);
      return value;
    });
  } catch (error) {
    changes.rolledBack();
    throw error;
  }
  changes.committed();
  return result;
}

/**
 * Whether a value read back from a store is the value written: MySQL hands a boolean back as 1 or 0 and a DECIMAL as
 * a number (`decimalNumbers`), where the write had `true` or `'880.00'`.
 */
export function sameStoredValue(stored: unknown, written: unknown): boolean {
  if (stored === null || written === null) return stored === written;
  const scalar = (value: unknown) => (typeof value === 'boolean' ? Number(value) : value);
  const [left, right] = [scalar(stored), scalar(written)];
  if (typeof left === 'number' || typeof right === 'number') return Number(left) === Number(right);
  return String(left) === String(right);
}

/**
 * The fields that differ between a row as read before a write and as written, as a change lists them (values are
 * hashed by the audit writer). `names` limits the comparison to the columns the write set.
 */
export function changedFields(
  before: object | undefined,
  after: object,
  names: readonly string[] = Object.keys(after),
): Record<string, { before: unknown; after: unknown }> {
  const fields: Record<string, { before: unknown; after: unknown }> = {};
  for (const name of names) {
    const previous = (before as Record<string, unknown> | undefined)?.[name] ?? null;
    const next = (after as Record<string, unknown>)[name] ?? null;
    if (!sameStoredValue(previous, next)) fields[name] = { before: previous, after: next };
  }
  return fields;
}
