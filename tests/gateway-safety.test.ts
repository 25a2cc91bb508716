import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { customerNoFor, DEFAULT_SEED } from '@icg/synthetic';
import { CUSTOMER_360_QUERY } from '@icg/tools';
import { bearerHeaders } from './support/test-security';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';

/** A "subgraph" that accepts the request and answers only after `delayMs`. */
async function startSlowServer(delayMs: number): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    const timer = setTimeout(() => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ data: { _entities: [] } }));
    }, delayMs);
    response.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, server };
}

const INTERNAL_DETAILS = /127\.0\.0\.1|localhost|ECONNREFUSED|select |insert |stacktrace|at .+\.js:\d+/i;

describe('gateway safety defaults', () => {
  let graph: GraphUnderTest;
  beforeAll(async () => {
    graph = await startGraph({ customers: 20 });
  }, 120_000);
  afterAll(async () => graph?.close());

  it('serves /health and /ready', async () => {
    expect((await fetch(`${graph.gatewayUrl}/health`)).status).toBe(200);
    const ready = await fetch(`${graph.gatewayUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('does not suggest field names for misspelled fields', async () => {
    const response = await graph.query('{ customer(id: "1") { mobil } }');
    expect(response.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(response.errors)).not.toMatch(/Did you mean/);
  });

  it('refuses bodies over the limit with 413', async () => {
    const response = await fetch(`${graph.graphqlUrl}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearerHeaders()) },
      body: JSON.stringify({ query: `{ __typename }`, padding: 'x'.repeat(200_000) }),
    });
    expect(response.status).toBe(413);
  });

  it('blocks cross-site simple requests (CSRF prevention)', async () => {
    const response = await fetch(`${graph.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers: await bearerHeaders() });
    expect(response.status).toBe(400);
  });

  it('limits aliases, including __typename aliases', async () => {
    const aliases = Array.from({ length: 16 }, (_, index) => `a${index}: __typename`).join(' ');
    const response = await graph.query(`{ ${aliases} }`);
    expect(response.errors?.length).toBeGreaterThan(0);
    expect(response.data ?? null).toBeNull();
  });

  it('sends no framework banner and no open CORS header', async () => {
    const response = await fetch(graph.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example', ...(await bearerHeaders()) },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('a subgraph that is down or slow', () => {
  it("still answers with the other subgraphs' data and names the one that is down, without its URL", async () => {
    const graph = await startGraph({ customers: 20 });
    try {
      await graph.subgraphs.complaints.close();
      const response = await graph.query<{ customer: { customerNo: string; policies: unknown[]; complaints: unknown } }>(CUSTOMER_360_QUERY, { id: '1' });
      expect(response.status).toBe(200);
      expect(response.data!.customer.customerNo).toBe(customerNoFor(DEFAULT_SEED, 1));
      expect(Array.isArray(response.data!.customer.policies)).toBe(true);
      expect(response.errors).toEqual([expect.objectContaining({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'complaints' } })]);
      expect(JSON.stringify(response.errors)).not.toMatch(INTERNAL_DETAILS);
    } finally {
      await graph.close();
    }
  }, 120_000);

  it('gives up on a slow subgraph within its timeout and returns the rest', async () => {
    const slow = await startSlowServer(5_000);
    const graph = await startGraph({ customers: 20, subgraphTimeoutMs: 400, subgraphUrlOverrides: { 'service-requests': slow.url } });
    try {
      const started = Date.now();
      const response = await graph.query<{ customer: { customerNo: string } }>(CUSTOMER_360_QUERY, { id: '1' });
      const elapsed = Date.now() - started;
      expect(elapsed).toBeLessThan(3_000);
      expect(response.data!.customer.customerNo).toBe(customerNoFor(DEFAULT_SEED, 1));
      expect(response.errors).toEqual([expect.objectContaining({ extensions: { code: 'SUBGRAPH_TIMEOUT', subgraph: 'service-requests' } })]);
      expect(JSON.stringify(response.errors)).not.toMatch(INTERNAL_DETAILS);
    } finally {
      await graph.close();
      slow.server.closeAllConnections();
      slow.server.close();
    }
  }, 120_000);
});
