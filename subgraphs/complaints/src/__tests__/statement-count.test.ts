import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { countStatements } from '../../../../tests/support/statement-counter';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import type { ComplaintRow } from '../records';
import { COMPLAINT_FIELDS, type ComplaintView } from './complaint-view';
import { TEST_STORE } from './test-store';

/** The customer 360 view's complaints panel: every complaint of each customer, with steps and extensions. */
const CUSTOMERS_WITH_COMPLAINTS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id complaints { ${COMPLAINT_FIELDS} } } } }`;
const COMPLAINTS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Complaint { ${COMPLAINT_FIELDS} } } }`;

describe.each(TEST_DIALECTS)('complaints subgraph statement count on %s', (dialect) => {
  let graph: SeededSubgraph;
  let rows: ComplaintRow[];

  beforeAll(async () => {
    graph = await startSeededSubgraph({ ...TEST_STORE, dialect });
    rows = await graph.running.db.table('complaints').orderBy('id');
  });

  afterAll(async () => {
    await graph?.close();
  });

  /** Statements the subgraph issues to answer the query, and the answer. */
  async function measure<TData>(query: string, representations: object[]): Promise<{ statements: number; data: TData }> {
    let data: TData | undefined;
    const statements = await countStatements([graph.running.db], async () => {
      const response = await graph.query<TData>(query, { r: representations });
      expect(response.errors).toBeUndefined();
      data = response.data!;
    });
    return { statements, data: data! };
  }

  it('answers 50 customers’ complaints with their steps and extensions in as many statements as 5', async () => {
    const complainants = [...new Set(rows.map((row) => String(row.customer_id)))];
    expect(complainants.length).toBeGreaterThanOrEqual(50);
    const representations = (count: number) => complainants.slice(0, count).map((id) => ({ __typename: 'Customer', id }));

    const five = await measure<{ _entities: { complaints: ComplaintView[] }[] }>(CUSTOMERS_WITH_COMPLAINTS, representations(5));
    const fifty = await measure<{ _entities: { complaints: ComplaintView[] }[] }>(CUSTOMERS_WITH_COMPLAINTS, representations(50));

    const fiftysComplaints = fifty.data._entities.flatMap((customer) => customer.complaints);
    expect(fiftysComplaints.length).toBeGreaterThanOrEqual(50);
    expect(fiftysComplaints.flatMap((complaint) => complaint.steps).length).toBeGreaterThan(fiftysComplaints.length);
    expect(fiftysComplaints.some((complaint) => complaint.extensions.length > 0)).toBe(true);
    // One statement per kind: complaints by customer, their steps, their extensions.
    expect(five.statements).toBe(3);
    expect(fifty.statements).toBe(five.statements);
  });

  it('resolves 50 complaint references with their steps and extensions in as many statements as 5', async () => {
    const representations = (count: number) => rows.slice(0, count).map((row) => ({ __typename: 'Complaint', complaintNo: row.complaint_no }));

    const five = await measure<{ _entities: ComplaintView[] }>(COMPLAINTS, representations(5));
    const fifty = await measure<{ _entities: ComplaintView[] }>(COMPLAINTS, representations(50));

    expect(fifty.data._entities.map((complaint) => complaint.complaintNo)).toEqual(rows.slice(0, 50).map((row) => row.complaint_no));
    expect(five.statements).toBe(3);
    expect(fifty.statements).toBe(five.statements);
  });
});
