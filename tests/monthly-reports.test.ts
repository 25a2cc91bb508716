/**
 * The monthly reports the documents name (issue 11): the complaint analysis (客户投诉分析表) of the complaints
 * subgraph and the customer-service analysis of the service-requests subgraph, through the gateway on SQLite and
 * MariaDB, with every figure worked out here from a fixture month.
 *
 * Fixture: March 2012, a month no seeded record uses, in the city of the seeded service-centre manager (C) and in two
 * provinces the seeded company does not have (900 with city 901, 910 with city 911), inserted into the subgraph's
 * store. Customers 91000001… are the fixture's own, so repeats depend only on it. Each combination of category, line
 * and channel lies in one city and one month, so a cell's suppression depends on its own size only.
 */
import type { Knex } from '@icg/shared';
import { DEFAULT_SEED, findStaff, generateOrg } from '@icg/synthetic';
import type { GraphQLResponse } from './support/graphql-client';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { TEST_DIALECTS } from './support/test-database';
import { AUDITOR, type ActingAs } from './support/test-security';

const MONTH = '2012-03';
const org = generateOrg(DEFAULT_SEED);
const MANAGER = findStaff(org, 'SERVICE_CENTER_MANAGER');
const SERVICE_CENTER_MANAGER: ActingAs = { role: 'SERVICE_CENTER_MANAGER', staffId: String(MANAGER.id) };
const BI_ANALYST: ActingAs = { role: 'BI_ANALYST' };
const HOTLINE_AGENT: ActingAs = { role: 'HOTLINE_AGENT' };
const EXECUTIVE_STAFF = findStaff(org, 'EXECUTIVE');
const EXECUTIVE: ActingAs = { role: 'EXECUTIVE', staffId: String(EXECUTIVE_STAFF.id) };
const CITY_C = { id: String(MANAGER.branchId), path: MANAGER.branchPath };
const CITY_901 = { id: '901', path: '/1/900/901/' };
const CITY_911 = { id: '911', path: '/1/910/911/' };

interface FixtureComplaint {
  key: string;
  city: { id: string; path: string };
  customer: number;
  combo: [category: string, line: string, source: string];
  /** Accepted and registered that day at 09:00, due 15 days later. */
  accepted: string;
  feedback?: string;
  withdrawn?: string;
  rootCause?: string;
}

const A: [string, string, string] = ['CLAIMS', 'MOTOR', 'HOTLINE'];
const B: [string, string, string] = ['SALES', 'PROPERTY', 'ONLINE'];
const C: [string, string, string] = ['SERVICE', 'LIABILITY', 'DIRECT'];
const COMPLAINTS: FixtureComplaint[] = [
  // Cell A (city 901, 6): due 03-20 … 03-25.
  { key: 'a1', city: CITY_901, customer: 91000001, combo: A, accepted: '2012-03-05', feedback: '2012-03-12 10:00:00', rootCause: 'CLAIMS_DELAY' },
  { key: 'a2', city: CITY_901, customer: 91000002, combo: A, accepted: '2012-03-06', feedback: '2012-03-25 09:00:00', rootCause: 'CLAIMS_DELAY' },
  { key: 'a3', city: CITY_901, customer: 91000003, combo: A, accepted: '2012-03-07', withdrawn: '2012-03-15 11:00:00' },
  { key: 'a4', city: CITY_901, customer: 91000004, combo: A, accepted: '2012-03-09' },
  { key: 'a5', city: CITY_901, customer: 91000005, combo: A, accepted: '2012-03-10', feedback: '2012-04-03 08:00:00', rootCause: 'CLAIMS_DELAY' },
  { key: 'a6', city: CITY_901, customer: 91000001, combo: A, accepted: '2012-03-10', feedback: '2012-03-20 16:00:00', rootCause: 'CLAIMS_AMOUNT_DISPUTE' },
  // Cell B (city 911, 2): due 03-16 and 03-17, both answered in time.
  { key: 'b1', city: CITY_911, customer: 91000011, combo: B, accepted: '2012-03-01', feedback: '2012-03-10 10:00:00', rootCause: 'SALES_MISREPRESENTATION' },
  { key: 'b2', city: CITY_911, customer: 91000012, combo: B, accepted: '2012-03-02', feedback: '2012-03-17 23:00:00', rootCause: 'SALES_MISREPRESENTATION' },
  // Cell C (the manager's city, 5): c5 due 03-16 and never answered; c1–c4 due in April.
  { key: 'c1', city: CITY_C, customer: 91000021, combo: C, accepted: '2012-03-20', feedback: '2012-03-28 10:00:00', rootCause: 'SERVICE_ATTITUDE' },
  { key: 'c2', city: CITY_C, customer: 91000022, combo: C, accepted: '2012-03-20', feedback: '2012-03-28 10:00:00', rootCause: 'SERVICE_ATTITUDE' },
  { key: 'c3', city: CITY_C, customer: 91000023, combo: C, accepted: '2012-03-20', feedback: '2012-03-29 10:00:00', rootCause: 'SERVICE_ATTITUDE' },
  { key: 'c4', city: CITY_C, customer: 91000024, combo: C, accepted: '2012-03-20', feedback: '2012-03-30 10:00:00', rootCause: 'COMMUNICATION_GAP' },
  { key: 'c5', city: CITY_C, customer: 91000025, combo: C, accepted: '2012-03-01' },
  // Outside March's registrations, each alone in its cell: a1's customer complained in June 2011 (a1 is a repeat),
  // a2's in February 2011 (13 months before: a2 is not); d1 was registered in February and is due on 03-11.
  { key: 'p1', city: CITY_911, customer: 91000001, combo: ['SERVICE', 'PROPERTY', 'LETTER'], accepted: '2011-06-01', feedback: '2011-06-05 10:00:00' },
  { key: 'p2', city: CITY_911, customer: 91000002, combo: ['UNDERWRITING', 'CARGO', 'MEDIA'], accepted: '2011-02-01', feedback: '2011-02-05 10:00:00' },
  {
    key: 'd1',
    city: CITY_911,
    customer: 91000031,
    combo: ['SURRENDER', 'ACCIDENT_HEALTH', 'REGULATOR_TRANSFER'],
    accepted: '2012-02-25',
    feedback: '2012-03-10 10:00:00',
  },
];

const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const COMPLAINT_ANALYSIS = `query ComplaintAnalysis($month: String!, $branchId: ID) {
  complaintAnalysis(month: $month, branchId: $branchId) {
    month
    minimumGroupSize
    cells { category lineOfBusiness source branch { id } branchLevel suppressed complaints overdue repeats }
    total { suppressed complaints overdue repeats }
    onTime { suppressed due onTime rate }
    rootCauses { rootCause complaints }
  }
}`;

interface Cell {
  category: string | null;
  lineOfBusiness: string | null;
  source: string | null;
  branch: { id: string } | null;
  branchLevel: number | null;
  suppressed: boolean;
  complaints: number | null;
  overdue: number | null;
  repeats: number | null;
}
interface ComplaintAnalysis {
  complaintAnalysis: {
    month: string;
    minimumGroupSize: number | null;
    cells: Cell[];
    total: Omit<Cell, 'category' | 'lineOfBusiness' | 'source' | 'branch' | 'branchLevel'>;
    onTime: { suppressed: boolean; due: number | null; onTime: number | null; rate: number | null };
    rootCauses: { rootCause: string; complaints: number }[];
  } | null;
}

async function insertComplaints(db: Knex): Promise<void> {
  const { max } = (await db.table('complaints').max({ max: 'id' }).first()) as { max: number | null };
  const branches = (await db.table('complaint_org_branches').select('path', 'level')) as { path: string; level: string }[];
  const levelAt = (depth: number) => branches.find((branch) => branch.path.split('/').filter(Boolean).length === depth)!.level;
  for (const [id, parent, path] of [
    ['900', '1', '/1/900/'],
    ['901', '900', '/1/900/901/'],
    ['910', '1', '/1/910/'],
    ['911', '910', '/1/910/911/'],
  ] as const) {
    await db.table('complaint_org_branches').insert({ id, parent_id: parent, path, level: levelAt(path.split('/').filter(Boolean).length) });
  }
  let id = Number(max ?? 0);
  for (const complaint of COMPLAINTS) {
    id += 1;
    const accepted = `${complaint.accepted} 09:00:00`;
    const decided = complaint.feedback ?? complaint.withdrawn ?? null;
    await db.table('complaints').insert({
      id,
      complaint_no: `CP${String(id).padStart(12, '9')}`,
      customer_id: complaint.customer,
      branch_id: complaint.city.id,
      branch_path: complaint.city.path,
      category: complaint.combo[0],
      line_of_business: complaint.combo[1],
      source: complaint.combo[2],
      source_ticket_no: null,
      policy_no: null,
      report_no: null,
      status: complaint.feedback ? 'FEEDBACK_GIVEN' : complaint.withdrawn ? 'HANDLED' : 'TRANSFERRED',
      accepted_at: accepted,
      verified_at: accepted,
      registered_at: accepted,
      handled_at: decided,
      feedback_at: complaint.feedback ?? null,
      withdrawn_at: complaint.withdrawn ?? null,
      archived_at: null,
      archived: false,
      complexity: 'SIMPLE',
      escalation_level: 'CITY',
      review_requested: false,
      deadline_days: 15,
      due_date: addDays(complaint.accepted, 15),
      outcome: complaint.withdrawn ? 'WITHDRAWN' : complaint.rootCause ? 'UPHELD' : null,
      root_cause: complaint.rootCause ?? null,
    });
  }
}

// --- The customer-service analysis --------------------------------------------------------------------------------

interface FixtureTicket {
  city: { id: string; path: string };
  type: string;
  channel: string;
  /** Minutes from opening (2012-03-05 10:00) to resolution; unresolved when absent. */
  resolvedAfter?: number;
  /** Minutes from opening to the SLA due time. */
  slaAfter: number;
  pausedMinutes?: number;
  calls?: { started: string; direction: 'INBOUND' | 'OUTBOUND'; answered: boolean }[];
  visits?: { scheduled: string; visited?: string; outcome?: string; satisfaction?: number }[];
}

const TICKETS: FixtureTicket[] = [
  // ENQUIRY by phone in city 901 (6): handling 30, 70 (90 less 20 paused), 300 (late), 210 (300 less 90 paused, within
  // the due time moved back by the pause), unresolved, 45 minutes. SLA met: 4 of 6.
  {
    city: CITY_901,
    type: 'ENQUIRY',
    channel: 'PHONE',
    resolvedAfter: 30,
    slaAfter: 240,
    calls: [
      { started: '2012-03-05 10:00:00', direction: 'INBOUND', answered: true },
      { started: '2012-03-05 11:00:00', direction: 'OUTBOUND', answered: true },
      { started: '2012-02-28 10:00:00', direction: 'INBOUND', answered: false },
    ],
    visits: [
      { scheduled: '2012-03-10 10:00:00', visited: '2012-03-12 10:00:00', outcome: 'REACHED', satisfaction: 5 },
      { scheduled: '2012-03-10 10:00:00', visited: '2012-03-20 10:00:00', outcome: 'REACHED', satisfaction: 4 },
    ],
  },
  {
    city: CITY_901,
    type: 'ENQUIRY',
    channel: 'PHONE',
    resolvedAfter: 90,
    pausedMinutes: 20,
    slaAfter: 240,
    calls: [
      { started: '2012-03-05 10:00:00', direction: 'INBOUND', answered: true },
      { started: '2012-03-06 10:00:00', direction: 'INBOUND', answered: false },
    ],
    visits: [{ scheduled: '2012-03-15 10:00:00', visited: '2012-03-16 10:00:00', outcome: 'NO_ANSWER' }],
  },
  {
    city: CITY_901,
    type: 'ENQUIRY',
    channel: 'PHONE',
    resolvedAfter: 300,
    slaAfter: 240,
    calls: [{ started: '2012-03-07 10:00:00', direction: 'INBOUND', answered: true }],
    visits: [{ scheduled: '2012-03-20 10:00:00', visited: '2012-03-21 10:00:00', outcome: 'REACHED', satisfaction: 5 }, { scheduled: '2012-03-25 10:00:00' }],
  },
  { city: CITY_901, type: 'ENQUIRY', channel: 'PHONE', resolvedAfter: 300, pausedMinutes: 90, slaAfter: 240 },
  { city: CITY_901, type: 'ENQUIRY', channel: 'PHONE', slaAfter: 240 },
  { city: CITY_901, type: 'ENQUIRY', channel: 'PHONE', resolvedAfter: 45, slaAfter: 240 },
  // Complaint calls in city 911 (2): 60 minutes (met) and 600 (late).
  {
    city: CITY_911,
    type: 'COMPLAINT',
    channel: 'PHONE',
    resolvedAfter: 60,
    slaAfter: 480,
    calls: [
      { started: '2012-03-05 10:00:00', direction: 'INBOUND', answered: true },
      { started: '2012-03-05 10:05:00', direction: 'INBOUND', answered: false },
    ],
  },
  { city: CITY_911, type: 'COMPLAINT', channel: 'PHONE', resolvedAfter: 600, slaAfter: 480 },
  // Renewals through the app in the manager's city (5): 10 … 50 minutes, all met.
  {
    city: CITY_C,
    type: 'RENEWAL',
    channel: 'APP',
    resolvedAfter: 10,
    slaAfter: 240,
    calls: [{ started: '2012-03-05 10:30:00', direction: 'INBOUND', answered: true }],
    visits: [{ scheduled: '2012-03-28 10:00:00', visited: '2012-03-29 10:00:00', outcome: 'REACHED', satisfaction: 3 }],
  },
  ...[20, 30, 40, 50].map((minutes) => ({ city: CITY_C, type: 'RENEWAL', channel: 'APP', resolvedAfter: minutes, slaAfter: 240 })),
];

const OPENED = Date.parse('2012-03-05T10:00:00Z');
const at = (minutes: number) => new Date(OPENED + minutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');

async function insertTickets(db: Knex): Promise<void> {
  const highest = async (table: string) => Number(((await db.table(table).max({ max: 'id' }).first()) as { max: number | null }).max ?? 0);
  let ticketId = await highest('service_requests');
  let callId = await highest('call_records');
  let visitId = await highest('return_visits');
  let customer = 92000000;
  for (const ticket of TICKETS) {
    ticketId += 1;
    customer += 1;
    const resolved = ticket.resolvedAfter === undefined ? null : at(ticket.resolvedAfter);
    await db.table('service_requests').insert({
      id: ticketId,
      ticket_no: `SR${String(ticketId).padStart(12, '9')}`,
      channel: ticket.channel,
      type: ticket.type,
      status: resolved ? 'RESOLVED' : 'IN_PROGRESS',
      priority: 'NORMAL',
      subject: 'fixture',
      customer_id: customer,
      branch_id: ticket.city.id,
      branch_path: ticket.city.path,
      opened_at: at(0),
      resolved_at: resolved,
      sla_due_at: at(ticket.slaAfter),
      sla_paused_minutes: ticket.pausedMinutes ?? 0,
    });
    for (const call of ticket.calls ?? []) {
      callId += 1;
      await db.table('call_records').insert({
        id: callId,
        service_request_id: ticketId,
        direction: call.direction,
        started_at: call.started,
        answered_at: call.answered ? call.started : null,
        wait_seconds: 20,
        duration_seconds: call.answered ? 120 : 0,
        answered_by_agent: call.answered,
      });
    }
    for (const visit of ticket.visits ?? []) {
      visitId += 1;
      await db.table('return_visits').insert({
        id: visitId,
        service_request_id: ticketId,
        scheduled_for: visit.scheduled,
        visited_at: visit.visited ?? null,
        outcome: visit.outcome ?? null,
        satisfaction: visit.satisfaction ?? null,
      });
    }
  }
}

const SERVICE_ANALYSIS = `query CustomerServiceAnalysis($month: String!, $branchId: ID) {
  customerServiceAnalysis(month: $month, branchId: $branchId) {
    month
    minimumGroupSize
    tickets { type channel suppressed tickets slaMet slaMetRate averageHandlingMinutes p90HandlingMinutes }
    total { suppressed tickets slaMet slaMetRate averageHandlingMinutes p90HandlingMinutes }
    complaintCalls
    hotline { suppressed inboundCalls answeredByAgent answerRate }
    returnVisits { suppressed due doneWithin7Days rate }
    satisfaction { score suppressed visits }
  }
}`;

interface TicketCell {
  type?: string | null;
  channel?: string | null;
  suppressed: boolean;
  tickets: number | null;
  slaMet: number | null;
  slaMetRate: number | null;
  averageHandlingMinutes: number | null;
  p90HandlingMinutes: number | null;
}
interface ServiceAnalysis {
  customerServiceAnalysis: {
    month: string;
    minimumGroupSize: number | null;
    tickets: TicketCell[];
    total: TicketCell;
    complaintCalls: number | null;
    hotline: { suppressed: boolean; inboundCalls: number | null; answeredByAgent: number | null; answerRate: number | null };
    returnVisits: { suppressed: boolean; due: number | null; doneWithin7Days: number | null; rate: number | null };
    satisfaction: { score: number; suppressed: boolean; visits: number | null }[];
  } | null;
}

describe.each(TEST_DIALECTS)('monthly reports through the gateway on %s', (dialect) => {
  let graph: GraphUnderTest;

  const ask = async (acting: ActingAs, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<ComplaintAnalysis>> =>
    graph.query<ComplaintAnalysis>(COMPLAINT_ANALYSIS, { month: MONTH, ...variables }, acting);
  const analysis = async (acting: ActingAs, variables: Record<string, unknown> = {}) => {
    const response = await ask(acting, variables);
    expect(response.errors).toBeUndefined();
    return response.data!.complaintAnalysis!;
  };
  const askService = async (acting: ActingAs, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<ServiceAnalysis>> =>
    graph.query<ServiceAnalysis>(SERVICE_ANALYSIS, { month: MONTH, ...variables }, acting);
  const serviceAnalysis = async (acting: ActingAs, variables: Record<string, unknown> = {}) => {
    const response = await askService(acting, variables);
    expect(response.errors).toBeUndefined();
    return response.data!.customerServiceAnalysis!;
  };
  const cellOf = (cells: Cell[], combo: [string, string, string]) =>
    cells.filter((cell) => cell.category === combo[0] && cell.lineOfBusiness === combo[1] && cell.source === combo[2]);

  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: 20 });
    const complaints = graph.subgraphs.complaints!.db;
    // The fixture month is the fixture's alone: no seeded complaint is accepted in 2011 or 2012.
    const seeded = (await complaints.table('complaints').where('accepted_at', '<', '2013-01-01').count({ n: '*' }).first()) as { n: number | string };
    expect(Number(seeded.n)).toBe(0);
    await insertComplaints(complaints);
    const tickets = graph.subgraphs['service-requests']!.db;
    const seededTickets = (await tickets.table('service_requests').where('opened_at', '<', '2013-01-01').count({ n: '*' }).first()) as { n: number | string };
    expect(Number(seededTickets.n)).toBe(0);
    await insertTickets(tickets);
  }, 240_000);
  afterAll(() => graph?.close());

  it('gives the auditor every figure of the complaint analysis, as worked out by hand', async () => {
    const report = await analysis(AUDITOR);
    expect(report.month).toBe(MONTH);
    expect(report.minimumGroupSize).toBeNull();
    // Registered in March: A 6, B 2, C 5; p1, p2 and d1 belong to other months.
    expect(report.cells).toHaveLength(3);
    expect(cellOf(report.cells, A)).toEqual([
      // Overdue at the month's end: a4 (never answered) and a5 (answered on 04-03); a2 was late but answered in March.
      // Repeats: a1 (its customer complained in June 2011) and a6 (the same customer's a1, five days before).
      {
        category: 'CLAIMS',
        lineOfBusiness: 'MOTOR',
        source: 'HOTLINE',
        branch: { id: '901' },
        branchLevel: 3,
        suppressed: false,
        complaints: 6,
        overdue: 2,
        repeats: 2,
      },
    ]);
    expect(cellOf(report.cells, B)).toEqual([expect.objectContaining({ branch: { id: '911' }, complaints: 2, overdue: 0, repeats: 0 })]);
    // c5 was due on 03-16 and never answered; c1–c4 are due in April.
    expect(cellOf(report.cells, C)).toEqual([expect.objectContaining({ branch: { id: CITY_C.id }, complaints: 5, overdue: 1, repeats: 0 })]);
    expect(report.total).toEqual({ suppressed: false, complaints: 13, overdue: 3, repeats: 2 });
    // Due in March: A's 6, B's 2, c5 and d1 = 10; on time: a1, a3 (withdrawn), a6, b1, b2 (on its due day), d1 = 6.
    expect(report.onTime).toEqual({ suppressed: false, due: 10, onTime: 6, rate: 0.6 });
    expect(report.rootCauses).toEqual([
      { rootCause: 'CLAIMS_DELAY', complaints: 3 },
      { rootCause: 'SERVICE_ATTITUDE', complaints: 3 },
      { rootCause: 'SALES_MISREPRESENTATION', complaints: 2 },
      { rootCause: 'CLAIMS_AMOUNT_DISPUTE', complaints: 1 },
      { rootCause: 'COMMUNICATION_GAP', complaints: 1 },
    ]);
    // One org unit: province 900 is city 901's cell alone.
    const province = await analysis(AUDITOR, { branchId: '900' });
    expect(province.cells).toHaveLength(1);
    expect(province.total).toEqual({ suppressed: false, complaints: 6, overdue: 2, repeats: 2 });
    expect(province.onTime).toEqual({ suppressed: false, due: 6, onTime: 3, rate: 0.5 });
  });

  it('limits the service-centre manager to their own org unit', async () => {
    const report = await analysis(SERVICE_CENTER_MANAGER);
    expect(report.minimumGroupSize).toBeNull();
    expect(report.cells).toEqual([expect.objectContaining({ branch: { id: CITY_C.id }, complaints: 5, overdue: 1, repeats: 0 })]);
    expect(report.onTime).toEqual({ suppressed: false, due: 1, onTime: 0, rate: 0 });
    expect(report.rootCauses).toEqual([
      { rootCause: 'SERVICE_ATTITUDE', complaints: 3 },
      { rootCause: 'COMMUNICATION_GAP', complaints: 1 },
    ]);
    // Another org unit's complaints are outside their scope: nothing of them is counted.
    const elsewhere = await analysis(SERVICE_CENTER_MANAGER, { branchId: '900' });
    expect(elsewhere.cells).toEqual([]);
    expect(elsewhere.total.complaints).toBe(0);
    expect(elsewhere.onTime.due).toBe(0);
  });

  it('gives an executive suppressed figures of their own org unit only', async () => {
    const report = await analysis(EXECUTIVE);
    expect(report.minimumGroupSize).toBe(5);
    // Their branch's subtree: none of the fixture provinces' cells, and the manager's city only if it is theirs.
    const theirs = (path: string) => path.startsWith(EXECUTIVE_STAFF.branchPath);
    const expected = [CITY_901, CITY_911, CITY_C].filter((city) => theirs(city.path)).map((city) => city.id);
    expect(report.cells.map((cell) => cell.branch?.id)).toEqual(expected);
    const service = await serviceAnalysis(EXECUTIVE);
    expect(service.minimumGroupSize).toBe(5);
    expect(service.tickets.length).toBe(expected.length);
  });

  it('suppresses a cell of fewer than k complaints for the BI analyst', async () => {
    const report = await analysis(BI_ANALYST);
    expect(report.minimumGroupSize).toBe(5);
    const [shown] = cellOf(report.cells, A);
    expect(shown).toMatchObject({ suppressed: false, complaints: 6, overdue: 2, repeats: 2 });
    // City 911's two sales complaints: no figures, and the month's total, which would give them back, neither.
    expect(cellOf(report.cells, B)).toEqual([expect.objectContaining({ suppressed: true, complaints: null, overdue: null, repeats: null })]);
    expect(report.total).toEqual({ suppressed: true, complaints: null, overdue: null, repeats: null });
    // Ranked root causes are groups of at least k: the two sales misrepresentations are not among them.
    expect(report.rootCauses.map((cause) => cause.rootCause)).not.toContain('SALES_MISREPRESENTATION');
  });

  it('refuses a role without the right to complaint statistics', async () => {
    const response = await ask(HOTLINE_AGENT);
    expect(response.data?.complaintAnalysis ?? null).toBeNull();
    expect(response.errors?.[0]?.message).toMatch(/complaintAnalysis/);
  });

  it('gives the auditor every figure of the customer-service analysis, as worked out by hand', async () => {
    const report = await serviceAnalysis(AUDITOR);
    expect(report.month).toBe(MONTH);
    expect(report.minimumGroupSize).toBeNull();
    const byCell = new Map(report.tickets.map((cell) => [`${cell.type}/${cell.channel}`, cell]));
    expect(byCell.size).toBe(3);
    // Resolved: 30, 70, 300, 210, 45 minutes; met: the 30, 70, 210 (its deadline moved back by 90 paused) and 45.
    expect(byCell.get('ENQUIRY/PHONE')).toMatchObject({ suppressed: false, tickets: 6, slaMet: 4, averageHandlingMinutes: 131, p90HandlingMinutes: null });
    expect(byCell.get('ENQUIRY/PHONE')!.slaMetRate).toBeCloseTo(4 / 6, 6);
    expect(byCell.get('COMPLAINT/PHONE')).toMatchObject({ tickets: 2, slaMet: 1, slaMetRate: 0.5, averageHandlingMinutes: 330 });
    expect(byCell.get('RENEWAL/APP')).toMatchObject({ tickets: 5, slaMet: 5, slaMetRate: 1, averageHandlingMinutes: 30 });
    // 12 resolved tickets, 1,465 minutes; sorted 10 20 30 30 40 45 50 60 70 210 300 600: the 11th (⌈0.9 × 12⌉) is 300.
    expect(report.total).toMatchObject({ suppressed: false, tickets: 13, slaMet: 10, averageHandlingMinutes: 122.08, p90HandlingMinutes: 300 });
    expect(report.total.slaMetRate).toBeCloseTo(10 / 13, 6);
    expect(report.complaintCalls).toBe(2);
    // March's inbound calls: 4 in city 901 (the February one is not March's), 2 in 911, 1 in the manager's city;
    // answered by an agent: 2 + 1 in 901, 1 in 911, 1 = 5 (the outbound call is the centre's own).
    expect(report.hotline).toMatchObject({ suppressed: false, inboundCalls: 7, answeredByAgent: 5 });
    expect(report.hotline.answerRate).toBeCloseTo(5 / 7, 6);
    // Six visits scheduled in March; reached within 7 days: 03-10→03-12, 03-20→03-21, 03-28→03-29 (not the one after
    // 10 days, the unanswered one nor the one not yet made).
    expect(report.returnVisits).toEqual({ suppressed: false, due: 6, doneWithin7Days: 3, rate: 0.5 });
    expect(report.satisfaction).toEqual([
      { score: 3, suppressed: false, visits: 1 },
      { score: 4, suppressed: false, visits: 1 },
      { score: 5, suppressed: false, visits: 2 },
    ]);
    // One org unit: province 900 is city 901's enquiries alone; p90 of 30 45 70 210 300 is the 5th.
    const province = await serviceAnalysis(AUDITOR, { branchId: '900' });
    expect(province.tickets).toHaveLength(1);
    expect(province.total).toMatchObject({ tickets: 6, slaMet: 4, averageHandlingMinutes: 131, p90HandlingMinutes: 300 });
    expect(province.hotline).toMatchObject({ inboundCalls: 4, answeredByAgent: 3 });
    expect(province.returnVisits).toMatchObject({ due: 5, doneWithin7Days: 2 });
  });

  it('limits the service-centre manager to their own org unit in the customer-service analysis', async () => {
    const report = await serviceAnalysis(SERVICE_CENTER_MANAGER);
    expect(report.tickets).toEqual([expect.objectContaining({ type: 'RENEWAL', channel: 'APP', tickets: 5, slaMet: 5 })]);
    // 10 20 30 40 50: the 5th is 50.
    expect(report.total).toMatchObject({ tickets: 5, averageHandlingMinutes: 30, p90HandlingMinutes: 50 });
    expect(report.complaintCalls).toBe(0);
    expect(report.hotline).toEqual({ suppressed: false, inboundCalls: 1, answeredByAgent: 1, answerRate: 1 });
    expect(report.returnVisits).toEqual({ suppressed: false, due: 1, doneWithin7Days: 1, rate: 1 });
    expect(report.satisfaction).toEqual([{ score: 3, suppressed: false, visits: 1 }]);
    const elsewhere = await serviceAnalysis(SERVICE_CENTER_MANAGER, { branchId: '900' });
    expect(elsewhere.tickets).toEqual([]);
    expect(elsewhere.total.tickets).toBe(0);
    expect(elsewhere.hotline.inboundCalls).toBe(0);
  });

  it('suppresses the two complaint calls for the BI analyst and withholds the p90', async () => {
    const report = await serviceAnalysis(BI_ANALYST);
    expect(report.minimumGroupSize).toBe(5);
    expect(report.tickets.find((cell) => cell.type === 'COMPLAINT' && cell.channel === 'PHONE')).toEqual(
      expect.objectContaining({ suppressed: true, tickets: null, slaMet: null, averageHandlingMinutes: null }),
    );
    expect(report.complaintCalls).toBeNull();
    expect(report.total.p90HandlingMinutes).toBeNull();
  });

  it('refuses a role without the right to customer-service statistics', async () => {
    const response = await askService(HOTLINE_AGENT);
    expect(response.data?.customerServiceAnalysis ?? null).toBeNull();
    expect(response.errors?.[0]?.message).toMatch(/customerServiceAnalysis/);
  });
});
