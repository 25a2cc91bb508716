/**
 * The relay of one producing subgraph: delivers every committed outbox event to each of its consumers,
 * in sequence order per consumer, in batches of consecutive events (one request or message each, bounded in
 * count and bytes; the consumer applies a batch in order and answers per event), retrying with exponential backoff until the consumer (or JetStream)
 * confirms. The relay advances up to the first event of a batch that did not go through; a failing event holds back the later ones to the same consumer, so events of one record
 * arrive in the order they were committed; other consumers go on. Woken after each commit, and polls.
 * Logs name events by id, type and consumer, never their payload.
 */
import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { DELIVERY_TABLE, OUTBOX_TABLE, type DeliveryState } from './event-migrations';
import type { EventEnvelope } from './event-types';
import type { RelaySettings } from './events-config';
import { splitIntoBatches, type DeliveryOutcome, type EventTransport, type TransportName } from './event-transport';

export interface EventRelayMetrics {
  eventDelivered(consumer: string, transport: TransportName, delaySeconds: number): void;
  eventDeliveryFailed(consumer: string, transport: TransportName, outcome: 'rejected' | 'failed'): void;
}

export interface OutboxRelayOptions {
  db: Knex;
  producer: string;
  /** Every subgraph this one sends events to (by the catalog). */
  consumers: readonly string[];
  transport: EventTransport;
  settings: RelaySettings;
  logger: Logger;
  metrics?: EventRelayMetrics;
}

interface PendingRow {
  sequence: number;
  attempts: number;
  next_attempt_at_ms: number | string;
  event_id: string;
  type: string;
  aggregate: string;
  occurred_at: string;
  payload: string;
  recorded_at_ms: number | string;
}

/** Backlog refreshes at most this often: it costs a COUNT per round. */
const BACKLOG_REFRESH_MS = 1_000;

export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private wakeRequested = false;
  private started = false;
  private stopped = false;
  private backlogByConsumer: Record<string, number> = {};
  private backlogRefreshedAt = 0;

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedule(0);
  }

  /** After a commit: deliver now (or right after the round in progress). */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.round) this.wakeRequested = true;
    else this.schedule(0);
  }

  /** Stops after the delivery in flight; undelivered events stay in the outbox for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }

  /** Events waiting per consumer, as of the last round (the backlog gauge). */
  backlog(): Readonly<Record<string, number>> {
    return this.backlogByConsumer;
  }

  /** Undelivered events, counted now. */
  async pendingCount(): Promise<number> {
    const [row] = await this.options
      .db(DELIVERY_TABLE)
      .where({ state: 'PENDING' satisfies DeliveryState })
      .count({ pending: '*' });
    return Number((row as { pending?: unknown } | undefined)?.pending ?? 0);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runRound(), delayMs);
    this.timer.unref();
  }

  private async runRound(): Promise<void> {
    if (this.stopped || this.round) return;
    this.wakeRequested = false;
    let nextRetryAt: number | undefined;
    this.round = (async () => {
      try {
        const retries = await Promise.all(this.options.consumers.map((consumer) => this.deliverTo(consumer)));
        nextRetryAt = Math.min(...retries.filter((at): at is number => at !== undefined));
        await this.refreshBacklog();
      } catch (error) {
        // The store is down or busy: everything stays in the outbox; the next round tries again.
        const failure = error as { name?: string; code?: string };
        this.options.logger.warn({ err: { name: failure.name, code: failure.code } }, 'event relay could not read the outbox');
      }
    })();
    try {
      await this.round;
    } finally {
      this.round = undefined;
    }
    if (this.stopped) return;
    const untilRetry = nextRetryAt === undefined || !Number.isFinite(nextRetryAt) ? Infinity : nextRetryAt - Date.now();
    this.schedule(this.wakeRequested ? 0 : Math.max(0, Math.min(this.options.settings.pollIntervalMs, untilRetry)));
  }

  private async refreshBacklog(): Promise<void> {
    if (Date.now() - this.backlogRefreshedAt < BACKLOG_REFRESH_MS) return;
    this.backlogRefreshedAt = Date.now();
    const rows = (await this.options
      .db(DELIVERY_TABLE)
      .where({ state: 'PENDING' satisfies DeliveryState })
      .groupBy('consumer')
      .select('consumer')
      .count({ pending: '*' })) as {
      consumer: string;
      pending: number | string;
    }[];
    const backlog: Record<string, number> = Object.fromEntries(this.options.consumers.map((consumer) => [consumer, 0]));
    for (const row of rows) backlog[row.consumer] = Number(row.pending);
    this.backlogByConsumer = backlog;
  }

  /** Delivers one consumer's events in order; returns when the first one still failing may be tried again. */
  private async deliverTo(consumer: string): Promise<number | undefined> {
    const confirmed: { sequence: number; attempts: number }[] = [];
    try {
      return await this.deliverInOrder(consumer, confirmed);
    } finally {
      await this.markDelivered(consumer, confirmed);
    }
  }

  /**
   * Confirmed deliveries are written down together, one statement per run of them: fewer writes on a busy store.
   * Lost by a crash before this, they are sent again, and the consumer's inbox answers them as duplicates.
   */
  private async markDelivered(consumer: string, confirmed: { sequence: number; attempts: number }[]): Promise<void> {
    if (confirmed.length === 0) return;
    const settled = confirmed.splice(0);
    const update = { state: 'DELIVERED' satisfies DeliveryState, settled_at_ms: Date.now(), last_error: null };
    const firstAttempts = settled.filter((row) => row.attempts === 1).map((row) => row.sequence);
    if (firstAttempts.length > 0)
      await this.options
        .db(DELIVERY_TABLE)
        .where({ consumer })
        .whereIn('sequence', firstAttempts)
        .update({ ...update, attempts: 1 });
    for (const row of settled.filter((entry) => entry.attempts !== 1)) {
      await this.options
        .db(DELIVERY_TABLE)
        .where({ consumer, sequence: row.sequence })
        .update({ ...update, attempts: row.attempts });
    }
  }

  private async deliverInOrder(consumer: string, confirmed: { sequence: number; attempts: number }[]): Promise<number | undefined> {
    const { db, transport, settings } = this.options;
    for (;;) {
      if (this.stopped) return undefined;
      const rows = (await db(`${DELIVERY_TABLE} as d`)
        .join(`${OUTBOX_TABLE} as o`, 'o.sequence', 'd.sequence')
        .where('d.consumer', consumer)
        .andWhere('d.state', 'PENDING' satisfies DeliveryState)
        .orderBy('d.sequence')
        .limit(settings.batchSize)
        .select(
          'd.sequence',
          'd.attempts',
          'd.next_attempt_at_ms',
          'o.event_id',
          'o.type',
          'o.aggregate',
          'o.occurred_at',
          'o.payload',
          'o.recorded_at_ms',
        )) as PendingRow[];
      if (rows.length === 0) return undefined;
      // The events due now, up to the first still waiting out its backoff: the later ones wait behind it.
      const due = rows.findIndex((row) => Number(row.next_attempt_at_ms) > Date.now());
      const ready = (due < 0 ? rows : rows.slice(0, due)).map((row) => {
        const envelope: EventEnvelope = {
          id: row.event_id,
          type: row.type,
          producer: this.options.producer,
          aggregate: row.aggregate,
          sequence: Number(row.sequence),
          occurredAt: row.occurred_at,
          payload: JSON.parse(row.payload) as unknown,
        };
        return { row, envelope, body: JSON.stringify(envelope) };
      });
      let partial = false;
      for (const batch of splitIntoBatches(ready, settings.batchSize)) {
        if (this.stopped) return undefined;
        const outcomes = await transport.deliverBatch(batch, consumer).catch((): DeliveryOutcome[] => [{ kind: 'failed', error: 'TRANSPORT_ERROR' }]);
        // An answer for no event is a failure of the first: the relay never moves past an event without its outcome.
        if (outcomes.length === 0) outcomes.push({ kind: 'failed', error: 'NO_ANSWER' });
        for (const [index, outcome] of outcomes.slice(0, batch.length).entries()) {
          // Held back by the transport, not tried: no attempt counted, nothing logged; the events gather into a larger batch meanwhile.
          if (outcome.kind === 'deferred') return Date.now() + outcome.retryInMs;
          const { row, envelope } = batch[index]!;
          const attempts = Number(row.attempts) + 1;
          const where = { sequence: row.sequence, consumer };
          const logged = { eventId: envelope.id, type: envelope.type, consumer, attempts, transport: transport.name };
          if (outcome.kind === 'delivered') {
            confirmed.push({ sequence: Number(row.sequence), attempts });
            this.options.metrics?.eventDelivered(consumer, transport.name, (Date.now() - Number(row.recorded_at_ms)) / 1000);
            continue;
          }
          if (outcome.kind === 'rejected') {
            // Its envelope or payload does not check at the consumer: retrying cannot help, and it must not hold back the rest.
            await db(DELIVERY_TABLE)
              .where(where)
              .update({ state: 'REJECTED' satisfies DeliveryState, attempts, settled_at_ms: Date.now(), last_error: outcome.error });
            this.options.metrics?.eventDeliveryFailed(consumer, transport.name, 'rejected');
            this.options.logger.error({ ...logged, error: outcome.error }, 'event rejected by its consumer; it will not be delivered');
            continue;
          }
          const next = Date.now() + Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.min(attempts - 1, 30));
          await db(DELIVERY_TABLE)
            .where(where)
            .update({ attempts, next_attempt_at_ms: next, last_error: outcome.error.slice(0, 60) });
          this.options.metrics?.eventDeliveryFailed(consumer, transport.name, 'failed');
          // 1st, 2nd, 4th, 8th… failure: a consumer down for an hour does not flood the log.
          if ((attempts & (attempts - 1)) === 0) this.options.logger.warn({ ...logged, error: outcome.error }, 'event delivery failed; retrying with backoff');
          return next;
        }
        // Fewer answers than events and no failure: the rest were not tried; they are read again below.
        if (outcomes.length < batch.length) {
          partial = true;
          break;
        }
      }
      if (ready.length === 0) return Number(rows[0]!.next_attempt_at_ms);
      // Before the next batch is read, which must not find these pending again.
      await this.markDelivered(consumer, confirmed);
      if (rows.length < settings.batchSize && due < 0 && !partial) return undefined;
    }
  }
}
