/**
 * Writes audit records off the request path: `record()` only queues; a background flush chains queued records with
 * a keyed hash and inserts them in one transaction per batch, then checkpoints the chain's head outside the
 * database. Nothing is dropped silently, and `healthy()` tells enforcement when to refuse clear RESTRICTED values
 * because their reading could not be recorded (fail closed).
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { MIN_PSEUDONYM_SECRET_BYTES, pseudonymise } from '../access/pseudonym';
import { canonicalJson } from '../canonical-json';
import { insertInChunks } from '../database';
import { driverErrorMessage } from '../errors';
import { DEFAULT_AUDIT_BATCH_SIZE, DEFAULT_AUDIT_FLUSH_INTERVAL_MS, DEFAULT_AUDIT_MAX_QUEUED } from './audit-config';
import { AuditDropLog } from './audit-drop-log';
import type { AuditChainHead } from './audit-checkpoints';
import { AUDIT_GENESIS_HASH, hashAuditRecord, type AuditChange, type AuditChangeContent, type AuditEvent, type AuditRecord } from './audit-record';
import { AUDIT_COLUMN_LIMITS, AUDIT_MAX_KEYS_PER_RECORD, AUDIT_TABLE, auditRecordToRow, readChainHead } from './audit-store';

/** What the writer logs through; a pino Logger fits. */
export interface AuditLog {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface AuditWriterOptions {
  /** The audit store, from `openAuditStore`; the caller destroys it after `close()`. */
  db: Knex;
  /**
   * This process's chain, e.g. `customers#3f9a1c2b`. A writer given an existing chain continues it; two
   * writers must not use one chain at the same time.
   */
  chain: string;
  /** Keyed-hash secret for record keys, at least 16 bytes. */
  pseudonymSecret: string;
  /** HMAC key of the chain, at least 16 bytes; the database never holds it. */
  chainKey: string;
  /** Told the chain's head after every committed batch and at close (the checkpoints of the heads). */
  checkpoints?: { headWritten(head: AuditChainHead): void; close(): void };
  log: AuditLog;
  /** Background flush period. Default 200. */
  flushIntervalMs?: number;
  /** Records per transaction; reaching it also triggers a flush. Default 500. */
  batchSize?: number;
  /** Queue cap (records): beyond it records are dropped, counted and logged. Default 100,000. */
  maxQueued?: number;
  /** First retry delay after a failed flush, doubling up to maxRetryDelayMs. Default 200. */
  retryDelayMs?: number;
  /** Default 5,000. */
  maxRetryDelayMs?: number;
  /** Called after every write attempt, written or failed (the audit worker reports its state with it). */
  onWriteAttempt?: () => void;
  /**
   * Told the decision ids of change records once they are stored (written now, or found stored when redelivered): their
   * hand-over rows can go (audit-handoff.ts).
   */
  onChangesStored?: (decisionIds: string[]) => void;
}

const DEFAULT_RETRY_DELAY_MS = 200;
const DEFAULT_MAX_RETRY_DELAY_MS = 5_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/** A queued record: chained (sequence, prevHash, hash) only when its batch is written. */
type QueuedRecord = Omit<AuditRecord, 'chain' | 'sequence' | 'prevHash' | 'hash'>;

interface ChainHead {
  sequence: number;
  hash: string;
}

/** Thrown by `flush()` and `close()` when the store did not take the queued records; they stay queued. */
export class AuditStoreUnavailableError extends Error {
  constructor(
    readonly pendingRecords: number,
    cause: unknown,
  ) {
    super(`The audit store did not take ${pendingRecords} queued audit record(s): ${driverErrorMessage(cause)}`, { cause });
    this.name = 'AuditStoreUnavailableError';
  }
}

/** A short random chain id for this process: `<name>#<8 hex>`. */
export function newAuditChainId(processName: string): string {
  return `${processName}#${randomBytes(4).toString('hex')}`;
}

export class AuditWriter {
  private readonly db: Knex;
  private readonly chain: string;
  private readonly pseudonymSecret: string;
  private readonly chainKey: string;
  private readonly checkpoints: AuditWriterOptions['checkpoints'];
  private readonly log: AuditLog;
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxQueued: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly onWriteAttempt: () => void;
  private readonly onChangesStored: (decisionIds: string[]) => void;
  /** Redelivered change records, checked against the store before they join the queue. */
  private redeliveries: AuditEvent[] = [];

  /** FIFO: records[queueStart..] are queued; the consumed prefix is compacted away now and then. */
  private records: QueuedRecord[] = [];
  private queueStart = 0;

  /** The chain's last written record as this writer knows it; undefined until read from the store. */
  private head: ChainHead | undefined;
  /** The batch being written, or whose commit outcome is unknown after an error: its size and last record. */
  private inFlightBatch: { head: ChainHead; size: number } | undefined;

  private consecutiveFailures = 0;
  private retryNotBefore = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = Number.POSITIVE_INFINITY;
  /** Serialises flushes: each waits for the one before. */
  private flushTail: Promise<void> = Promise.resolve();
  private closing = false;

  private readonly drops: AuditDropLog;

  constructor(options: AuditWriterOptions) {
    if (Buffer.byteLength(options.pseudonymSecret, 'utf8') < MIN_PSEUDONYM_SECRET_BYTES) {
      throw new RangeError(`The audit pseudonym secret must be at least ${MIN_PSEUDONYM_SECRET_BYTES} bytes long`);
    }
    if (Buffer.byteLength(options.chainKey, 'utf8') < MIN_PSEUDONYM_SECRET_BYTES) {
      throw new RangeError(`The audit chain key must be at least ${MIN_PSEUDONYM_SECRET_BYTES} bytes long`);
    }
    if (options.chain.length === 0 || options.chain.length > AUDIT_COLUMN_LIMITS.chain) {
      throw new RangeError(`The audit chain id must be 1 to ${AUDIT_COLUMN_LIMITS.chain} characters long`);
    }
    this.db = options.db;
    this.chain = options.chain;
    this.pseudonymSecret = options.pseudonymSecret;
    this.chainKey = options.chainKey;
    this.checkpoints = options.checkpoints;
    this.log = options.log;
    this.flushIntervalMs = positive(options.flushIntervalMs, DEFAULT_AUDIT_FLUSH_INTERVAL_MS, 'flushIntervalMs');
    this.batchSize = positive(options.batchSize, DEFAULT_AUDIT_BATCH_SIZE, 'batchSize');
    this.maxQueued = positive(options.maxQueued, DEFAULT_AUDIT_MAX_QUEUED, 'maxQueued');
    this.retryDelayMs = positive(options.retryDelayMs, DEFAULT_RETRY_DELAY_MS, 'retryDelayMs');
    this.maxRetryDelayMs = Math.max(this.retryDelayMs, positive(options.maxRetryDelayMs, DEFAULT_MAX_RETRY_DELAY_MS, 'maxRetryDelayMs'));
    this.onWriteAttempt = options.onWriteAttempt ?? (() => undefined);
    this.onChangesStored = options.onChangesStored ?? (() => undefined);
    this.drops = new AuditDropLog(this.log, () => ({ chain: this.chain, queued: this.queuedCount, maxQueued: this.maxQueued }));
  }

  /** Records not yet written. */
  get queuedCount(): number {
    return this.records.length - this.queueStart + this.redeliveries.length;
  }

  /** Records refused because the queue was full or the writer was closing. */
  get droppedCount(): number {
    return this.drops.count;
  }

  /**
   * False while the store cannot take writes (the last flush failed and records are waiting) or the queue is
   * full. Callers refuse clear RESTRICTED values while it is false.
   */
  healthy(): boolean {
    if (this.closing) return false;
    if (this.queuedCount >= this.maxQueued) return false;
    return !(this.consecutiveFailures > 0 && this.queuedCount > 0);
  }

  /**
   * Queues one record (more if the event lists more than AUDIT_MAX_KEYS_PER_RECORD keys); synchronous, no database
   * call happens before it returns. The record keys are pseudonymised here, so no raw key is held in the queue.
   * Throws (RangeError) only for an occurredAt that is not a time, a programming error; a full queue or a closing
   * writer counts the record as dropped.
   */
  record(event: AuditEvent): void {
    if (event.redelivered && event.decisionId) {
      if (this.closing || this.queuedCount >= this.maxQueued) this.drops.add();
      else this.redeliveries.push(event);
      this.schedule(0);
      return;
    }
    for (let from = 0; from === 0 || from < event.recordKeys.length; from += AUDIT_MAX_KEYS_PER_RECORD) {
      if (this.closing || this.queuedCount >= this.maxQueued) {
        this.drops.add();
        continue;
      }
      this.records.push(this.toQueued(event, event.recordKeys.slice(from, from + AUDIT_MAX_KEYS_PER_RECORD)));
    }
    this.schedule(this.queuedCount >= this.batchSize ? 0 : this.flushIntervalMs);
  }

  /**
   * Writes everything queued now (ignoring any retry back-off). Rejects with AuditStoreUnavailableError if the
   * store refuses a batch; the records stay queued and background retries continue.
   */
  flush(): Promise<void> {
    const run = this.flushTail.then(() => this.writeQueued()).finally(() => this.onWriteAttempt());
    this.flushTail = run.catch(() => undefined);
    return run;
  }

  /**
   * Call on shutdown, after the server stopped taking requests: refuses further records, writes everything
   * queued (retrying with back-off for up to `timeoutMs`), and stops the timer. Rejects, with the number of
   * records left unwritten, if the store stays unavailable.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closing = true;
    this.cancelTimer();
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    try {
      for (;;) {
        try {
          await this.flush();
          return;
        } catch (error) {
          const wait = Math.min(this.nextRetryDelay(), deadline - Date.now());
          if (wait <= 0) {
            this.log.error({ chain: this.chain, unwritten: this.queuedCount }, 'audit writer closed with records the audit store did not take');
            throw error;
          }
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
      }
    } finally {
      this.cancelTimer();
      this.checkpoints?.close();
      this.drops.report(true);
    }
  }

  /** A request reads many fields of one record: its pseudonym is computed once (bounded cache of recent keys). */
  private readonly recentPseudonyms = new Map<string, string>();

  private pseudonymOf(recordKey: string): string {
    const known = this.recentPseudonyms.get(recordKey);
    if (known !== undefined) return known;
    const pseudonym = pseudonymise(this.pseudonymSecret, recordKey);
    if (this.recentPseudonyms.size >= 10_000) this.recentPseudonyms.clear();
    this.recentPseudonyms.set(recordKey, pseudonym);
    return pseudonym;
  }

  private toQueued(event: AuditEvent, recordKeys: readonly string[]): QueuedRecord {
    return {
      requestId: fit(event.requestId, AUDIT_COLUMN_LIMITS.requestId),
      occurredAt: toIsoMillis(event.occurredAt),
      staffId: fit(event.staffId, AUDIT_COLUMN_LIMITS.staffId),
      role: event.role,
      purpose: event.purpose,
      operationName: event.operationName === null ? null : fit(event.operationName, AUDIT_COLUMN_LIMITS.operationName),
      operationHash: fit(event.operationHash, AUDIT_COLUMN_LIMITS.operationHash),
      coordinate: fit(event.coordinate, AUDIT_COLUMN_LIMITS.coordinate),
      recordPseudonyms: recordKeys.map((key) => this.pseudonymOf(key)),
      decision: event.decision,
      rule: fit(event.rule, AUDIT_COLUMN_LIMITS.rule),
      policyVersion: fit(event.policyVersion, AUDIT_COLUMN_LIMITS.policyVersion),
      decisionId: event.decisionId === undefined || event.decisionId === null ? null : fit(event.decisionId, AUDIT_COLUMN_LIMITS.decisionId),
      ...(event.hashedChange ? { change: event.hashedChange } : event.change ? { change: hashAuditChange(this.pseudonymSecret, event.change) } : {}),
    };
  }

  private schedule(delayMs: number): void {
    if (this.closing) return;
    const dueAt = Math.max(Date.now() + delayMs, this.retryNotBefore);
    if (this.timer !== undefined && this.timerDueAt <= dueAt) return;
    this.cancelTimer();
    this.timerDueAt = dueAt;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerDueAt = Number.POSITIVE_INFINITY;
        // Failures are logged and rescheduled inside; nothing to add here.
        this.flush().catch(() => undefined);
      },
      Math.max(0, dueAt - Date.now()),
    );
    // The timer alone must not keep a process alive; shutdown calls close().
    this.timer.unref();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueAt = Number.POSITIVE_INFINITY;
  }

  private nextRetryDelay(): number {
    return Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** Math.max(0, this.consecutiveFailures - 1));
  }

  /** Writes batches until the queue is empty; stops at the first failure, keeping that batch and all after it. */
  private async writeQueued(): Promise<void> {
    while (this.queuedCount > 0) {
      try {
        if (this.redeliveries.length > 0) await this.admitRedeliveries();
        const size = Math.min(this.batchSize, this.records.length - this.queueStart);
        if (size > 0) await this.writeBatch(size);
      } catch (error) {
        this.consecutiveFailures++;
        const delay = this.nextRetryDelay();
        this.retryNotBefore = Date.now() + delay;
        this.log.error(
          { chain: this.chain, queued: this.queuedCount, failures: this.consecutiveFailures, retryInMs: delay, error: driverErrorMessage(error) },
          'audit store did not take a batch; records kept for retry',
        );
        this.schedule(delay);
        throw new AuditStoreUnavailableError(this.queuedCount, error);
      }
      if (this.consecutiveFailures > 0) this.log.warn({ chain: this.chain, failures: this.consecutiveFailures }, 'audit store takes writes again');
      this.consecutiveFailures = 0;
      this.retryNotBefore = 0;
      this.compact();
    }
    this.drops.report(false);
  }

  /**
   * Redelivered change records join the queue unless a record with their decision id is stored already (written before
   * the process that handed them over ended, its hand-over rows not yet cleared): those are only reported as stored.
   */
  private async admitRedeliveries(): Promise<void> {
    const pending = this.redeliveries;
    const ids = [...new Set(pending.map((event) => event.decisionId!))];
    const stored = new Set<string>();
    for (let start = 0; start < ids.length; start += 500) {
      const rows = (await this.db(AUDIT_TABLE)
        .whereIn('decision_id', ids.slice(start, start + 500))
        .distinct('decision_id')) as { decision_id: string }[];
      for (const row of rows) stored.add(row.decision_id);
    }
    // Taken off only now: a failed lookup leaves them for the retry.
    this.redeliveries = [];
    // Also not twice when this writer still holds the original (the store was down longer than the sweep's grace).
    const queued = new Set(this.records.slice(this.queueStart).map((record) => record.decisionId));
    for (const event of pending) {
      const id = event.decisionId!;
      if (stored.has(id) || queued.has(id)) continue;
      queued.add(id);
      this.records.push(this.toQueued(event, event.recordKeys));
    }
    if (stored.size > 0) this.onChangesStored([...stored]);
  }

  /** Chains the first `size` queued records onto the head and inserts them in one transaction. */
  private async writeBatch(size: number): Promise<void> {
    const written = await this.db.transaction(async (trx) => {
      const head = await this.currentHead(trx);
      if (head === 'in-flight-batch-was-committed') return undefined;
      const records = this.chainRecords(head, size);
      const last = records[records.length - 1]!;
      // Kept if anything below fails: a commit can succeed although the client saw an error.
      this.inFlightBatch = { head: { sequence: last.sequence, hash: last.hash }, size };
      await insertInChunks(trx, AUDIT_TABLE, records.map(auditRecordToRow));
      return this.inFlightBatch;
    });
    if (written === undefined) return;
    this.reportStoredChanges(written.size);
    this.consume(written.size);
    this.head = written.head;
    this.inFlightBatch = undefined;
    this.checkpoints?.headWritten({ chain: this.chain, ...this.head });
  }

  /**
   * The head to chain onto. Read from the store when this writer has not written yet (continuing an existing
   * chain) and after a failed batch, to learn whether that batch committed after all.
   */
  private async currentHead(trx: Knex.Transaction): Promise<ChainHead | 'in-flight-batch-was-committed'> {
    if (this.head !== undefined && this.inFlightBatch === undefined) return this.head;
    const stored = (await readChainHead(trx, this.chain)) ?? { sequence: 0, hash: AUDIT_GENESIS_HASH };
    const inFlight = this.inFlightBatch;
    this.inFlightBatch = undefined;
    if (inFlight !== undefined && sameHead(stored, inFlight.head)) {
      // Written already: take it off the queue rather than write it twice.
      this.reportStoredChanges(inFlight.size);
      this.consume(inFlight.size);
      this.head = stored;
      this.checkpoints?.headWritten({ chain: this.chain, ...stored });
      return 'in-flight-batch-was-committed';
    }
    if (this.head === undefined) {
      this.head = stored;
    } else if (!sameHead(stored, this.head)) {
      // Keep chaining on our own head: the verifier then reports removed records (or a second writer on this chain).
      this.log.error(
        { chain: this.chain, storedSequence: stored.sequence, ownSequence: this.head.sequence },
        'audit chain head in the store differs from this writer’s',
      );
    }
    return this.head;
  }

  private chainRecords(head: ChainHead, size: number): AuditRecord[] {
    const chained: AuditRecord[] = [];
    let prevHash = head.hash;
    for (let index = 0; index < size; index++) {
      const queued = this.records[this.queueStart + index]!;
      const content = { ...queued, chain: this.chain, sequence: head.sequence + index + 1, prevHash };
      const hash = hashAuditRecord(this.chainKey, content);
      chained.push({ ...content, hash });
      prevHash = hash;
    }
    return chained;
  }

  /** The change records among the first `count` queued, now stored: their hand-over rows can go. */
  private reportStoredChanges(count: number): void {
    const ids: string[] = [];
    for (let index = this.queueStart; index < this.queueStart + count; index++) {
      const record = this.records[index]!;
      if (record.change && record.decisionId !== null) ids.push(record.decisionId);
    }
    if (ids.length > 0) this.onChangesStored(ids);
  }

  private consume(count: number): void {
    this.queueStart += count;
  }

  /** Drops the consumed prefix once it dominates the array, keeping push and consume amortised O(1). */
  private compact(): void {
    if (this.queueStart === 0) return;
    if (this.queueStart === this.records.length) {
      this.records = [];
      this.queueStart = 0;
    } else if (this.queueStart > 1_024 && this.queueStart * 2 > this.records.length) {
      this.records = this.records.slice(this.queueStart);
      this.queueStart = 0;
    }
  }
}

/**
 * A write's values replaced by keyed hashes, like record keys: the same value always gives the same hash (so an auditor
 * holding the key can check "was it this value?"), and nothing stored reveals it.
 */
export function hashAuditChange(pseudonymSecret: string, change: AuditChange): AuditChangeContent {
  const hashOf = (value: unknown): string | null =>
    value === null || value === undefined ? null : pseudonymise(pseudonymSecret, `value:${canonicalJson(value)}`);
  const fields: AuditChangeContent['fields'] = {};
  for (const [name, field] of Object.entries(change.fields)) fields[name] = { before: hashOf(field.before), after: hashOf(field.after) };
  return { beforeVersion: change.beforeVersion, afterVersion: change.afterVersion, fields };
}

function sameHead(a: ChainHead, b: ChainHead): boolean {
  return a.sequence === b.sequence && a.hash === b.hash;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`AuditWriter option ${name} must be a whole number of at least 1, got ${value}`);
  return value;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Fits a value to its column: whole code points only, lone surrogates replaced (the database would store them as
 * U+FFFD while the hash saw the original, and the record would then fail verification).
 */
function fit(value: string, maxCharacters: number): string {
  const wellFormed = value.replace(LONE_SURROGATE, '\uFFFD');
  if (wellFormed.length <= maxCharacters) return wellFormed;
  return Array.from(wellFormed).slice(0, maxCharacters).join('');
}

function toIsoMillis(value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value);
  const time = date.getTime();
  // MySQL DATETIME's range, which also keeps toISOString to its fixed-width form.
  if (Number.isNaN(time) || date.getUTCFullYear() < 1000 || date.getUTCFullYear() > 9999) {
    throw new RangeError(`AuditEvent.occurredAt is not a valid time: ${String(value)}`);
  }
  return date.toISOString();
}
