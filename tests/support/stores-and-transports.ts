/**
 * The store × event transport pairs a whole-graph event test runs on: every store over HTTP, and NATS
 * JetStream (when NATS_URL is set) on one store only, MariaDB when MYSQL_URL is set (the production store).
 * The SQL of events, the producer's outbox and the consumer's inbox, is the same code under either transport
 * (a transport only carries a batch: shared/src/events/event-transport.ts), so the HTTP runs cover it on
 * every store; JetStream itself on every store is tests/event-delivery.test.ts's job. One graph per suite
 * fewer to start and seed.
 */
import { NATS_URL, type TransportUnderTest } from './event-probes';
import { TEST_DIALECTS, type TestDialect } from './test-database';

export const STORES_AND_TRANSPORTS_UNDER_TEST: readonly (readonly [TestDialect, TransportUnderTest])[] = [
  ...TEST_DIALECTS.map((dialect) => [dialect, 'http'] as const),
  ...(NATS_URL ? [[TEST_DIALECTS[TEST_DIALECTS.length - 1]!, 'nats'] as const] : []),
];
