import { Lexer, Source, TokenKind } from 'graphql';
import { MAX_OPERATION_NESTING, OPERATION_LIMITS } from '@icg/shared';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import type { GraphQLResponse } from './support/graphql-client';
import { TEST_DIALECTS } from './support/test-database';
import { postToSubgraph } from './support/test-security';

/**
 * An operation `depth` fields deep: the fields given, then claim → policy → claims → policy → … (all
 * resolved by the claims subgraph: Claim.policy is a stub there, Policy.claims its own), ending on a key.
 */
function claimChain(start: readonly string[], depth: number): string {
  const fields = [...start];
  while (fields.length < depth - 1) fields.push(fields[fields.length - 1] === 'policy' ? 'claims' : 'policy');
  const leaf = fields[fields.length - 1] === 'policy' ? 'policyNo' : 'reportNo';
  return `{ ${fields.join(' { ')} { ${leaf}${' }'.repeat(fields.length)} }`;
}

/** Over the cost limit within every other limit: `first` multiplies the page's cost, and one field may be selected many times. */
function pricedPage(first: number): string {
  return `{ customers(first: ${first}) { nodes { ${Array.from({ length: 60 }, () => 'id').join(' ')} } } }`;
}

const aliases = (count: number) => `{ ${Array.from({ length: count }, (_, index) => `a${index}: __typename`).join(' ')} }`;
const tokens = (count: number) => `{ ${Array.from({ length: count - 2 }, () => '__typename').join(' ')} }`;

/** An entity fetch with its representations written inline, exactly `count` tokens long (a field repeated that often would fail validation). */
function inlineEntityFetch(count: number): string {
  const representation = (id: number) => `{ __typename: "Customer", id: "${id}" }`;
  const wrapper = (representations: string[], extra: number) =>
    `{ _entities(representations: [${representations.join(' ')}]) { __typename ${'__typename '.repeat(extra)}} }`;
  const room = Math.floor((count - tokenCount(wrapper([], 0))) / tokenCount(representation(1)));
  const representations = Array.from({ length: room }, (_, index) => representation(index + 1));
  return wrapper(representations, count - tokenCount(wrapper(representations, 0)));
}

function tokenCount(text: string): number {
  const lexer = new Lexer(new Source(text));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count += 1;
  return count;
}
const nested = (levels: number) => `{ __typename(x: ${'['.repeat(levels - 2)}1${']'.repeat(levels - 2)}) }`;

/** What a refusal looks like from outside: no data, only the limit's error (the same one at the gateway and at a subgraph). */
const refusal = (response: GraphQLResponse) => ({ data: response.data ?? null, errors: response.errors });

describe.each(TEST_DIALECTS)('operation limits at the subgraphs on %s', (dialect) => {
  let graph: GraphUnderTest;
  let customerWithClaims: string;
  let reportNo: string;
  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: 30 });
    const page = await graph.query<{ customers: { nodes: { id: string; claims: { reportNo: string }[] }[] } }>(
      '{ customers(first: 30) { nodes { id claims { reportNo } } } }',
    );
    const holder = page.data!.customers.nodes.find((customer) => customer.claims.length > 0)!;
    customerWithClaims = holder.id;
    reportNo = holder.claims[0]!.reportNo;
  }, 180_000);
  afterAll(async () => {
    await graph?.close();
  });

  const direct = (subgraph: string, query: string) => postToSubgraph(`${graph.subgraphs[subgraph]!.url}/graphql`, subgraph, query);

  it.each([
    ['depth', 'claims', () => claimChain([`claim(reportNo: "${reportNo}")`], OPERATION_LIMITS.maxDepth + 1)],
    ['alias', 'claims', () => aliases(OPERATION_LIMITS.maxAliases + 1)],
    ['cost', 'customers', () => pricedPage(200)],
    ['token', 'customers', () => tokens(OPERATION_LIMITS.maxTokens + 1)],
    ['nesting', 'customers', () => nested(MAX_OPERATION_NESTING + 1)],
  ])('refuses an operation over the %s limit sent straight to a subgraph with a valid assertion, as the gateway does', async (limit, subgraph, operation) => {
    const atSubgraph = await direct(subgraph, operation());
    const atGateway = await graph.query(operation());
    expect(atSubgraph.status).toBe(400);
    expect(refusal(atSubgraph)).toEqual({
      data: null,
      errors: [{ message: `The operation exceeds the ${limit} limit`, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit } }],
    });
    expect(refusal(atSubgraph)).toEqual(refusal(atGateway));
  });

  it.each([
    ['depth', 'claims', () => claimChain([`claim(reportNo: "${reportNo}")`], OPERATION_LIMITS.maxDepth)],
    ['alias', 'claims', () => aliases(OPERATION_LIMITS.maxAliases)],
    ['cost', 'customers', () => pricedPage(100)],
    ['token', 'customers', () => inlineEntityFetch(OPERATION_LIMITS.maxTokens)],
  ])('serves an operation within the %s limit sent straight to a subgraph', async (_limit, subgraph, operation) => {
    const text = operation();
    expect(tokenCount(text)).toBeLessThanOrEqual(OPERATION_LIMITS.maxTokens);
    const response = await direct(subgraph, text);
    expect(response.errors).toBeUndefined();
    expect(response.status).toBe(200);
    expect(response.data).toBeTruthy();
  });

  it('serves through the gateway an operation exactly at the depth limit whose deepest part another subgraph resolves through _entities', async () => {
    // customers answers `customer`; claims gets `_entities { ... on Customer { claims { … } } }`, the rest of the chain.
    const response = await graph.query<{ customer: { claims: unknown[] } | null }>(
      claimChain([`customer(id: "${customerWithClaims}")`, 'claims'], OPERATION_LIMITS.maxDepth),
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.customer?.claims.length).toBeGreaterThan(0);
  });
});
