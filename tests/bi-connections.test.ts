/**
 * BI through GraphQL (issue 11, "Connections at the root"): policies, claims, complaints and service requests
 * paged from the root with keyset cursors, through the gateway on SQLite and MariaDB. A scan sees every row
 * exactly once while rows are added during it; filters pick what a direct read of the store picks; totalCount
 * is what the pages add up to; BI gets sealed ids and cursors and pages with them; a branch-scoped role sees
 * records outside its branch decided as out of scope; bad arguments are BAD_USER_INPUT naming the argument.
 */
import { encodeCursor, SettableClock, unsealIdentifier, SEALED_IDENTIFIER_PREFIX, type Knex } from '@icg/shared';
import type { GraphQLResponse } from './support/graphql-client';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { isBackgroundStatement } from './support/statement-counter';
import { castFor, mutatePolicy, type PolicyCast } from './support/policy-workflow';
import { TEST_DIALECTS } from './support/test-database';
import { TEST_PSEUDONYM_SECRET, type ActingAs } from './support/test-security';

const CUSTOMERS = 40;
const PAGE = 7;
const START = '2026-12-01T02:00:00Z';
const BI_ANALYST: ActingAs = { role: 'BI_ANALYST' };

type Row = Record<string, unknown>;

const dayAfter = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** One root connection and the store behind it. */
interface ConnectionCase {
  root: string;
  filterType: string;
  subgraph: string;
  table: string;
  /** Values for the unique columns of a copy of a row given the new id (the copy keeps the rest). */
  uniqueColumns(id: number): Row;
  /** A status filter value present in the seed. */
  statusColumn: string;
  /** A date filter: the input field pair and the column it reads. */
  dateRange: { from: string; to: string; column: string };
}

const CASES: readonly ConnectionCase[] = [
  {
    root: 'policies',
    filterType: 'PolicyFilter',
    subgraph: 'policies',
    table: 'policies',
    uniqueColumns: (id) => ({ policy_no: `PZZ${String(id).padStart(12, '0')}` }),
    statusColumn: 'status',
    dateRange: { from: 'effectiveFrom', to: 'effectiveTo', column: 'effective_date' },
  },
  {
    root: 'claims',
    filterType: 'ClaimFilter',
    subgraph: 'claims',
    table: 'claims',
    uniqueColumns: (id) => ({ report_no: `RPT${String(id).padStart(12, '0')}`, registration_no: null, source_ticket_no: null }),
    statusColumn: 'status',
    dateRange: { from: 'reportedFrom', to: 'reportedTo', column: 'reported_at' },
  },
  {
    root: 'complaints',
    filterType: 'ComplaintFilter',
    subgraph: 'complaints',
    table: 'complaints',
    uniqueColumns: (id) => ({ complaint_no: `CP${String(id).padStart(12, '0')}`, source_ticket_no: null }),
    statusColumn: 'status',
    dateRange: { from: 'registeredFrom', to: 'registeredTo', column: 'registered_at' },
  },
  {
    root: 'serviceRequests',
    filterType: 'ServiceRequestFilter',
    subgraph: 'service-requests',
    table: 'service_requests',
    uniqueColumns: (id) => ({ ticket_no: `SR${String(id).padStart(12, '0')}`, spawned_claim_report_no: null, spawned_complaint_no: null }),
    statusColumn: 'status',
    dateRange: { from: 'openedFrom', to: 'openedTo', column: 'opened_at' },
  },
];

interface Page {
  totalCount?: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { id: string } }[];
}

const FILTER_TYPES = new Map(CASES.map((entry) => [entry.root, entry.filterType]));

const pageOperation = (root: string) =>
  `query ($first: Int, $after: String, $filter: ${FILTER_TYPES.get(root)!}) {
    ${root}(first: $first, after: $after, filter: $filter) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } }
  }`;

/** Every id in the table matching `where`, ascending, as strings. */
async function idsIn(db: Knex, table: string, where: (query: Knex.QueryBuilder) => void = () => undefined): Promise<string[]> {
  const rows = (await db(table).select('id').modify(where).orderBy('id', 'asc')) as { id: number | string }[];
  return rows.map((row) => String(row.id));
}

/** A DATE or DATETIME value as either dialect returns it, as `YYYY-MM-DD HH:MM:SS` UTC. */
const stamp = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value)).replace('T', ' ').slice(0, 19);

/**
 * Claims and complaints are rare in a small seeded company: copies of its records, spread over the seeded
 * branches and days, make enough of them to page through (the connection reads rows, however they came).
 */
async function topUp(graph: GraphUnderTest, entry: ConnectionCase, rows: number): Promise<void> {
  const db = graph.subgraphs[entry.subgraph]!.db;
  const templates = (await db(entry.table).orderBy('id', 'asc')) as Row[];
  const branches = (await graph.subgraphs['policies']!.db('policies').distinct('branch_id', 'branch_path').orderBy('branch_id')) as Row[];
  let id = Math.max(...templates.map((row) => Number(row['id'])));
  for (let index = templates.length; index < rows; index++) {
    const template = templates[index % templates.length]!;
    const branch = branches[index % branches.length]!;
    const day = template[entry.dateRange.column] ? stamp(template[entry.dateRange.column]) : '2026-06-01 09:00:00';
    const shifted = stamp(new Date(Date.parse(`${day.replace(' ', 'T')}Z`) - index * 86_400_000)).slice(0, entry.dateRange.column.endsWith('_date') ? 10 : 19);
    id += 1;
    await db(entry.table).insert({ ...template, id, ...entry.uniqueColumns(id), ...branch, [entry.dateRange.column]: shifted });
  }
}

function expectNoErrors(label: string, response: GraphQLResponse<unknown>): void {
  expect({ label, errors: response.errors }).toEqual({ label, errors: undefined });
}

describe.each(TEST_DIALECTS)('root BI connections through the gateway on %s', (dialect) => {
  let graph: GraphUnderTest;
  let cast: PolicyCast;
  const clock = new SettableClock(START);

  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: CUSTOMERS, clock, subgraphTimeoutMs: 30_000 });
    cast = await castFor(graph);
    for (const entry of CASES) await topUp(graph, entry, 60);
  }, 180_000);
  afterAll(() => graph?.close());

  /** Pages `root` to the end; `between` runs after each page (e.g. to insert rows). Returns the node ids in order. */
  async function scan(root: string, options: { filter?: Row; acting?: ActingAs; between?: (page: number) => Promise<void> } = {}): Promise<string[]> {
    const ids: string[] = [];
    for (let after: string | null = null, page = 1; ; page++) {
      const response: GraphQLResponse<Record<string, Page>> = await graph.query(
        pageOperation(root),
        { first: PAGE, after, filter: options.filter ?? null },
        options.acting,
      );
      expectNoErrors(`${root} page ${page}`, response);
      const connection = response.data![root]!;
      ids.push(...connection.edges.map((edge) => edge.node.id));
      if (!connection.pageInfo.hasNextPage) return ids;
      after = connection.pageInfo.endCursor;
      if (options.between) await options.between(page);
    }
  }

  async function totalCount(root: string, filter: Row | null = null): Promise<number> {
    const response = await graph.query<Record<string, { totalCount: number }>>(
      `query ($filter: ${FILTER_TYPES.get(root)!}) { ${root}(first: 1, filter: $filter) { totalCount } }`,
      { filter },
    );
    expectNoErrors(`${root} totalCount`, response);
    return response.data![root]!.totalCount;
  }

  describe.each(CASES.map((entry) => [entry.root, entry] as const))('%s', (_root, entry) => {
    const db = () => graph.subgraphs[entry.subgraph]!.db;

    it('pages through every row exactly once while rows are inserted during the scan, and totalCount is what the pages add up to', async () => {
      const before = await idsIn(db(), entry.table);
      expect(before.length).toBeGreaterThan(PAGE * 5);
      expect(await totalCount(entry.root)).toBe(before.length);
      const inserted: string[] = [];
      const seen = await scan(entry.root, {
        between: async (page) => {
          if (page % 2 === 0) return;
          // A copy of the newest row with the next id, as a new record would arrive while a BI tool extracts.
          const newest = (await db()(entry.table).orderBy('id', 'desc').first()) as Row;
          const id = Number(newest['id']) + 1;
          await db()(entry.table).insert({ ...newest, id, ...entry.uniqueColumns(id) });
          inserted.push(String(id));
        },
      });
      expect(inserted.length).toBeGreaterThan(2);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual([...seen].sort((a, b) => Number(a) - Number(b)));
      expect(seen).toEqual(await idsIn(db(), entry.table));
      expect(seen).toEqual(expect.arrayContaining([...before, ...inserted]));
      expect(await totalCount(entry.root)).toBe(seen.length);
    }, 120_000);

    it('reads a page in one statement however deep the cursor, and totalCount with one COUNT more', async () => {
      const ids = await idsIn(db(), entry.table);
      const operation = (withTotal: boolean) =>
        `query ($after: String) { ${entry.root}(first: ${PAGE}, after: $after) { ${withTotal ? 'totalCount' : ''} edges { node { id } } } }`;
      const statements = async (after: string | null, withTotal: boolean) => {
        const sql: string[] = [];
        const listener = (query: { sql: string }) => {
          if (!isBackgroundStatement(query.sql)) sql.push(query.sql);
        };
        db().on('query', listener);
        try {
          const response = await graph.query<Record<string, { edges: unknown[] }>>(operation(withTotal), { after });
          expectNoErrors('counted page', response);
          expect(response.data![entry.root]!.edges).toHaveLength(PAGE);
        } finally {
          db().off('query', listener);
        }
        return sql;
      };
      const deep = encodeCursor(ids[ids.length - PAGE - 1]!);
      const [firstPage, deepPage, counted] = [await statements(null, false), await statements(deep, false), await statements(deep, true)];
      expect(firstPage).toHaveLength(1);
      expect(deepPage).toHaveLength(1);
      expect(deepPage[0]).not.toMatch(/offset/i);
      expect(counted).toHaveLength(2);
      expect(counted.filter((sql) => /count\(/i.test(sql))).toHaveLength(1);
    });

    it('filters by branch subtree (a province, a city, head office), status and dates as a direct read of the store does', async () => {
      // A city branch's record (a complaint may be against a province), and the province and head office above it.
      const [somePath] = (await db()(entry.table).where('branch_path', 'like', '/%/%/%/').orderBy('id', 'asc').limit(1).pluck('branch_path')) as string[];
      const [, head, province, city] = somePath!.split('/');
      const subtree = (path: string) => (query: Knex.QueryBuilder) => query.where('branch_path', 'like', `${path}%`);
      for (const [branchId, path] of [
        [province!, `/${head}/${province}/`],
        [city!, `/${head}/${province}/${city}/`],
        [head!, `/${head}/`],
      ] as const) {
        const expected = await idsIn(db(), entry.table, subtree(path));
        expect(expected.length).toBeGreaterThan(0);
        expect({ branchId, ids: await scan(entry.root, { filter: { branchId } }) }).toEqual({ branchId, ids: expected });
        expect(await totalCount(entry.root, { branchId })).toBe(expected.length);
      }
      // A branch with nothing below it (or none at all) matches nothing.
      expect(await scan(entry.root, { filter: { branchId: '999999' } })).toEqual([]);

      const [status] = (await db()(entry.table).orderBy('id', 'desc').limit(1).pluck(entry.statusColumn)) as string[];
      expect(await scan(entry.root, { filter: { status } })).toEqual(await idsIn(db(), entry.table, (query) => query.where(entry.statusColumn, status!)));

      const days = (
        (await db()(entry.table).whereNotNull(entry.dateRange.column).orderBy(entry.dateRange.column, 'asc').pluck(entry.dateRange.column)) as (string | Date)[]
      ).map((value) => stamp(value).slice(0, 10));
      const from = days[Math.floor(days.length / 4)]!;
      const to = days[Math.floor((days.length * 3) / 4)]!;
      const inRange = await idsIn(db(), entry.table, (query) =>
        query.where(entry.dateRange.column, '>=', from).andWhere(entry.dateRange.column, '<', dayAfter(to)),
      );
      expect(inRange.length).toBeGreaterThan(0);
      expect(await scan(entry.root, { filter: { [entry.dateRange.from]: from, [entry.dateRange.to]: to } })).toEqual(inRange);
    }, 120_000);

    it('gives BI_ANALYST sealed ids and cursors, which it pages and filters with; a raw cursor from it is refused', async () => {
      const clear = await scan(entry.root, { filter: { branchId: cast.branchPath.split('/')[2] } });
      const operation = pageOperation(entry.root);
      const first = await graph.query<Record<string, Page>>(operation, { first: 3, filter: null }, BI_ANALYST);
      expectNoErrors('BI first page', first);
      const firstPage = first.data![entry.root]!;
      for (const value of [...firstPage.edges.map((edge) => edge.cursor), ...firstPage.edges.map((edge) => edge.node.id), firstPage.pageInfo.endCursor!])
        expect(value.startsWith(SEALED_IDENTIFIER_PREFIX)).toBe(true);
      const second = await graph.query<Record<string, Page>>(operation, { first: 3, after: firstPage.pageInfo.endCursor }, BI_ANALYST);
      expectNoErrors('BI second page', second);
      const opened = [...firstPage.edges, ...second.data![entry.root]!.edges].map((edge) => unsealIdentifier(TEST_PSEUDONYM_SECRET, edge.node.id));
      expect(opened).toEqual((await idsIn(db(), entry.table)).slice(0, 6));

      // A sealed branch id filters as the clear one does for others.
      const biBranch = (await graph.query<{ branches: { id: string }[] }>('{ branches { id } }', {}, BI_ANALYST)).data!.branches.find(
        (branch) => unsealIdentifier(TEST_PSEUDONYM_SECRET, branch.id) === cast.branchPath.split('/')[2],
      )!;
      const sealedIds = await scan(entry.root, { filter: { branchId: biBranch.id }, acting: BI_ANALYST });
      expect(sealedIds.map((id) => unsealIdentifier(TEST_PSEUDONYM_SECRET, id))).toEqual(clear);

      const clearCursor = (await graph.query<Record<string, Page>>(operation, { first: 1 })).data![entry.root]!.pageInfo.endCursor;
      const refused = await graph.query(operation, { first: 3, after: clearCursor }, BI_ANALYST);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
    }, 120_000);

    it('refuses bad arguments with BAD_USER_INPUT naming the argument', async () => {
      const operation = pageOperation(entry.root);
      const cases: [Row, string][] = [
        [{ first: 201 }, 'first'],
        [{ first: -1 }, 'first'],
        [{ first: 5, after: 'not-a-cursor!' }, 'after'],
        [{ first: 5, filter: { branchId: 'north' } }, 'filter.branchId'],
        [{ first: 5, filter: { [entry.dateRange.from]: '2026-13-45' } }, `filter.${entry.dateRange.from}`],
        [{ first: 5, filter: { [entry.dateRange.to]: '1 May' } }, `filter.${entry.dateRange.to}`],
        [{ first: 5, filter: { updatedSince: '2026-12-01 10:00' } }, 'filter.updatedSince'],
        [{ first: 5, filter: { updatedSince: '2026-12-01T10:00:00' } }, 'filter.updatedSince'],
      ];
      for (const [variables, argumentName] of cases) {
        const response = await graph.query(operation, variables);
        expect({ variables, data: response.data ?? null, error: response.errors?.[0]?.extensions }).toEqual({
          variables,
          data: null,
          error: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName }),
        });
      }
    });
  });

  it('policies: updatedSince returns what changed after the instant, a cancellation through the mutation included', async () => {
    const db = graph.subgraphs['policies']!.db;
    const policy = (await db('policies')
      .where({ customer_id: cast.customerId, status: 'IN_FORCE' })
      .where('expiry_date', '>', '2026-12-31')
      .orderBy('id', 'asc')
      .first()) as Row | undefined;
    expect(policy).toBeDefined();
    clock.set('2026-12-03T08:00:00Z');
    expect(await scan('policies', { filter: { updatedSince: '2026-12-03T08:00:00Z' } })).toEqual([]);
    clock.set('2026-12-03T09:30:00Z');
    const cancelled = await mutatePolicy(
      graph,
      'cancelPolicy',
      { policyNo: policy!['policy_no'], expectedVersion: Number(policy!['version']), reason: 'CUSTOMER_REQUEST' },
      cast.operator,
      'policyNo status',
    );
    expectNoErrors('cancelPolicy', cancelled);
    expect(await scan('policies', { filter: { updatedSince: '2026-12-03T08:00:00Z' } })).toEqual([String(policy!['id'])]);
    // The same instant in another zone; and one after the change finds nothing.
    expect(await scan('policies', { filter: { updatedSince: '2026-12-03T17:30:00+08:00' } })).toEqual([String(policy!['id'])]);
    expect(await scan('policies', { filter: { updatedSince: '2026-12-03T09:30:01Z' } })).toEqual([]);
    // A day means from its start in UTC, as bi:extract --since sends it.
    expect(await scan('policies', { filter: { updatedSince: '2026-12-03' } })).toEqual([String(policy!['id'])]);
    expect(await scan('policies', { filter: { updatedSince: '2026-12-04' } })).toEqual([]);
  }, 60_000);

  it('policies: an operator sees policies outside their branch decided as out of scope (premium masked), their own branch in clear', async () => {
    type Node = { id: string; lineOfBusiness: string; writtenPremium: number | null };
    const response = await graph.query<{ policies: { edges: { node: Node }[] } }>(
      '{ policies(first: 200) { edges { node { id lineOfBusiness writtenPremium } } } }',
      {},
      cast.operator,
    );
    const db = graph.subgraphs['policies']!.db;
    const paths = new Map(
      ((await db('policies').select('id', 'branch_path')) as { id: number | string; branch_path: string }[]).map((row) => [String(row.id), row.branch_path]),
    );
    const nodes = response.data!.policies.edges.map((edge) => edge.node);
    const inBranch = nodes.filter((node) => paths.get(node.id)!.startsWith(cast.branchPath));
    const outside = nodes.filter((node) => !paths.get(node.id)!.startsWith(cast.branchPath));
    expect(inBranch.length).toBeGreaterThan(0);
    expect(outside.length).toBeGreaterThan(0);
    // Business facts of every policy; the premium only of the branch's own.
    expect(nodes.every((node) => typeof node.lineOfBusiness === 'string')).toBe(true);
    expect(inBranch.every((node) => typeof node.writtenPremium === 'number')).toBe(true);
    expect(outside.every((node) => node.writtenPremium === null)).toBe(true);
    const denied = new Set((response.errors ?? []).filter((error) => error.extensions?.['code'] === 'FORBIDDEN_FIELD').map((error) => error.path?.[2]));
    expect(denied).toEqual(new Set(outside.map((node) => nodes.indexOf(node))));
  }, 60_000);
});
