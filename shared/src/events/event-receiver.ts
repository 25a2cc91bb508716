/**
 * The consumer's side. An event is accepted only with a service token from a peer that produces its type
 * (service-identity.ts), and applied exactly once: its id goes into the inbox table in the same
 * transaction as the handler's writes, so a duplicate delivery changes nothing and a failed handler
 * leaves no trace (the sender retries). Events arrive in order per consumer (the relay and JetStream
 * deliver one at a time), so handlers see a record's events in the order the producer committed them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import { isDatabaseUnavailableError } from '../errors';
import { sendJson } from '../http-server';
import { isAuthenticationError } from '../identity/authentication-error';
import type { Logger } from '../logger';
import { INBOX_TABLE } from './event-migrations';
import type { EventRecorder } from './event-outbox';
import { checkEnvelope, eventTypeDefinition, type EventCatalog, type EventEnvelope, type EventOf, type ProductionEventCatalog } from './event-types';
import { EVENT_REJECTED_STATUS, type TransportName } from './event-transport';
import { HTTP_SERVICE_TOKEN_TTL_SECONDS, SERVICE_TOKEN_HEADER, type ServiceTokenVerifier } from './service-identity';

/** What a handler gets besides the transaction and the event. */
export interface EventHandlerContext {
  /** The receiving subgraph. */
  subgraph: string;
  /** The one clock deadlines read (e.g. a return visit due 7 days after the claim closed). */
  clock: Clock;
  logger: Logger;
  /** Follow-on events, recorded in the same transaction as the handler's writes. */
  events: EventRecorder;
}

/** Applies one event inside the receiver's transaction; throwing rolls everything back and the sender retries. */
export type EventHandler<TEvent extends EventEnvelope = EventEnvelope> = (trx: Knex.Transaction, event: TEvent, context: EventHandlerContext) => Promise<void>;

/** A subgraph's handlers, by the event types it consumes (its manifest's `eventHandlers`). */
export type EventHandlers<C extends EventCatalog = ProductionEventCatalog> = { readonly [T in keyof C & string]?: EventHandler<EventOf<C, T>> };

export type ReceiveOutcome =
  | { status: 'applied' | 'duplicate' }
  /** For good: the envelope or payload does not check. Never applied. */
  | { status: 'rejected'; field: string; reason: string }
  | { status: 'unauthenticated'; message: string }
  /** The sender may not send this (not its type, or not for this receiver). */
  | { status: 'forbidden'; message: string }
  /** Not now: the store is not ready, or no handler is deployed yet. The event waits at the sender. */
  | { status: 'unavailable'; message: string }
  | { status: 'failed' };

export interface EventReceiverMetrics {
  eventReceived(type: string, outcome: ReceiveOutcome['status']): void;
}

export interface EventReceiverOptions {
  subgraph: string;
  db: Knex;
  catalog: EventCatalog;
  handlers: Readonly<Record<string, EventHandler | undefined>>;
  verifier: ServiceTokenVerifier;
  clock: Clock;
  logger: Logger;
  events: EventRecorder;
  isReady: () => boolean;
  /** How old a JetStream message's token may be: the stream keeps messages this long. */
  natsMaxAgeSeconds: number;
  metrics?: EventReceiverMetrics;
}

function isDuplicateKey(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export class EventReceiver {
  constructor(private readonly options: EventReceiverOptions) {}

  /** Checks and applies one delivered event (its exact bytes and the token sent with them). */
  async receive(body: Buffer, token: string | undefined, transport: TransportName): Promise<ReceiveOutcome> {
    const outcome = await this.check(body, token, transport);
    this.options.metrics?.eventReceived(outcome.type, outcome.result.status);
    return outcome.result;
  }

  private async check(body: Buffer, token: string | undefined, transport: TransportName): Promise<{ type: string; result: ReceiveOutcome }> {
    const { subgraph, catalog, verifier, logger } = this.options;
    const unknownType = 'unknown';
    if (!this.options.isReady()) return { type: unknownType, result: { status: 'unavailable', message: `The ${subgraph} database is not ready` } };
    let sender: string;
    let signedEventId: string;
    try {
      const maxAgeSeconds = transport === 'http' ? HTTP_SERVICE_TOKEN_TTL_SECONDS : this.options.natsMaxAgeSeconds;
      ({ sender, eventId: signedEventId } = await verifier.verify(token, { body, maxAgeSeconds }));
    } catch (error) {
      if (!isAuthenticationError(error)) throw error;
      logger.warn({ failure: error.failure, transport }, 'event refused: service token not accepted');
      return { type: unknownType, result: { status: 'unauthenticated', message: error.message } };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return { type: unknownType, result: { status: 'rejected', field: 'body', reason: 'must be a JSON event envelope' } };
    }
    const claimedType = (parsed as { type?: unknown } | null)?.type;
    const definition = typeof claimedType === 'string' ? eventTypeDefinition(catalog, claimedType) : undefined;
    const type = definition ? (claimedType as string) : unknownType;
    // What the sender may send: only the types it produces, only to their consumers.
    if (definition && (definition.producer !== sender || !definition.consumers.includes(subgraph))) {
      logger.warn({ sender, type, transport }, 'event refused: the sender may not send this type here');
      return { type, result: { status: 'forbidden', message: `${sender} may not send ${type} to ${subgraph}` } };
    }
    if (!definition) return { type, result: { status: 'forbidden', message: `${subgraph} does not receive this event type` } };
    const checked = checkEnvelope(catalog, parsed);
    if (!checked.ok) {
      logger.error({ sender, type, field: checked.field, transport }, 'event refused: it does not check; it is never applied');
      return { type, result: { status: 'rejected', field: checked.field, reason: checked.reason } };
    }
    const event = checked.value;
    if (event.id !== signedEventId) return { type, result: { status: 'unauthenticated', message: 'Service token was not issued for this event' } };
    const handler = this.options.handlers[type];
    if (!handler) return { type, result: { status: 'unavailable', message: `${subgraph} has no handler for ${type} yet` } };
    return { type, result: await this.apply(event, handler, transport) };
  }

  private async apply(event: EventEnvelope, handler: EventHandler, transport: TransportName): Promise<ReceiveOutcome> {
    const { db, subgraph, clock, logger, events } = this.options;
    try {
      await db.transaction(async (trx) => {
        // First: a concurrent duplicate waits on this key and then finds it taken.
        await trx(INBOX_TABLE).insert({
          event_id: event.id,
          type: event.type,
          producer: event.producer,
          aggregate: event.aggregate,
          sequence: event.sequence,
          occurred_at: event.occurredAt,
          applied_at_ms: Date.now(),
        });
        await handler(trx, event, { subgraph, clock, logger, events });
      });
      return { status: 'applied' };
    } catch (error) {
      if (isDuplicateKey(error)) return { status: 'duplicate' };
      if (isDatabaseUnavailableError(error)) return { status: 'unavailable', message: `The ${subgraph} database is unavailable` };
      // By kind only: a driver's message can quote the values written.
      const failure = error as { name?: string; code?: string };
      logger.error(
        { eventId: event.id, type: event.type, transport, err: { name: failure?.name, code: failure?.code } },
        'event handler failed; the sender will retry',
      );
      return { status: 'failed' };
    }
  }

  /** `POST /events`: one event per request, answered after the receiver's commit. */
  httpRoute(maxBodyBytes: number): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
    return async (request, response) => {
      if (request.method !== 'POST') return sendJson(response, 405, { error: 'Events are POSTed' }, { allow: 'POST' });
      const body = await readLimitedBody(request, maxBodyBytes);
      if (body === undefined) return sendJson(response, 413, { error: { code: 'PAYLOAD_TOO_LARGE', message: `Events are at most ${maxBodyBytes} bytes` } });
      const header = request.headers[SERVICE_TOKEN_HEADER];
      const result = await this.receive(body, Array.isArray(header) ? header.join(', ') : header, 'http');
      switch (result.status) {
        case 'applied':
        case 'duplicate':
          return sendJson(response, 200, { status: result.status });
        case 'rejected':
          return sendJson(response, EVENT_REJECTED_STATUS, { error: { code: 'EVENT_REJECTED', field: result.field, reason: result.reason } });
        case 'unauthenticated':
          return sendJson(response, 401, { error: { code: 'UNAUTHENTICATED', message: result.message } });
        case 'forbidden':
          return sendJson(response, 403, { error: { code: 'FORBIDDEN', message: result.message } });
        case 'unavailable':
          return sendJson(response, 503, { error: { code: 'UNAVAILABLE', message: result.message } });
        default:
          return sendJson(response, 500, { error: { code: 'INTERNAL_SERVER_ERROR', message: 'The event could not be applied' } });
      }
    };
  }
}

/** The body, or undefined past the limit. */
async function readLimitedBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  if (Number(request.headers['content-length'] ?? 0) > maxBytes) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
