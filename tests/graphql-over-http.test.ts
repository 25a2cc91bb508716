import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverAudits } from 'graphql-http';
import { startGateway, type RunningGateway } from '@icg/gateway';
import type { GatewayConfig } from '@icg/shared';
import { composeRegisteredSubgraphs } from '@icg/tools';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { bearerHeaders, testGatewaySecurity } from './support/test-security';
import { TEST_DIALECTS } from './support/test-database';

const MODERN = { accept: 'application/graphql-response+json' };
const PORTAL = 'https://portal.example.cn';

interface RawResponse {
  status: number;
  headers: Headers;
  errors: { message: string; extensions?: Record<string, unknown> }[];
  data?: unknown;
}

/** One POST as the auditor, answered as the client asked (the modern media type unless told). */
async function post(url: string, body: unknown, headers: Record<string, string> = MODERN): Promise<RawResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await bearerHeaders()), ...headers },
    body: JSON.stringify(body),
  });
  const parsed = (await response.json()) as { errors?: RawResponse['errors']; data?: unknown };
  return { status: response.status, headers: response.headers, errors: parsed.errors ?? [], data: parsed.data };
}

/** A second gateway over the same subgraphs, with settings the test chooses. */
async function startGatewayBeside(graph: GraphUnderTest, settings: Partial<GatewayConfig>): Promise<RunningGateway> {
  const supergraphPath = join(mkdtempSync(join(tmpdir(), 'icg-supergraph-')), 'supergraph.graphql');
  writeFileSync(supergraphPath, composeRegisteredSubgraphs());
  return startGateway({
    database: graph.databases.config,
    host: '127.0.0.1',
    port: 0,
    supergraphPath,
    subgraphUrls: Object.fromEntries(Object.values(graph.subgraphs).map(({ name, url }) => [name, `${url}/graphql`])),
    subgraphTimeoutMs: 5_000,
    maxBodyBytes: 100_000,
    logLevel: 'silent',
    security: testGatewaySecurity(),
    ...settings,
  });
}

describe.each(TEST_DIALECTS)('GraphQL over HTTP at the gateway on %s', (dialect) => {
  let graph: GraphUnderTest;
  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: 10 });
  }, 120_000);
  afterAll(async () => graph?.close());

  it('passes every graphql-http server audit, without a warning or notice', async () => {
    const credentials = await bearerHeaders();
    // A client of this graph authenticates, and (CSRF prevention) marks its GETs as not from a browser form.
    const fetchFn = (input: string | URL, init: RequestInit = {}) =>
      fetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), ...credentials, 'apollo-require-preflight': 'true' } });
    const audits = serverAudits({ url: graph.graphqlUrl, fetchFn });
    const failures: string[] = [];
    for (const audit of audits) {
      const result = await audit.fn();
      if (result.status !== 'ok') failures.push(`${result.id} ${result.name}: ${result.status}, ${result.reason}`);
    }
    expect(audits.length).toBeGreaterThan(50);
    expect(failures).toEqual([]);
  });

  it("answers a syntax error with 400 and the parser's message, for clients of the modern media type", async () => {
    const response = await post(graph.graphqlUrl, { query: '{ customer(id: "1") { id ' });
    expect(response.status).toBe(400);
    expect(response.errors[0]).toMatchObject({ message: expect.stringMatching(/^Syntax Error/), extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
  });

  it('refuses an operation over the token limit with 400, naming the limit but not its value', async () => {
    const fields = Array.from({ length: 3_100 }, () => '__typename').join(' ');
    const response = await post(graph.graphqlUrl, { query: `{ ${fields} }` });
    expect(response.status).toBe(400);
    expect(response.errors).toEqual([{ message: 'The operation exceeds the token limit', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'token' } }]);
  });

  it('refuses a list argument nested 2,000 deep with 400 before parsing it (no stack overflow)', async () => {
    const nested = `${'['.repeat(2_000)}INDIVIDUAL${']'.repeat(2_000)}`;
    const response = await post(graph.graphqlUrl, { query: `{ customers(filter: { kind: ${nested} }) { totalCount } }` });
    expect(response.status).toBe(400);
    expect(response.errors).toEqual([
      { message: 'The operation exceeds the nesting limit', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'nesting' } },
    ]);
    expect(JSON.stringify(response.errors)).not.toMatch(/RangeError|call stack/);
  });

  it('refuses an operation over the depth limit with 400, naming the limit but not its value', async () => {
    const deep = `{ customer(id: "1") { branch { ${'children { '.repeat(12)} id ${'} '.repeat(12)} } } }`;
    const response = await post(graph.graphqlUrl, { query: deep });
    expect(response.status).toBe(400);
    expect(response.errors).toEqual([
      expect.objectContaining({ message: 'The operation exceeds the depth limit', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth' } }),
    ]);
    expect(JSON.stringify(response.errors)).not.toMatch(/\d/);
  });

  it('names the argument of an impossible date (2020-13-45) instead of failing inside', async () => {
    const response = await post(graph.graphqlUrl, { query: '{ customers(filter: { customerSinceFrom: "2020-13-45" }) { totalCount } }' });
    expect(response.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName: 'filter.customerSinceFrom' }) }),
    ]);
  });

  // Registered operations are called by hash (tests/persisted-operations.test.ts); a wrong hash beside a document is the client's mistake.
  it('refuses a document sent with a hash that is not its own, with a clear 400', async () => {
    const response = await post(graph.graphqlUrl, {
      query: '{ __typename }',
      extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
    });
    expect(response.status).toBe(400);
    expect(response.errors).toEqual([
      { message: 'extensions.persistedQuery.sha256Hash is not the sha256 of the query sent with it', extensions: { code: 'BAD_REQUEST' } },
    ]);
  });

  it('tells an unknown directive once however often it is used, and caps the errors of a request', async () => {
    const repeated = await post(graph.graphqlUrl, { query: `{ ${Array.from({ length: 40 }, (_, index) => `a${index}: __typename @nope`).join(' ')} }` });
    expect(repeated.errors.filter((error) => error.message.includes('@nope'))).toHaveLength(1);
    const distinct = await post(graph.graphqlUrl, { query: `{ __typename ${Array.from({ length: 45 }, (_, index) => `@nope${index}`).join(' ')} }` });
    expect(distinct.status).toBe(400);
    expect(distinct.errors.length).toBeLessThanOrEqual(21);
  });

  describe('introspection', () => {
    const introspect = (url: string) => post(`${url}/graphql`, { query: '{ __schema { queryType { name } } }' });
    let savedNodeEnv: string | undefined;
    beforeEach(() => {
      savedNodeEnv = process.env.NODE_ENV;
      // What the Docker image sets: Apollo Server would switch introspection off on its own.
      process.env.NODE_ENV = 'production';
    });
    afterEach(() => {
      process.env.NODE_ENV = savedNodeEnv;
    });

    it('stays on under NODE_ENV=production unless INTROSPECTION turns it off', async () => {
      const byDefault = await startGatewayBeside(graph, {});
      const switchedOff = await startGatewayBeside(graph, { introspection: false });
      try {
        const answered = await introspect(byDefault.url);
        expect(answered.errors).toEqual([]);
        expect(answered.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
        const refused = await introspect(switchedOff.url);
        expect(refused.status).toBe(400);
        expect(refused.errors[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
      } finally {
        await byDefault.close();
        await switchedOff.close();
      }
    });
  });

  describe('CORS', () => {
    const preflight = (url: string, origin: string) =>
      fetch(`${url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });

    it('answers preflights but allows no origin by default', async () => {
      const response = await preflight(graph.gatewayUrl, PORTAL);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('allows exactly the configured origins, on preflights and on answers', async () => {
      const gateway = await startGatewayBeside(graph, { corsOrigins: [PORTAL] });
      try {
        const allowed = await preflight(gateway.url, PORTAL);
        expect(allowed.status).toBe(204);
        expect(allowed.headers.get('access-control-allow-origin')).toBe(PORTAL);
        expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
        expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
        expect(allowed.headers.get('vary')).toContain('origin');
        const other = await preflight(gateway.url, 'https://evil.example');
        expect(other.headers.get('access-control-allow-origin')).toBeNull();
        const answer = await post(`${gateway.url}/graphql`, { query: '{ __typename }' }, { origin: PORTAL });
        expect(answer.status).toBe(200);
        expect(answer.headers.get('access-control-allow-origin')).toBe(PORTAL);
        expect(answer.headers.get('access-control-expose-headers')).toContain('x-request-id');
      } finally {
        await gateway.close();
      }
    });
  });
});
