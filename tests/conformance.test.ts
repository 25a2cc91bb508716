import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql, parse, type GraphQLError } from 'graphql';
import { claimsSubgraph } from '@icg/subgraph-claims';
import { claimsSeeder } from '@icg/subgraph-claims/seed';
import { complaintsSubgraph } from '@icg/subgraph-complaints';
import { complaintsSeeder } from '@icg/subgraph-complaints/seed';
import { customersSubgraph } from '@icg/subgraph-customers';
import { customersSeeder } from '@icg/subgraph-customers/seed';
import { policiesSubgraph } from '@icg/subgraph-policies';
import { policiesSeeder } from '@icg/subgraph-policies/seed';
import { serviceRequestsSubgraph } from '@icg/subgraph-service-requests';
import { serviceRequestsSeeder } from '@icg/subgraph-service-requests/seed';
import { formatConformanceReport, runConformance, type CheckResult, type ConformanceReport, type SampleKey } from '../tools/src/conformance/index';
import { startSeededSubgraph, type SeededSubgraph } from './support/seeded-subgraph';
import { TEST_DIALECTS, type TestDialect } from './support/test-database';
import { TEST_PSEUDONYM_SECRET, testSubgraphAssertionKey } from './support/test-security';

/** Small stores keep five subgraphs on two dialects well inside the suite's time budget. */
const CUSTOMERS = 20;
/** Complaints are rare: the first 20 customers have none, the first 150 have four. */
const COMPLAINT_CUSTOMERS = 150;

interface SubgraphUnderTest {
  name: string;
  start(dialect: TestDialect): Promise<SeededSubgraph>;
  /** Keys the suite could not find by itself (as `--sample` gives them). */
  samples?(seeded: SeededSubgraph): SampleKey[];
}

const SUBGRAPHS: readonly SubgraphUnderTest[] = [
  { name: 'customers', start: (dialect) => startSeededSubgraph({ manifest: customersSubgraph, seeder: customersSeeder, dialect, customers: CUSTOMERS }) },
  { name: 'policies', start: (dialect) => startSeededSubgraph({ manifest: policiesSubgraph, seeder: policiesSeeder, dialect, customers: CUSTOMERS }) },
  { name: 'claims', start: (dialect) => startSeededSubgraph({ manifest: claimsSubgraph, seeder: claimsSeeder, dialect, customers: CUSTOMERS }) },
  {
    name: 'service-requests',
    start: (dialect) => startSeededSubgraph({ manifest: serviceRequestsSubgraph, seeder: serviceRequestsSeeder, dialect, customers: CUSTOMERS }),
  },
  {
    name: 'complaints',
    start: (dialect) => startSeededSubgraph({ manifest: complaintsSubgraph, seeder: complaintsSeeder, dialect, customers: COMPLAINT_CUSTOMERS }),
    // Their customers' ids lie beyond what the suite probes, so the keys are given, as --sample would.
    samples: (seeded) => seeded.facts.complaints.map((complaint) => ({ typeName: 'Complaint', value: complaint.complaintNo })),
  },
];

const failures = (report: ConformanceReport): CheckResult[] => report.checks.filter((check) => !check.passed);
const outcome = (report: ConformanceReport, group: CheckResult['group'], name: string) =>
  report.checks.find((check) => check.group === group && check.name.startsWith(name))?.passed;

describe.each(TEST_DIALECTS)('conformance suite on %s', (dialect) => {
  test.each(SUBGRAPHS.map((subgraph) => [subgraph.name, subgraph] as const))('the %s subgraph passes every check', async (name, subgraph) => {
    const seeded = await subgraph.start(dialect);
    try {
      const report = await runConformance({
        url: `${seeded.running.url}/graphql`,
        name,
        assertionKey: testSubgraphAssertionKey(name),
        pseudonymSecret: TEST_PSEUDONYM_SECRET,
        samples: subgraph.samples?.(seeded),
      });
      if (process.env.PRINT_CONFORMANCE_REPORTS) console.log(formatConformanceReport(report));
      expect(failures(report)).toEqual([]);
      // Every group ran and found something to check: a suite that checked nothing would pass too.
      for (const group of ['health', 'identity', 'service-sdl', 'entities', 'role-access', 'no-leaks'] as const) {
        expect(report.checks.filter((check) => check.group === group).length).toBeGreaterThan(0);
      }
      expect(report.checks.filter((check) => check.group === 'role-access').length).toBe(1 + 17);
    } finally {
      await seeded.close();
    }
  });
});

/**
 * A careless subgraph: serves anyone (no assertion checked), leaves `Widget.secret` unclassified, links no
 * classification spec, answers every role in clear, has no health endpoints and puts stack traces in its errors.
 */
async function startCarelessSubgraph(): Promise<{ url: string; close(): Promise<void> }> {
  const typeDefs = parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Query { widget(id: ID!): Widget }
    type Widget @key(fields: "id") { id: ID! secret: String }
  `);
  const widget = (id: unknown) => (['1', '2', '3'].includes(String(id)) ? { id: String(id), secret: `secret-${String(id)}` } : null);
  const schema = buildSubgraphSchema({
    typeDefs,
    resolvers: {
      Query: { widget: (_source: unknown, args: { id: string }) => widget(args.id) },
      Widget: { __resolveReference: (reference: { id: unknown }) => widget(reference.id) },
    },
  });
  const formatError = (error: GraphQLError) => ({
    message: error.message,
    path: error.path,
    extensions: { stacktrace: (error.originalError ?? error).stack?.split('\n') },
  });
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      void (async () => {
        let result: unknown;
        try {
          const { query, variables } = JSON.parse(body) as { query: string; variables?: Record<string, unknown> };
          const executed = await graphql({ schema, source: query, variableValues: variables });
          result = { data: executed.data, ...(executed.errors ? { errors: executed.errors.map(formatError) } : {}) };
        } catch (error) {
          result = { errors: [{ message: String(error), extensions: { stacktrace: (error as Error).stack?.split('\n') } }] };
        }
        response.writeHead(request.url === '/graphql' ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/graphql`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('the suite fails a subgraph that ignores the contract, naming what is wrong', async () => {
  const careless = await startCarelessSubgraph();
  try {
    const report = await runConformance({ url: careless.url, name: 'widgets', assertionKey: testSubgraphAssertionKey('widgets') });
    expect(report.passed).toBe(false);
    expect(outcome(report, 'identity', 'refuses a call without an assertion')).toBe(false);
    expect(outcome(report, 'identity', 'refuses an assertion signed by another key')).toBe(false);
    expect(outcome(report, 'identity', 'accepts a valid assertion')).toBe(true);
    expect(outcome(report, 'service-sdl', 'publishes _service { sdl }')).toBe(true);
    expect(outcome(report, 'service-sdl', 'links the classified spec')).toBe(false);
    const classified = report.checks.find((check) => check.name === 'every field is classified');
    expect(classified?.passed).toBe(false);
    expect(classified?.reason).toContain('Widget.secret has no @classified');
    // Keys were found through Query.widget(id: ID!) and resolve; an unknown one is null.
    expect(outcome(report, 'entities', 'Widget: resolves known keys')).toBe(true);
    expect(outcome(report, 'entities', 'Widget: answers an unknown key with null')).toBe(true);
    // An unclassified field counts as RESTRICTED: the hotline agent must not read it, yet gets it in clear.
    const hotline = report.checks.find((check) => check.group === 'role-access' && check.name.startsWith('HOTLINE_AGENT') && !check.name.includes('purpose'));
    expect(hotline?.passed).toBe(false);
    expect(hotline?.reason).toContain('Widget(1).secret: policy allows DENY, got "secret-1"');
    expect(outcome(report, 'no-leaks', 'answers a syntax error without internals')).toBe(false);
    expect(outcome(report, 'health', 'GET /health')).toBe(false);
  } finally {
    await careless.close();
  }
});
