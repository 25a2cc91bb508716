/**
 * The JetStream transport (NATS_URL set). The relay publishes each consumer's events in batches of consecutive
 * events, one message per batch, to `<prefix>.<consumer>.batch` on one durable stream, with the consumer and the
 * batch's first and last event as the message id, so a publish repeated after a crash is dropped by the stream (and
 * anything older is still a duplicate for the inbox); the stream's acknowledgement settles the batch. Each
 * receiving subgraph has one durable consumer on `<prefix>.<itself>.>`, taking one message at a time
 * (max_ack_pending 1) and acknowledging it only after its own commit, so order per consumer holds and nothing
 * is lost while it is down. While a consumer has a message waiting beyond the one it is applying, the relay holds
 * its next batch back (the events gather in the outbox), so a consumer that falls behind gets full batches — one
 * commit each — rather than a stream of one-event messages. Batching happens inside the message, not by several messages in flight: with more
 * than one unacknowledged message, a receiver that restarts would get newer messages before the older ones
 * come back after the ack wait, out of order.
 * Subjects per consumer, not per type alone, keep to one filter subject per consumer, which every
 * JetStream server (2.9 and up) supports.
 */
import {
  AckPolicy,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  connect,
  headers,
  nanos,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import type { Logger } from '../logger';
import type { NatsSettings, RelaySettings } from './events-config';
import type { EventReceiver } from './event-receiver';
import { eventBatchBody, type DeliveryOutcome, type EventTransport } from './event-transport';
import { SERVICE_TOKEN_HEADER, type ServiceTokenSigner } from './service-identity';

/** The last subject token of a batch message (`<prefix>.<consumer>.batch`): a batch mixes event types. */
const BATCH_SUBJECT_TOKEN = 'batch';
/** While a consumer has messages waiting, the relay looks again after this long per waiting message, up to MAX_DEFER_MS. */
const DEFER_MS_PER_WAITING = 20;
const MAX_DEFER_MS = 1_000;
/** Repeated publishes of one message id within this window are dropped by the stream. */
const DUPLICATE_WINDOW_MS = 120_000;
/** Unacknowledged for this long, a message is sent again (the receiver's commit takes milliseconds). */
const ACK_WAIT_MS = 30_000;

interface JetStream {
  connection: NatsConnection;
  client: JetStreamClient;
  manager: JetStreamManager;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

export class NatsEventBus {
  private jetStream: Promise<JetStream> | undefined;
  private closed = false;
  private readonly consumers: { messages?: ConsumerMessages; loop: Promise<void> }[] = [];

  constructor(
    private readonly settings: NatsSettings,
    private readonly logger: Logger,
  ) {}

  subject(consumer: string, type: string): string {
    return `${this.settings.subjectPrefix}.${consumer}.${type}`;
  }

  /** Connected, with the stream in place; reconnects on its own after an outage. */
  private connected(): Promise<JetStream> {
    this.jetStream ??= (async () => {
      // Once connected it reconnects for ever; a first attempt that fails is retried by the caller (the relay, the subscription loop).
      const connection = await connect({ servers: this.settings.url, name: 'icg-events', timeout: 5_000, maxReconnectAttempts: -1 });
      const manager = await connection.jetstreamManager();
      await this.ensureStream(manager);
      return { connection, client: connection.jetstream(), manager };
    })();
    // A failed attempt is forgotten, so the next delivery tries again.
    this.jetStream.catch(() => (this.jetStream = undefined));
    return this.jetStream;
  }

  private async ensureStream(manager: JetStreamManager): Promise<void> {
    const { stream, subjectPrefix, maxAgeSeconds } = this.settings;
    try {
      await manager.streams.info(stream);
    } catch {
      // File storage, kept by age: an event waits for a consumer that is down or not yet deployed.
      await manager.streams.add({
        name: stream,
        subjects: [`${subjectPrefix}.>`],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        max_age: nanos(maxAgeSeconds * 1000),
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      });
    }
  }

  /**
   * The relay's transport: a batch of consecutive events is one message, settled when the stream has stored it.
   * Its id names the consumer and the batch's first and last events, so the same batch published again after a
   * crash is dropped by the stream; a batch composed differently on a retry starts at the first unconfirmed event,
   * so the stream still holds the consumer's events in order, and the overlap is answered duplicate by the inbox.
   */
  transport(signer: ServiceTokenSigner, timeoutMs: number): EventTransport {
    return {
      name: 'nats',
      deliverBatch: async (events, consumer): Promise<DeliveryOutcome[]> => {
        const first = events[0];
        const last = events[events.length - 1];
        if (!first || !last) return [];
        let jetStream: JetStream;
        try {
          jetStream = await Promise.race([this.connected(), sleep(timeoutMs).then(() => Promise.reject(new Error('timeout')))]);
        } catch {
          return [{ kind: 'failed', error: 'NATS_UNAVAILABLE' }];
        }
        // Backpressure, as an HTTP request's round trip gives: while the consumer has a message waiting beyond the one it
        // is applying, the events stay in the outbox and gather, to go as one full batch (one receiver commit) instead of
        // many small ones. A consumer not created yet (its subgraph never started) does not hold anything back.
        const waiting = await jetStream.manager.consumers
          .info(this.settings.stream, consumer)
          .then((info) => info.num_pending)
          .catch(() => 0);
        if (waiting > 0) return [{ kind: 'deferred', retryInMs: Math.min(MAX_DEFER_MS, DEFER_MS_PER_WAITING * waiting) }];
        const body = eventBatchBody(events);
        // The token outlives an HTTP one: the message may wait in the stream for as long as the stream keeps it.
        const token = await signer.sign({ receiver: consumer, eventId: first.envelope.id, body, ttlSeconds: this.settings.maxAgeSeconds });
        const messageHeaders = headers();
        messageHeaders.set(SERVICE_TOKEN_HEADER, token);
        try {
          await jetStream.client.publish(this.subject(consumer, BATCH_SUBJECT_TOKEN), Buffer.from(body), {
            msgID: `${first.envelope.id}.${last.envelope.id}.${consumer}`,
            headers: messageHeaders,
            timeout: timeoutMs,
            expect: { streamName: this.settings.stream },
          });
          return events.map(() => ({ kind: 'delivered' }));
        } catch (error) {
          return [{ kind: 'failed', error: `NATS_${String((error as { code?: unknown }).code ?? 'ERROR').slice(0, 40)}` }];
        }
      },
      close: () => this.close(),
    };
  }

  /**
   * Takes `subgraph`'s messages one at a time (each a batch of events, or a single event as published before
   * batches) and hands them to its receiver, which applies a batch in order: acknowledged after the receiver's
   * commit of the whole batch; redelivered with backoff when an event of it could not be applied now (the events
   * before it are committed and come back as duplicates; the ones after it wait, so order holds); terminated when
   * refused for good as a whole (a forged token, a body that is no batch). An event in a batch refused for good
   * (a payload that does not check, a sender that may not send its type) is skipped, as its own message was
   * terminated before. One message in flight (max_ack_pending 1) keeps order across a receiver's restart.
   */
  subscribe(subgraph: string, receiver: EventReceiver, retry: Pick<RelaySettings, 'retryBaseMs' | 'retryMaxMs'>): void {
    const entry: { messages?: ConsumerMessages; loop: Promise<void> } = { loop: Promise.resolve() };
    entry.loop = (async () => {
      for (let attempt = 1; !this.closed; attempt++) {
        try {
          const { client, manager } = await this.connected();
          await manager.consumers.add(this.settings.stream, {
            durable_name: subgraph,
            filter_subject: `${this.settings.subjectPrefix}.${subgraph}.>`,
            ack_policy: AckPolicy.Explicit,
            deliver_policy: DeliverPolicy.All,
            max_ack_pending: 1,
            ack_wait: nanos(ACK_WAIT_MS),
          });
          const consumer = await client.consumers.get(this.settings.stream, subgraph);
          if (this.closed) return;
          entry.messages = await consumer.consume({ max_messages: 1 });
          attempt = 0;
          for await (const message of entry.messages) {
            const outcome = await receiver.receiveBatch(Buffer.from(message.data), message.headers?.get(SERVICE_TOKEN_HEADER) || undefined, 'nats', {
              stopOnForbidden: false,
            });
            const statuses =
              outcome.status === 'batch'
                ? outcome.results.map((result) => result.status)
                : [outcome.status === 'single' ? outcome.result.status : outcome.status];
            if (statuses.some((status) => status === 'failed' || status === 'unavailable')) {
              message.nak(Math.min(retry.retryMaxMs, retry.retryBaseMs * 2 ** Math.min(message.info.redeliveryCount, 30)));
            } else if (outcome.status !== 'batch' && statuses[0] !== 'applied' && statuses[0] !== 'duplicate') {
              // Never applied; terminated so it does not hold back the consumer's later messages.
              message.term();
            } else {
              // If this acknowledgement is lost the message comes again: duplicates, which change nothing.
              await message.ackAck().catch(() => false);
            }
          }
        } catch (error) {
          if (this.closed) return;
          const failure = error as { name?: string; code?: string };
          this.logger.warn({ attempt, err: { name: failure.name, code: failure.code } }, 'event subscription interrupted; resubscribing');
          await sleep(Math.min(retry.retryMaxMs, retry.retryBaseMs * 2 ** Math.min(attempt, 10)));
        }
      }
    })();
    this.consumers.push(entry);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.consumers) await entry.messages?.close().catch(() => undefined);
    await Promise.all(this.consumers.map((entry) => entry.loop));
    const pending = this.jetStream;
    this.jetStream = undefined;
    const jetStream = await pending?.catch(() => undefined);
    await jetStream?.connection.close();
  }
}
