import { customersSubgraph } from '@icg/subgraph-customers';
import { customersSeeder } from '@icg/subgraph-customers/seed';
import { seedTestStore, serveTestSubgraph, type SeededStore, type ServedSubgraph } from './support/seeded-subgraph';
import { TEST_DIALECTS } from './support/test-database';

// Issue 12, staying power: an exhausted database pool answers with an error instead of hanging, and a
// bounded queue refuses what it cannot hold at once. The subgraph here has one pooled connection, which the
// test takes itself, so every query the subgraph makes has to wait for it.
const ACQUIRE_TIMEOUT_MS = 400;
const QUEUE_MAX = 2;
const QUERY = '{ customers(first: 2) { nodes { id customerNo } } }';

interface PooledClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
}

describe.each(TEST_DIALECTS)('a subgraph whose database pool is exhausted (%s)', (dialect) => {
  let store: SeededStore;
  let subgraph: ServedSubgraph;

  beforeAll(async () => {
    store = await seedTestStore({ manifest: customersSubgraph, seeder: customersSeeder, dialect, customers: 5 });
    subgraph = await serveTestSubgraph(customersSubgraph, {
      ...store.databases.config,
      poolMax: 1,
      poolAcquireTimeoutMs: ACQUIRE_TIMEOUT_MS,
      poolQueueMax: QUEUE_MAX,
    });
    // The outbox relay and the scheduled jobs poll the same pool in the background; here they would take queue places
    // the test counts on (a poll waiting while the test holds the connection), so they are stopped.
    await subgraph.running.events.close();
    await subgraph.running.jobs.close();
  }, 60_000);

  afterAll(async () => {
    await subgraph?.close();
    await store?.databases.cleanup();
  });

  it('answers every request with DATABASE_UNAVAILABLE while the pool is held, then serves again once it is free', async () => {
    const client = subgraph.running.db.client as PooledClient;
    const before = await subgraph.query<{ customers: { nodes: unknown[] } }>(QUERY);
    expect(before.errors).toBeUndefined();
    expect(before.data?.customers.nodes).toHaveLength(2);

    const held = await client.acquireConnection();
    let released = false;
    try {
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 6 }, () => subgraph.query(QUERY)));
      const elapsed = Date.now() - started;
      for (const answer of answers) {
        expect(answer.data?.['customers'] ?? null).toBeNull();
        expect(answer.errors?.[0]?.extensions).toEqual({ code: 'DATABASE_UNAVAILABLE', subgraph: 'customers' });
        expect(answer.errors?.[0]?.message).toBe('The customers database is unavailable; try again shortly');
      }
      // No hang: the queued queries fail after the acquire timeout, not after the default 5 s or never.
      expect(elapsed).toBeLessThan(ACQUIRE_TIMEOUT_MS + 4_000);
      await client.releaseConnection(held);
      released = true;
      const after = await subgraph.query<{ customers: { nodes: unknown[] } }>(QUERY);
      expect(after.errors).toBeUndefined();
      expect(after.data?.customers.nodes).toHaveLength(2);
    } finally {
      if (!released) await client.releaseConnection(held);
    }
  }, 30_000);

  it('refuses at once what the queue cannot hold, rather than making it wait', async () => {
    const client = subgraph.running.db.client as PooledClient;
    const held = await client.acquireConnection();
    try {
      // QUEUE_MAX queries wait (and time out); every one beyond is refused without waiting for the timeout.
      const waiting = Array.from({ length: QUEUE_MAX }, () => client.acquireConnection());
      const waitingSettled = Promise.allSettled(waiting);
      const refusedAt = Date.now();
      await expect(client.acquireConnection()).rejects.toMatchObject({ code: 'DB_POOL_QUEUE_FULL' });
      expect(Date.now() - refusedAt).toBeLessThan(ACQUIRE_TIMEOUT_MS);
      const settled = await waitingSettled;
      expect(settled.map((outcome) => outcome.status)).toEqual(Array(QUEUE_MAX).fill('rejected'));
      for (const outcome of settled) expect((outcome as PromiseRejectedResult).reason).toMatchObject({ name: 'KnexTimeoutError' });
    } finally {
      await client.releaseConnection(held);
    }
  }, 30_000);
});
