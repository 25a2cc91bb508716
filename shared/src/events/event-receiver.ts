/**
 * The consumer's side. An event is accepted only with a service token from a peer that produces its type
 * (service-identity.ts), and applied exactly once: its id goes into the inbox table in the same
 * transaction as the handler's writes, so a duplicate delivery changes nothing and a failed handler
 * leaves no trace (the sender retries). Events arrive in order per consumer (the relay sends a consumer's
 * events in sequence order, in batches, one batch at a time; JetStream hands over one message at a time), and a
 * batch is applied in its order, so handlers see a record's events in the order the producer committed them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Knex } from 'knex';
import { eventAction, SystemChanges, type SystemChangeSink } from '../audit/system-changes';
import type { Clock } from '../clock';
import { isDatabaseUnavailableError } from '../errors';
import { sendJson } from '../http-server';
import { isAuthenticationError } from '../identity/authentication-error';
import type { Logger } from '../logger';
import { INBOX_TABLE } from './event-migrations';
import type { EventRecorder } from './event-outbox';
import { checkEnvelope, eventTypeDefinition, type EventCatalog, type EventEnvelope, type EventOf, type ProductionEventCatalog } from './event-types';
import { EVENT_REJECTED_STATUS, type BatchResultEntry, type TransportName } from './event-transport';
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
  /**
   * Where the handler notes every record it changes (not the inbox and outbox rows): audited as the subgraph's own
   * change, under the event's id, once the transaction commits (docs/access-model.md, "Writes the system makes").
   */
  changes: SystemChanges;
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
  /** The subgraph's audit trail: handlers' changes are recorded there as the system's. */
  changeAudit: SystemChangeSink;
  /** The access policy's version, in every change record. */
  policyVersion: string;
  isReady: () => boolean;
  /** How old a JetStream message's token may be: the stream keeps messages this long. */
  natsMaxAgeSeconds: number;
  /** After a batch committed applied events: their handlers' follow-on events were recorded in savepoints, whose own wake-up came before the commit. */
  afterCommit?: () => void;
  metrics?: EventReceiverMetrics;
}

function isDuplicateKey(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** How many events one batch may hold; the sender's batches are smaller (EVENT_RELAY_BATCH, at most 1,000). */
export const MAX_EVENTS_PER_BATCH = 1_000;

/** The answer to a batch: one result per event tried, in order; the events after a stop were not tried. */
export type BatchReceiveOutcome =
  | { status: 'batch'; results: BatchResultEntry[] }
  /** The body held one event, not a batch: answered as receive() answers it. */
  | { status: 'single'; result: ReceiveOutcome }
  /** The batch as a whole: token refused, not ready, or a body that is no batch. Nothing of it was applied. */
  | BodyRefusal;

/** Why a body is refused as a whole, before any event in it is looked at. */
type BodyRefusal = Extract<ReceiveOutcome, { status: 'unavailable' | 'unauthenticated' | 'rejected' }>;

/** A batch goes on past an event that cannot be applied now only where the transport skips it for good (see receiveBatch). */
interface BatchPolicy {
  /** Whether an event its sender may not send stops the batch (HTTP: the relay retries it) or is skipped (JetStream: terminated as before). */
  stopOnForbidden: boolean;
}

type Checked = { id: string; type: string; result: ReceiveOutcome } | { id: string; type: string; event: EventEnvelope; handler: EventHandler };

/** Rolls the batch's transaction back after an event failed, keeping the index to re-apply the events before it. */
class BatchStopped extends Error {
  constructor(readonly index: number) {
    super('event batch stopped');
  }
}

export class EventReceiver {
  constructor(private readonly options: EventReceiverOptions) {}

  /** Checks and applies one delivered event (its exact bytes and the token sent with them); a batch body is refused here. */
  async receive(body: Buffer, token: string | undefined, transport: TransportName): Promise<ReceiveOutcome> {
    const outcome = await this.check(body, token, transport);
    this.options.metrics?.eventReceived(outcome.type, outcome.result.status);
    return outcome.result;
  }

  /**
   * Checks and applies a delivered body holding either one event (answered as a batch of one) or a batch
   * `{"events":[…]}` of consecutive events of one sender: the token is checked once over the whole body and must
   * name the first event. The events are applied in order in one transaction, each in its own savepoint with its
   * inbox row, so a duplicate is skipped alone; the first that fails (or cannot be applied now) stops the batch:
   * the transaction is rolled back and the events before it are applied again in a fresh one, so what is
   * answered applied is exactly what committed (a database that aborts the whole transaction, as MariaDB does
   * on a deadlock, cannot lose an earlier event). An event refused for good is answered rejected and skipped.
   */
  async receiveBatch(body: Buffer, token: string | undefined, transport: TransportName, policy: BatchPolicy): Promise<BatchReceiveOutcome> {
    const unknownType = 'unknown';
    const refuse = (result: BodyRefusal): BatchReceiveOutcome => {
      this.options.metrics?.eventReceived(unknownType, result.status);
      return result;
    };
    const opened = await this.open(body, token, transport);
    if ('result' in opened) return refuse(opened.result);
    const { sender, signedEventId, parsed } = opened;
    const items = (parsed as { events?: unknown } | null)?.events;
    if (!Array.isArray(parsed) && typeof parsed === 'object' && parsed !== null && !('events' in parsed)) {
      // A single event (as sent before batches, or by hand): the same checks and answer as receive().
      const checked = this.checkEvent(parsed, sender, signedEventId, transport);
      const result = 'result' in checked ? checked.result : await this.apply(checked.event, checked.handler, transport);
      this.options.metrics?.eventReceived(checked.type, result.status);
      return { status: 'single', result };
    }
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_EVENTS_PER_BATCH) {
      return refuse({ status: 'rejected', field: 'events', reason: `must be a list of 1 to ${MAX_EVENTS_PER_BATCH} event envelopes` });
    }
    if ((items[0] as { id?: unknown } | null)?.id !== signedEventId) {
      return refuse({ status: 'unauthenticated', message: 'Service token was not issued for this event' });
    }
    const checked = items.map((item) => this.checkEvent(item, sender, (item as { id?: unknown } | null)?.id, transport));
    const stops = (status: ReceiveOutcome['status']) => status === 'failed' || status === 'unavailable' || (status === 'forbidden' && policy.stopOnForbidden);
    let stopAt = checked.findIndex((entry) => 'result' in entry && stops(entry.result.status));
    if (stopAt < 0) stopAt = checked.length;
    const { results, failure } = await this.applyInOrder(checked.slice(0, stopAt), transport);
    if (!failure && stopAt < checked.length) {
      const stopped = checked[stopAt]!;
      if ('result' in stopped) results.push(entryOf(stopped.id, stopped.result));
    }
    results.forEach((entry, index) => this.options.metrics?.eventReceived(checked[index]!.type, entry.status));
    return { status: 'batch', results };
  }

  private async check(body: Buffer, token: string | undefined, transport: TransportName): Promise<{ type: string; result: ReceiveOutcome }> {
    const unknownType = 'unknown';
    const opened = await this.open(body, token, transport);
    if ('result' in opened) return { type: unknownType, result: opened.result };
    const checked = this.checkEvent(opened.parsed, opened.sender, opened.signedEventId, transport);
    if ('result' in checked) return checked;
    return { type: checked.type, result: await this.apply(checked.event, checked.handler, transport) };
  }

  /** The token (over the exact bytes) and the JSON: who sent it, the event it was signed for, and the parsed body. */
  private async open(
    body: Buffer,
    token: string | undefined,
    transport: TransportName,
  ): Promise<{ result: BodyRefusal } | { sender: string; signedEventId: string; parsed: unknown }> {
    const { subgraph, verifier, logger } = this.options;
    if (!this.options.isReady()) return { result: { status: 'unavailable', message: `The ${subgraph} database is not ready` } };
    let sender: string;
    let signedEventId: string;
    try {
      const maxAgeSeconds = transport === 'http' ? HTTP_SERVICE_TOKEN_TTL_SECONDS : this.options.natsMaxAgeSeconds;
      ({ sender, eventId: signedEventId } = await verifier.verify(token, { body, maxAgeSeconds }));
    } catch (error) {
      if (!isAuthenticationError(error)) throw error;
      logger.warn({ failure: error.failure, transport }, 'event refused: service token not accepted');
      return { result: { status: 'unauthenticated', message: error.message } };
    }
    try {
      return { sender, signedEventId, parsed: JSON.parse(body.toString('utf8')) as unknown };
    } catch {
      return { result: { status: 'rejected', field: 'body', reason: 'must be a JSON event envelope' } };
    }
  }

  /** One envelope: may this sender send it here, does it check, is there a handler. */
  private checkEvent(parsed: unknown, sender: string, signedEventId: unknown, transport: TransportName): Checked {
    const { subgraph, catalog, logger } = this.options;
    const unknownType = 'unknown';
    const claimedId = (parsed as { id?: unknown } | null)?.id;
    const id = typeof claimedId === 'string' ? claimedId.slice(0, 64) : '';
    const claimedType = (parsed as { type?: unknown } | null)?.type;
    const definition = typeof claimedType === 'string' ? eventTypeDefinition(catalog, claimedType) : undefined;
    const type = definition ? (claimedType as string) : unknownType;
    // What the sender may send: only the types it produces, only to their consumers.
    if (definition && (definition.producer !== sender || !definition.consumers.includes(subgraph))) {
      logger.warn({ sender, type, transport }, 'event refused: the sender may not send this type here');
      return { id, type, result: { status: 'forbidden', message: `${sender} may not send ${type} to ${subgraph}` } };
    }
    if (!definition) return { id, type, result: { status: 'forbidden', message: `${subgraph} does not receive this event type` } };
    const checked = checkEnvelope(catalog, parsed);
    if (!checked.ok) {
      logger.error({ sender, type, field: checked.field, transport }, 'event refused: it does not check; it is never applied');
      return { id, type, result: { status: 'rejected', field: checked.field, reason: checked.reason } };
    }
    const event = checked.value;
    if (event.id !== signedEventId) return { id, type, result: { status: 'unauthenticated', message: 'Service token was not issued for this event' } };
    const handler = this.options.handlers[type];
    if (!handler) return { id, type, result: { status: 'unavailable', message: `${subgraph} has no handler for ${type} yet` } };
    return { id, type, event, handler };
  }

  /**
   * Applies checked events (none of which stops the batch by its checks) in one transaction, a savepoint each.
   * On the first failure the whole transaction rolls back and the events before it are applied again.
   */
  private async applyInOrder(checked: readonly Checked[], transport: TransportName): Promise<{ results: BatchResultEntry[]; failure: boolean }> {
    const { db, subgraph, clock, logger, events } = this.options;
    if (checked.length === 0) return { results: [], failure: false };
    const results: BatchResultEntry[] = [];
    // Each applied event's change records: handed over once the batch commits, withdrawn if it does not.
    const applied: SystemChanges[] = [];
    try {
      await db.transaction(async (trx) => {
        for (const [index, entry] of checked.entries()) {
          if ('result' in entry) {
            results.push(entryOf(entry.id, entry.result));
            continue;
          }
          const { event, handler } = entry;
          const changes = this.changesOf(event);
          try {
            await trx.transaction(async (savepoint) => {
              await savepoint(INBOX_TABLE).insert(inboxRow(event));
              await handler(savepoint, event, { subgraph, clock, logger, events, changes });
              await changes.handOver(savepoint);
            });
            applied.push(changes);
            results.push({ id: event.id, status: 'applied' });
          } catch (error) {
            changes.rolledBack();
            if (!isDuplicateKey(error)) {
              results.push({ id: event.id, ...this.failureOf(event, error, transport) });
              throw new BatchStopped(index);
            }
            results.push({ id: event.id, status: 'duplicate' });
          }
        }
      });
      for (const changes of applied) changes.committed();
      if (results.some((entry) => entry.status === 'applied')) this.options.afterCommit?.();
      return { results, failure: false };
    } catch (error) {
      for (const changes of applied) changes.rolledBack();
      if (error instanceof BatchStopped) {
        const failed = results[error.index]!;
        const before = await this.applyInOrder(checked.slice(0, error.index), transport);
        if (before.failure) return before;
        return { results: [...before.results, failed], failure: true };
      }
      // The commit itself failed: nothing of the batch was applied.
      return { results: [{ id: checked[0]!.id, status: isDatabaseUnavailableError(error) ? 'unavailable' : 'failed' }], failure: true };
    }
  }

  /** The change records of one event's application: the subgraph's own, under the event's id. */
  private changesOf(event: EventEnvelope): SystemChanges {
    const { changeAudit, subgraph, policyVersion, clock } = this.options;
    return new SystemChanges(changeAudit, { subgraph, action: eventAction(event.type), requestId: event.id, policyVersion, at: clock.now() });
  }

  private failureOf(event: EventEnvelope, error: unknown, transport: TransportName): Pick<BatchResultEntry, 'status'> {
    if (isDatabaseUnavailableError(error)) return { status: 'unavailable' };
    // By kind only: a driver's message can quote the values written.
    const failure = error as { name?: string; code?: string };
    this.options.logger.error(
      { eventId: event.id, type: event.type, transport, err: { name: failure?.name, code: failure?.code } },
      'event handler failed; the sender will retry',
    );
    return { status: 'failed' };
  }

  private async apply(event: EventEnvelope, handler: EventHandler, transport: TransportName): Promise<ReceiveOutcome> {
    const { db, subgraph, clock, logger, events } = this.options;
    const changes = this.changesOf(event);
    try {
      await db.transaction(async (trx) => {
        // First: a concurrent duplicate waits on this key and then finds it taken.
        await trx(INBOX_TABLE).insert(inboxRow(event));
        await handler(trx, event, { subgraph, clock, logger, events, changes });
        await changes.handOver(trx);
      });
      changes.committed();
      return { status: 'applied' };
    } catch (error) {
      changes.rolledBack();
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

  /**
   * `POST /events`: one event, or a batch `{"events":[…]}`, answered after the receiver's commit. A batch is
   * answered 200 with one result per event tried (`{"results":[{"id","status",…}]}`), up to and including the
   * first that did not go through; a refusal of the whole body has the status a single event's would.
   */
  httpRoute(maxBodyBytes: number): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
    return async (request, response) => {
      if (request.method !== 'POST') return sendJson(response, 405, { error: 'Events are POSTed' }, { allow: 'POST' });
      const body = await readLimitedBody(request, maxBodyBytes);
      if (body === undefined) return sendJson(response, 413, { error: { code: 'PAYLOAD_TOO_LARGE', message: `Events are at most ${maxBodyBytes} bytes` } });
      const header = request.headers[SERVICE_TOKEN_HEADER];
      const outcome = await this.receiveBatch(body, Array.isArray(header) ? header.join(', ') : header, 'http', { stopOnForbidden: true });
      if (outcome.status === 'batch') return sendJson(response, 200, { results: outcome.results });
      const result = outcome.status === 'single' ? outcome.result : outcome;
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

/** A batch result as sent: the status, and for a refusal for good the field and reason (never a message quoting the payload). */
function entryOf(id: string, result: ReceiveOutcome): BatchResultEntry {
  return result.status === 'rejected' ? { id, status: result.status, field: result.field, reason: result.reason } : { id, status: result.status };
}

function inboxRow(event: EventEnvelope): Record<string, string | number> {
  return {
    event_id: event.id,
    type: event.type,
    producer: event.producer,
    aggregate: event.aggregate,
    sequence: event.sequence,
    occurred_at: event.occurredAt,
    applied_at_ms: Date.now(),
  };
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
