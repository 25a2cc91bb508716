import { addDays, isoDate, toIsoDate, toIsoTimestamp } from '@icg/shared';
import { DEFAULT_AS_OF } from '@icg/synthetic';
import { serveTestSubgraph, startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { createComplaintsSubgraph } from '../index';
import type { ComplaintRow } from '../records';
import { COMPLAINT_FIELDS, type ComplaintView } from './complaint-view';
import { TEST_STORE } from './test-store';

const DAY_MS = 86_400_000;

const COMPLAINT_BY_NO = `query($no: String!) { complaint(complaintNo: $no) { ${COMPLAINT_FIELDS} } }`;
const COMPLAINT_BY_ID = `query($id: ID!) { complaintById(id: $id) { ${COMPLAINT_FIELDS} } }`;
const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Complaint { complaintNo status }
  ... on Customer { id complaints { complaintNo status acceptedAt } }
} }`;

interface EntitiesData {
  _entities: ({ complaintNo: string; status: string } | { id: string; complaints: { complaintNo: string; status: string; acceptedAt: string }[] } | null)[];
}

describe.each(TEST_DIALECTS)('complaints subgraph over HTTP on %s', (dialect) => {
  let graph: SeededSubgraph;
  let rows: ComplaintRow[];

  beforeAll(async () => {
    graph = await startSeededSubgraph({ ...TEST_STORE, dialect });
    rows = await graph.running.db.table('complaints').orderBy('id');
  });

  afterAll(async () => {
    await graph?.close();
  });

  const complaintRow = (predicate: (row: ComplaintRow) => boolean): ComplaintRow => {
    const row = rows.find(predicate);
    if (!row) throw new Error('the seeded register has no complaint for this test');
    return row;
  };

  async function complaintByNo(complaintNo: string): Promise<ComplaintView> {
    const response = await graph.query<{ complaint: ComplaintView }>(COMPLAINT_BY_NO, { no: complaintNo });
    expect(response.errors).toBeUndefined();
    return response.data!.complaint;
  }

  it('answers complaint(complaintNo) with the register’s record, its complainant and the entities it refers to', async () => {
    const row = complaintRow((candidate) => candidate.status === 'ARCHIVED' && candidate.report_no !== null);
    const fact = graph.facts.complaints.find((candidate) => candidate.complaintNo === row.complaint_no)!;
    const customer = graph.facts.customers.find((candidate) => candidate.id === fact.customerId)!;
    const claim = graph.facts.claims.find((candidate) => candidate.reportNo === fact.reportNo)!;

    const complaint = await complaintByNo(fact.complaintNo);

    expect(complaint).toMatchObject({
      id: String(fact.id),
      complaintNo: fact.complaintNo,
      complainantName: customer.name,
      complainantMobile: customer.mobile,
      customer: { id: String(customer.id) },
      respondentBranch: { id: String(claim.branchId) },
      respondentStaff: claim.handlerStaffId === null ? null : { id: String(claim.handlerStaffId) },
      claim: { reportNo: claim.reportNo },
      policy: { policyNo: claim.policyNo },
      category: 'CLAIMS',
      status: 'ARCHIVED',
      archived: true,
      acceptedAt: toIsoTimestamp(fact.acceptedAt),
      handler: fact.handlerStaffId === null ? null : { id: String(fact.handlerStaffId) },
    });
    expect(complaint.outcome).not.toBeNull();
    expect(complaint.rootCause).not.toBeNull();
    expect(complaint.facts).toContain(claim.reportNo);
  });

  it('lists every workflow step reached, in order, at the complaint’s own timestamps', async () => {
    const row = complaintRow((candidate) => candidate.status === 'ARCHIVED');
    const complaint = await complaintByNo(row.complaint_no);

    expect(complaint.steps.map((step) => step.step)).toEqual(['ACCEPT', 'VERIFY', 'REGISTER', 'TRANSFER', 'COORDINATE', 'HANDLE', 'FEEDBACK', 'ARCHIVE']);
    expect(complaint.steps.map((step) => step.form)).toEqual(['REGISTRATION', 'VERIFICATION', 'REGISTRATION', 'TRANSFER', null, 'HANDLING', 'HANDLING', null]);
    expect(complaint.steps.map((step) => step.at)).toEqual([
      complaint.acceptedAt,
      complaint.verifiedAt,
      complaint.registeredAt,
      complaint.transferredAt,
      complaint.coordinatedAt,
      complaint.handledAt,
      complaint.feedbackAt,
      complaint.archivedAt,
    ]);
    const times = complaint.steps.map((step) => Date.parse(step.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(times).size).toBe(times.length);
    expect(complaint.steps.every((step) => step.actor !== null && /[\u4e00-\u9fff]/.test(step.note ?? ''))).toBe(true);

    const open = await complaintByNo(complaintRow((candidate) => candidate.status === 'TRANSFERRED').complaint_no);
    expect(open.steps.map((step) => step.step)).toEqual(['ACCEPT', 'VERIFY', 'REGISTER', 'TRANSFER']);
    expect([open.coordinatedAt, open.handledAt, open.feedbackAt, open.archivedAt, open.outcome]).toEqual([null, null, null, null, null]);
  });

  it('shows the deadline: 15 days plus granted extensions, the due date and the warning at 80 % of the deadline', async () => {
    const row = complaintRow((candidate) => candidate.complexity === 'ESPECIALLY_COMPLEX' && candidate.deadline_days === 60);
    const complaint = await complaintByNo(row.complaint_no);

    expect(complaint.extensions.map((extension) => extension.days)).toEqual([15, 30]);
    expect(complaint.deadlineDays).toBe(60);
    const accepted = new Date(complaint.acceptedAt);
    expect(complaint.dueDate).toBe(isoDate(addDays(accepted, 60)));
    expect(complaint.deadlineWarningAt).toBe(toIsoTimestamp(new Date(accepted.getTime() + 48 * DAY_MS)));
    for (const extension of complaint.extensions) {
      expect(Date.parse(extension.approvedAt)).toBeGreaterThan(accepted.getTime());
      expect(extension.approvedBy).not.toBeNull();
      expect(extension.reason).toMatch(/[\u4e00-\u9fff]/);
    }

    const simple = await complaintByNo(complaintRow((candidate) => candidate.complexity === 'SIMPLE').complaint_no);
    expect(simple.extensions).toEqual([]);
    expect(simple.deadlineDays).toBe(15);
    expect(simple.deadlineWarningAt).toBe(toIsoTimestamp(new Date(Date.parse(simple.acceptedAt) + 12 * DAY_MS)));
  });

  it('flags a complaint overdue once its due date has passed without the decision being notified', async () => {
    const open = complaintRow((candidate) => candidate.feedback_at === null);
    const onTime = complaintRow((candidate) => candidate.feedback_at !== null && toIsoDate(candidate.feedback_at)! <= toIsoDate(candidate.due_date)!);
    const late = complaintRow((candidate) => candidate.feedback_at !== null && toIsoDate(candidate.feedback_at)! > toIsoDate(candidate.due_date)!);
    const query = `query($no: String!, $before: String!, $after: String!) {
      complaint(complaintNo: $no) { before: overdue(asOf: $before) after: overdue(asOf: $after) }
    }`;
    const around = (row: ComplaintRow) => ({
      no: row.complaint_no,
      before: `${toIsoDate(row.due_date)}T23:59:59Z`,
      after: `${isoDate(addDays(new Date(`${toIsoDate(row.due_date)}T00:00:00Z`), 1))}T00:00:00Z`,
    });

    const answers = await Promise.all([open, onTime, late].map((row) => graph.query<{ complaint: { before: boolean; after: boolean } }>(query, around(row))));

    expect(answers.map((answer) => answer.data?.complaint)).toEqual([
      { before: false, after: true },
      { before: false, after: false },
      { before: false, after: true },
    ]);
  });

  it('judges overdue as of now when no asOf is given', async () => {
    const openPastDue = complaintRow(
      (candidate) => candidate.feedback_at === null && `${toIsoDate(candidate.due_date)}T23:59:59Z` < DEFAULT_AS_OF.toISOString(),
    );
    const notifiedOnTime = complaintRow((candidate) => candidate.feedback_at !== null && toIsoDate(candidate.feedback_at)! < toIsoDate(candidate.due_date)!);
    const query = 'query($no: String!) { complaint(complaintNo: $no) { overdue } }';

    const [overdue, notOverdue] = await Promise.all(
      [openPastDue, notifiedOnTime].map((row) => graph.query<{ complaint: { overdue: boolean } }>(query, { no: row.complaint_no })),
    );

    expect(overdue.data?.complaint.overdue).toBe(true);
    expect(notOverdue.data?.complaint.overdue).toBe(false);
  });

  it('answers complaintById with the same complaint as its number', async () => {
    const row = complaintRow((candidate) => candidate.status === 'HANDLED');
    const byId = await graph.query<{ complaintById: ComplaintView }>(COMPLAINT_BY_ID, { id: String(row.id) });
    expect(byId.errors).toBeUndefined();
    expect(byId.data!.complaintById).toEqual(await complaintByNo(row.complaint_no));
  });

  it('answers null for a well-formed number or id that is not in the register', async () => {
    const [byNo, byId] = await Promise.all([graph.query(COMPLAINT_BY_NO, { no: 'CP999999999999' }), graph.query(COMPLAINT_BY_ID, { id: '999999999999' })]);
    expect(byNo).toMatchObject({ data: { complaint: null } });
    expect(byId).toMatchObject({ data: { complaintById: null } });
    expect(byNo.errors).toBeUndefined();
    expect(byId.errors).toBeUndefined();
  });

  it.each([
    ['complaintNo', COMPLAINT_BY_NO, { no: 'CP123' }],
    ['complaintNo', COMPLAINT_BY_NO, { no: 'cp000000000011' }],
    ['complaintNo', COMPLAINT_BY_NO, { no: "CP000000000011' OR 1=1" }],
    ['id', COMPLAINT_BY_ID, { id: 'abc' }],
    ['id', COMPLAINT_BY_ID, { id: '-5' }],
    ['id', COMPLAINT_BY_ID, { id: '0' }],
  ])('refuses a malformed %s as BAD_USER_INPUT naming the argument (%#)', async (argumentName, query, variables) => {
    const response = await graph.query(query, variables);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
  });

  it.each(['yesterday', '2026-02-30T00:00:00Z', '2026-11-01 00:00:00', '2026-11-01T00:00:00+08:00'])(
    'refuses overdue(asOf: %p) as BAD_USER_INPUT naming asOf',
    async (asOf) => {
      const row = rows[0]!;
      const response = await graph.query('query($no: String!, $asOf: String) { complaint(complaintNo: $no) { overdue(asOf: $asOf) } }', {
        no: row.complaint_no,
        asOf,
      });
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'asOf' });
    },
  );

  it('resolves Complaint references by number, in order, with null for unknown numbers', async () => {
    const [first, second] = [rows[0]!, rows[rows.length - 1]!];
    const response = await graph.query<EntitiesData>(ENTITIES, {
      r: [
        { __typename: 'Complaint', complaintNo: first.complaint_no },
        { __typename: 'Complaint', complaintNo: 'CP999999999999' },
        { __typename: 'Complaint', complaintNo: second.complaint_no },
      ],
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities).toEqual([
      { complaintNo: first.complaint_no, status: first.status },
      null,
      { complaintNo: second.complaint_no, status: second.status },
    ]);
  });

  it('refuses a malformed key in a representation as BAD_USER_INPUT', async () => {
    const response = await graph.query(ENTITIES, { r: [{ __typename: 'Complaint', complaintNo: 'NOT-A-NUMBER' }] });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'representations' });
    const customer = await graph.query(ENTITIES, { r: [{ __typename: 'Customer', id: 'x1' }] });
    expect(customer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'representations' });
  });

  it('lists a customer’s complaints newest first, filtered by status, and none for a customer without any', async () => {
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(String(row.customer_id), (counts.get(String(row.customer_id)) ?? 0) + 1);
    const repeatComplainant = [...counts].find(([, count]) => count > 1)![0];
    const theirs = rows.filter((row) => String(row.customer_id) === repeatComplainant);
    const silentCustomer = graph.facts.customers.find((customer) => !counts.has(String(customer.id)))!;

    const response = await graph.query<EntitiesData>(ENTITIES, {
      r: [
        { __typename: 'Customer', id: repeatComplainant },
        { __typename: 'Customer', id: String(silentCustomer.id) },
      ],
    });

    expect(response.errors).toBeUndefined();
    const [listed, none] = response.data!._entities as { id: string; complaints: { complaintNo: string; acceptedAt: string }[] }[];
    expect(listed!.complaints.map((complaint) => complaint.complaintNo).sort()).toEqual(theirs.map((row) => row.complaint_no).sort());
    const accepted = listed!.complaints.map((complaint) => complaint.acceptedAt);
    expect([...accepted].sort().reverse()).toEqual(accepted);
    expect(none).toEqual({ id: String(silentCustomer.id), complaints: [] });

    const status = theirs[0]!.status;
    const filtered = await graph.query<{ _entities: { complaints: { status: string }[] }[] }>(
      'query($r: [_Any!]!, $status: ComplaintStatus) { _entities(representations: $r) { ... on Customer { complaints(status: $status) { status } } } }',
      { r: [{ __typename: 'Customer', id: repeatComplainant }], status },
    );
    expect(filtered.data!._entities[0]!.complaints).toEqual(theirs.filter((row) => row.status === status).map(() => ({ status })));
  });

  it('places the deadline warning at the configured share of the deadline', async () => {
    const halfway = await serveTestSubgraph(createComplaintsSubgraph({ deadlineWarningPercent: 50 }), graph.databases.config);
    try {
      const row = complaintRow((candidate) => candidate.deadline_days === 30);
      const response = await halfway.query<{ complaint: { acceptedAt: string; deadlineWarningAt: string } }>(
        'query($no: String!) { complaint(complaintNo: $no) { acceptedAt deadlineWarningAt } }',
        { no: row.complaint_no },
      );
      const { acceptedAt, deadlineWarningAt } = response.data!.complaint;
      expect(Date.parse(deadlineWarningAt) - Date.parse(acceptedAt)).toBe(15 * DAY_MS);
    } finally {
      await halfway.close();
    }
  });
});
