/**
 * How the relay hands an event to a consumer. Two transports, one interface: direct HTTP to the
 * consumer's `/events` (the embedded default) and NATS JetStream (nats-event-bus.ts) when NATS_URL is set.
 */
import type { EventEnvelope } from './event-types';
import { SERVICE_TOKEN_HEADER, type ServiceTokenSigner } from './service-identity';

export type TransportName = 'http' | 'nats';

/** One event as it leaves the outbox: the envelope and the exact bytes sent (and signed). */
export interface OutgoingEvent {
  envelope: EventEnvelope;
  body: string;
}

/**
 * delivered: the consumer committed it (HTTP) or the stream stored it (JetStream); rejected: the consumer
 * refuses it for good (its envelope or payload does not check), so retrying cannot help; failed: try again later.
 * `error` is a short code (an HTTP status, TIMEOUT, UNREACHABLE), never a message: those can quote the payload.
 */
export type DeliveryOutcome = { kind: 'delivered' } | { kind: 'rejected'; error: string } | { kind: 'failed'; error: string };

export interface EventTransport {
  readonly name: TransportName;
  deliver(event: OutgoingEvent, consumer: string): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

/** The status a receiver answers an event it refuses for good with (its envelope or payload does not check). */
export const EVENT_REJECTED_STATUS = 422;

export interface HttpTransportOptions {
  signer: ServiceTokenSigner;
  /** Each consumer's `/events` URL; looked up per delivery, so tests may fill it in as consumers start. */
  consumerUrl: (consumer: string) => string | undefined;
  timeoutMs: number;
}

/** POST <consumer>/events with the sender's service token; the consumer answers 200 only after its commit. */
export function createHttpEventTransport(options: HttpTransportOptions): EventTransport {
  return {
    name: 'http',
    async deliver({ envelope, body }, consumer) {
      const url = options.consumerUrl(consumer);
      if (url === undefined) return { kind: 'failed', error: 'NO_URL' };
      const token = await options.signer.sign({ receiver: consumer, eventId: envelope.id, body });
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: token },
          body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        // Read to the end so the connection can be reused.
        await response.arrayBuffer();
      } catch (error) {
        return { kind: 'failed', error: (error as { name?: string }).name === 'TimeoutError' ? 'TIMEOUT' : 'UNREACHABLE' };
      }
      if (response.ok) return { kind: 'delivered' };
      if (response.status === EVENT_REJECTED_STATUS) return { kind: 'rejected', error: 'HTTP_422' };
      return { kind: 'failed', error: `HTTP_${response.status}` };
    },
    async close() {},
  };
}
