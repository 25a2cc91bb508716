/**
 * The producer's side: an event is recorded in the outbox inside the caller's transaction, so it commits
 * (or rolls back) with the change it reports, together with one delivery row per consumer. The relay
 * (outbox-relay.ts) is woken when that transaction commits and delivers from there.
 */
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import { newEventId } from './event-id';
import { DELIVERY_TABLE, OUTBOX_TABLE, type DeliveryState } from './event-migrations';
import { AGGREGATE, eventTypeDefinition, type EventCatalog, type EventDraft, type EventEnvelope, type ProductionEventCatalog } from './event-types';

/** A producer recorded an event it may not send or with a payload that does not check: a programming error, never the client's. */
export class EventRecordingError extends Error {
  override name = 'EventRecordingError';
}

export interface EventRecorder<C extends EventCatalog = ProductionEventCatalog> {
  /** Records the event in the outbox within `trx`; it is delivered once `trx` commits, and never if it rolls back. */
  record(trx: Knex.Transaction, draft: EventDraft<C>): Promise<EventEnvelope>;
}

export interface EventRecorderOptions {
  /** This subgraph: only the types it produces may be recorded. */
  producer: string;
  catalog: EventCatalog;
  /** occurredAt comes from the injectable clock, like every deadline the receivers compute from it. */
  clock: Clock;
  /** Called after the transaction commits (the relay's wake-up). */
  onCommitted?: () => void;
}

/**
 * Records an event in the same transaction as the change it reports. `context` is a subgraph request's
 * context (or an event handler's), which carries the subgraph's recorder:
 *
 *     await runMutation(context, { …, perform: async (trx) => { …; await recordEvent(trx, context, { type: 'claim.closed', aggregate: `Claim:${reportNo}`, payload }); } });
 */
export function recordEvent(trx: Knex.Transaction, context: { events: EventRecorder }, draft: EventDraft): Promise<EventEnvelope> {
  return context.events.record(trx, draft);
}

export function createEventRecorder<C extends EventCatalog = ProductionEventCatalog>(options: EventRecorderOptions): EventRecorder<C> {
  const { producer, catalog, clock, onCommitted } = options;
  return {
    async record(trx, draft) {
      const { type, aggregate, payload } = draft as { type: string; aggregate: string; payload: unknown };
      const definition = eventTypeDefinition(catalog, type);
      if (!definition) throw new EventRecordingError(`${type} is not an event type of the catalog`);
      if (definition.producer !== producer) throw new EventRecordingError(`${producer} may not record ${type}: its producer is ${definition.producer}`);
      if (!AGGREGATE.test(aggregate)) throw new EventRecordingError(`${type}: aggregate must be a record key such as Customer:123`);
      const checked = definition.payload(payload, 'payload');
      if (!checked.ok) throw new EventRecordingError(`${type}: ${checked.field} ${checked.reason}`);
      const id = newEventId();
      const occurredAt = clock.now().toISOString();
      const recordedAt = Date.now();
      const [inserted] = await trx(OUTBOX_TABLE).insert({
        event_id: id,
        type,
        aggregate,
        occurred_at: occurredAt,
        payload: JSON.stringify(checked.value),
        recorded_at_ms: recordedAt,
      });
      const sequence = Number(typeof inserted === 'object' && inserted !== null ? (inserted as { sequence: unknown }).sequence : inserted);
      if (definition.consumers.length > 0) {
        const pending: DeliveryState = 'PENDING';
        await trx(DELIVERY_TABLE).insert(
          definition.consumers.map((consumer) => ({ sequence, consumer, state: pending, attempts: 0, next_attempt_at_ms: recordedAt })),
        );
      }
      // Only a wake-up: a nested transaction's promise settles at its savepoint, and the poll interval covers that case.
      if (onCommitted) trx.executionPromise.then(onCommitted, () => undefined);
      return { id, type, producer, aggregate, sequence, occurredAt, payload: checked.value };
    },
  };
}
