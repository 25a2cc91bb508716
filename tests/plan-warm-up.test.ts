import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startGateway, type RunningGateway } from '@icg/gateway';
import {
  ABSENT_ENTITY_ID,
  CUSTOMER_360_QUERY,
  CUSTOMERS_PAGE_QUERY,
  DEFAULT_SUPERGRAPH_PATH,
  IDENTITY_ASSERTION_HEADER,
  startTracing,
  subgraphsOfSupergraph,
  type Tracing,
} from '@icg/shared';
import { readFileSync } from 'node:fs';
import { createTestDatabases, TEST_DIALECTS, type TestDatabases } from './support/test-database';
import { bearerHeaders, testGatewaySecurity, type ActingAs } from './support/test-security';

/** @apollo/gateway opens this span only when it builds a plan, never when it finds one in its plan cache. */
const PLAN_SPAN = 'gateway.plan';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing({ serviceName: 'icg-test', exporter });
});
afterAll(async () => {
  await tracing.shutdown();
});
const plansBuilt = () => exporter.getFinishedSpans().filter((span) => span.name === PLAN_SPAN).length;

/** Every value a fetch's variables hold, but the type names of its representations. */
function inputValues(value: unknown, key?: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((item) => inputValues(item));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([name, item]) => inputValues(item, name));
  return key === '__typename' ? [] : [value];
}

/** Stands in for every subgraph: records each call and finds nothing, so the gateway's own work is what is observed. */
async function startRecordingSubgraph(): Promise<{ url: string; calls: IncomingHttpHeaders[]; bodies: string[]; close(): Promise<void> }> {
  const calls: IncomingHttpHeaders[] = [];
  const bodies: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      calls.push(request.headers);
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      // The root fields of the two known operations, found nowhere: an answer the gateway takes as a valid, empty one.
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"customer":null,"customers":null}}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    calls,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(TEST_DIALECTS)('query plans of the known operations, built at start (%s audit store)', (dialect) => {
  let databases: TestDatabases;
  let subgraph: Awaited<ReturnType<typeof startRecordingSubgraph>>;
  let gateway: RunningGateway;
  let plansAtStart: number;

  beforeAll(async () => {
    databases = createTestDatabases(dialect);
    subgraph = await startRecordingSubgraph();
    exporter.reset();
    const names = subgraphsOfSupergraph(readFileSync(DEFAULT_SUPERGRAPH_PATH, 'utf8')).map(({ name }) => name);
    gateway = await startGateway({
      database: databases.config,
      host: '127.0.0.1',
      port: 0,
      supergraphPath: DEFAULT_SUPERGRAPH_PATH,
      subgraphUrls: Object.fromEntries(names.map((name) => [name, subgraph.url])),
      subgraphTimeoutMs: 5_000,
      maxBodyBytes: 100_000,
      logLevel: 'silent',
      security: testGatewaySecurity(),
      planWarmUp: true,
    });
    plansAtStart = plansBuilt();
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await subgraph?.close();
    await databases?.cleanup();
  });

  /** As a portal sends it: with the operation's name, which is part of the plan cache key. */
  const ask = async (query: string, operationName: string, variables: Record<string, unknown>, acting: ActingAs) => {
    exporter.reset();
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearerHeaders(acting)) },
      body: JSON.stringify({ query, operationName, variables }),
    });
    await response.text();
    return { response, plans: plansBuilt() };
  };

  it('builds the plans before it is ready, and sends their subgraph fetches once each for ids no record has', async () => {
    // Two operations, for nine roles with and without each purpose, less what a role may not ask at all.
    expect(plansAtStart).toBeGreaterThan(2 * 9);
    expect((await fetch(`${gateway.url}/ready`)).status).toBe(200);
    // The warm-up (gateway/src/fetch-warm-up.ts): each distinct fetch document once, then the customer-360 once through
    // the whole gateway; every call signed, named as the warm-up, for absent ids only: nothing a record could match.
    const atStart = subgraph.calls.map((headers, index) => ({ headers, body: JSON.parse(subgraph.bodies[index]!) as { query: string; variables: unknown } }));
    expect(atStart.length).toBeGreaterThan(2);
    for (const { headers, body } of atStart) {
      expect(headers['x-request-id']).toMatch(/^gateway-warm-up-/);
      expect(headers[IDENTITY_ASSERTION_HEADER]).toEqual(expect.any(String));
      expect(inputValues(body.variables).filter((value) => value !== ABSENT_ENTITY_ID)).toEqual([]);
    }
    const documents = atStart.map(({ body }) => body.query);
    // Each fetch document once; the whole-operation run sends the customer-360's first fetch once more.
    expect(new Set(documents).size).toBeGreaterThanOrEqual(documents.length - 1);
    expect(documents.some((document) => document.includes('_entities'))).toBe(true);
  });

  it('answers the first customer-360 of a role and purpose from a plan built at start, and still calls the subgraphs for it', async () => {
    for (const acting of [
      { role: 'AUDITOR', purpose: 'AUDIT' },
      { role: 'CUSTOMER_MANAGER' },
      { role: 'CLAIMS_ADJUSTER', purpose: 'CLAIM_HANDLING' },
    ] as ActingAs[]) {
      const calls = subgraph.calls.length;
      const { response, plans } = await ask(CUSTOMER_360_QUERY, 'Customer360', { id: '1' }, acting);
      expect(response.status).toBe(200);
      expect(plans).toBe(0);
      // The warm-up's stop applies to warm-up requests only: this one went on to the subgraph, with an assertion.
      expect(subgraph.calls.length).toBeGreaterThan(calls);
      expect(subgraph.calls.at(-1)?.[IDENTITY_ASSERTION_HEADER]).toEqual(expect.any(String));
    }
    expect((await ask(CUSTOMERS_PAGE_QUERY, 'CustomersPage', { first: 10 }, { role: 'OPERATOR' })).plans).toBe(0);
  });

  it('builds a plan for an operation it did not know on first use (what the count above would show for a cold plan)', async () => {
    const { response, plans } = await ask(
      'query NotKnown($id: ID!) { customer(id: $id) { id customerNo } }',
      'NotKnown',
      { id: '1' },
      { role: 'AUDITOR', purpose: 'AUDIT' },
    );
    expect(response.status).toBe(200);
    expect(plans).toBe(1);
  });
});
