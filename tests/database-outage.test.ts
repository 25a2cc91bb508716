import { startSubgraph, type RunningSubgraph } from '@icg/shared';
import { customersSubgraph } from '@icg/subgraph-customers';
import { TcpProxy } from './support/tcp-proxy';
import { postToSubgraph, testSubgraphSecurity } from './support/test-security';
import { createTestDatabases, usingMysql, type TestDatabases } from './support/test-database';

const QUERY = '{ customers(first: 1) { totalCount } }';

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await probe();
  }
  return last;
}

// The embedded SQLite store cannot go down separately from its process; this is about a database server.
(usingMysql ? describe : describe.skip)('a subgraph whose MySQL server goes down', () => {
  let databases: TestDatabases;
  let proxy: TcpProxy;
  let subgraph: RunningSubgraph;

  beforeAll(async () => {
    databases = createTestDatabases('mysql');
    const target = new URL(process.env.MYSQL_URL!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 3306));
    await proxy.start();
    await proxy.stop();
    const viaProxy = new URL(process.env.MYSQL_URL!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    subgraph = await startSubgraph(
      customersSubgraph,
      {
        name: 'customers',
        host: '127.0.0.1',
        port: 0,
        database: { ...databases.config, mysqlUrl: viaProxy.toString() },
        maxBodyBytes: 100_000,
        logLevel: 'silent',
        security: testSubgraphSecurity(),
      },
      { retryDelayMs: 100 },
    );
  }, 60_000);

  afterAll(async () => {
    await subgraph?.close();
    await proxy?.stop();
    await databases?.cleanup();
  });

  it('starts anyway: health answers, readiness does not, queries get a clear error', async () => {
    expect((await fetch(`${subgraph.url}/health`)).status).toBe(200);
    expect((await fetch(`${subgraph.url}/ready`)).status).toBe(503);
    const response = await postToSubgraph(`${subgraph.url}/graphql`, 'customers', QUERY);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'DATABASE_UNAVAILABLE', subgraph: 'customers' });
    expect(JSON.stringify(response)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|select /i);
  });

  it('becomes ready and answers once the database is back', async () => {
    await proxy.start();
    await eventually(
      async () => (await fetch(`${subgraph.url}/ready`)).status,
      (status) => status === 200,
    );
    const response = await postToSubgraph<{ customers: { totalCount: number } }>(`${subgraph.url}/graphql`, 'customers', QUERY);
    expect(response.errors).toBeUndefined();
    expect(response.data!.customers.totalCount).toBe(0);
  }, 30_000);

  it('reports the outage mid-run, keeps serving health, and recovers', async () => {
    await proxy.stop();
    const during = await postToSubgraph(`${subgraph.url}/graphql`, 'customers', QUERY);
    expect(during.errors?.[0]?.extensions).toMatchObject({ code: 'DATABASE_UNAVAILABLE', subgraph: 'customers' });
    expect((await fetch(`${subgraph.url}/health`)).status).toBe(200);
    await proxy.start();
    const after = await eventually(
      async () => postToSubgraph<{ customers: { totalCount: number } }>(`${subgraph.url}/graphql`, 'customers', QUERY),
      (response) => response.errors === undefined,
    );
    expect(after.data!.customers.totalCount).toBe(0);
  }, 30_000);
});
