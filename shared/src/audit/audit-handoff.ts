/**
 * The hand-over of change records from a write's commit to the audit store (docs/access-model.md, "Audit"): every
 * audited write also inserts its change records, values already hashed, into `write_side_audit_handoff` in the subgraph's own
 * store, in the write's transaction. The writer's worker reports each record once the audit store holds it, and its row
 * goes. A process that ends between the commit and that moment (a crash, a SIGKILL, a worker lost) leaves its rows
 * behind: the subgraph's sweeper (singleton work) sends rows older than the grace period to the writer again, which
 * writes each unless a record with its decision id is stored already. So a committed write always gets its record,
 * once.
 */
import type { Knex } from 'knex';
import { insertInChunks } from '../database';
import type { Migration } from '../migrations';
import { DEFAULT_AUDIT_HANDOFF_GRACE_MS, DEFAULT_AUDIT_HANDOFF_SWEEP_MS } from './audit-config';
import type { AuditEvent } from './audit-record';
import type { ChangeAuditSink } from './request-audit-trail';

export const AUDIT_HANDOFF_TABLE = 'write_side_audit_handoff';

/** Rows sent again per sweep, at most. */
const SWEEP_BATCH = 500;
/** Rows deleted per statement. */
const DELETE_CHUNK = 500;

export const auditHandoffMigration: Migration = {
  name: 'write_side_audit_handoff',
  async up(db) {
    await db.schema.createTable(AUDIT_HANDOFF_TABLE, (table) => {
      table.string('decision_id', 64).primary();
      // The AuditEvent as JSON: record key, actor, action, versions and each changed value's keyed hash, never a value.
      table.text('event', 'mediumtext').notNullable();
      // Wall-clock time (not the injectable clock): the sweep's grace period is real time.
      table.bigInteger('handed_over_ms').notNullable().index();
    });
  },
  async down(db) {
    await db.schema.dropTableIfExists(AUDIT_HANDOFF_TABLE);
  },
};

/** Inserts the hand-over rows of `decisionIds` (change records `sink` holds for `request`), on the write's transaction. */
export async function handOverChanges(trx: Knex.Transaction, sink: ChangeAuditSink, request: object, decisionIds: readonly string[]): Promise<void> {
  if (decisionIds.length === 0) return;
  const now = Date.now();
  const rows = sink
    .handOverEvents(request, decisionIds)
    .map((event) => ({ decision_id: event.decisionId!, event: JSON.stringify(event), handed_over_ms: now }));
  await insertInChunks(trx, AUDIT_HANDOFF_TABLE, rows);
}

/** What the hand-over needs of the audit writer (a ThreadedAuditWriter). */
export interface HandoffWriter {
  redeliver(events: readonly AuditEvent[]): number;
  healthy(): boolean;
}

/** What the hand-over logs through (a pino Logger fits). */
interface HandoffLog {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

export interface AuditHandoffOptions {
  db: Knex;
  writer: HandoffWriter;
  log: HandoffLog;
  /** A row younger than this is still its own process's to hand over. Default 60,000. */
  graceMs?: number;
  /** Between sweeps. Default 30,000. */
  sweepIntervalMs?: number;
}

/** Clears stored records' rows (every process) and sweeps left-behind rows back to the writer (the singleton). */
export class AuditHandoff {
  private readonly graceMs: number;
  private readonly sweepIntervalMs: number;
  /** Decision ids sent again and when, so a row is not sent twice while the first redelivery is on its way. */
  private readonly redelivered = new Map<string, number>();
  private readonly deletions = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private stopped = false;

  constructor(private readonly options: AuditHandoffOptions) {
    this.graceMs = options.graceMs ?? DEFAULT_AUDIT_HANDOFF_GRACE_MS;
    this.sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_AUDIT_HANDOFF_SWEEP_MS;
  }

  /** The audit store holds these records now: their rows go. A failed delete is retried by a later sweep's redelivery. */
  stored(decisionIds: readonly string[]): void {
    for (const id of decisionIds) this.redelivered.delete(id);
    const deletion = this.delete(decisionIds).catch((error: unknown) =>
      this.options.log.warn({ rows: decisionIds.length, error: (error as Error)?.message }, 'audit hand-over rows not cleared; a later sweep clears them'),
    );
    this.deletions.add(deletion);
    void deletion.finally(() => this.deletions.delete(deletion));
  }

  private async delete(decisionIds: readonly string[]): Promise<void> {
    for (let start = 0; start < decisionIds.length; start += DELETE_CHUNK)
      await this.options
        .db(AUDIT_HANDOFF_TABLE)
        .whereIn('decision_id', decisionIds.slice(start, start + DELETE_CHUNK))
        .delete();
  }

  /** Starts the sweeps: one now, then every `sweepIntervalMs`. */
  start(): void {
    if (this.stopped || this.timer !== undefined) return;
    const run = () => {
      this.sweeping = this.sweep().catch((error: unknown) => {
        this.options.log.warn({ error: (error as Error)?.message }, 'audit hand-over sweep failed; tried again later');
        return 0;
      });
      void this.sweeping.finally(() => {
        this.sweeping = undefined;
        if (!this.stopped) this.timer = setTimeout(run, this.sweepIntervalMs).unref();
      });
    };
    this.timer = setTimeout(run, 0).unref();
  }

  /**
   * Sends rows older than the grace period to the writer again (those not sent in the last grace period), oldest
   * first; returns how many. Nothing while the writer cannot write: they would only wait in its queue.
   */
  async sweep(): Promise<number> {
    if (!this.options.writer.healthy()) return 0;
    const now = Date.now();
    const rows = (await this.options
      .db(AUDIT_HANDOFF_TABLE)
      .where('handed_over_ms', '<=', now - this.graceMs)
      .orderBy('handed_over_ms')
      .limit(SWEEP_BATCH + this.redelivered.size)
      .select('decision_id', 'event')) as { decision_id: string; event: string }[];
    const due = rows.filter((row) => (this.redelivered.get(row.decision_id) ?? -Infinity) <= now - this.graceMs).slice(0, SWEEP_BATCH);
    if (due.length === 0) return 0;
    const taken = this.options.writer.redeliver(due.map((row) => JSON.parse(row.event) as AuditEvent));
    for (const row of due.slice(0, taken)) this.redelivered.set(row.decision_id, now);
    this.options.log.info({ rows: taken }, 'audit hand-over rows older than the grace period sent to the audit store again');
    return taken;
  }

  /** Stops sweeping and waits for the sweep and deletions in progress. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.sweeping;
    await this.drain();
  }

  /** Waits for the deletions started so far (before the store closes). */
  async drain(): Promise<void> {
    while (this.deletions.size > 0) await Promise.all([...this.deletions]);
  }
}
