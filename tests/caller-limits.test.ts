import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startGateway, type RunningGateway } from '@icg/gateway';
import { parseRateLimits } from '@icg/shared';
import { customerNoFor, DEFAULT_SEED } from '@icg/synthetic';
import { postGraphQL, type GraphQLResponse } from './support/graphql-client';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { TEST_DIALECTS } from './support/test-database';
import { AUDITOR, bearerHeaders, staffIdentity, testGatewaySecurity, type ActingAs } from './support/test-security';
import { composedSupergraph } from './support/composed-supergraph';

/** Customer 1's number in the seeded company. */
const CUSTOMER_1_NO = customerNoFor(DEFAULT_SEED, 1);

const OPERATOR: ActingAs = { role: 'OPERATOR' };
const CUSTOMER = 'query One($id: ID!) { customer(id: $id) { customerNo } }';

/**
 * In front of the customers subgraph: holds the first `count` requests until `release()`, forwards
 * everything else at once, so a test decides exactly which requests are in flight.
 */
interface HoldingProxy {
  url: string;
  /** Resolves once `count` requests are being held. */
  holding: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

async function startHoldingProxy(target: string, count: number): Promise<HoldingProxy> {
  let seen = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let nowHolding!: () => void;
  const holding = new Promise<void>((resolve) => (nowHolding = resolve));
  const server: Server = createServer((request, response) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      seen += 1;
      if (seen <= count) {
        if (seen === count) nowHolding();
        await released;
      }
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string' && !['host', 'connection', 'content-length'].includes(entry[0]),
        ),
      );
      const answer = await fetch(target, { method: 'POST', headers, body: Buffer.concat(chunks) });
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      response.end(await answer.text());
    })().catch(() => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    holding,
    release,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.each(TEST_DIALECTS)('per-caller limits at the gateway (%s)', (dialect) => {
  let graph: GraphUnderTest;
  let supergraphPath: string;
  const extraGateways: RunningGateway[] = [];
  const proxies: HoldingProxy[] = [];

  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: 20 });
    supergraphPath = join(mkdtempSync(join(tmpdir(), 'icg-limits-')), 'supergraph.graphql');
    writeFileSync(supergraphPath, composedSupergraph());
  });
  afterAll(async () => {
    for (const proxy of proxies) proxy.release();
    for (const gateway of extraGateways) await gateway.close();
    for (const proxy of proxies) await proxy.close();
    await graph?.close();
  });

  /** A gateway over the graph's subgraphs with these RATE_LIMITS, the customers subgraph optionally behind another URL. */
  async function limitedGateway(
    rateLimits: string,
    customersUrl?: string,
  ): Promise<(query: string, acting: ActingAs, signal?: AbortSignal) => Promise<GraphQLResponse>> {
    const subgraphUrls = Object.fromEntries(Object.values(graph.subgraphs).map(({ name, url }) => [name, `${url}/graphql`]));
    if (customersUrl) subgraphUrls['customers'] = customersUrl;
    const gateway = await startGateway({
      database: graph.databases.config,
      host: '127.0.0.1',
      port: 0,
      supergraphPath,
      subgraphUrls,
      subgraphTimeoutMs: 10_000,
      maxBodyBytes: 100_000,
      logLevel: 'silent',
      security: testGatewaySecurity(),
      callerLimits: parseRateLimits(rateLimits),
    });
    extraGateways.push(gateway);
    return async (query, acting, signal) => {
      const headers = { 'content-type': 'application/json', ...(await bearerHeaders(acting)) };
      if (!signal) return postGraphQL(`${gateway.url}/graphql`, query, { id: '1' }, headers);
      const response = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables: { id: '1' } }), signal });
      return { status: response.status, headers: response.headers, ...((await response.json()) as object) };
    };
  }

  it('answers a caller over its rate with 429, Retry-After and RATE_LIMITED naming the rate limit, and nothing personal', async () => {
    // Two requests at once, then one every 10 s: the third in a row is over.
    const ask = await limitedGateway('default=100r/s,10c;AUDITOR=0.1r/s,10c,2b');
    expect((await ask(CUSTOMER, AUDITOR)).status).toBe(200);
    expect((await ask(CUSTOMER, AUDITOR)).status).toBe(200);
    const refused = await ask(CUSTOMER, AUDITOR);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(5);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(refused.data).toBeUndefined();
    expect(refused.errors).toEqual([{ message: expect.stringContaining('rate') as string, extensions: { code: 'RATE_LIMITED', limit: 'rate' } }]);
    const body = JSON.stringify(refused.errors);
    expect(body).not.toContain(staffIdentity(AUDITOR).staffId);
    expect(body).not.toContain('AUDITOR');
    // Another caller (own staff id, the default limit) is unaffected.
    const other = await ask(CUSTOMER, OPERATOR);
    expect(other.status).toBe(200);
    expect(other.data).toEqual({ customer: { customerNo: CUSTOMER_1_NO } });
  });

  it('refuses a caller over its concurrent requests with 429 while another caller is served, and admits it again once they finish', async () => {
    const proxy = await startHoldingProxy(`${graph.subgraphs['customers']!.url}/graphql`, 2);
    proxies.push(proxy);
    const ask = await limitedGateway('default=100r/s,2c', proxy.url);
    const first = ask(CUSTOMER, AUDITOR);
    const second = ask(CUSTOMER, AUDITOR);
    await proxy.holding;
    const refused = await ask(CUSTOMER, AUDITOR);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', limit: 'concurrency' });
    // The operator has the same limit but their own slots.
    const other = await ask(CUSTOMER, OPERATOR);
    expect(other.status).toBe(200);
    expect(other.data).toEqual({ customer: { customerNo: CUSTOMER_1_NO } });
    proxy.release();
    expect((await first).data).toEqual({ customer: { customerNo: CUSTOMER_1_NO } });
    expect((await second).status).toBe(200);
    expect((await ask(CUSTOMER, AUDITOR)).status).toBe(200);
  });

  it('releases the slot after a request that failed or was abandoned by its client', async () => {
    const proxy = await startHoldingProxy(`${graph.subgraphs['customers']!.url}/graphql`, 1);
    proxies.push(proxy);
    const ask = await limitedGateway('default=100r/s,1c', proxy.url);
    // An operation that does not parse, one over the alias limit, one failing validation: each answered with an error.
    expect((await ask('{ customer(id: "1") { customerNo }', AUDITOR)).errors?.length).toBeGreaterThan(0);
    expect((await ask(`{ ${'a: __typename '.repeat(20)} }`, AUDITOR)).errors?.length).toBeGreaterThan(0);
    expect((await ask('{ customer(id: "1") { noSuchField } }', AUDITOR)).errors?.length).toBeGreaterThan(0);
    // A client that gives up while its request is still running at the subgraph.
    const abandoned = new AbortController();
    const gone = ask(CUSTOMER, AUDITOR, abandoned.signal).catch((error: unknown) => error);
    await proxy.holding;
    abandoned.abort();
    expect(await gone).toMatchObject({ name: 'AbortError' });
    // The one slot is free again each time (the gateway learns of the abort when the connection closes, a moment later).
    let after = await ask(CUSTOMER, AUDITOR);
    for (let attempt = 0; after.status === 429 && attempt < 40; attempt++) {
      await delay(50);
      after = await ask(CUSTOMER, AUDITOR);
    }
    expect(after.status).toBe(200);
    expect(after.data).toEqual({ customer: { customerNo: CUSTOMER_1_NO } });
    proxy.release();
  });
});
