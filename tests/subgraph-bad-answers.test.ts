import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CUSTOMER_360_QUERY } from '@icg/tools';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { TEST_DIALECTS } from './support/test-database';

type BadAnswer = 'oversized' | 'html-500' | 'truncated-json';

/** 20 MiB of valid JSON: above the gateway's 16 MiB cap, so only the cap (not a parse error) can refuse it. */
function oversizedAnswer(): Buffer {
  return Buffer.from(`{"data":{"_entities":[]},"padding":"${'a'.repeat(20 * 1024 * 1024)}"}`);
}

/** Stands in for the service-requests subgraph and answers each call the way `mode` says. */
async function startMisbehavingSubgraph(): Promise<{ url: string; server: Server; answer: (mode: BadAnswer) => void }> {
  let mode: BadAnswer = 'oversized';
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (mode === 'oversized') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(oversizedAnswer());
      } else if (mode === 'html-500') {
        response.writeHead(500, { 'content-type': 'text/html' });
        response.end('<html><body>Internal Server Error at /srv/app.js:12</body></html>');
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"data":{"_entities":[{"__typename":"Cus');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    server,
    answer: (next) => {
      mode = next;
    },
  };
}

const INTERNAL_DETAILS = /127\.0\.0\.1|localhost|ECONNREFUSED|<html|srv\/app|stacktrace|at .+\.js:\d+/i;

describe.each(TEST_DIALECTS)('a subgraph answering garbage (%s)', (dialect) => {
  let graph: GraphUnderTest;
  let subgraph: Awaited<ReturnType<typeof startMisbehavingSubgraph>>;
  beforeAll(async () => {
    subgraph = await startMisbehavingSubgraph();
    graph = await startGraph({ dialect, customers: 20, subgraphUrlOverrides: { 'service-requests': subgraph.url } });
  }, 120_000);
  /** The customer's number through the customers subgraph alone, which the misbehaving one never answers for. */
  async function customerNoOf(id: string): Promise<string> {
    const response = await graph.query<{ customer: { customerNo: string } }>('query One($id: ID!) { customer(id: $id) { customerNo } }', { id });
    expect(response.errors).toBeUndefined();
    return response.data!.customer.customerNo;
  }
  afterAll(async () => {
    await graph?.close();
    subgraph?.server.closeAllConnections();
    subgraph?.server.close();
  });

  it.each<BadAnswer>(['oversized', 'html-500', 'truncated-json'])(
    'answers %s with the other subgraphs’ data and a clean SUBGRAPH_UNAVAILABLE for that subgraph',
    async (mode) => {
      subgraph.answer(mode);
      const response = await graph.query<{ customer: { customerNo: string; policies: unknown[] } }>(CUSTOMER_360_QUERY, { id: '1' });
      expect(response.status).toBe(200);
      expect(response.data!.customer.customerNo).toBe(await customerNoOf('1'));
      expect(Array.isArray(response.data!.customer.policies)).toBe(true);
      expect(response.errors).toEqual([expect.objectContaining({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'service-requests' } })]);
      expect(JSON.stringify(response.errors)).not.toMatch(INTERNAL_DETAILS);
    },
    60_000,
  );

  it('keeps serving after the bad answers', async () => {
    expect((await fetch(`${graph.gatewayUrl}/ready`)).status).toBe(200);
    expect(await customerNoOf('2')).toMatch(/^CU\d+$/);
  });
});
