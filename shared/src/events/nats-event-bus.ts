/**
 * The JetStream transport (NATS_URL set). The relay publishes each (event, consumer) to
 * `<prefix>.<consumer>.<type>` on one durable stream, with the event and consumer as the message id, so a
 * publish repeated after a crash is dropped by the stream (and anything older is still a duplicate for the
 * inbox); the stream's acknowledgement settles the delivery. Each receiving subgraph has one durable
 * consumer on `<prefix>.<itself>.>`, taking one message at a time (max_ack_pending 1) and acknowledging
 * it only after its own commit, so order per consumer holds and nothing is lost while it is down.
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
import type { DeliveryOutcome, EventTransport } from './event-transport';
import { SERVICE_TOKEN_HEADER, type ServiceTokenSigner } from './service-identity';

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

  /** The relay's transport: a delivery is settled when the stream has stored the message. */
  transport(signer: ServiceTokenSigner, timeoutMs: number): EventTransport {
    return {
      name: 'nats',
      deliver: async ({ envelope, body }, consumer): Promise<DeliveryOutcome> => {
        let jetStream: JetStream;
        try {
          jetStream = await Promise.race([this.connected(), sleep(timeoutMs).then(() => Promise.reject(new Error('timeout')))]);
        } catch {
          return { kind: 'failed', error: 'NATS_UNAVAILABLE' };
        }
        // The token outlives an HTTP one: the message may wait in the stream for as long as the stream keeps it.
        const token = await signer.sign({ receiver: consumer, eventId: envelope.id, body, ttlSeconds: this.settings.maxAgeSeconds });
        const messageHeaders = headers();
        messageHeaders.set(SERVICE_TOKEN_HEADER, token);
        try {
          await jetStream.client.publish(this.subject(consumer, envelope.type), Buffer.from(body), {
            msgID: `${envelope.id}.${consumer}`,
            headers: messageHeaders,
            timeout: timeoutMs,
            expect: { streamName: this.settings.stream },
          });
          return { kind: 'delivered' };
        } catch (error) {
          return { kind: 'failed', error: `NATS_${String((error as { code?: unknown }).code ?? 'ERROR').slice(0, 40)}` };
        }
      },
      close: () => this.close(),
    };
  }

  /**
   * Takes `subgraph`'s messages one at a time and hands them to its receiver: acknowledged after the
   * receiver's commit, redelivered with backoff when it could not apply them now, terminated when it
   * refuses them for good (a forged token, a sender that may not send the type, a payload that does not check).
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
            const result = await receiver.receive(Buffer.from(message.data), message.headers?.get(SERVICE_TOKEN_HEADER) || undefined, 'nats');
            if (result.status === 'applied' || result.status === 'duplicate') {
              // If this acknowledgement is lost the message comes again: a duplicate, which changes nothing.
              await message.ackAck().catch(() => false);
            } else if (result.status === 'rejected' || result.status === 'unauthenticated' || result.status === 'forbidden') {
              // Never applied; terminated so it does not hold back the consumer's later messages.
              message.term();
            } else {
              message.nak(Math.min(retry.retryMaxMs, retry.retryBaseMs * 2 ** Math.min(message.info.redeliveryCount, 30)));
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
