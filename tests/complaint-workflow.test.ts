/**
 * The complaint workflow (issue 10, DOMAIN.md section 4) through the gateway on SQLite and MariaDB: accept →
 * verify → register → transfer → coordinate → handle → feedback → archive, each step recorded with its actor,
 * the clock's time, its form and note; the 15/30/60-day deadline with the warning at 80 % and the overdue flag
 * read on a settable clock; escalation up the org tree; withdrawal; the review after the decision; and the rules
 * every mutation keeps (the policy's actions, state machines, idempotency keys, versions, validated input).
 */
import { randomUUID } from 'node:crypto';
import { OUTBOX_TABLE, SettableClock } from '@icg/shared';
import {
  actingAs,
  answered,
  complaintPeople,
  firstError,
  mutateComplaint,
  readComplaint,
  type ComplaintMutation,
  type ComplaintView,
} from './support/complaint-workflow';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { AUDITOR } from './support/test-security';
import { TEST_DIALECTS } from './support/test-database';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const START = '2026-11-02T01:00:00.000Z';

const people = complaintPeople();
const officer = actingAs(people.officer);

/** A complaint made at the city's counter about the city branch, by customer 1. */
function newComplaintInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    customerId: '1',
    source: 'DIRECT',
    category: 'CLAIMS',
    respondentBranchId: String(people.city.id),
    complainantName: '王小明',
    complainantMobile: '13812348000',
    facts: '投诉人称车辆追尾报案后三周仍未定损，多次致电无人答复。',
    request: '要求尽快定损赔付。',
    note: '柜面受理，已告知处理时限。',
    ...overrides,
  };
}

const iso = (time: number): string => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe.each(TEST_DIALECTS)('the complaint workflow through the gateway on %s', (dialect) => {
  let graph: GraphUnderTest;
  const clock = new SettableClock(START);

  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: 20, clock });
  }, 300_000);

  afterAll(async () => {
    await graph?.close();
  });

  beforeEach(() => clock.set(START));

  async function accept(overrides: Record<string, unknown> = {}, acting = officer): Promise<ComplaintView> {
    return answered(await mutateComplaint(graph, 'acceptComplaint', newComplaintInput(overrides), acting), 'acceptComplaint');
  }

  /** One step on the complaint as it is now (its number and current version). */
  async function step(complaint: ComplaintView, mutation: ComplaintMutation, input: Record<string, unknown> = {}, acting = officer): Promise<ComplaintView> {
    return answered(
      await mutateComplaint(graph, mutation, { complaintNo: complaint.complaintNo, expectedVersion: complaint.version, ...input }, acting),
      mutation,
    );
  }

  function attempt(complaint: ComplaintView, mutation: ComplaintMutation, input: Record<string, unknown> = {}, acting = officer) {
    return mutateComplaint(graph, mutation, { complaintNo: complaint.complaintNo, expectedVersion: complaint.version, ...input }, acting);
  }

  /** Accepted, verified and registered against the city branch. */
  async function registered(): Promise<ComplaintView> {
    const accepted = await accept();
    const verified = await step(accepted, 'verifyComplaint', { respondentBranchId: String(people.city.id) });
    return step(verified, 'registerComplaint');
  }

  it('runs from acceptance to archive, each step recorded with its actor, the clock’s time and its form', async () => {
    const t0 = Date.parse(START);
    const accepted = await accept();
    expect(accepted).toMatchObject({
      status: 'ACCEPTED',
      version: 1,
      source: 'DIRECT',
      customer: { id: '1' },
      respondentBranch: { id: String(people.city.id) },
      respondentDeterminedAt: null,
      acceptedAt: iso(t0),
      deadlineDays: 15,
      dueDate: '2026-11-17',
      facts: newComplaintInput()['facts'],
    });
    expect(accepted.complaintNo).toMatch(/^CP\d{12}$/);

    clock.advance(3 * HOUR_MS);
    const verified = await step(accepted, 'verifyComplaint', { respondentBranchId: String(people.city.id), note: '经核实，定损确有延误。' });
    clock.advance(HOUR_MS);
    const registered = await step(verified, 'registerComplaint', { note: '已登记。' });
    clock.advance(HOUR_MS);
    const transferred = await step(registered, 'transferComplaint', { handlerStaffId: String(people.officer.id), note: '转理赔部。' });
    clock.advance(DAY_MS);
    const coordinating = await step(transferred, 'coordinateComplaint', { note: '协调理赔部三日内完成定损。' });
    clock.advance(3 * DAY_MS);
    const handled = await step(coordinating, 'handleComplaint', {
      outcome: 'UPHELD',
      rootCause: 'CLAIMS_DELAY',
      compensationAmount: 500,
      rectification: '理赔部建立定损时限台账。',
      note: '投诉成立，补偿500元。',
    });
    clock.advance(HOUR_MS);
    const notified = await step(handled, 'giveComplaintFeedback', { note: '电话告知投诉人处理结果。' });
    clock.advance(2 * DAY_MS);
    const archived = await step(notified, 'archiveComplaint');

    expect(archived).toMatchObject({
      status: 'ARCHIVED',
      archived: true,
      version: 8,
      respondentDeterminedAt: iso(t0 + 3 * HOUR_MS),
      handler: { id: String(people.officer.id) },
      outcome: 'UPHELD',
      rootCause: 'CLAIMS_DELAY',
      compensationAmount: 500,
      overdue: false,
    });
    const actor = { id: String(people.officer.id) };
    expect(archived.steps).toEqual([
      { step: 'ACCEPT', actor, at: iso(t0), form: 'REGISTRATION', note: '柜面受理，已告知处理时限。' },
      { step: 'VERIFY', actor, at: iso(t0 + 3 * HOUR_MS), form: 'VERIFICATION', note: '经核实，定损确有延误。' },
      { step: 'REGISTER', actor, at: iso(t0 + 4 * HOUR_MS), form: 'REGISTRATION', note: '已登记。' },
      { step: 'TRANSFER', actor, at: iso(t0 + 5 * HOUR_MS), form: 'TRANSFER', note: '转理赔部。' },
      { step: 'COORDINATE', actor, at: iso(t0 + 29 * HOUR_MS), form: null, note: '协调理赔部三日内完成定损。' },
      { step: 'HANDLE', actor, at: iso(t0 + 101 * HOUR_MS), form: 'HANDLING', note: '投诉成立，补偿500元。' },
      { step: 'FEEDBACK', actor, at: iso(t0 + 102 * HOUR_MS), form: 'HANDLING', note: '电话告知投诉人处理结果。' },
      { step: 'ARCHIVE', actor, at: iso(t0 + 150 * HOUR_MS), form: null, note: null },
    ]);
    expect([archived.verifiedAt, archived.registeredAt, archived.feedbackAt, archived.archivedAt]).toEqual([
      iso(t0 + 3 * HOUR_MS),
      iso(t0 + 4 * HOUR_MS),
      iso(t0 + 102 * HOUR_MS),
      iso(t0 + 150 * HOUR_MS),
    ]);
    // Read back later, as anyone with the right would.
    expect(await readComplaint(graph, archived.complaintNo, AUDITOR)).toMatchObject({ status: 'ARCHIVED', version: 8 });

    // The registration and the closing are events for the insights to come, committed with the steps.
    const events = (await graph.subgraphs['complaints']!.db(OUTBOX_TABLE)
      .where({ aggregate: `Complaint:${archived.complaintNo}` })
      .orderBy('sequence')) as {
      type: string;
      payload: string;
    }[];
    expect(events.map((event) => [event.type, JSON.parse(event.payload) as unknown])).toEqual([
      [
        'complaint.registered',
        {
          complaintNo: archived.complaintNo,
          customerId: '1',
          category: 'CLAIMS',
          source: 'DIRECT',
          registeredAt: new Date(t0 + 4 * HOUR_MS).toISOString(),
          dueDate: '2026-11-17',
          branchId: String(people.city.id),
        },
      ],
      ['complaint.closed', { complaintNo: archived.complaintNo, customerId: '1', closedAt: new Date(t0 + 150 * HOUR_MS).toISOString(), onTime: true }],
    ]);
  });

  it('falls due 15 days after acceptance and warns at 80 % of it, then flags the complaint overdue, all by the clock', async () => {
    const t0 = Date.parse(START);
    const accepted = await accept();
    expect(accepted).toMatchObject({
      deadlineDays: 15,
      dueDate: '2026-11-17',
      deadlineWarningAt: iso(t0 + 12 * DAY_MS),
      deadlineWarning: false,
      overdue: false,
    });

    clock.set(new Date(t0 + 12 * DAY_MS - 1_000));
    expect(await readComplaint(graph, accepted.complaintNo, officer)).toMatchObject({ deadlineWarning: false, overdue: false });
    clock.set(new Date(t0 + 12 * DAY_MS));
    expect(await readComplaint(graph, accepted.complaintNo, officer)).toMatchObject({ deadlineWarning: true, overdue: false });
    clock.set('2026-11-17T23:59:59Z');
    expect(await readComplaint(graph, accepted.complaintNo, officer)).toMatchObject({ deadlineWarning: true, overdue: false });
    clock.set('2026-11-18T00:00:00Z');
    expect(await readComplaint(graph, accepted.complaintNo, officer)).toMatchObject({ deadlineWarning: true, overdue: true });

    // A deadline that has run out is not extended.
    const late = await attempt(accepted, 'extendComplaintDeadline', { reason: '案情复杂。' });
    expect(firstError(late)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'EXPIRED', requestedState: 'EXTENDED', allowed: [] });
  });

  it('extends to 30 days, then a further 30 with a second person’s approval, 60 at most, with the notices recorded', async () => {
    const t0 = Date.parse(START);
    const accepted = await accept();
    clock.set(new Date(t0 + 12 * DAY_MS));
    expect((await readComplaint(graph, accepted.complaintNo, officer)).deadlineWarning).toBe(true);

    const extended = await step(accepted, 'extendComplaintDeadline', { reason: '涉及多个部门，案情复杂。' });
    expect(extended).toMatchObject({
      complexity: 'COMPLEX',
      deadlineDays: 30,
      dueDate: '2026-12-02',
      deadlineWarningAt: iso(t0 + 24 * DAY_MS),
      deadlineWarning: false,
      extensions: [
        {
          days: 15,
          approvedBy: { id: String(people.officer.id) },
          requestedBy: { id: String(people.officer.id) },
          approvedAt: iso(t0 + 12 * DAY_MS),
          reason: '涉及多个部门，案情复杂。',
          notifiedComplainantAt: null,
        },
      ],
    });
    clock.advance(HOUR_MS);
    const told = await step(extended, 'recordComplaintExtensionNotice', { extension: 1 });
    expect(told.extensions[0]!.notifiedComplainantAt).toBe(iso(t0 + 12 * DAY_MS + HOUR_MS));

    // The extension to 30 is granted once; the next is the further one, asked for and approved by another person.
    const twice = await attempt(told, 'extendComplaintDeadline', { reason: '再次延期。' });
    expect(firstError(twice)).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentState: 'EXTENDED',
      requestedState: 'EXTENDED',
      allowed: ['FURTHER_REQUESTED'],
    });

    clock.set(new Date(t0 + 20 * DAY_MS));
    const manager = actingAs(people.serviceCentreManager);
    const requested = await step(told, 'requestFurtherComplaintExtension', { reason: '需等待第三方鉴定结论。' }, manager);
    expect(requested).toMatchObject({
      deadlineDays: 30,
      extensionRequests: [{ days: 30, status: 'PENDING', requestedBy: { id: String(people.serviceCentreManager.id) } }],
    });

    const own = await attempt(requested, 'decideFurtherComplaintExtension', { approve: true }, manager);
    expect(firstError(own)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'complaint.extension.approve', reason: 'SECOND_PERSON' });
    const byOfficer = await attempt(requested, 'decideFurtherComplaintExtension', { approve: true }, officer);
    expect(firstError(byOfficer)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'complaint.extension.approve', reason: 'NOT_GRANTED' });

    clock.advance(HOUR_MS);
    const executive = actingAs(people.provinceExecutive);
    const approved = await step(requested, 'decideFurtherComplaintExtension', { approve: true }, executive);
    expect(approved).toMatchObject({
      complexity: 'ESPECIALLY_COMPLEX',
      deadlineDays: 60,
      dueDate: '2027-01-01',
      deadlineWarningAt: iso(t0 + 48 * DAY_MS),
      deadlineWarning: false,
      extensionRequests: [{ status: 'APPROVED', decidedBy: { id: String(people.provinceExecutive.id) }, decidedAt: iso(t0 + 20 * DAY_MS + HOUR_MS) }],
    });
    expect(approved.extensions.map((extension) => [extension.days, extension.requestedBy?.id, extension.approvedBy?.id])).toEqual([
      [15, String(people.officer.id), String(people.officer.id)],
      [30, String(people.serviceCentreManager.id), String(people.provinceExecutive.id)],
    ]);
    const noticed = await step(approved, 'recordComplaintExtensionNotice', { extension: 2 });
    expect(noticed.extensions[1]!.notifiedComplainantAt).toBe(iso(t0 + 20 * DAY_MS + HOUR_MS));

    // 60 days at most: nothing further can be asked for.
    const more = await attempt(noticed, 'requestFurtherComplaintExtension', { reason: '再延期。' });
    expect(firstError(more)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'FURTHER_EXTENDED', allowed: [] });

    clock.set(new Date(t0 + 48 * DAY_MS));
    expect(await readComplaint(graph, noticed.complaintNo, officer)).toMatchObject({ deadlineWarning: true, overdue: false });
    clock.set('2027-01-02T00:00:00Z');
    expect(await readComplaint(graph, noticed.complaintNo, officer)).toMatchObject({ deadlineWarning: true, overdue: true });
  });

  it('takes back a rejected further extension, which may then be asked for again', async () => {
    const accepted = await accept();
    const extended = await step(accepted, 'extendComplaintDeadline', { reason: '案情复杂。' });
    const requested = await step(extended, 'requestFurtherComplaintExtension', { reason: '需第三方鉴定。' });
    const rejected = await step(requested, 'decideFurtherComplaintExtension', { approve: false }, actingAs(people.serviceCentreManager));
    expect(rejected).toMatchObject({
      deadlineDays: 30,
      extensionRequests: [{ status: 'REJECTED', decidedBy: { id: String(people.serviceCentreManager.id) } }],
    });
    const again = await step(rejected, 'requestFurtherComplaintExtension', { reason: '鉴定机构已受理，需再延期。' });
    expect(again.extensionRequests.map((request) => request.status)).toEqual(['REJECTED', 'PENDING']);
  });

  it('escalates city → province → head office, the handling branch moving up while the accountable unit stays', async () => {
    const accepted = await accept();
    expect(accepted).toMatchObject({ escalationLevel: 'CITY', handlingBranch: { id: String(people.city.id) } });
    const toProvince = await step(accepted, 'escalateComplaint', { reason: 'CROSS_UNIT' });
    clock.advance(HOUR_MS);
    const toHeadOffice = await step(toProvince, 'escalateComplaint', { reason: 'REGULATOR_OR_MEDIA' }, actingAs(people.provinceOfficer));
    expect(toHeadOffice).toMatchObject({
      escalationLevel: 'HEAD_OFFICE',
      handlingBranch: { id: String(people.headOffice.id) },
      respondentBranch: { id: String(people.city.id) },
      escalations: [
        {
          level: 'PROVINCE',
          branch: { id: String(people.province.id) },
          reason: 'CROSS_UNIT',
          escalatedBy: { id: String(people.officer.id) },
          at: iso(Date.parse(START)),
        },
        {
          level: 'HEAD_OFFICE',
          branch: { id: String(people.headOffice.id) },
          reason: 'REGULATOR_OR_MEDIA',
          escalatedBy: { id: String(people.provinceOfficer.id) },
          at: iso(Date.parse(START) + HOUR_MS),
        },
      ],
    });
    const above = await attempt(toHeadOffice, 'escalateComplaint', { reason: 'CROSS_UNIT' });
    expect(firstError(above)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'HEAD_OFFICE', allowed: [] });
  });

  it('lets the complainant withdraw before the decision: handled as WITHDRAWN, the deadline stops, no review', async () => {
    const accepted = await accept();
    const verified = await step(accepted, 'verifyComplaint');
    clock.advance(2 * DAY_MS);
    const withdrawn = await step(verified, 'withdrawComplaint', { note: '投诉人来电撤回投诉。' }, actingAs(people.hotlineAgent));
    const at = iso(Date.parse(START) + 2 * DAY_MS);
    expect(withdrawn).toMatchObject({ status: 'HANDLED', outcome: 'WITHDRAWN', withdrawnAt: at, handledAt: at, rootCause: null });
    expect(withdrawn.steps.map((recorded) => [recorded.step, recorded.form, recorded.actor?.id])).toEqual([
      ['ACCEPT', 'REGISTRATION', String(people.officer.id)],
      ['VERIFY', 'VERIFICATION', String(people.officer.id)],
      ['HANDLE', 'HANDLING', String(people.hotlineAgent.id)],
    ]);
    const again = await attempt(withdrawn, 'withdrawComplaint');
    expect(firstError(again)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'HANDLED', allowed: ['FEEDBACK_GIVEN'] });

    clock.set('2026-12-31T00:00:00Z');
    expect(await readComplaint(graph, withdrawn.complaintNo, officer)).toMatchObject({ overdue: false, deadlineWarning: false });
    const confirmed = await step(withdrawn, 'giveComplaintFeedback', { note: '书面确认撤诉。' });
    const review = await attempt(confirmed, 'requestComplaintReview');
    expect(firstError(review)).toMatchObject({ code: 'INVALID_TRANSITION', requestedState: 'REQUESTED' });
    expect(await step(confirmed, 'archiveComplaint')).toMatchObject({ status: 'ARCHIVED' });
  });

  it('takes a review after the decision, decided by someone other than the handler before the case is archived', async () => {
    const transferred = await step(await registered(), 'transferComplaint', { handlerStaffId: String(people.officer.id) });
    const handled = await step(await step(transferred, 'coordinateComplaint'), 'handleComplaint', {
      outcome: 'NOT_UPHELD',
      rootCause: 'CUSTOMER_MISUNDERSTANDING',
    });
    const early = await attempt(handled, 'requestComplaintReview', {}, actingAs(people.hotlineAgent));
    expect(firstError(early)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'HANDLED', allowed: ['FEEDBACK_GIVEN'] });
    const notified = await step(handled, 'giveComplaintFeedback');
    clock.advance(DAY_MS);
    const requested = await step(notified, 'requestComplaintReview', {}, actingAs(people.hotlineAgent));
    expect(requested).toMatchObject({ reviewRequested: true, reviewRequestedAt: iso(Date.parse(START) + DAY_MS), reviewOutcome: null });

    const archiving = await attempt(requested, 'archiveComplaint');
    expect(firstError(archiving)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'REQUESTED', requestedState: 'ARCHIVED', allowed: ['DECIDED'] });
    const byHandler = await attempt(requested, 'decideComplaintReview', { outcome: 'MAINTAINED' });
    expect(firstError(byHandler)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'complaint.review.decide', reason: 'SECOND_PERSON' });
    const decided = await step(requested, 'decideComplaintReview', { outcome: 'MAINTAINED' }, actingAs(people.serviceCentreManager));
    expect(decided).toMatchObject({ reviewOutcome: 'MAINTAINED', reviewDecidedAt: iso(Date.parse(START) + DAY_MS) });
    const twice = await attempt(decided, 'requestComplaintReview', {}, actingAs(people.hotlineAgent));
    expect(firstError(twice)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'DECIDED', allowed: [] });
    expect(await step(decided, 'archiveComplaint')).toMatchObject({ status: 'ARCHIVED' });
  });

  it('refuses every step out of order with the current state and the step allowed next', async () => {
    const accepted = await accept();
    const outOfOrder: [ComplaintMutation, Record<string, unknown>][] = [
      ['registerComplaint', { respondentBranchId: String(people.city.id) }],
      ['transferComplaint', { handlerStaffId: String(people.officer.id) }],
      ['coordinateComplaint', {}],
      ['handleComplaint', { outcome: 'NOT_UPHELD', rootCause: 'COMMUNICATION_GAP' }],
      ['giveComplaintFeedback', {}],
      ['archiveComplaint', {}],
    ];
    for (const [mutation, input] of outOfOrder) {
      expect([mutation, firstError(await attempt(accepted, mutation, input))]).toEqual([
        mutation,
        expect.objectContaining({ code: 'INVALID_TRANSITION', currentState: 'ACCEPTED', allowed: ['VERIFIED'] }),
      ]);
    }
    const verified = await step(accepted, 'verifyComplaint');
    expect(firstError(await attempt(verified, 'verifyComplaint'))).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentState: 'VERIFIED',
      allowed: ['REGISTERED'],
    });
    // Nothing of the refused steps was written.
    expect((await readComplaint(graph, verified.complaintNo, officer)).steps.map((recorded) => recorded.step)).toEqual(['ACCEPT', 'VERIFY']);
  });

  it('refuses registration until the accountable unit is determined, and hands the case only to its officers', async () => {
    const verified = await step(await accept(), 'verifyComplaint');
    const undetermined = await attempt(verified, 'registerComplaint');
    expect(firstError(undetermined)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.respondentBranchId' });
    const registered = await step(verified, 'registerComplaint', { respondentBranchId: String(people.city.id) });
    expect(registered.respondentDeterminedAt).not.toBeNull();
    const elsewhere = await attempt(registered, 'transferComplaint', { handlerStaffId: String(people.siblingOfficer.id) });
    expect(firstError(elsewhere)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.handlerStaffId' });
    const above = await step(registered, 'transferComplaint', { handlerStaffId: String(people.provinceOfficer.id) });
    expect(above.handler).toEqual({ id: String(people.provinceOfficer.id) });
  });

  it('refuses actions the policy does not grant the caller, for the record in question, with FORBIDDEN_ACTION naming the action', async () => {
    const manager = await mutateComplaint(graph, 'acceptComplaint', newComplaintInput(), actingAs(people.customerManager));
    expect(firstError(manager)).toMatchObject({
      code: 'FORBIDDEN_ACTION',
      action: 'complaint.accept',
      reason: 'NOT_GRANTED',
      policyVersion: expect.any(String),
    });
    const foreign = await mutateComplaint(graph, 'acceptComplaint', newComplaintInput({ respondentBranchId: String(people.farCity.id) }), officer);
    expect(firstError(foreign)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'complaint.accept', reason: 'OUT_OF_SCOPE' });

    const accepted = await accept();
    const sibling = await attempt(accepted, 'verifyComplaint', {}, actingAs(people.siblingOfficer));
    expect(firstError(sibling)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'complaint.verify', reason: 'OUT_OF_SCOPE' });
    // Naming a unit outside one's own branch as accountable takes an officer above both.
    const handOff = await attempt(accepted, 'verifyComplaint', { respondentBranchId: String(people.siblingCity.id) });
    expect(firstError(handOff)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'complaint.verify', reason: 'OUT_OF_SCOPE' });
    const agent = await attempt(accepted, 'verifyComplaint', {}, actingAs(people.hotlineAgent));
    expect(firstError(agent)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'complaint.verify', reason: 'NOT_GRANTED' });

    const byProvince = await step(accepted, 'verifyComplaint', { respondentBranchId: String(people.siblingCity.id) }, actingAs(people.provinceOfficer));
    expect(byProvince.respondentBranch).toEqual({ id: String(people.siblingCity.id) });
    // From now on the case is the sibling city's: the first city's officer no longer acts on it.
    const former = await attempt(byProvince, 'registerComplaint', {}, officer);
    expect(firstError(former)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'complaint.register', reason: 'OUT_OF_SCOPE' });
    expect(await step(byProvince, 'registerComplaint', {}, actingAs(people.siblingOfficer))).toMatchObject({ status: 'REGISTERED' });
  });

  it('answers a retry with the same key and input with the first result and writes nothing; refuses the key for other input', async () => {
    const key = randomUUID();
    const input = newComplaintInput();
    const first = answered(await mutateComplaint(graph, 'acceptComplaint', input, officer, key), 'acceptComplaint');
    const retry = answered(await mutateComplaint(graph, 'acceptComplaint', input, officer, key), 'acceptComplaint');
    expect(retry.complaintNo).toBe(first.complaintNo);
    const rows = await graph.subgraphs['complaints']!.db('complaints')
      .where({ facts: input['facts'] as string })
      .select('complaint_no');
    expect(rows.map((row: { complaint_no: string }) => row.complaint_no)).toContain(first.complaintNo);
    expect(rows.filter((row: { complaint_no: string }) => row.complaint_no === first.complaintNo)).toHaveLength(1);
    const reused = await mutateComplaint(graph, 'acceptComplaint', { ...input, category: 'SERVICE' }, officer, key);
    expect(firstError(reused)).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });

    const stepKey = randomUUID();
    const verifyInput = { complaintNo: first.complaintNo, expectedVersion: 1, note: '核实。' };
    const verified = answered(await mutateComplaint(graph, 'verifyComplaint', verifyInput, officer, stepKey), 'verifyComplaint');
    const again = answered(await mutateComplaint(graph, 'verifyComplaint', verifyInput, officer, stepKey), 'verifyComplaint');
    expect(again).toEqual(verified);
    expect(again.steps.map((recorded) => recorded.step)).toEqual(['ACCEPT', 'VERIFY']);
  });

  it('refuses a change based on a stale version with CONFLICT and the current version', async () => {
    const accepted = await accept();
    await step(accepted, 'escalateComplaint', { reason: 'DEADLINE_AT_RISK' });
    const stale = await attempt(accepted, 'verifyComplaint');
    expect(firstError(stale)).toMatchObject({ code: 'CONFLICT', expectedVersion: 1, currentVersion: 2 });
    expect((await readComplaint(graph, accepted.complaintNo, officer)).status).toBe('ACCEPTED');
  });

  it('refuses bad input with BAD_USER_INPUT naming the field, health facts in any free text included', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ facts: '   ' }, 'input.facts'],
      [{ facts: '理赔员态度恶劣，投诉人被打伤住院。' }, 'input.facts'],
      [{ note: '投诉人因骨折无法到场。' }, 'input.note'],
      [{ complainantMobile: '12345' }, 'input.complainantMobile'],
      [{ respondentBranchId: '999999' }, 'input.respondentBranchId'],
      [{ source: 'HOTLINE' }, 'input.source'],
      [{ policyNo: 'P-1' }, 'input.policyNo'],
    ];
    for (const [overrides, field] of cases) {
      expect([field, firstError(await mutateComplaint(graph, 'acceptComplaint', newComplaintInput(overrides), officer))]).toEqual([
        field,
        expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName: field }),
      ]);
    }
    const blankKey = await mutateComplaint(graph, 'acceptComplaint', newComplaintInput(), officer, '');
    expect(firstError(blankKey)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'idempotencyKey' });

    // Every free text of the register refuses health facts: they belong to the claim.
    const coordinating = await step(await step(await registered(), 'transferComplaint', { handlerStaffId: String(people.officer.id) }), 'coordinateComplaint');
    const medicalNote = await attempt(coordinating, 'handleComplaint', {
      outcome: 'NOT_UPHELD',
      rootCause: 'CUSTOMER_MISUNDERSTANDING',
      note: '投诉人住院期间未能提交材料。',
    });
    expect(firstError(medicalNote)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.note', reason: expect.stringContaining('住院') });
    const medicalReason = await attempt(coordinating, 'extendComplaintDeadline', { reason: '等待伤残鉴定。' });
    expect(firstError(medicalReason)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.reason' });
    expect((await readComplaint(graph, coordinating.complaintNo, officer)).version).toBe(coordinating.version);

    const missing = await mutateComplaint(graph, 'verifyComplaint', { complaintNo: 'CP000000000000', expectedVersion: 1 }, officer);
    expect(firstError(missing)).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('grants compensation and requires a rectification only for a complaint upheld in whole or part', async () => {
    const coordinating = await step(await step(await registered(), 'transferComplaint', { handlerStaffId: String(people.officer.id) }), 'coordinateComplaint');
    const compensated = await attempt(coordinating, 'handleComplaint', {
      outcome: 'NOT_UPHELD',
      rootCause: 'CUSTOMER_MISUNDERSTANDING',
      compensationAmount: 100,
    });
    expect(firstError(compensated)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.compensationAmount' });
    const unrectified = await attempt(coordinating, 'handleComplaint', { outcome: 'UPHELD', rootCause: 'CLAIMS_DELAY' });
    expect(firstError(unrectified)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.rectification' });
    const withdrawnOutcome = await attempt(coordinating, 'handleComplaint', { outcome: 'WITHDRAWN', rootCause: 'CLAIMS_DELAY' });
    expect(firstError(withdrawnOutcome)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.outcome' });
    const partly = await step(coordinating, 'handleComplaint', {
      outcome: 'PARTIALLY_UPHELD',
      rootCause: 'CLAIMS_DELAY',
      compensationAmount: 120.5,
      rectification: '加强时限管理。',
    });
    expect(partly).toMatchObject({ status: 'HANDLED', outcome: 'PARTIALLY_UPHELD', compensationAmount: 120.5, rectification: '加强时限管理。' });
  });
});
