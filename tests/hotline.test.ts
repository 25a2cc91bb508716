/**
 * The hotline's workflow through the gateway (issue 10, "Hotline"; DOMAIN.md section 4): a ticket of every type
 * opened, worked through new → triaged → assigned → in progress → (pending customer, the SLA clock stopped) →
 * resolved → closed and reopened, on a clock the test moves; every illegal step refused with the state and what is
 * allowed next; every refusal of the policy's `actions`; retries with the same idempotency key; stale versions.
 * On SQLite, and on MariaDB when MYSQL_URL is set.
 */
import { OUTBOX_TABLE, SettableClock, SERVICE_REQUEST_TYPES } from '@icg/shared';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { actingAs, callers, mutate, newKey, readTicket, refusal, staffWith, TICKET_FIELDS, type Caller, type Ticket } from './support/hotline-desk';
import { TEST_DIALECTS } from './support/test-database';
import type { ActingAs } from './support/test-security';

const MINUTE = 60_000;
const START = '2026-11-02T02:00:00Z';
const at = (minutes: number): string => new Date(Date.parse(START) + minutes * MINUTE).toISOString().replace('.000Z', 'Z');

describe.each(TEST_DIALECTS)('the hotline on %s', (dialect) => {
  const clock = new SettableClock(START);
  let graph: GraphUnderTest;
  let people: Caller[];
  const [agentA, agentB] = staffWith('HOTLINE_AGENT').map(actingAs) as [ActingAs, ActingAs];

  beforeAll(async () => {
    graph = await startGraph({ dialect, clock });
    people = await callers(graph, 8);
  });
  afterAll(async () => {
    await graph?.close();
  });
  beforeEach(() => clock.set(START));

  const open = (caller: Caller, overrides: Record<string, unknown> = {}, acting: ActingAs = agentA, key = newKey()) =>
    mutate<Ticket>(
      graph,
      'openServiceRequest',
      'OpenServiceRequestInput',
      {
        idempotencyKey: key,
        type: 'ENQUIRY',
        channel: 'PHONE',
        priority: 'NORMAL',
        customerId: caller.customerId,
        policyNo: caller.policyNo,
        subject: '咨询：保单条款',
        description: '客户来电询问保单责任免除条款的具体含义',
        callerName: '王先生',
        callerMobile: '13812348000',
        ...overrides,
      },
      TICKET_FIELDS,
      acting,
    );

  const step = (
    field: string,
    ticket: Pick<Ticket, 'ticketNo' | 'version'>,
    acting: ActingAs = agentA,
    extra: Record<string, unknown> = {},
    key = newKey(),
  ) => {
    const inputType = {
      assignServiceRequest: 'AssignServiceRequestInput',
      pauseServiceRequest: 'PauseServiceRequestInput',
      reopenServiceRequest: 'ReopenServiceRequestInput',
    }[field];
    return mutate<Ticket>(
      graph,
      field,
      inputType ?? 'ServiceRequestStepInput',
      { idempotencyKey: key, ticketNo: ticket.ticketNo, expectedVersion: ticket.version, ...extra },
      TICKET_FIELDS,
      acting,
    );
  };

  /** Asserts the mutation worked and answers the ticket as it now is. */
  const ok = async (pending: ReturnType<typeof step>): Promise<Ticket> => {
    const { value, errors } = await pending;
    expect(errors).toEqual([]);
    return value!;
  };

  async function ticketCount(customerId: string): Promise<number> {
    const response = await graph.query<{ customer: { serviceRequests: unknown[] } }>(
      'query T($id: ID!) { customer(id: $id) { serviceRequests { ticketNo } } }',
      {
        id: customerId,
      },
    );
    return response.data!.customer.serviceRequests.length;
  }

  it('opens a ticket of every type: routine ones, a claim report and a complaint call', async () => {
    const caller = people[0]!;
    const routine = ['ENQUIRY', 'POLICY_SERVICE', 'RENEWAL', 'RESCUE', 'RETURN_VISIT'];
    const opened: Ticket[] = [];
    for (const type of routine) opened.push(await ok(open(caller, { type, subject: '咨询：办理进度' })));
    opened.push(
      await ok(
        mutate<Ticket>(
          graph,
          'reportClaimByPhone',
          'ReportClaimByPhoneInput',
          { idempotencyKey: newKey(), customerId: caller.customerId, policyNo: caller.policyNo, lossDate: '2026-11-01', cause: 'COLLISION', priority: 'HIGH' },
          TICKET_FIELDS,
          agentA,
        ),
      ),
    );
    opened.push(
      await ok(
        mutate<Ticket>(
          graph,
          'takeComplaintCall',
          'TakeComplaintCallInput',
          { idempotencyKey: newKey(), customerId: caller.customerId, category: 'SERVICE', priority: 'NORMAL', description: '反映网点工作人员态度不佳' },
          TICKET_FIELDS,
          agentA,
        ),
      ),
    );
    expect(opened.map((ticket) => ticket.type).sort()).toEqual([...SERVICE_REQUEST_TYPES].sort());
    for (const ticket of opened) {
      expect(ticket).toMatchObject({ status: 'TRIAGED', version: 1, openedAt: START, triagedAt: START, customer: { id: caller.customerId }, assignee: null });
      expect(ticket.ticketNo).toMatch(/^SR26\d{10}$/);
    }
    // The deadline is the type's target from opening: 2 hours for a rescue, 1 for a claim report, 24 for a complaint.
    const dueOf = (type: string) => opened.find((ticket) => ticket.type === type)!.slaDueAt;
    expect([dueOf('RESCUE'), dueOf('CLAIM_REPORT'), dueOf('COMPLAINT')]).toEqual([at(120), at(60), at(24 * 60)]);
    // The claim report's subject names the line only, and the ticket keeps the agent's words out of the cause.
    expect(opened.find((ticket) => ticket.type === 'CLAIM_REPORT')!.subject).toMatch(/报案$/);
    const listed = await graph.query<{ customer: { serviceRequests: { ticketNo: string }[] } }>(
      'query T($id: ID!) { customer(id: $id) { serviceRequests { ticketNo } } }',
      {
        id: caller.customerId,
      },
    );
    expect(listed.data!.customer.serviceRequests.map((ticket) => ticket.ticketNo)).toEqual(expect.arrayContaining(opened.map((ticket) => ticket.ticketNo)));
  });

  it('works a ticket to closed and reopens it; waiting for the customer stops the SLA clock', async () => {
    const caller = people[1]!;
    let ticket = await ok(open(caller, { type: 'RESCUE', subject: '道路救援：拖车' }));
    // The same rescue without a pause, for comparison.
    let unpaused = await ok(open(caller, { type: 'RESCUE', subject: '道路救援：搭电' }));
    expect(ticket.slaDueAt).toBe(at(120));

    clock.set(at(5));
    ticket = await ok(step('assignServiceRequest', ticket));
    expect(ticket).toMatchObject({ status: 'ASSIGNED', assignee: { id: agentA.staffId }, assignedAt: at(5), version: 2 });
    unpaused = await ok(step('assignServiceRequest', unpaused));

    clock.set(at(10));
    ticket = await ok(step('progressServiceRequest', ticket));
    expect(ticket).toMatchObject({ status: 'IN_PROGRESS', firstResponseAt: at(10), version: 3 });
    unpaused = await ok(step('progressServiceRequest', unpaused));

    clock.set(at(20));
    ticket = await ok(step('pauseServiceRequest', ticket, agentA, { reason: 'DOCUMENTS' }));
    expect(ticket).toMatchObject({ status: 'PENDING_CUSTOMER', pendingSince: at(20), pendingReason: 'DOCUMENTS', slaPausedMinutes: 0, slaElapsedMinutes: 20 });

    // Three hours of waiting, an hour past the original deadline: the clock has stood still since minute 20.
    clock.set(at(200));
    ticket = (await readTicket(graph, ticket.ticketNo))!;
    expect(ticket).toMatchObject({ slaPausedMinutes: 180, slaElapsedMinutes: 20, slaBreached: false, slaDeadlineAt: at(300), slaDueAt: at(120) });

    ticket = await ok(step('resumeServiceRequest', ticket));
    expect(ticket).toMatchObject({ status: 'IN_PROGRESS', pendingSince: null, pendingReason: null, slaPausedMinutes: 180, slaDeadlineAt: at(300) });

    clock.set(at(240));
    ticket = await ok(step('resolveServiceRequest', ticket));
    expect(ticket).toMatchObject({ status: 'RESOLVED', resolvedAt: at(240), slaElapsedMinutes: 60, slaBreached: false });
    unpaused = await ok(step('resolveServiceRequest', unpaused));
    expect(unpaused).toMatchObject({ status: 'RESOLVED', slaElapsedMinutes: 240, slaPausedMinutes: 0, slaBreached: true });

    clock.set(at(250));
    ticket = await ok(step('closeServiceRequest', ticket));
    expect(ticket).toMatchObject({ status: 'CLOSED', closedAt: at(250) });

    // The next day the customer calls again on the same matter.
    clock.set(at(24 * 60));
    ticket = await ok(step('reopenServiceRequest', ticket, agentA, { reason: 'NOT_RESOLVED' }));
    expect(ticket).toMatchObject({
      status: 'IN_PROGRESS',
      reopenedAt: at(24 * 60),
      reopenReason: 'NOT_RESOLVED',
      resolvedAt: null,
      closedAt: null,
      version: 8,
    });
    // Unresolved again, and long past its (paused) deadline.
    expect(ticket).toMatchObject({ slaBreached: true, slaElapsedMinutes: 24 * 60 - 180 });
  });

  it('refuses every step the ticket is not ready for, naming its state and what may come next', async () => {
    const caller = people[2]!;
    let ticket = await ok(open(caller));
    const refused = async (field: string, extra: Record<string, unknown> = {}, acting: ActingAs = agentA) => {
      const { value, errors } = await step(field, ticket, acting, extra);
      expect(value).toBeNull();
      return refusal(errors);
    };
    // Before it is assigned, only the branch's service-centre manager may work the ticket at all.
    const centreManager = actingAs(staffWith('SERVICE_CENTER_MANAGER', caller.branchPath)[0]!);
    expect(await refused('progressServiceRequest', {}, centreManager)).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentState: 'TRIAGED',
      requestedState: 'IN_PROGRESS',
      allowed: ['ASSIGNED'],
    });
    expect(await refused('closeServiceRequest', {}, centreManager)).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentState: 'TRIAGED',
      allowed: ['ASSIGNED'],
    });

    ticket = await ok(step('assignServiceRequest', ticket));
    expect(await refused('pauseServiceRequest', { reason: 'CALL_BACK' })).toMatchObject({ currentState: 'ASSIGNED', allowed: ['ASSIGNED', 'IN_PROGRESS'] });
    expect(await refused('resolveServiceRequest')).toMatchObject({ currentState: 'ASSIGNED', requestedState: 'RESOLVED' });

    ticket = await ok(step('progressServiceRequest', ticket));
    for (const field of ['resumeServiceRequest', 'closeServiceRequest', 'assignServiceRequest'])
      expect(await refused(field)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'IN_PROGRESS', allowed: ['PENDING_CUSTOMER', 'RESOLVED'] });
    expect(await refused('reopenServiceRequest', { reason: 'OTHER' })).toMatchObject({ currentState: 'IN_PROGRESS', requestedState: 'IN_PROGRESS' });

    ticket = await ok(step('pauseServiceRequest', ticket, agentA, { reason: 'CALL_BACK' }));
    expect(await refused('resolveServiceRequest')).toMatchObject({ currentState: 'PENDING_CUSTOMER', allowed: ['IN_PROGRESS'] });
    expect(await refused('pauseServiceRequest', { reason: 'OTHER' })).toMatchObject({ currentState: 'PENDING_CUSTOMER', requestedState: 'PENDING_CUSTOMER' });

    ticket = await ok(step('resumeServiceRequest', ticket));
    ticket = await ok(step('resolveServiceRequest', ticket));
    ticket = await ok(step('closeServiceRequest', ticket));
    expect(await refused('closeServiceRequest')).toMatchObject({ currentState: 'CLOSED', allowed: ['IN_PROGRESS'] });
    expect(await refused('progressServiceRequest')).toMatchObject({ currentState: 'CLOSED', requestedState: 'IN_PROGRESS' });
    // Refused steps changed nothing.
    expect(await readTicket(graph, ticket.ticketNo)).toMatchObject({ status: 'CLOSED', version: ticket.version });
  });

  it('lets only the roles and scopes the policy grants act, and changes nothing when it refuses', async () => {
    const caller = people[3]!;
    const manager: ActingAs = { role: 'CUSTOMER_MANAGER', staffId: caller.managerStaffId! };
    const centreManager = actingAs(staffWith('SERVICE_CENTER_MANAGER', caller.branchPath)[0]!);
    const otherCentreManager = actingAs(
      staffWith('SERVICE_CENTER_MANAGER').find((staff) => staff.branchPath !== caller.branchPath && staff.branchPath.split('/').length === 5)!,
    );
    const adjuster = actingAs(staffWith('CLAIMS_ADJUSTER', caller.branchPath)[0]!);
    const before = await ticketCount(caller.customerId);

    const byManager = await open(caller, {}, manager);
    expect(refusal(byManager.errors)).toMatchObject({
      code: 'FORBIDDEN_ACTION',
      action: 'serviceRequest.open',
      reason: 'NOT_GRANTED',
      policyVersion: expect.any(String),
    });
    const byOtherBranch = await open(caller, {}, otherCentreManager);
    expect(refusal(byOtherBranch.errors)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'serviceRequest.open', reason: 'OUT_OF_SCOPE' });
    const reportByAdjuster = await mutate<Ticket>(
      graph,
      'reportClaimByPhone',
      'ReportClaimByPhoneInput',
      { idempotencyKey: newKey(), customerId: caller.customerId, policyNo: caller.policyNo, lossDate: '2026-11-01', cause: 'THEFT', priority: 'HIGH' },
      'ticketNo',
      adjuster,
    );
    expect(refusal(reportByAdjuster.errors)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'serviceRequest.claimReport', reason: 'NOT_GRANTED' });
    const complaintByCentre = await mutate<Ticket>(
      graph,
      'takeComplaintCall',
      'TakeComplaintCallInput',
      { idempotencyKey: newKey(), customerId: caller.customerId, category: 'SALES', priority: 'NORMAL' },
      'ticketNo',
      centreManager,
    );
    expect(refusal(complaintByCentre.errors)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'serviceRequest.complaintCall', reason: 'NOT_GRANTED' });
    expect(await ticketCount(caller.customerId)).toBe(before);

    // The branch's service-centre manager may open one; agent A takes it; agent B may not work A's ticket.
    let ticket = await ok(open(caller, {}, centreManager));
    ticket = await ok(step('assignServiceRequest', ticket, agentA));
    const byOtherAgent = await step('progressServiceRequest', ticket, agentB);
    expect(refusal(byOtherAgent.errors)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'serviceRequest.progress', reason: 'OUT_OF_SCOPE' });
    const byManagerStep = await step('progressServiceRequest', ticket, manager);
    expect(refusal(byManagerStep.errors)).toMatchObject({ code: 'FORBIDDEN_ACTION', reason: 'NOT_GRANTED' });
    expect(await readTicket(graph, ticket.ticketNo)).toMatchObject({ status: 'ASSIGNED', version: ticket.version });
    // The branch's service-centre manager may step in (BRANCH scope).
    expect(await ok(step('progressServiceRequest', ticket, centreManager))).toMatchObject({ status: 'IN_PROGRESS' });
  });

  it('answers a retry with the same idempotency key with the first result, and refuses the key for another request', async () => {
    const caller = people[4]!;
    const before = await ticketCount(caller.customerId);
    const key = newKey();
    const first = await ok(open(caller, {}, agentA, key));
    const retry = await ok(open(caller, {}, agentA, key));
    expect(retry.ticketNo).toBe(first.ticketNo);
    expect(await ticketCount(caller.customerId)).toBe(before + 1);
    const reused = await open(caller, { subject: '咨询：保障范围' }, agentA, key);
    expect(refusal(reused.errors)).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', action: 'serviceRequest.open' });

    const stepKey = newKey();
    const assigned = await ok(step('assignServiceRequest', first, agentA, {}, stepKey));
    const assignedAgain = await ok(step('assignServiceRequest', first, agentA, {}, stepKey));
    expect([assigned.version, assignedAgain.version]).toEqual([2, 2]);
    expect(await readTicket(graph, first.ticketNo)).toMatchObject({ version: 2 });
  });

  it('refuses an update made on a version that is no longer current', async () => {
    const ticket = await ok(open(people[5]!));
    const assigned = await ok(step('assignServiceRequest', ticket));
    const stale = await step('progressServiceRequest', ticket);
    expect(refusal(stale.errors)).toMatchObject({ code: 'CONFLICT', expectedVersion: 1, currentVersion: 2 });
    expect(await readTicket(graph, ticket.ticketNo)).toMatchObject({ status: 'ASSIGNED', version: assigned.version });
  });

  it('names the field and the reason of bad input, and keeps health facts out of tickets', async () => {
    const caller = people[6]!;
    const other = people[7]!;
    const badInput = async (overrides: Record<string, unknown>) => refusal((await open(caller, overrides)).errors);
    expect(await badInput({ subject: '客户骨折咨询' })).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.subject' });
    expect(await badInput({ description: '客户住院治疗中' })).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.description' });
    expect(await badInput({ subject: '   ' })).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.subject' });
    expect(await badInput({ callerMobile: '12345' })).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.callerMobile' });
    expect(await badInput({ customerId: '999999999' })).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.customerId' });
    expect(await badInput({ policyNo: other.policyNo })).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.policyNo' });
    const future = await mutate<Ticket>(
      graph,
      'reportClaimByPhone',
      'ReportClaimByPhoneInput',
      { idempotencyKey: newKey(), customerId: caller.customerId, policyNo: caller.policyNo, lossDate: '2026-11-03', cause: 'FIRE', priority: 'HIGH' },
      'ticketNo',
      agentA,
    );
    expect(refusal(future.errors)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.lossDate' });
    // The assignee reads the ticket as theirs: only a hotline agent, or a service-centre manager over the ticket's branch.
    const ticket = await ok(open(caller));
    const otherCentreManager = staffWith('SERVICE_CENTER_MANAGER').find((staff) => !caller.branchPath.startsWith(staff.branchPath))!;
    for (const assigneeStaffId of [caller.managerStaffId!, String(otherCentreManager.id), '999999'])
      expect(refusal((await step('assignServiceRequest', ticket, agentA, { assigneeStaffId })).errors)).toMatchObject({
        code: 'BAD_USER_INPUT',
        argumentName: 'input.assigneeStaffId',
      });
    expect(await ok(step('assignServiceRequest', ticket, agentA, { assigneeStaffId: agentB.staffId }))).toMatchObject({ assignee: { id: agentB.staffId } });
    const badKey = await open(caller, {}, agentA, 'has spaces in it');
    expect(refusal(badKey.errors)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'idempotencyKey' });
  });

  it('records the complaint call for the complaint register in the same commit as its ticket', async () => {
    const caller = people[7]!;
    const { value: ticket, errors } = await mutate<Ticket>(
      graph,
      'takeComplaintCall',
      'TakeComplaintCallInput',
      { idempotencyKey: newKey(), customerId: caller.customerId, category: 'CLAIMS', priority: 'HIGH', policyNo: caller.policyNo },
      TICKET_FIELDS,
      agentA,
    );
    expect(errors).toEqual([]);
    expect(ticket).toMatchObject({ type: 'COMPLAINT', subject: '投诉：理赔', status: 'TRIAGED' });
    const outbox = (await graph.subgraphs['service-requests']!.db(OUTBOX_TABLE).where('aggregate', `ServiceRequest:${ticket!.ticketNo}`)) as {
      type: string;
      payload: string;
    }[];
    expect(outbox.map((event) => event.type)).toEqual(['service-request.complaint-call']);
    expect(JSON.parse(outbox[0]!.payload)).toMatchObject({
      ticketNo: ticket!.ticketNo,
      customerId: caller.customerId,
      category: 'CLAIMS',
      policyNo: caller.policyNo,
    });
  });
});
