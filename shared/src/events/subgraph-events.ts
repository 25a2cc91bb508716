/**
 * A subgraph's part in the event exchange, put together for startSubgraph: its outbox recorder (in every
 * request context), the relay delivering what it produces, the `/events` route and, with NATS, its
 * JetStream subscription. Started once its store is ready, stopped before the store is closed.
 */
import type { Knex } from 'knex';
import type { SystemChangeSink } from '../audit/system-changes';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { createEventRecorder, type EventRecorder } from './event-outbox';
import { EventReceiver, type EventHandler, type EventReceiverMetrics } from './event-receiver';
import { createHttpEventTransport, type EventTransport } from './event-transport';
import { eventPeersOf, eventTypeDefinition, type EventCatalog } from './event-types';
import { loadServiceKeys, type EventsConfig } from './events-config';
import { NatsEventBus } from './nats-event-bus';
import { OutboxRelay, type EventRelayMetrics } from './outbox-relay';
import { createServiceTokenSigner, createServiceTokenVerifier } from './service-identity';

export class EventHandlerDefinitionError extends Error {
  override name = 'EventHandlerDefinitionError';
}

export interface SubgraphEventsOptions {
  subgraph: string;
  db: Knex;
  catalog: EventCatalog;
  handlers: Readonly<Record<string, EventHandler | undefined>>;
  config: EventsConfig;
  clock: Clock;
  logger: Logger;
  /** The subgraph's audit trail and policy version: what handlers change is audited as the system's. */
  changeAudit: SystemChangeSink;
  policyVersion: string;
  metrics?: EventRelayMetrics & EventReceiverMetrics & { watchEventOutbox(backlog: () => Readonly<Record<string, number>>): void };
  isReady: () => boolean;
  maxBodyBytes: number;
  /** Tests: where each consumer listens, known only once it has started (over config.consumerUrls). */
  consumerUrl?: (consumer: string) => string | undefined;
}

export interface SubgraphEvents {
  recorder: EventRecorder;
  relay: OutboxRelay;
  receiver: EventReceiver;
  transport: EventTransport['name'];
  /** After the store is ready: the relay and (with NATS) the subscription start. */
  start(): void;
  close(): Promise<void>;
}

/**
 * Checks the handlers against the catalog (a handler for a type this subgraph does not consume is a
 * mistake that would never run) and wires the parts. A consumed type without a handler is only logged:
 * its events wait at the sender until a release brings the handler.
 */
export function createSubgraphEvents(options: SubgraphEventsOptions): SubgraphEvents {
  const { subgraph, db, catalog, handlers, config, clock, logger, metrics } = options;
  for (const type of Object.keys(handlers)) {
    const definition = eventTypeDefinition(catalog, type);
    if (!definition) throw new EventHandlerDefinitionError(`subgraph ${subgraph}: a handler for ${type}, which is not an event type`);
    if (!definition.consumers.includes(subgraph)) {
      throw new EventHandlerDefinitionError(
        `subgraph ${subgraph}: a handler for ${type}, which is delivered to ${definition.consumers.join(', ') || 'no subgraph'} only`,
      );
    }
  }
  const { consumers, consumedTypes } = eventPeersOf(catalog, subgraph);
  const unhandled = consumedTypes.filter((type) => !handlers[type]);
  if (unhandled.length > 0) logger.warn({ types: unhandled }, 'no handler yet for events this subgraph receives; they wait at their producers');

  const keys = loadServiceKeys(config.keys, subgraph);
  const signer = createServiceTokenSigner(subgraph, keys.privateKeyPem);
  const bus = config.nats ? new NatsEventBus(config.nats, logger) : undefined;
  const transport = bus
    ? bus.transport(signer, config.relay.deliveryTimeoutMs)
    : createHttpEventTransport({
        signer,
        consumerUrl: (consumer) => options.consumerUrl?.(consumer) ?? config.consumerUrls[consumer],
        timeoutMs: config.relay.deliveryTimeoutMs,
      });
  if (!bus) {
    const unreachable = consumers.filter((consumer) => config.consumerUrls[consumer] === undefined && options.consumerUrl === undefined);
    if (unreachable.length > 0)
      logger.warn({ consumers: unreachable }, 'no events URL for these consumers (set <NAME>_EVENTS_URL); their events wait in the outbox');
  }
  const relay = new OutboxRelay({ db, producer: subgraph, consumers, transport, settings: config.relay, logger, ...(metrics ? { metrics } : {}) });
  const recorder = createEventRecorder({ producer: subgraph, catalog, clock, onCommitted: () => relay.wake() });
  const receiver = new EventReceiver({
    subgraph,
    db,
    catalog,
    handlers,
    verifier: createServiceTokenVerifier(subgraph, keys.peerKey),
    clock,
    logger,
    events: recorder,
    changeAudit: options.changeAudit,
    policyVersion: options.policyVersion,
    isReady: options.isReady,
    natsMaxAgeSeconds: config.nats?.maxAgeSeconds ?? 0,
    afterCommit: () => relay.wake(),
    ...(metrics ? { metrics } : {}),
  });
  metrics?.watchEventOutbox(() => relay.backlog());
  let started = false;
  return {
    recorder,
    relay,
    receiver,
    transport: transport.name,
    start() {
      if (started) return;
      started = true;
      if (consumers.length > 0) relay.start();
      if (bus && consumedTypes.length > 0) bus.subscribe(subgraph, receiver, config.relay);
    },
    async close() {
      await relay.stop();
      await transport.close();
    },
  };
}
