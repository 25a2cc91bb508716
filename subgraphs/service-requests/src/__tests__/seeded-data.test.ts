import { BUSINESS_NUMBERS, SERVICE_REQUEST_STATUSES, SERVICE_REQUEST_TYPES, isValidMobile } from '@icg/shared';
import { DEFAULT_AS_OF, type ComplaintFact } from '@icg/synthetic';
import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { CALL_DIRECTIONS, RETURN_VISIT_OUTCOMES, SERVICE_REQUEST_CHANNELS, SERVICE_REQUEST_PRIORITIES } from '../tables';
import { TEST_STORE } from './test-store';
import { ticketsOf, type TicketView } from './ticket-view';

const CUSTOMERS = 300;
const MINUTE_MS = 60_000;
const time = (iso: string): number => Date.parse(iso);
/** Fact timestamps are `YYYY-MM-DD HH:MM:SS` UTC. */
const factTime = (value: string): number => Date.parse(`${value.replace(' ', 'T')}Z`);

describe.each(TEST_DIALECTS)('seeded hotline data (%s)', (dialect) => {
  let seeded: SeededSubgraph;
  let tickets: TicketView[];

  beforeAll(async () => {
    seeded = await startSeededSubgraph({ ...TEST_STORE, dialect, customers: CUSTOMERS, batchSize: Math.ceil(CUSTOMERS / 3) });
    tickets = await ticketsOf(
      seeded,
      seeded.facts.customers.map((customer) => customer.id),
    );
  });

  afterAll(async () => {
    await seeded?.close();
  });

  it('covers every ticket type, status, channel and priority, and both call directions', () => {
    expect(new Set(tickets.map((ticket) => ticket.type))).toEqual(new Set(SERVICE_REQUEST_TYPES));
    expect(new Set(tickets.map((ticket) => ticket.status))).toEqual(new Set(SERVICE_REQUEST_STATUSES));
    expect(new Set(tickets.map((ticket) => ticket.channel))).toEqual(new Set(SERVICE_REQUEST_CHANNELS));
    expect(new Set(tickets.map((ticket) => ticket.priority))).toEqual(new Set(SERVICE_REQUEST_PRIORITIES));
    expect(new Set(tickets.flatMap((ticket) => ticket.callRecords.map((call) => call.direction)))).toEqual(new Set(CALL_DIRECTIONS));
  });

  it('writes valid, unique ticket numbers and real-looking callers', () => {
    expect(new Set(tickets.map((ticket) => ticket.ticketNo)).size).toBe(tickets.length);
    for (const ticket of tickets) {
      expect(ticket.ticketNo).toMatch(BUSINESS_NUMBERS.ticketNo.pattern);
      expect(ticket.callerName).toMatch(/^[\u4e00-\u9fa5]{2,4}$/);
      expect(isValidMobile(ticket.callerMobile!)).toBe(true);
      expect(ticket.subject).not.toContain(ticket.callerName!);
      expect(ticket.description!.length).toBeGreaterThan(10);
    }
  });

  it("files every ticket under its customer's branch, with the customer's own policies", () => {
    const customers = new Map(seeded.facts.customers.map((customer) => [String(customer.id), customer]));
    const policies = new Map(seeded.facts.policies.map((policy) => [policy.policyNo, policy]));
    for (const ticket of tickets) {
      const customer = customers.get(ticket.customer.id)!;
      expect(ticket.branch.id).toBe(String(customer.branchId));
      if (ticket.policy) expect(policies.get(ticket.policy.policyNo)?.customerId).toBe(customer.id);
      if (ticket.type === 'RESCUE') expect(policies.get(ticket.policy!.policyNo)?.lineOfBusiness).toBe('MOTOR');
    }
  });

  it('opens a claim-report ticket for most claims, just before the claim was reported', () => {
    const byClaim = new Map(tickets.filter((ticket) => ticket.spawnedClaim).map((ticket) => [ticket.spawnedClaim!.reportNo, ticket]));
    const claims = seeded.facts.claims;
    expect(claims.length).toBeGreaterThan(50);
    expect(byClaim.size / claims.length).toBeGreaterThan(0.6);
    expect(byClaim.size / claims.length).toBeLessThan(0.8);
    const reported = claims.filter((claim) => byClaim.has(claim.reportNo));
    let surveyorWithinTenMinutes = 0;
    let surveyorCalls = 0;
    for (const claim of reported) {
      const ticket = byClaim.get(claim.reportNo)!;
      expect({ type: ticket.type, channel: ticket.channel, customer: ticket.customer.id, policy: ticket.policy?.policyNo }).toEqual({
        type: 'CLAIM_REPORT',
        channel: 'PHONE',
        customer: String(claim.customerId),
        policy: claim.policyNo,
      });
      const openedBeforeReport = factTime(claim.reportedAt) - time(ticket.openedAt);
      expect(openedBeforeReport).toBeGreaterThan(0);
      expect(openedBeforeReport).toBeLessThanOrEqual(10 * MINUTE_MS);
      if (claim.status === 'REPORTED') expect(ticket.firstResponseAt).toBeNull();
      if (ticket.firstResponseAt) {
        surveyorCalls++;
        if (time(ticket.firstResponseAt) - factTime(claim.reportedAt) <= 10 * MINUTE_MS) surveyorWithinTenMinutes++;
      }
    }
    // The surveyor should call within 10 minutes of the report; most do.
    expect(surveyorWithinTenMinutes / surveyorCalls).toBeGreaterThan(0.8);
    expect(surveyorWithinTenMinutes).toBeLessThan(surveyorCalls);
  });

  it("opens a complaint ticket for about half the complaints, registered during the ticket's work", () => {
    const byComplaint = new Map(tickets.filter((ticket) => ticket.spawnedComplaint).map((ticket) => [ticket.spawnedComplaint!.complaintNo, ticket]));
    const complaints: ComplaintFact[] = seeded.facts.complaints;
    expect(byComplaint.size).toBeGreaterThan(0);
    expect(byComplaint.size).toBeLessThan(complaints.length);
    for (const complaint of complaints.filter((entry) => byComplaint.has(entry.complaintNo))) {
      const ticket = byComplaint.get(complaint.complaintNo)!;
      expect(ticket.type).toBe('COMPLAINT');
      expect(ticket.customer.id).toBe(String(complaint.customerId));
      expect(ticket.firstResponseAt).toBe(new Date(factTime(complaint.acceptedAt)).toISOString().replace('.000', ''));
    }
    expect(tickets.filter((ticket) => ticket.type === 'COMPLAINT')).toHaveLength(byComplaint.size);
    expect(tickets.filter((ticket) => ticket.type === 'CLAIM_REPORT')).toHaveLength(tickets.filter((ticket) => ticket.spawnedClaim).length);
  });

  it("keeps every ticket's timestamps in workflow order and in line with its status", () => {
    const order = ['openedAt', 'triagedAt', 'assignedAt', 'firstResponseAt', 'resolvedAt', 'closedAt'] as const;
    const reached: Record<string, number> = { NEW: 1, TRIAGED: 2, ASSIGNED: 3, IN_PROGRESS: 4, PENDING_CUSTOMER: 4, RESOLVED: 5, CLOSED: 6 };
    for (const ticket of tickets) {
      const stamps = order.map((field) => ticket[field]);
      // Exactly the steps up to the current status have happened.
      expect(stamps.map((stamp) => stamp !== null)).toEqual(order.map((_, index) => index < reached[ticket.status]!));
      const present = stamps.filter((stamp): stamp is string => stamp !== null).map(time);
      expect(present).toEqual([...present].sort((a, b) => a - b));
      expect(present[present.length - 1]!).toBeLessThanOrEqual(DEFAULT_AS_OF.getTime());
      expect(ticket.pendingSince !== null).toBe(ticket.status === 'PENDING_CUSTOMER');
      if (ticket.pendingSince) expect(time(ticket.pendingSince)).toBeGreaterThanOrEqual(time(ticket.firstResponseAt!));
      expect(ticket.assignee !== null).toBe(ticket.assignedAt !== null);
      expect(time(ticket.slaDueAt)).toBeGreaterThan(time(ticket.openedAt));
    }
  });

  it('pauses the SLA clock only for tickets that waited for the customer', () => {
    const paused = tickets.filter((ticket) => ticket.slaPausedMinutes > 0);
    expect(paused.length).toBeGreaterThan(0);
    for (const ticket of paused) expect(['POLICY_SERVICE', 'ENQUIRY', 'RENEWAL', 'RETURN_VISIT', 'COMPLAINT']).toContain(ticket.type);
    const resolved = tickets.filter((ticket) => ticket.resolvedAt);
    const breached = resolved.filter((ticket) => ticket.slaBreached);
    expect(breached.length).toBeGreaterThan(0);
    expect(breached.length / resolved.length).toBeLessThan(0.3);
    for (const ticket of resolved) {
      const deadline = time(ticket.slaDueAt) + ticket.slaPausedMinutes * MINUTE_MS;
      // Paused minutes are whole minutes; allow the seconds they drop.
      if (time(ticket.resolvedAt!) > deadline + MINUTE_MS) expect(ticket.slaBreached).toBe(true);
      if (time(ticket.resolvedAt!) <= deadline) expect(ticket.slaBreached).toBe(false);
    }
  });

  it('staffs tickets and calls with head-office hotline agents', () => {
    const agents = new Set(seeded.org.staff.filter((member) => member.role === 'HOTLINE_AGENT' && member.branchId === 1).map((member) => String(member.id)));
    expect(agents.size).toBeGreaterThan(0);
    for (const ticket of tickets) {
      if (ticket.assignee) expect(agents).toContain(ticket.assignee.id);
      for (const call of ticket.callRecords) if (call.agent) expect(agents).toContain(call.agent.id);
      for (const visit of ticket.returnVisits) expect(agents).toContain(visit.agent!.id);
    }
  });

  it('records calls that add up, mostly answered within the 60-second target', () => {
    const calls = tickets.flatMap((ticket) => ticket.callRecords);
    const inbound = calls.filter((call) => call.direction === 'INBOUND');
    const answeredInbound = inbound.filter((call) => call.answeredByAgent);
    expect(answeredInbound.filter((call) => call.waitSeconds <= 60).length / answeredInbound.length).toBeGreaterThan(0.85);
    expect(answeredInbound.some((call) => call.waitSeconds > 60)).toBe(true);
    expect(inbound.some((call) => !call.answeredByAgent)).toBe(true);
    for (const call of calls) {
      if (call.answeredByAgent) {
        expect(time(call.answeredAt!) - time(call.startedAt)).toBe(call.waitSeconds * 1000);
        expect(call.recordingUrl).toMatch(/^https:\/\/.+\.wav$/);
        if (call.endedAt) expect(time(call.endedAt) - time(call.answeredAt!)).toBe(call.durationSeconds! * 1000);
        expect(call.agent).not.toBeNull();
      } else {
        expect({ answeredAt: call.answeredAt, durationSeconds: call.durationSeconds, recordingUrl: call.recordingUrl }).toEqual({
          answeredAt: null,
          durationSeconds: 0,
          recordingUrl: null,
        });
        if (call.direction === 'INBOUND') expect(call.agent).toBeNull();
      }
    }
    // Tickets opened by phone start with the caller's call; digital ones have no opening call.
    for (const ticket of tickets.filter((entry) => entry.channel !== 'PHONE'))
      expect(ticket.callRecords.every((call) => time(call.startedAt) > time(ticket.openedAt))).toBe(true);
    for (const ticket of tickets.filter((entry) => entry.channel === 'PHONE' && entry.type !== 'RETURN_VISIT')) {
      expect(ticket.callRecords.some((call) => call.direction === 'INBOUND' && call.answeredAt === ticket.openedAt)).toBe(true);
    }
  });

  it('records return visits with outcomes, satisfaction and notes only once made', () => {
    const visited = tickets.filter((ticket) => ticket.returnVisits.length > 0);
    expect(visited.some((ticket) => ticket.type === 'RETURN_VISIT')).toBe(true);
    expect(visited.some((ticket) => ticket.type !== 'RETURN_VISIT')).toBe(true);
    const outcomes = new Set<string | null>();
    const scores = new Set<number>();
    for (const ticket of visited) {
      for (const visit of ticket.returnVisits) {
        outcomes.add(visit.outcome);
        expect(visit.outcome !== null).toBe(visit.visitedAt !== null);
        expect(visit.notes !== null).toBe(visit.visitedAt !== null);
        expect(visit.satisfaction !== null).toBe(visit.outcome === 'REACHED');
        if (visit.satisfaction !== null) scores.add(visit.satisfaction);
        if (visit.visitedAt) {
          expect(time(visit.visitedAt)).toBeLessThanOrEqual(DEFAULT_AS_OF.getTime());
          // Every attempt is a logged outbound call.
          expect(ticket.callRecords.some((call) => call.direction === 'OUTBOUND' && (call.answeredAt ?? call.endedAt) === visit.visitedAt)).toBe(true);
        }
        if (ticket.type !== 'RETURN_VISIT') {
          expect(time(visit.scheduledFor)).toBeGreaterThan(time(ticket.resolvedAt!));
          if (ticket.closedAt && visit.visitedAt) expect(time(visit.visitedAt)).toBeLessThan(time(ticket.closedAt));
        }
      }
    }
    expect(outcomes).toEqual(new Set([...RETURN_VISIT_OUTCOMES, null]));
    expect(scores).toEqual(new Set([1, 2, 3, 4, 5]));
  });
});
