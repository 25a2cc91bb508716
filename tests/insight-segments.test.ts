/**
 * BI selects customers by segment (issue 11, "Connections at the root … segment"): `customerInsights` pages the
 * insights read model by classification, band and branch subtree, through the gateway on SQLite and MariaDB. The
 * pages hold what a direct read of the store holds, once each; totalCount is what they add up to; each node's
 * `customer` joins the rest of the graph; BI gets sealed keys and pages with sealed cursors; a band the rules do not
 * have is BAD_USER_INPUT naming the field.
 */
import { unsealIdentifier, SEALED_IDENTIFIER_PREFIX, type Knex } from '@icg/shared';
import type { GraphQLResponse } from './support/graphql-client';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { TEST_DIALECTS } from './support/test-database';
import { TEST_PSEUDONYM_SECRET, type ActingAs } from './support/test-security';

const BI_ANALYST: ActingAs = { role: 'BI_ANALYST' };
const PAGE = 6;

const PAGE_QUERY = `query Segment($first: Int, $after: String, $filter: CustomerInsightFilter) {
  customerInsights(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { customerId classification valueSegment loyaltySegment customer { id customerNo } } }
  }
}`;

interface InsightNode {
  customerId: string;
  classification: string;
  valueSegment: string | null;
  loyaltySegment: string | null;
  customer: { id: string; customerNo: string | null };
}
interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: InsightNode }[];
}

describe.each(TEST_DIALECTS)('customers by segment (customerInsights) through the gateway on %s', (dialect) => {
  let graph: GraphUnderTest;
  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: 40 });
  }, 180_000);
  afterAll(async () => graph?.close());

  const insights = (): Knex => graph.subgraphs['insights']!.db;

  /** Every page of the filter, as the caller; the nodes in order and the totalCount of each page. */
  async function scan(filter: Record<string, unknown>, acting?: ActingAs): Promise<{ nodes: InsightNode[]; totals: number[] }> {
    const nodes: InsightNode[] = [];
    const totals: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page += 1) {
      const response: GraphQLResponse<{ customerInsights: Page }> = await graph.query<{ customerInsights: Page }>(
        PAGE_QUERY,
        { first: PAGE, after, filter },
        acting,
      );
      expect(response.errors).toBeUndefined();
      const connection: Page = response.data!.customerInsights;
      nodes.push(...connection.edges.map((edge) => edge.node));
      totals.push(connection.totalCount);
      if (!connection.pageInfo.hasNextPage) return { nodes, totals };
      after = connection.pageInfo.endCursor;
    }
    throw new Error('more than 100 pages');
  }

  async function storedIds(where: (query: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<string[]> {
    const rows = (await where(insights()('customer_insights').select('customer_id')).orderBy('customer_id')) as { customer_id: number | string }[];
    return rows.map((row) => String(row.customer_id));
  }

  it('pages a value band and a loyalty band as the store holds them, once each, with their customers joined', async () => {
    // The most populated bands, so the scan runs over several pages.
    const largest = async (column: string): Promise<string> =>
      (
        (await insights()('customer_insights').whereNotNull(column).select(column).count({ n: '*' }).groupBy(column).orderBy('n', 'desc')) as Record<
          string,
          string
        >[]
      )[0]![column]!;
    const valueBand = await largest('value_segment');
    const loyaltyBand = await largest('loyalty_segment');
    const expected = await storedIds((query) => query.where('value_segment', valueBand));
    expect(expected.length).toBeGreaterThan(PAGE);

    const { nodes, totals } = await scan({ valueSegment: valueBand });
    expect(nodes.map((node) => node.customerId)).toEqual(expected);
    expect(new Set(totals)).toEqual(new Set([expected.length]));
    expect(nodes.every((node) => node.valueSegment === valueBand)).toBe(true);
    // The customer comes from the customers system: its number is the one on file.
    const numbers = new Map(
      (
        (await graph.subgraphs['customers']!.db('customers').whereIn('id', expected).select('id', 'customer_no')) as {
          id: number | string;
          customer_no: string;
        }[]
      ).map((row) => [String(row.id), row.customer_no]),
    );
    for (const node of nodes) expect(node.customer).toEqual({ id: node.customerId, customerNo: numbers.get(node.customerId) });

    const both = await scan({ valueSegment: valueBand, loyaltySegment: loyaltyBand });
    expect(both.nodes.map((node) => node.customerId)).toEqual(
      await storedIds((query) => query.where('value_segment', valueBand).andWhere('loyalty_segment', loyaltyBand)),
    );
  });

  it('filters by classification and by a branch subtree as a direct read of the store does', async () => {
    const [{ classification }] = (await insights()('customer_insights').select('classification').groupBy('classification').orderByRaw('count(*) desc')) as {
      classification: string;
    }[];
    expect((await scan({ classification })).nodes.map((node) => node.customerId)).toEqual(
      await storedIds((query) => query.where('classification', classification)),
    );
    const { branch_path: path } = (await insights()('customer_insights').whereNotNull('branch_path').first('branch_path')) as { branch_path: string };
    // The province the first customer is in (paths are /<head office>/<province>/<city>/…).
    const province = path.split('/').filter(Boolean)[1]!;
    const prefix = `/${path.split('/').filter(Boolean).slice(0, 2).join('/')}/`;
    const inProvince = await storedIds((query) => query.where('branch_path', 'like', `${prefix}%`));
    expect(inProvince.length).toBeGreaterThan(0);
    expect((await scan({ branchId: province })).nodes.map((node) => node.customerId)).toEqual(inProvince);
    expect((await scan({ branchId: province, classification })).nodes.map((node) => node.customerId)).toEqual(
      await storedIds((query) => query.where('branch_path', 'like', `${prefix}%`).andWhere('classification', classification)),
    );
  });

  it('gives BI_ANALYST sealed keys and cursors, which page the same customers', async () => {
    const [{ value_segment: band }] = (await insights()('customer_insights')
      .whereNotNull('value_segment')
      .select('value_segment')
      .groupBy('value_segment')
      .orderByRaw('count(*) desc')) as {
      value_segment: string;
    }[];
    const { nodes } = await scan({ valueSegment: band }, BI_ANALYST);
    expect(nodes.length).toBeGreaterThan(PAGE);
    for (const node of nodes) {
      expect(node.customerId.startsWith(SEALED_IDENTIFIER_PREFIX)).toBe(true);
      expect(node.customer.id.startsWith(SEALED_IDENTIFIER_PREFIX)).toBe(true);
      expect(unsealIdentifier(TEST_PSEUDONYM_SECRET, node.customer.id)).toBe(unsealIdentifier(TEST_PSEUDONYM_SECRET, node.customerId));
    }
    expect(nodes.map((node) => unsealIdentifier(TEST_PSEUDONYM_SECRET, node.customerId))).toEqual(
      await storedIds((query) => query.where('value_segment', band)),
    );
  });

  it('refuses a band the rules do not have, a bad cursor and a bad branch with BAD_USER_INPUT naming the field', async () => {
    for (const [variables, argumentName] of [
      [{ filter: { valueSegment: 'GOLD' } }, 'filter.valueSegment'],
      [{ filter: { loyaltySegment: 'TOP' } }, 'filter.loyaltySegment'],
      [{ after: 'not-a-cursor' }, 'after'],
      [{ filter: { branchId: 'x' } }, 'filter.branchId'],
    ] as const) {
      const response = await graph.query(PAGE_QUERY, { first: PAGE, ...variables });
      expect(response.data?.customerInsights ?? null).toBeNull();
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
      expect(response.errors?.[0]?.message).toContain(argumentName);
    }
  });
});
