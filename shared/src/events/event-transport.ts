/**
 * How the relay hands events to a consumer. Two transports, one interface: direct HTTP to the
 * consumer's `/events` (the embedded default) and NATS JetStream (nats-event-bus.ts) when NATS_URL is set.
 * Both carry a batch of consecutive events to one consumer in one request (or one message), signed once
 * over the exact batch body: one round trip and one receiver transaction per batch instead of per event.
 */
import type { EventEnvelope } from './event-types';
import { SERVICE_TOKEN_HEADER, type ServiceTokenSigner } from './service-identity';

export type TransportName = 'http' | 'nats';

/** One event as it leaves the outbox: the envelope and its exact JSON text (a batch body is built from these). */
export interface OutgoingEvent {
  envelope: EventEnvelope;
  body: string;
}

/**
 * delivered: the consumer committed it (HTTP) or the stream stored it (JetStream); rejected: the consumer
 * refuses it for good (its envelope or payload does not check), so retrying cannot help; failed: try again later.
 * `error` is a short code (an HTTP status, TIMEOUT, UNREACHABLE), never a message: those can quote the payload.
 */
export type DeliveryOutcome =
  | { kind: 'delivered' }
  | { kind: 'rejected'; error: string }
  | { kind: 'failed'; error: string }
  /** Not sent, and not an attempt: the consumer is still working through what it has; try again in `retryInMs` (JetStream). */
  | { kind: 'deferred'; retryInMs: number };

export interface EventTransport {
  readonly name: TransportName;
  /**
   * Delivers consecutive events of one consumer, in order, in one request or message. Answers one outcome per
   * event, in order, up to and including the first that failed; the events after it were not tried (or not
   * applied) and stay pending. An empty answer counts as a failure of the first.
   */
  deliverBatch(events: readonly OutgoingEvent[], consumer: string): Promise<DeliveryOutcome[]>;
  close(): Promise<void>;
}

/** The status a receiver answers a single event it refuses for good with (its envelope or payload does not check). */
export const EVENT_REJECTED_STATUS = 422;

/**
 * A batch body stays below this many bytes (a single larger event still goes alone): under the receivers'
 * default MAX_BODY_BYTES (100,000), so a batch is never refused for its size where one event would pass.
 */
export const MAX_EVENT_BATCH_BYTES = 64_000;

/**
 * The batch body: `{"events":[<envelope>,…]}`, the events' own JSON texts joined, so the bytes signed are the
 * bytes sent. The service token names the first event; its body digest binds every event in the batch.
 */
export function eventBatchBody(events: readonly OutgoingEvent[]): string {
  return `{"events":[${events.map((event) => event.body).join(',')}]}`;
}

/** Splits consecutive events into batches of at most `maxEvents` events and MAX_EVENT_BATCH_BYTES bytes, order kept. */
export function splitIntoBatches<T extends { body: string }>(events: readonly T[], maxEvents: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(event.body) + 1;
    if (current.length > 0 && (current.length >= maxEvents || bytes + size > MAX_EVENT_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** What a receiver answers for each event of a batch (event-receiver.ts), as sent over HTTP. */
export interface BatchResultEntry {
  id: string;
  status: 'applied' | 'duplicate' | 'rejected' | 'unauthenticated' | 'forbidden' | 'unavailable' | 'failed';
  field?: string;
  reason?: string;
}

/** A receiver's per-event answer as the relay's outcome: applied or duplicate is delivered; a refusal for good is rejected. */
export function outcomeOfResult(entry: Pick<BatchResultEntry, 'status'>): DeliveryOutcome {
  switch (entry.status) {
    case 'applied':
    case 'duplicate':
      return { kind: 'delivered' };
    case 'rejected':
      return { kind: 'rejected', error: 'EVENT_REJECTED' };
    default:
      return { kind: 'failed', error: entry.status.toUpperCase() };
  }
}

export interface HttpTransportOptions {
  signer: ServiceTokenSigner;
  /** Each consumer's `/events` URL; looked up per delivery, so tests may fill it in as consumers start. */
  consumerUrl: (consumer: string) => string | undefined;
  timeoutMs: number;
}

function isBatchAnswer(value: unknown): value is { results: BatchResultEntry[] } {
  const results = (value as { results?: unknown } | null)?.results;
  return Array.isArray(results) && results.every((entry) => typeof (entry as { status?: unknown } | null)?.status === 'string');
}

/**
 * POST <consumer>/events with a batch and the sender's service token; the consumer answers 200 with one result
 * per event it tried, after its commit. Any other answer fails the batch's first event (nothing of it is confirmed).
 */
export function createHttpEventTransport(options: HttpTransportOptions): EventTransport {
  return {
    name: 'http',
    async deliverBatch(events, consumer) {
      const first = events[0];
      if (!first) return [];
      const url = options.consumerUrl(consumer);
      if (url === undefined) return [{ kind: 'failed', error: 'NO_URL' }];
      const body = eventBatchBody(events);
      const token = await options.signer.sign({ receiver: consumer, eventId: first.envelope.id, body });
      let response: Response;
      let answer: unknown;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: token },
          body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        // Read to the end (so the connection can be reused) before looking at the status.
        answer = await response.json().catch(() => undefined);
      } catch (error) {
        return [{ kind: 'failed', error: (error as { name?: string }).name === 'TimeoutError' ? 'TIMEOUT' : 'UNREACHABLE' }];
      }
      if (response.ok && isBatchAnswer(answer)) return answer.results.slice(0, events.length).map(outcomeOfResult);
      // The whole batch refused as malformed: for good only when it held a single event, as for a single-event request.
      if (response.status === EVENT_REJECTED_STATUS && events.length === 1) return [{ kind: 'rejected', error: 'HTTP_422' }];
      return [{ kind: 'failed', error: `HTTP_${response.status}` }];
    },
    async close() {},
  };
}
