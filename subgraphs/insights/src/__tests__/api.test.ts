import { openDatabase } from '@icg/shared';
import { insightsSeeder, insightFactRows } from '../seed';
import type { GraphQLResponse } from '../../../../tests/support/graphql-client';
import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { insightsSubgraph } from '../index';

const CUSTOMERS = 40;
const WARNING_FIELDS = 'earlyWarningNo kind level status subjectKey ruleVersion raisedAt version customer { id }';

interface Connection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: { earlyWarningNo: string; kind: string; level: string; status: string; customer: { id: string } }[];
}

describe.each(TEST_DIALECTS)('the insights subgraph on %s', (dialect) => {
  let subgraph: SeededSubgraph;
  beforeAll(async () => {
    subgraph = await startSeededSubgraph({ manifest: insightsSubgraph, seeder: insightsSeeder, dialect, customers: CUSTOMERS });
  });
  afterAll(async () => subgraph?.close());

  it("answers every seeded customer's insight through _entities, with the rule version and the figures behind it", async () => {
    const representations = subgraph.facts.customers.map((customer) => ({ __typename: 'Customer', id: String(customer.id) }));
    const response = await subgraph.query<{
      _entities: { id: string; insight: { classification: string; blacklisted: boolean; ruleVersion: string; figures: { claims12m: number } } | null }[];
    }>(
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { id insight { classification blacklisted ruleVersion figures { claims12m } } } } }',
      { representations },
    );
    expect(response.errors).toBeUndefined();
    const insights = response.data!._entities;
    expect(insights).toHaveLength(CUSTOMERS);
    for (const [index, customer] of subgraph.facts.customers.entries()) {
      const insight = insights[index]!.insight!;
      expect(insight.ruleVersion).toMatch(/^insights-/);
      // Blacklisted customers are classified so whatever else holds (precedence).
      expect(insight.blacklisted).toBe(customer.blacklisted);
      if (customer.blacklisted) expect(insight.classification).toBe('BLACKLISTED');
      else expect(['POOR', 'QUALITY', 'NORMAL']).toContain(insight.classification);
      expect(insight.figures.claims12m).toBeGreaterThanOrEqual(0);
    }
  });

  it('pages the root connection by keyset cursor: every warning once, in id order, with the total', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total = -1;
    for (let page = 0; page < 100; page++) {
      const response: GraphQLResponse<{ earlyWarnings: Connection }> = await subgraph.query<{ earlyWarnings: Connection }>(
        `query ($after: String) { earlyWarnings(first: 7, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${WARNING_FIELDS} } } }`,
        { after },
      );
      expect(response.errors).toBeUndefined();
      const connection = response.data!.earlyWarnings;
      total = connection.totalCount;
      seen.push(...connection.nodes.map((node) => node.earlyWarningNo));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    const db = openDatabase(subgraph.databases.config, 'insights');
    const stored = (await db('early_warnings')
      .select('early_warning_no')
      .orderBy('id')
      .finally(() => db.destroy())) as { early_warning_no: string }[];
    expect(stored.length).toBeGreaterThan(7);
    expect(seen).toEqual(stored.map((row) => row.early_warning_no));
    expect(total).toBe(stored.length);
  });

  it('filters the connection by kind and counts only what matches', async () => {
    const response = await subgraph.query<{ earlyWarnings: Connection }>(
      `{ earlyWarnings(first: 200, filter: { kind: RENEWAL_DUE, status: OPEN }) { totalCount nodes { ${WARNING_FIELDS} } } }`,
    );
    expect(response.errors).toBeUndefined();
    const { nodes, totalCount } = response.data!.earlyWarnings;
    expect(nodes.every((node) => node.kind === 'RENEWAL_DUE' && node.status === 'OPEN')).toBe(true);
    expect(totalCount).toBe(nodes.length);
  });

  it('denies the money figures to a hotline agent and keeps the classification readable', async () => {
    const customer = subgraph.facts.customers[0]!;
    const response = await subgraph.query(
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { insight { classification figures { earnedPremium36m tenureYears } } } } }',
      { representations: [{ __typename: 'Customer', id: String(customer.id) }] },
      { role: 'HOTLINE_AGENT' },
    );
    const entity = (
      response.data?.['_entities'] as { insight: { classification: string; figures: { earnedPremium36m: number | null; tenureYears: number } } }[]
    )[0]!;
    expect(entity.insight.classification).toMatch(/^(BLACKLISTED|POOR|QUALITY|NORMAL)$/);
    expect(entity.insight.figures.earnedPremium36m).toBeNull();
    expect(entity.insight.figures.tenureYears).toBeGreaterThanOrEqual(0);
    expect(response.errors?.map((error) => error.extensions?.['code'])).toEqual(['FORBIDDEN_FIELD']);
  });

  it('answers a malformed cursor or warning number with BAD_USER_INPUT naming the argument', async () => {
    const cursor = await subgraph.query('{ earlyWarnings(after: "nope!") { totalCount } }');
    expect(cursor.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(cursor.errors?.[0]?.message).toContain('after');
    const number = await subgraph.query('{ earlyWarning(earlyWarningNo: "nope") { earlyWarningNo } }');
    expect(number.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(number.errors?.[0]?.message).toContain('earlyWarningNo');
  });

  it('keeps the read model from the same facts the other seeders use', () => {
    const facts = insightFactRows(subgraph.facts);
    expect(facts.customers).toHaveLength(CUSTOMERS);
    expect(facts.policies.length).toBe(subgraph.facts.policies.length);
    expect(facts.claims.length).toBe(subgraph.facts.claims.length);
  });
});
