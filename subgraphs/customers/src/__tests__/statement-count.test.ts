import { encodeCursor, type Knex } from '@icg/shared';
import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { countStatements } from '../../../../tests/support/statement-counter';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { TEST_STORE } from './test-store';

/** Enough organisations (about 15 %) for a page of 50 of them. */
const CUSTOMERS = 600;

/**
 * Each query reaches each loader from one field path only. A loader reached from two paths batches
 * once or twice depending on when the two parent queries return, and a memoising loader skips keys it
 * already holds; with one path per loader the statement count is a function of the query alone,
 * which is what "no N+1" promises.
 */
const CUSTOMER_REFERENCE_CASES: [string, string][] = [
  [
    'own records, branch and primary manager',
    `branch { name parent { name } children { id } }
     primaryManager { grade staff { name } gradeHistory { year grade } portfolio(first: 2) { totalCount nodes { id } } }
     addresses { fullAddress } household { size members { name } minors { name } } businessProfile { industry employees }
     managerAssignments { isPrimary from to } visitReports { month visitCount } blacklistEntries { status reason }
     pendingChangeRequests { field status }`,
  ],
  ['managers of assignments', 'managerAssignments { manager { grade staff { name } } }'],
  ['managers of visit reports', 'visitReports { manager { grade } }'],
  ['blacklist proposers and approvers', 'blacklistEntries { proposedBy { name } approvedBy { name } }'],
  ['change request submitters and reviewers', 'pendingChangeRequests { submittedBy { name } reviewedBy { name } }'],
];

describe.each(TEST_DIALECTS)('SQL statements per request on %s (no N+1)', (dialect) => {
  let crm: SeededSubgraph;
  /** Five customers that between them have every kind of child record, then 45 more. */
  let richFive: string[];
  let fifty: string[];
  let firstOrganisationInAGroup: number;

  beforeAll(async () => {
    crm = await startSeededSubgraph({ ...TEST_STORE, dialect, customers: CUSTOMERS });
    const db = crm.running.db;
    const firstCustomerWhere = async (table: string, where: (query: Knex.QueryBuilder) => Knex.QueryBuilder) => {
      const row = (await where(db.table(table).first('customer_id').orderBy('customer_id'))) as { customer_id: number | string } | undefined;
      return Number(row!.customer_id);
    };
    firstOrganisationInAGroup = await firstCustomerWhere('business_profiles', (query) => query.whereNotNull('group_parent_customer_id'));
    const rich = [
      await firstCustomerWhere('blacklist_entries', (query) => query.whereNotNull('approved_by_staff_id')),
      await firstCustomerWhere('customer_change_requests', (query) => query.where('status', 'RETURNED')),
      await firstCustomerWhere('visit_reports', (query) => query),
      await firstCustomerWhere('household_members', (query) => query.where('relationship', 'CHILD')),
      firstOrganisationInAGroup,
    ].map(String);
    const others = crm.facts.customers.map((fact) => String(fact.id)).filter((id) => !rich.includes(id));
    richFive = [...new Set(rich), ...others].slice(0, 5);
    fifty = [...new Set([...richFive, ...others])].slice(0, 50);
  }, 120_000);
  afterAll(async () => crm?.close());

  async function statementsFor(query: string, variables: Record<string, unknown>, check: (data: Record<string, unknown>) => void): Promise<number> {
    return countStatements([crm.running.db], async () => {
      const response = await crm.query(query, variables);
      expect(response.errors).toBeUndefined();
      check(response.data!);
    });
  }

  const resolvedEntities = (expected: number) => (data: Record<string, unknown>) => {
    expect((data['_entities'] as unknown[]).filter((entity) => entity !== null)).toHaveLength(expected);
  };

  it.each(CUSTOMER_REFERENCE_CASES)('resolves 50 customer references with their %s in as many statements as 5', async (_label, fields) => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id ${fields} } } }`;
    const representations = (ids: string[]) => ids.map((id) => ({ __typename: 'Customer', id }));
    const forFive = await statementsFor(query, { r: representations(richFive) }, resolvedEntities(5));
    const forFifty = await statementsFor(query, { r: representations(fifty) }, resolvedEntities(50));
    // The reference batch plus at least one batch for the records asked for.
    expect(forFive).toBeGreaterThan(1);
    expect(forFifty).toBe(forFive);
  });

  it('pages 50 organisations with their group parents in as many statements as 5', async () => {
    const query = `query($first: Int, $after: String) { customers(first: $first, after: $after, filter: { kind: ORGANISATION }) {
      nodes { id businessProfile { industry groupParent { name branch { name } } } }
    } }`;
    // Start the page at an organisation that belongs to a group, so both pages reach every loader.
    const after = encodeCursor(firstOrganisationInAGroup - 1);
    const pageOf = (expected: number) => (data: Record<string, unknown>) => {
      const nodes = (data['customers'] as { nodes: { businessProfile: { groupParent: unknown } }[] }).nodes;
      expect(nodes).toHaveLength(expected);
      expect(nodes[0]!.businessProfile.groupParent).not.toBeNull();
    };
    const forFive = await statementsFor(query, { first: 5, after }, pageOf(5));
    const forFifty = await statementsFor(query, { first: 50, after }, pageOf(50));
    expect(forFifty).toBe(forFive);
  });

  it('pages 50 customers with their records in as many statements as 5', async () => {
    const [, ownRecords] = CUSTOMER_REFERENCE_CASES[0]!;
    const query = `query($first: Int, $after: String) { customers(first: $first, after: $after) { totalCount nodes { id ${ownRecords} } } }`;
    // From an organisation on, so the first five include a business profile and a managed customer.
    const after = encodeCursor(firstOrganisationInAGroup - 1);
    const pageOf = (expected: number) => (data: Record<string, unknown>) => {
      const nodes = (data['customers'] as { nodes: { businessProfile: unknown; primaryManager: unknown }[] }).nodes;
      expect(nodes).toHaveLength(expected);
      expect(nodes.slice(0, 5).some((node) => node.businessProfile !== null) && nodes.slice(0, 5).some((node) => node.primaryManager !== null)).toBe(true);
    };
    const forFive = await statementsFor(query, { first: 5, after }, pageOf(5));
    const forFifty = await statementsFor(query, { first: 50, after }, pageOf(50));
    expect(forFifty).toBe(forFive);
  });

  it("pages 50 managers' portfolios in as many statements as 5", async () => {
    const managersWithCustomers = [...new Set(crm.facts.customers.map((fact) => fact.primaryManagerStaffId).filter((id): id is number => id !== null))];
    expect(managersWithCustomers.length).toBeGreaterThanOrEqual(50);
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on CustomerManager {
      grade staff { name branch { name } } gradeHistory { grade }
      portfolio(first: 3) { totalCount pageInfo { hasNextPage } nodes { id addresses { line } } }
    } } }`;
    const managers = (count: number) => managersWithCustomers.slice(0, count).map((id) => ({ __typename: 'CustomerManager', id: String(id) }));
    const forFive = await statementsFor(query, { r: managers(5) }, resolvedEntities(5));
    const forFifty = await statementsFor(query, { r: managers(50) }, resolvedEntities(50));
    expect(forFifty).toBe(forFive);
  });

  it('counts a connection only when totalCount is asked for', async () => {
    const withoutCount = await statementsFor('{ customers(first: 10) { nodes { id } } }', {}, () => undefined);
    const withCount = await statementsFor('{ customers(first: 10) { totalCount nodes { id } } }', {}, (data) =>
      expect(data['customers']).toMatchObject({ totalCount: CUSTOMERS }),
    );
    expect(withoutCount).toBe(1);
    expect(withCount).toBe(2);
  });
});
