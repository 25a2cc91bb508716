export * from './event-id';
export * from './event-migrations';
export * from './event-outbox';
export * from './event-receiver';
export * from './event-transport';
export * from './event-types';
export * from './events-config';
export * from './nats-event-bus';
export * from './outbox-relay';
export type { Check, CheckResult } from './payload-schema';
/** The checks payloads are described with, for a test's own catalog (event-types.ts uses them directly). */
export * as payloadChecks from './payload-schema';
export * from './service-identity';
export * from './subgraph-events';
export * from './primary-manager-copies';
