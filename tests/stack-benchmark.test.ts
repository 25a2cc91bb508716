import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayConfig } from '@icg/shared';
import { DEFAULT_AS_OF, DEFAULT_SEED, generateCompanyBatch, generateOrg } from '@icg/synthetic';
import { CUSTOMER_360_QUERY } from '@icg/tools';
import { startPlainGateway, type RunningPlainGateway } from '../tools/src/benchmarks/plain-gateway/plain-gateway';
import { startReferenceServer, type RunningReferenceServer } from '../tools/src/benchmarks/reference-server/reference-server';
import { answerDifferences, type GraphQLAnswer } from '../tools/src/benchmarks/stack/answer-differences';
import { groupOf, summariseCpuProfile, type CpuProfile } from '../tools/src/benchmarks/stack/cpu-profile-summary';
import { postGraphQL } from './support/graphql-client';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { TEST_DIALECTS } from './support/test-database';
import { bearerHeaders, testGatewaySecurity } from './support/test-security';
import { composedSupergraph } from './support/composed-supergraph';

const CUSTOMERS = 60;
const company = generateCompanyBatch({
  seed: DEFAULT_SEED,
  asOf: DEFAULT_AS_OF,
  org: generateOrg(DEFAULT_SEED),
  firstCustomerId: 1,
  lastCustomerId: CUSTOMERS,
});

const hasAny = <T extends { customerId: number }>(rows: readonly T[], id: number) => rows.some((row) => row.customerId === id);
/** Customers whose 360 view has the lists filled (claims through their policies too), one with complaints, a few others, one unknown. */
const withClaims = company.customers
  .filter((customer) => hasAny(company.claims, customer.id) && hasAny(company.policies, customer.id))
  .slice(0, 2)
  .map((customer) => customer.id);
const withComplaints = company.customers.find((customer) => hasAny(company.complaints, customer.id))!.id;
const fullCustomers = [...new Set([...withClaims, withComplaints])];
const CHECKED_IDS = [...fullCustomers, 1, 17, 42, 999_999];

interface View {
  customer: { customerNo: string; policies: { claims: unknown[] }[]; claims: unknown[]; complaints: unknown[]; serviceRequests: unknown[] } | null;
}

describe.each(TEST_DIALECTS)('bench:stack reference server and data check on %s', (dialect) => {
  let graph: GraphUnderTest;
  let reference: RunningReferenceServer;
  let plain: RunningPlainGateway;
  let headers: Record<string, string>;

  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: CUSTOMERS });
    reference = await startReferenceServer({ database: graph.databases.config, host: '127.0.0.1', port: 0 });
    const supergraphPath = join(mkdtempSync(join(tmpdir(), 'icg-plain-supergraph-')), 'supergraph.graphql');
    writeFileSync(supergraphPath, composedSupergraph());
    const config: GatewayConfig = {
      database: graph.databases.config,
      host: '127.0.0.1',
      port: 0,
      supergraphPath,
      subgraphUrls: Object.fromEntries(Object.values(graph.subgraphs).map(({ name, url }) => [name, `${url}/graphql`])),
      subgraphTimeoutMs: 5_000,
      maxBodyBytes: 100_000,
      logLevel: 'silent',
      security: testGatewaySecurity(),
    };
    plain = await startPlainGateway(config);
    headers = await bearerHeaders();
  }, 120_000);

  afterAll(async () => {
    await plain?.close();
    await reference?.close();
    await graph?.close();
  });

  const ask = async (url: string, id: number): Promise<GraphQLAnswer> => {
    const response = await postGraphQL(url, CUSTOMER_360_QUERY, { id: String(id) }, headers);
    expect(response.status).toBe(200);
    return { data: response.data, ...(response.errors ? { errors: response.errors } : {}) };
  };

  it('the reference answers the customer-360 with the same data as the project gateway, and plain @apollo/gateway does too', async () => {
    expect(withClaims).toHaveLength(2);
    for (const id of CHECKED_IDS) {
      const expected = await ask(reference.url + '/graphql', id);
      expect(answerDifferences(expected, await ask(graph.graphqlUrl, id))).toEqual([]);
      expect(answerDifferences(expected, await ask(plain.url, id))).toEqual([]);
    }
    // The comparison above saw real lists, not empty ones.
    for (const id of fullCustomers) {
      const view = ((await ask(`${reference.url}/graphql`, id)).data as View).customer!;
      expect(view.customerNo).toBe(company.customers.find((entry) => entry.id === id)!.customerNo);
      expect(view.claims).toHaveLength(company.claims.filter((claim) => claim.customerId === id).length);
      expect(view.complaints).toHaveLength(company.complaints.filter((complaint) => complaint.customerId === id).length);
      expect(view.policies.flatMap((policy) => policy.claims)).toHaveLength(view.claims.length);
    }
    expect(((await ask(`${reference.url}/graphql`, 999_999)).data as View).customer).toBeNull();
  });

  it('the data check names what differs: a changed value, a missing list item, reordered items, an error', async () => {
    const expected = await ask(`${reference.url}/graphql`, withClaims[0]!);
    const view = structuredClone(expected.data) as View & { customer: { name: string; claims: unknown[] } };

    const renamed = structuredClone(view);
    renamed.customer.name = 'Someone Else';
    expect(answerDifferences(expected, { data: renamed })).toEqual([expect.stringContaining('data.customer.name')]);

    const shorter = structuredClone(view);
    shorter.customer.claims.pop();
    expect(answerDifferences(expected, { data: shorter })[0]).toMatch(/^data\.customer\.claims: \d+ items, got \d+$/);

    const reordered = structuredClone(view);
    reordered.customer.serviceRequests.reverse();
    expect(view.customer.serviceRequests.length).toBeGreaterThan(1);
    expect(answerDifferences(expected, { data: reordered }).length).toBeGreaterThan(0);

    expect(answerDifferences(expected, { data: view, errors: [{ message: 'x', extensions: { code: 'FORBIDDEN_FIELD' } }] })).toEqual([
      'actual answer has errors: FORBIDDEN_FIELD',
    ]);
  });

  it('the reference counts its SQL statements and refuses a malformed id as BAD_USER_INPUT naming the argument', async () => {
    const id = withClaims[1]!;
    const hasManager = company.customers.find((customer) => customer.id === id)!.primaryManagerStaffId !== null;
    const before = reference.statementCount();
    await ask(`${reference.url}/graphql`, id);
    // One statement each: customer, branch, manager (if any), policies, their claims, claims, service requests, complaints.
    expect(reference.statementCount() - before).toBe(hasManager ? 8 : 7);

    const response = await postGraphQL(`${reference.url}/graphql`, CUSTOMER_360_QUERY, { id: 'abc' });
    expect(response.data).toEqual({ customer: null });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'id' });
  });
});

describe('bench:stack CPU profile summary', () => {
  // root → fetch (undici) → writev (native); root → processTicks (Node core) → signOneShot (crypto); GC; idle.
  const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 4, 6, 7] },
      { id: 2, callFrame: frame('fetch', 'node:internal/deps/undici/undici'), children: [3] },
      { id: 3, callFrame: frame('writev', ''), children: [] },
      { id: 4, callFrame: frame('processTicksAndRejections', 'node:internal/process/task_queues'), children: [5] },
      { id: 5, callFrame: frame('signOneShot', 'node:internal/crypto/sig'), children: [] },
      { id: 6, callFrame: frame('(garbage collector)', ''), children: [] },
      { id: 7, callFrame: frame('(idle)', ''), children: [] },
    ],
    startTime: 1_000_000,
    endTime: 1_010_000,
    // Ten samples 1 ms apart: writev ×4, signOneShot ×2, GC ×2, idle ×2.
    samples: [3, 3, 3, 3, 5, 5, 6, 6, 7, 7],
    timeDeltas: [1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000],
  };

  it('counts a native function for its JavaScript caller, and leaves idle time out of the shares', () => {
    const summary = summariseCpuProfile(profile);
    expect(summary.windowed).toBe(false);
    expect(summary.busyMs).toBeCloseTo(8, 5);
    expect(Object.fromEntries(summary.groups.map((group) => [group.name, group.share]))).toEqual({
      "undici/fetch (Node's fetch, web streams, AbortSignal)": 0.5,
      'jose/crypto': 0.25,
      GC: 0.25,
    });
    expect(summary.topFunctions[0]!.name).toMatch(/^writev \(native, called from fetch: undici\/fetch/);
  });

  it('cuts the samples to the measured window when the profile covers it', () => {
    // The window holds the last six samples (stamped 1,005,000 µs and later): signOneShot ×2, GC ×2, idle ×2, no writev.
    const summary = summariseCpuProfile(profile, { fromUs: 1_005_000, toUs: 1_010_000 });
    expect(summary.windowed).toBe(true);
    expect(summary.groups.map((group) => group.name).sort()).toEqual(['GC', 'jose/crypto']);
    // A window the profile does not cover falls back to the whole profile, and says so.
    expect(summariseCpuProfile(profile, { fromUs: 2_000_000, toUs: 2_010_000 }).windowed).toBe(false);
  });

  it('sorts packages, Node core by whom it works for, and project code into their groups', () => {
    expect(groupOf('file:///app/node_modules/@apollo/gateway/dist/executeQueryPlan.js', 'f')).toBe('@apollo/gateway');
    expect(groupOf('file:///app/node_modules/graphql/execution/execute.js', 'f')).toBe('graphql');
    expect(groupOf('file:///app/node_modules/jose/dist/node/cjs/jwt/sign.js', 'f')).toBe('jose/crypto');
    expect(groupOf('file:///app/gateway/dist/subgraph-data-source.js', 'f')).toBe('project code (gateway, shared)');
    expect(groupOf('node:internal/webstreams/readablestream', 'f')).toBe("undici/fetch (Node's fetch, web streams, AbortSignal)");
    expect(groupOf('node:net', 'f')).toBe('Node core (http, net, streams, timers, events)');
  });
});
