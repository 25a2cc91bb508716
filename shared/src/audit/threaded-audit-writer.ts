/**
 * The audit trail as a request-serving thread uses it: `record()` appends the event to a buffer and returns; the
 * buffer goes to a worker thread every flush interval (or at once when a batch is full), where an AuditWriter
 * pseudonymises, hash-chains and inserts it. Pseudonymising, hashing and inserting take about a tenth of a
 * millisecond per record, several records per customer-360 view: off this thread they cost a request nothing.
 *
 * The guarantees are the AuditWriter's: nothing dropped silently (refusals and records lost with a crashed worker
 * are counted and logged), `healthy()` false while the store cannot take writes or the queue is full (clear
 * RESTRICTED values are then refused), everything queued written on `close()`.
 *
 * Admission: a request reserves room for its records (`tryReserve`) before any audited value is resolved and hands
 * them over when it is answered (`commitReserved`); a request that cannot reserve is refused its audited values, so
 * no value reaches a client whose record the queue did not take.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DatabaseConfig } from '../config';
import {
  DEFAULT_AUDIT_BATCH_SIZE,
  DEFAULT_AUDIT_CHECKPOINT_INTERVAL_MS,
  DEFAULT_AUDIT_FLUSH_INTERVAL_MS,
  DEFAULT_AUDIT_MAX_QUEUED,
  auditCheckpointPath,
} from './audit-config';
import { AuditDropLog } from './audit-drop-log';
import type { AuditQueueState } from '../observability/metrics';
import type { AuditChange, AuditChangeContent, AuditEvent } from './audit-record';
import type { AuditWorkerFailure, AuditWorkerSettings, FromAuditWorker, ToAuditWorker } from './audit-worker-protocol';
import { AuditStoreUnavailableError, hashAuditChange, type AuditLog, type AuditWriterOptions } from './audit-writer';

/**
 * The AuditWriter's options, with the audit store given as a configuration (the worker opens its own connection)
 * instead of a knex. `flushIntervalMs` is how long events wait in this thread before going to the worker; a full
 * batch goes at once; `maxQueued` caps records not yet written, here, in transit and in the worker together.
 */
export type ThreadedAuditWriterOptions = Omit<AuditWriterOptions, 'db' | 'onWriteAttempt' | 'checkpoints'> & {
  database: DatabaseConfig;
  /** Where chain-head checkpoints go; default `<database.dataDir>/audit-checkpoints.jsonl`. */
  checkpointPath?: string;
  /** Default 10,000. */
  checkpointIntervalMs?: number;
  /** Wait before starting a new worker after one crashed. Default 1,000. */
  restartDelayMs?: number;
};

const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
const DEFAULT_RESTART_DELAY_MS = 1_000;

interface PendingReply {
  resolve(): void;
  reject(error: Error): void;
}

export class ThreadedAuditWriter {
  private readonly settings: AuditWorkerSettings;
  private readonly log: AuditLog;
  private readonly flushIntervalMs: number;
  private readonly restartDelayMs: number;
  private readonly drops: AuditDropLog;
  private readonly onChangesStored: (decisionIds: string[]) => void;

  private worker: Worker | undefined;
  /** Events not yet posted to the worker. */
  private buffer: AuditEvent[] = [];
  /** Records requests have room for but have not handed over yet (they are still being answered). */
  private reserved = 0;
  private timer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Counts for the current worker: events posted to it, and its last reported state. */
  private posted = 0;
  private workerState: Extract<FromAuditWorker, { kind: 'state' }> = { kind: 'state', received: 0, queued: 0, healthy: true, dropped: 0 };
  /** Dropped by workers that have since ended. */
  private droppedByEndedWorkers = 0;
  private nextReplyId = 1;
  private readonly replies = new Map<number, PendingReply>();
  private closing = false;
  private closed: Promise<void> | undefined;
  /** Reservations refused (each a request answered without its audited values), for the metrics. */
  private refusedReservations = 0;

  constructor(options: ThreadedAuditWriterOptions) {
    this.log = options.log;
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_AUDIT_FLUSH_INTERVAL_MS;
    this.restartDelayMs = options.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS;
    this.onChangesStored = options.onChangesStored ?? (() => undefined);
    this.settings = {
      database: options.database,
      chain: options.chain,
      pseudonymSecret: options.pseudonymSecret,
      chainKey: options.chainKey,
      checkpointPath: auditCheckpointPath(options, options.database),
      checkpointIntervalMs: options.checkpointIntervalMs ?? DEFAULT_AUDIT_CHECKPOINT_INTERVAL_MS,
      batchSize: options.batchSize ?? DEFAULT_AUDIT_BATCH_SIZE,
      maxQueued: options.maxQueued ?? DEFAULT_AUDIT_MAX_QUEUED,
      retryDelayMs: options.retryDelayMs,
      maxRetryDelayMs: options.maxRetryDelayMs,
    };
    this.drops = new AuditDropLog(this.log, () => ({ chain: this.settings.chain, queued: this.queuedCount, maxQueued: this.settings.maxQueued }));
    this.startWorker();
  }

  /** Records not yet written: reserved by requests, buffered here, in transit, or queued in the worker. */
  get queuedCount(): number {
    return this.reserved + this.buffer.length + (this.posted - this.workerState.received) + this.workerState.queued;
  }

  /** Records refused (queue full, writer closing) or lost with a crashed worker. */
  get droppedCount(): number {
    return this.drops.count + this.droppedByEndedWorkers + this.workerState.dropped;
  }

  /** What the metrics show of the queue (read at scrape time). */
  metricsState(): AuditQueueState {
    return {
      queued: this.queuedCount,
      maxQueued: this.settings.maxQueued,
      dropped: this.droppedCount,
      refusedReservations: this.refusedReservations,
      healthy: this.healthy(),
    };
  }

  /** False while the store cannot take writes, the queue is full, no worker runs, or the writer is closing. */
  healthy(): boolean {
    if (this.closing || this.worker === undefined) return false;
    if (this.queuedCount >= this.settings.maxQueued) return false;
    return this.workerState.healthy;
  }

  /**
   * For records no value depends on (the gateway's denials): buffered if the queue has room, else counted and
   * logged as dropped. Synchronous and O(1); the raw record keys are pseudonymised in the worker.
   */
  record(event: AuditEvent): void {
    if (this.closing || this.queuedCount >= this.settings.maxQueued) {
      this.drops.add();
      return;
    }
    this.enqueue(event);
  }

  /**
   * Change records sent again from their hand-over rows (audit-handoff.ts): the worker writes each unless a record with
   * its decision id is stored already. Counted against the queue like any record; refused ones stay handed over.
   */
  redeliver(events: readonly AuditEvent[]): number {
    let taken = 0;
    for (const event of events) {
      if (this.closing || this.queuedCount >= this.settings.maxQueued) break;
      this.enqueue({ ...event, redelivered: true });
      taken++;
    }
    return taken;
  }

  /** A change's values as the store keeps them (keyed hashes): hashed here, before its hand-over row is written. */
  hashChange(change: AuditChange): AuditChangeContent {
    return hashAuditChange(this.settings.pseudonymSecret, change);
  }

  private enqueue(event: AuditEvent): void {
    this.buffer.push(event);
    if (this.buffer.length >= this.settings.batchSize) this.postBuffer();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.postBuffer();
      }, this.flushIntervalMs);
      // The timer alone must not keep a process alive; shutdown calls close().
      this.timer.unref();
    }
  }

  /**
   * Room for `records` more records of a request still being answered, or false (nothing reserved) when the queue
   * cannot take them or the writer is closing: the request's audited values are then refused.
   */
  tryReserve(records: number): boolean {
    if (this.closing || this.queuedCount + records > this.settings.maxQueued) {
      this.refusedReservations += 1;
      return false;
    }
    this.reserved += records;
    return true;
  }

  /** A request is answered: its records take the room it reserved (`reserved` of them) and go to the worker. */
  commitReserved(events: readonly AuditEvent[], reserved: number): void {
    this.reserved = Math.max(0, this.reserved - reserved);
    if (this.closing) {
      // Only a request still running after shutdown began gets here; its records are counted and logged.
      this.drops.add(events.length);
      return;
    }
    for (const event of events) this.enqueue(event);
  }

  /** Gives back room a request reserved but will not use. */
  releaseReserved(records: number): void {
    this.reserved = Math.max(0, this.reserved - records);
  }

  /** Writes everything recorded so far; rejects with AuditStoreUnavailableError if the store refused it (kept for retry). */
  flush(): Promise<void> {
    this.postBuffer();
    return this.request((id) => ({ kind: 'flush', id }));
  }

  /**
   * Call on shutdown, after the server stopped taking requests: refuses further records, writes everything
   * recorded (the worker retries for up to `timeoutMs`), then ends the worker.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closed ??= this.closeOnce(options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    return this.closed;
  }

  private async closeOnce(timeoutMs: number): Promise<void> {
    this.closing = true;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    this.postBuffer();
    try {
      if (this.worker !== undefined) await this.request((id) => ({ kind: 'close', id, timeoutMs }));
    } finally {
      const worker = this.worker;
      this.worker = undefined;
      await worker?.terminate();
      this.drops.report(true);
    }
  }

  private startWorker(): void {
    const worker = new Worker(auditWorkerScript(), { workerData: this.settings });
    // Like the flush timer: the worker does not keep a process alive on its own.
    worker.unref();
    this.worker = worker;
    this.posted = 0;
    this.workerState = { kind: 'state', received: 0, queued: 0, healthy: true, dropped: 0 };
    worker.on('message', (message: FromAuditWorker) => this.onMessage(message));
    worker.on('error', (error) => this.onWorkerEnded(worker, error));
    worker.on('exit', (code) => this.onWorkerEnded(worker, code === 0 ? undefined : new Error(`exited with code ${code}`)));
  }

  private onMessage(message: FromAuditWorker): void {
    switch (message.kind) {
      case 'state':
        this.workerState = message;
        return;
      case 'log':
        this.log[message.level](message.fields, message.message);
        return;
      case 'changes-stored':
        this.onChangesStored(message.decisionIds);
        return;
      case 'flushed':
      case 'closed':
        this.settle(message.id, message.failure);
        return;
    }
  }

  /** A worker that ends before close() loses what it held: counted, logged, and a new worker continues the chain. */
  private onWorkerEnded(worker: Worker, error: Error | undefined): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const lost = this.posted - this.workerState.received + this.workerState.queued;
    this.droppedByEndedWorkers += lost + this.workerState.dropped;
    this.posted = 0;
    this.workerState = { kind: 'state', received: 0, queued: 0, healthy: false, dropped: 0 };
    // A worker ending by itself while closing, with nothing left, is the normal end.
    if (lost > 0 || !this.closing || error !== undefined) {
      this.log.error({ chain: this.settings.chain, lost, error: error?.message ?? 'ended' }, `audit worker ended unexpectedly; ${lost} audit record(s) lost`);
    }
    for (const [id] of this.replies) this.settle(id, { message: 'the audit worker ended', pendingRecords: this.queuedCount });
    if (this.closing) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.closing) this.startWorker();
    }, this.restartDelayMs);
    this.restartTimer.unref();
  }

  private postBuffer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0 || this.worker === undefined) return;
    const events = this.buffer;
    this.buffer = [];
    this.posted += events.length;
    this.send({ kind: 'records', events });
  }

  private request(build: (id: number) => ToAuditWorker): Promise<void> {
    if (this.worker === undefined) return Promise.reject(new AuditStoreUnavailableError(this.queuedCount, new Error('no audit worker is running')));
    const id = this.nextReplyId++;
    const reply = new Promise<void>((resolve, reject) => this.replies.set(id, { resolve, reject }));
    // While an answer is awaited (a shutdown's close()), the worker must keep the process alive.
    this.worker.ref();
    this.send(build(id));
    return reply;
  }

  private settle(id: number, failure: AuditWorkerFailure | undefined): void {
    const reply = this.replies.get(id);
    if (reply === undefined) return;
    this.replies.delete(id);
    if (this.replies.size === 0) this.worker?.unref();
    if (failure === undefined) reply.resolve();
    else reply.reject(new AuditStoreUnavailableError(failure.pendingRecords, new Error(failure.message)));
  }

  private send(message: ToAuditWorker): void {
    this.worker?.postMessage(message);
  }
}

/**
 * The compiled worker entry. Under ts-jest this module runs from `src/`, but a worker thread runs plain
 * JavaScript: it then uses the build output (`npm test` builds before it runs jest).
 */
function auditWorkerScript(): string {
  const beside = join(__dirname, 'audit-worker.js');
  if (existsSync(beside)) return beside;
  const built = join(__dirname, '..', '..', 'dist', 'audit', 'audit-worker.js');
  if (existsSync(built)) return built;
  throw new Error(`The audit worker script is missing (${beside}); build the project first (npm run build)`);
}
