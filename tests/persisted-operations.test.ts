import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { startGateway, type RunningGateway } from '@icg/gateway';
import { AUDIT_TABLE, DEFAULT_ACCESS_POLICY_PATH, openAuditStore, type AuditRow, type Knex } from '@icg/shared';
import { composeRegisteredSubgraphs } from '@icg/tools';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { postGraphQL, type GraphQLResponse } from './support/graphql-client';
import { AUDITOR, bearerHeaders, testGatewaySecurity, type ActingAs } from './support/test-security';
import { TEST_DIALECTS } from './support/test-database';

const BI: ActingAs = { role: 'BI_ANALYST' };
const MANAGER: ActingAs = { role: 'CUSTOMER_MANAGER' };
const MODERN = 'application/graphql-response+json';

const PAGE = `query CustomerPage($first: Int!, $after: String) {
  customers(first: $first, after: $after) { totalCount edges { cursor node { id kind } } pageInfo { hasNextPage endCursor } }
}`;
const NAMES = 'query CustomerNames { customers(first: 3) { nodes { id name } } }';
const MUTATION = 'mutation FileCustomer($input: CreateCustomerInput!, $key: String!) { createCustomer(input: $input, idempotencyKey: $key) { id } }';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

interface Registration {
  status: number;
  body: { sha256Hash?: string; operationNames?: string[]; created?: boolean; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  requestId: string | null;
}

async function register(gatewayUrl: string, query: string, acting: ActingAs): Promise<Registration> {
  const response = await fetch(`${gatewayUrl}/operations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await bearerHeaders(acting)) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as Registration['body'], requestId: response.headers.get('x-request-id') };
}

/** A call by hash over POST, as Apollo's APQ link sends it (no document). */
async function postByHash(graphqlUrl: string, hash: string, variables: Record<string, unknown>, acting: ActingAs, accept = 'application/json') {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...(await bearerHeaders(acting)) },
    body: JSON.stringify({ variables, extensions: persisted(hash) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Omit<GraphQLResponse, 'status' | 'headers'> };
}

function byHashUrl(graphqlUrl: string, hash: string, variables: Record<string, unknown>): string {
  const url = new URL(graphqlUrl);
  url.searchParams.set('variables', JSON.stringify(variables));
  url.searchParams.set('extensions', JSON.stringify(persisted(hash)));
  return url.toString();
}

/** A GET as a BI tool sends it: authenticated, and marked as no browser form (CSRF prevention). */
async function getByHash(graphqlUrl: string, hash: string, variables: Record<string, unknown>, acting: ActingAs, headers: Record<string, string> = {}) {
  return fetch(byHashUrl(graphqlUrl, hash, variables), {
    headers: { 'apollo-require-preflight': 'true', ...(await bearerHeaders(acting)), ...headers },
  });
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The shipped policy with BI analysts limited to registered operations, which only auditors may register. */
function registeredOnlyPolicy(): string {
  const document = parseDocument(readFileSync(DEFAULT_ACCESS_POLICY_PATH, 'utf8'));
  document.setIn(['roles', 'BI_ANALYST', 'operations'], 'registeredOnly');
  document.setIn(['actions', 'operation.register', 'roles'], document.createNode({ AUDITOR: 'ALL' }));
  const path = join(mkdtempSync(join(tmpdir(), 'icg-policy-')), 'access-policy.yaml');
  writeFileSync(path, document.toString());
  return path;
}

describe.each(TEST_DIALECTS)('persisted operations at the gateway on %s', (dialect) => {
  let graph: GraphUnderTest;
  let restricted: RunningGateway;
  let auditStore: Knex;
  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: 12 });
    // A second gateway over the same subgraphs and stores (so the same registry), under the registeredOnly policy.
    const supergraphPath = join(mkdtempSync(join(tmpdir(), 'icg-supergraph-')), 'supergraph.graphql');
    writeFileSync(supergraphPath, composeRegisteredSubgraphs());
    restricted = await startGateway({
      database: graph.databases.config,
      host: '127.0.0.1',
      port: 0,
      supergraphPath,
      subgraphUrls: Object.fromEntries(Object.values(graph.subgraphs).map(({ name, url }) => [name, `${url}/graphql`])),
      subgraphTimeoutMs: 5_000,
      maxBodyBytes: 100_000,
      logLevel: 'silent',
      security: testGatewaySecurity({ accessPolicyPath: registeredOnlyPolicy() }),
      persistedOperations: { maxAgeSeconds: 30 },
    });
    auditStore = await openAuditStore(graph.databases.config);
  }, 120_000);
  afterAll(async () => {
    await auditStore?.destroy();
    await restricted?.close();
    await graph?.close();
  });

  const auditRows = (requestId: string) => auditStore.table(AUDIT_TABLE).where({ request_id: requestId }).select<AuditRow[]>('*');

  it('registers a document for a role granted operation.register, once per document, audited', async () => {
    const first = await register(graph.gatewayUrl, PAGE, BI);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ sha256Hash: sha256(PAGE), operationNames: ['CustomerPage'], created: true });
    const again = await register(graph.gatewayUrl, PAGE, AUDITOR);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ sha256Hash: sha256(PAGE), created: false });
    const rows = await eventually(
      () => auditRows(first.requestId!),
      (found) => found.length > 0,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        role: 'BI_ANALYST',
        coordinate: 'action:operation.register',
        operation_hash: sha256(PAGE),
        decision: 'ALLOW',
        rule: 'operation.register/BI_ANALYST/ALL',
      }),
    ]);
  });

  it('refuses registration to a role the policy does not grant it, with FORBIDDEN_ACTION, audited, and registers nothing', async () => {
    const document = 'query ManagersOwn { customers(first: 1) { totalCount } }';
    const refused = await register(graph.gatewayUrl, document, MANAGER);
    expect(refused.status).toBe(403);
    const error = refused.body.errors?.[0];
    expect(error?.extensions).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'operation.register', reason: 'NOT_GRANTED' });
    const rows = await eventually(
      () => auditRows(refused.requestId!),
      (found) => found.length > 0,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        role: 'CUSTOMER_MANAGER',
        decision: 'DENY',
        rule: 'operation.register/CUSTOMER_MANAGER/not-granted',
        decision_id: error?.extensions?.['decisionId'],
      }),
    ]);
    const call = await postByHash(graph.graphqlUrl, sha256(document), {}, BI);
    expect(call.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('validates a document against the schema and the limits when it is registered', async () => {
    const unknownField = await register(graph.gatewayUrl, 'query Q { customers(first: 1) { nodes { shoeSize } } }', BI);
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('Cannot query field "shoeSize"'),
      extensions: { code: 'BAD_USER_INPUT', field: 'query' },
    });
    // For BI a personal field does not exist (neverReadable: unknown): registering cannot tell it apart from a made-up one.
    const hidden = await register(graph.gatewayUrl, NAMES, BI);
    expect(hidden.status).toBe(400);
    expect(hidden.body.errors?.[0]?.message).toContain('Cannot query field "name" on type "Customer".');
    expect(hidden.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
    const aliases = Array.from({ length: 16 }, (_, index) => `a${index}: __typename`).join(' ');
    const overLimit = await register(graph.gatewayUrl, `query TooMany { ${aliases} }`, BI);
    expect(overLimit.status).toBe(400);
    expect(overLimit.body.errors?.[0]?.message).toContain('exceeds the alias limit');
    const syntax = await register(graph.gatewayUrl, '{ customers(first: 1) { totalCount ', BI);
    expect(syntax.status).toBe(400);
    expect(syntax.body.errors?.[0]?.message).toMatch(/^query: Syntax Error/);
  });

  it("answers a call by hash over POST as it answers the document itself, in the caller's view", async () => {
    const variables = { first: 5 };
    const adHoc = await postGraphQL(graph.graphqlUrl, PAGE, variables, await bearerHeaders(BI));
    const byHash = await postByHash(graph.graphqlUrl, sha256(PAGE), variables, BI);
    expect(byHash.status).toBe(200);
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data).toEqual(adHoc.data);
    const ids = (byHash.body.data as { customers: { edges: { node: { id: string } }[] } }).customers.edges.map(({ node }) => node.id);
    expect(ids).toHaveLength(5);
    // BI sees customer keys as pseudonyms, by hash as ad hoc.
    for (const id of ids) expect(id).toMatch(/^ps_/);
  });

  it("audits a read called by hash under the registered document's hash", async () => {
    expect((await register(graph.gatewayUrl, NAMES, AUDITOR)).status).toBe(201);
    const call = await postByHash(graph.graphqlUrl, sha256(NAMES), {}, AUDITOR);
    expect(call.body.errors).toBeUndefined();
    const rows = await eventually(
      () => auditRows(call.headers.get('x-request-id')!),
      (found) => found.some((row) => row.coordinate === 'Customer.name'),
    );
    const name = rows.find((row) => row.coordinate === 'Customer.name');
    expect(name).toMatchObject({ operation_hash: sha256(NAMES), operation_name: 'CustomerNames', decision: 'ALLOW' });
  });

  it('answers a query by hash over GET with private cache headers and an ETag, and 304 when it is unchanged', async () => {
    const response = await getByHash(graph.graphqlUrl, sha256(PAGE), { first: 3 }, BI);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, max-age=60');
    expect(response.headers.get('vary')?.toLowerCase()).toContain('authorization');
    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^W\/".+"$/);
    const body = (await response.json()) as GraphQLResponse;
    expect(body.errors).toBeUndefined();
    const unchanged = await getByHash(graph.graphqlUrl, sha256(PAGE), { first: 3 }, BI, { 'if-none-match': etag! });
    expect(unchanged.status).toBe(304);
    expect(await unchanged.text()).toBe('');
    // Another page is another answer: no 304 for it.
    const otherPage = await getByHash(graph.graphqlUrl, sha256(PAGE), { first: 4 }, BI, { 'if-none-match': etag! });
    expect(otherPage.status).toBe(200);
    // The configured max-age, on the second gateway.
    const configured = await getByHash(`${restricted.url}/graphql`, sha256(PAGE), { first: 3 }, BI);
    expect(configured.headers.get('cache-control')).toBe('private, max-age=30');
    // A POST is never marked cacheable.
    const post = await postByHash(graph.graphqlUrl, sha256(PAGE), { first: 3 }, BI);
    expect(post.headers.get('cache-control')).not.toContain('max-age');
  });

  it('answers an unknown hash with PERSISTED_QUERY_NOT_FOUND saying how to register, 200 or 400 by media type', async () => {
    const unknown = sha256('query Nobody { __typename }');
    const legacy = await postByHash(graph.graphqlUrl, unknown, {}, BI);
    expect(legacy.status).toBe(200);
    expect(legacy.body.errors).toEqual([{ message: expect.stringContaining('POST /operations'), extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }]);
    const modern = await postByHash(graph.graphqlUrl, unknown, {}, BI, MODERN);
    expect(modern.status).toBe(400);
    expect(modern.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    const get = await getByHash(graph.graphqlUrl, unknown, {}, BI);
    expect(get.status).toBe(200);
    expect(get.headers.get('cache-control')).not.toContain('max-age');
    expect(((await get.json()) as GraphQLResponse).errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('never registers a document sent with its hash (no automatic persisted queries)', async () => {
    const document = 'query SentWithItsHash { customers(first: 1) { totalCount } }';
    const response = await fetch(graph.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearerHeaders(BI)) },
      body: JSON.stringify({ query: document, extensions: persisted(sha256(document)) }),
    });
    // Run as the ad-hoc operation it is (the role may send any)...
    expect(((await response.json()) as GraphQLResponse).data).toEqual({ customers: { totalCount: 12 } });
    // ...and still unknown by hash.
    const call = await postByHash(graph.graphqlUrl, sha256(document), {}, BI);
    expect(call.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses a registered mutation over GET (405, POST only)', async () => {
    expect((await register(graph.gatewayUrl, MUTATION, AUDITOR)).status).toBe(201);
    const response = await getByHash(graph.graphqlUrl, sha256(MUTATION), { input: {}, key: 'k' }, AUDITOR);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(response.headers.get('cache-control')).not.toContain('max-age');
  });

  describe('a role restricted to registered operations (policy variant: BI_ANALYST operations: registeredOnly)', () => {
    const restrictedGraphql = () => `${restricted.url}/graphql`;

    it('is refused an ad-hoc query with FORBIDDEN naming the rule, before anything runs', async () => {
      const adHoc = await postGraphQL(restrictedGraphql(), PAGE, { first: 2 }, await bearerHeaders(BI));
      expect(adHoc.status).toBe(403);
      expect(adHoc.data).toBeUndefined();
      expect(adHoc.errors?.[0]).toMatchObject({
        message: expect.stringContaining('roles.BI_ANALYST.operations: registeredOnly'),
        extensions: { code: 'FORBIDDEN', reason: 'REGISTERED_OPERATIONS_ONLY', rule: 'BI_ANALYST/operations/registeredOnly' },
      });
      // A registered document sent with its hash is still a document of its own: refused too.
      const withDocument = await fetch(restrictedGraphql(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await bearerHeaders(BI)) },
        body: JSON.stringify({ query: PAGE, variables: { first: 2 }, extensions: persisted(sha256(PAGE)) }),
      });
      expect(withDocument.status).toBe(403);
      // Over GET as well.
      const url = new URL(restrictedGraphql());
      url.searchParams.set('query', '{ __typename }');
      const get = await fetch(url, { headers: { 'apollo-require-preflight': 'true', ...(await bearerHeaders(BI)) } });
      expect(get.status).toBe(403);
    });

    it('is served a registered operation by hash, over POST and GET', async () => {
      const post = await postByHash(restrictedGraphql(), sha256(PAGE), { first: 2 }, BI);
      expect(post.status).toBe(200);
      expect(post.body.errors).toBeUndefined();
      expect((post.body.data as { customers: { totalCount: number } }).customers.totalCount).toBe(12);
      const get = await getByHash(restrictedGraphql(), sha256(PAGE), { first: 2 }, BI);
      expect(get.status).toBe(200);
      expect(((await get.json()) as GraphQLResponse).errors).toBeUndefined();
    });

    it('may not register (the policy gives registration to auditors, who review what BI runs)', async () => {
      const document = 'query Reviewed { customers(first: 2) { totalCount } }';
      const own = await register(restricted.url, document, BI);
      expect(own.status).toBe(403);
      expect(own.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'operation.register', reason: 'NOT_GRANTED' });
      const reviewed = await register(restricted.url, document, AUDITOR);
      expect(reviewed.status).toBe(201);
      const call = await postByHash(restrictedGraphql(), sha256(document), {}, BI);
      expect(call.body.data).toEqual({ customers: { totalCount: 12 } });
    });

    it('leaves other roles free to send any operation', async () => {
      const adHoc = await postGraphQL(restrictedGraphql(), 'query { customers(first: 1) { totalCount } }', {}, await bearerHeaders(AUDITOR));
      expect(adHoc.status).toBe(200);
      expect(adHoc.data).toEqual({ customers: { totalCount: 12 } });
    });
  });
});
