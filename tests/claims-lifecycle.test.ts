/**
 * The claims workflow through the gateway (issue 10, "Claims"; DOMAIN.md section 4): reported → dispatched →
 * surveyed → registered (reserve set) → assessed → documents complete → adjusted → approved → paid → closed, with
 * its guards (close only with a zero outstanding reserve, reopen with a reason, approval by a second person within
 * the approver's authority, payments within what was approved), the side exits, every illegal step, the policy's
 * refusals, retries and stale versions; and the return visit the hotline opens when a large customer's claim
 * closes. Claims are reported by phone, as the hotline files them. On SQLite, and on MariaDB when MYSQL_URL is set.
 */
import { DELIVERY_TABLE, OUTBOX_TABLE, SettableClock } from '@icg/shared';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import {
  actingAs,
  callers,
  mutate,
  newKey,
  provinceOf,
  readTicket,
  refusal,
  staffWith,
  TICKET_FIELDS,
  waitUntil,
  type Caller,
  type Ticket,
} from './support/hotline-desk';
import { TEST_DIALECTS } from './support/test-database';
import type { ActingAs } from './support/test-security';

const MINUTE = 60_000;
const START = '2026-11-02T02:00:00Z';
const at = (minutes: number): string => new Date(Date.parse(START) + minutes * MINUTE).toISOString().replace('.000Z', 'Z');

interface ClaimView {
  reportNo: string;
  registrationNo: string | null;
  status: string;
  version: number;
  closedOutcome: string | null;
  closedAt: string | null;
  reopenedAt: string | null;
  reopenReason: string | null;
  closeReason: string | null;
  outstandingReserve: number;
  paid: number;
  adjustedAmount: number | null;
  approvedAmount: number | null;
  lossDescription: string | null;
  handler: { id: string } | null;
  approver: { id: string } | null;
  surveyTasks: {
    status: string;
    surveyor: { id: string } | null;
    onSiteAt: string | null;
    completedAt: string | null;
    contactedCustomerWithinMinutes: number | null;
  }[];
  lossAssessments: { assessedAmount: number }[];
  payments: { amount: number; method: string }[];
}

const CLAIM_VIEW = `reportNo registrationNo status version closedOutcome closedAt reopenedAt reopenReason closeReason outstandingReserve paid adjustedAmount approvedAmount
  lossDescription handler { id } approver { id }
  surveyTasks { status surveyor { id } onSiteAt completedAt contactedCustomerWithinMinutes } lossAssessments { assessedAmount } payments { amount method }`;

const INPUT_TYPES: Readonly<Record<string, string>> = {
  dispatchSurveyor: 'DispatchSurveyorInput',
  completeSurvey: 'CompleteSurveyInput',
  registerClaim: 'RegisterClaimInput',
  setClaimReserve: 'SetClaimReserveInput',
  assessClaimLoss: 'AssessClaimLossInput',
  adjustClaim: 'AdjustClaimInput',
  payClaim: 'PayClaimInput',
  reopenClaim: 'ClaimReasonInput',
  cancelClaim: 'ClaimReasonInput',
  withdrawClaim: 'ClaimReasonInput',
  denyClaim: 'ClaimReasonInput',
  zeroCloseClaim: 'ClaimReasonInput',
};

type ClaimRef = { reportNo: string; version: number };

describe.each(TEST_DIALECTS)('the claims workflow on %s', (dialect) => {
  const clock = new SettableClock(START);
  let graph: GraphUnderTest;
  let people: Caller[];
  const agent = actingAs(staffWith('HOTLINE_AGENT')[0]!);

  beforeAll(async () => {
    graph = await startGraph({ dialect, clock });
    people = await callers(graph, 10);
  });
  afterAll(async () => {
    await graph?.close();
  });
  beforeEach(() => clock.set(START));

  /** The claims desk of the caller's city: two adjusters, and the province's adjuster above them. */
  function desk(caller: Caller): { handler: ActingAs; second: ActingAs; province: ActingAs; elsewhere: ActingAs } {
    const [handler, second] = staffWith('CLAIMS_ADJUSTER', caller.branchPath).map(actingAs);
    const province = actingAs(staffWith('CLAIMS_ADJUSTER', provinceOf(caller.branchPath))[0]!);
    const elsewhere = actingAs(staffWith('CLAIMS_ADJUSTER').find((staff) => !staff.branchPath.startsWith(provinceOf(caller.branchPath)))!);
    return { handler: handler!, second: second!, province, elsewhere };
  }

  const claimStep = (field: string, claim: ClaimRef, acting: ActingAs, extra: Record<string, unknown> = {}, key = newKey()) =>
    mutate<ClaimRef & { status: string }>(
      graph,
      field,
      INPUT_TYPES[field] ?? 'ClaimStepInput',
      { idempotencyKey: key, reportNo: claim.reportNo, expectedVersion: claim.version, ...extra },
      'reportNo status version',
      acting,
    );

  const ok = async (pending: ReturnType<typeof claimStep>): Promise<ClaimRef & { status: string }> => {
    const { value, errors } = await pending;
    expect(errors).toEqual([]);
    return value!;
  };

  async function view(reportNo: string): Promise<ClaimView> {
    const response = await graph.query<{ claim: ClaimView }>(`query C($no: String!) { claim(reportNo: $no) { ${CLAIM_VIEW} } }`, { no: reportNo });
    if (response.errors?.length) throw new Error(JSON.stringify(response.errors));
    return response.data!.claim;
  }

  /** A claim as the hotline files it: reported by phone, delivered to the claims system (REPORTED, version 1). */
  async function reported(caller: Caller, customerSegment = 'STANDARD'): Promise<ClaimRef> {
    const { value, errors } = await mutate<Ticket>(
      graph,
      'reportClaimByPhone',
      'ReportClaimByPhoneInput',
      {
        idempotencyKey: newKey(),
        customerId: caller.customerId,
        policyNo: caller.policyNo,
        lossDate: '2026-11-01',
        cause: 'COLLISION',
        priority: 'HIGH',
        customerSegment,
      },
      TICKET_FIELDS,
      agent,
    );
    expect(errors).toEqual([]);
    const ticket = await waitUntil(
      () => readTicket(graph, value!.ticketNo),
      (found) => found?.spawnedClaim !== null,
    );
    return { reportNo: ticket!.spawnedClaim!.reportNo, version: 1 };
  }

  /**
   * Moves a claim along the main path from where it stands up to (and including) `until`: the steps as its handler,
   * the approval by the second adjuster.
   */
  async function advance(claim: ClaimRef, caller: Caller, until: string, amounts = { reserve: 30_000, assessed: 28_000, payable: 25_000 }): Promise<ClaimRef> {
    const { handler, second } = desk(caller);
    const steps: [string, string, ActingAs, Record<string, unknown>][] = [
      ['DISPATCHED', 'dispatchSurveyor', handler, {}],
      ['ON_SITE', 'recordSurveyorOnSite', handler, {}],
      ['SURVEYED', 'completeSurvey', handler, { lossDescription: '后保险杠受损，尾灯破裂' }],
      ['REGISTERED', 'registerClaim', handler, { outstandingReserve: amounts.reserve }],
      ['ASSESSED', 'assessClaimLoss', handler, { assessedAmount: amounts.assessed }],
      ['DOCUMENTS_COMPLETE', 'completeClaimDocuments', handler, {}],
      ['ADJUSTED', 'adjustClaim', handler, { payableAmount: amounts.payable }],
      ['APPROVED', 'approveClaim', second, {}],
    ];
    // Where it stands: a dispatched claim whose surveyor is on site has reached ON_SITE.
    const standing = await view(claim.reportNo);
    const reachedNow = standing.status === 'DISPATCHED' && standing.surveyTasks.at(-1)?.status === 'ON_SITE' ? 'ON_SITE' : standing.status;
    let current = claim;
    for (const [reached, field, acting, extra] of steps.slice(steps.findIndex(([name]) => name === reachedNow) + 1)) {
      current = await ok(claimStep(field, current, acting, extra));
      if (reached === until) return current;
    }
    return current;
  }

  it('takes a claim from report to paid and closed, and reopens it with a reason', async () => {
    const caller = people[0]!;
    const { handler, second } = desk(caller);
    let claim = await reported(caller, 'LARGE');

    clock.set(at(2));
    claim = await ok(claimStep('dispatchSurveyor', claim, handler));
    expect(await view(claim.reportNo)).toMatchObject({
      status: 'DISPATCHED',
      version: 2,
      handler: { id: handler.staffId },
      surveyTasks: [{ status: 'DISPATCHED', surveyor: { id: handler.staffId } }],
    });

    clock.set(at(9));
    claim = await ok(claimStep('recordSurveyorOnSite', claim, handler));
    // Dispatched when the claims system took the report (minute 0), on site at minute 9: within the 10-minute target.
    expect((await view(claim.reportNo)).surveyTasks).toEqual([
      expect.objectContaining({ status: 'ON_SITE', onSiteAt: at(9), contactedCustomerWithinMinutes: 9 }),
    ]);

    clock.set(at(60));
    claim = await ok(claimStep('completeSurvey', claim, handler, { lossDescription: '后保险杠受损，尾灯破裂' }));
    expect(await view(claim.reportNo)).toMatchObject({
      status: 'SURVEYED',
      lossDescription: '后保险杠受损，尾灯破裂',
      surveyTasks: [{ status: 'DONE', completedAt: at(60) }],
    });

    claim = await ok(claimStep('registerClaim', claim, handler, { outstandingReserve: 30_000 }));
    expect(await view(claim.reportNo)).toMatchObject({
      status: 'REGISTERED',
      outstandingReserve: 30_000,
      registrationNo: expect.stringMatching(/^CLM2026\d{12}$/),
    });
    claim = await ok(claimStep('assessClaimLoss', claim, handler, { assessedAmount: 28_000 }));
    claim = await ok(claimStep('completeClaimDocuments', claim, handler));
    claim = await ok(claimStep('adjustClaim', claim, handler, { payableAmount: 25_000 }));
    expect(await view(claim.reportNo)).toMatchObject({ status: 'ADJUSTED', adjustedAmount: 25_000, lossAssessments: [{ assessedAmount: 28_000 }] });

    // 核赔 is a second person's: the handler may not approve their own claim.
    const byHandler = await claimStep('approveClaim', claim, handler);
    expect(refusal(byHandler.errors)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'claim.approve', reason: 'SECOND_PERSON' });
    claim = await ok(claimStep('approveClaim', claim, second));
    expect(await view(claim.reportNo)).toMatchObject({ status: 'APPROVED', approvedAmount: 25_000, approver: { id: second.staffId } });

    const payment = { payeeName: '李女士', payeeAccount: '6222021234567890123', method: 'BANK_TRANSFER' };
    const tooMuch = await claimStep('payClaim', claim, handler, { ...payment, amount: 25_000.01 });
    expect(refusal(tooMuch.errors)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.amount' });
    claim = await ok(claimStep('payClaim', claim, handler, { ...payment, amount: 20_000 }));
    claim = await ok(claimStep('payClaim', claim, handler, { ...payment, amount: 5_000 }));
    expect(await view(claim.reportNo)).toMatchObject({
      status: 'PAID',
      paid: 25_000,
      outstandingReserve: 5_000,
      payments: [{ amount: 20_000 }, { amount: 5_000 }],
    });

    // Closing needs a zero outstanding reserve.
    const withReserve = await claimStep('closeClaim', claim, handler);
    expect(refusal(withReserve.errors)).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentState: 'PAID',
      requestedState: 'CLOSED',
      reason: 'OUTSTANDING_RESERVE',
    });
    claim = await ok(claimStep('setClaimReserve', claim, handler, { outstandingReserve: 0 }));
    clock.set(at(3 * 24 * 60));
    claim = await ok(claimStep('closeClaim', claim, handler));
    expect(await view(claim.reportNo)).toMatchObject({ status: 'CLOSED', closedOutcome: 'PAID', closedAt: at(3 * 24 * 60), outstandingReserve: 0 });

    // A large customer: the hotline opens a return visit due 7 days after the claim closed.
    const visit = await waitUntil(
      () => returnVisitsOf(caller, claim.reportNo),
      (found) => found.length > 0,
    );
    expect(visit).toEqual([
      expect.objectContaining({ type: 'RETURN_VISIT', status: 'TRIAGED', slaDueAt: at(10 * 24 * 60), customer: { id: caller.customerId } }),
    ]);

    const noReason = await claimStep('reopenClaim', claim, handler, { reason: '  ' });
    expect(refusal(noReason.errors)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.reason' });
    clock.set(at(20 * 24 * 60));
    claim = await ok(claimStep('reopenClaim', claim, handler, { reason: '客户提交了新的修理发票' }));
    expect(await view(claim.reportNo)).toMatchObject({
      status: 'REOPENED',
      reopenedAt: at(20 * 24 * 60),
      reopenReason: '客户提交了新的修理发票',
      closedOutcome: 'PAID',
    });

    // What the claims system told the others, in the commits of these steps.
    const events = (await graph.subgraphs['claims']!.db(OUTBOX_TABLE).where('aggregate', `Claim:${claim.reportNo}`).orderBy('sequence')) as { type: string }[];
    // The reserve set at registration and set to zero before closing travel too (insights keeps incurred).
    expect(events.map((event) => event.type)).toEqual([
      'claim.reported',
      'claim.reserve-changed',
      'claim.paid',
      'claim.paid',
      'claim.reserve-changed',
      'claim.closed',
    ]);
  });

  async function returnVisitsOf(caller: Caller, reportNo: string): Promise<Ticket[]> {
    const response = await graph.query<{ customer: { serviceRequests: Ticket[] } }>(
      `query V($id: ID!) { customer(id: $id) { serviceRequests(type: RETURN_VISIT) { ${TICKET_FIELDS} } } }`,
      { id: caller.customerId },
    );
    return response.data!.customer.serviceRequests.filter((ticket) => ticket.relatedClaim?.reportNo === reportNo);
  }

  it("approves only within the approver's authority, and opens no return visit for a standard customer", async () => {
    const caller = people[1]!;
    const { handler, second, province } = desk(caller);
    let claim = await advance(await reported(caller), caller, 'ADJUSTED', { reserve: 90_000, assessed: 85_000, payable: 80_000 });
    // A city adjuster may approve up to 50,000 (CLAIM_APPROVAL_LIMITS defaults); the province's adjuster more.
    const overLimit = await claimStep('approveClaim', claim, second);
    expect(refusal(overLimit.errors)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'claim.approve', reason: 'AUTHORITY_LIMIT' });
    expect(await view(claim.reportNo)).toMatchObject({ status: 'ADJUSTED', version: claim.version });
    claim = await ok(claimStep('approveClaim', claim, province));
    expect(await view(claim.reportNo)).toMatchObject({ status: 'APPROVED', approvedAmount: 80_000, approver: { id: province.staffId } });

    claim = await ok(
      claimStep('payClaim', claim, handler, { amount: 80_000, payeeName: '张三', payeeAccount: '6222021234567890123', method: 'REPAIR_SHOP_DIRECT' }),
    );
    claim = await ok(claimStep('setClaimReserve', claim, handler, { outstandingReserve: 0 }));
    claim = await ok(claimStep('closeClaim', claim, handler));
    // Once the hotline has taken claim.closed, there is still no return visit: the customer is a standard one.
    const claimsDb = graph.subgraphs['claims']!.db;
    const closedEvent = (await claimsDb(OUTBOX_TABLE)
      .where({ aggregate: `Claim:${claim.reportNo}`, type: 'claim.closed' })
      .first('sequence')) as { sequence: number };
    const delivery = await waitUntil(
      async () => (await claimsDb(DELIVERY_TABLE).where({ sequence: closedEvent.sequence, consumer: 'service-requests' }).first('state')) as { state: string },
      (found) => found.state === 'DELIVERED',
    );
    expect(delivery.state).toBe('DELIVERED');
    expect(await returnVisitsOf(caller, claim.reportNo)).toEqual([]);
  });

  it('closes files by the side exits, releasing the reserve, and reopens only what may be reopened', async () => {
    const caller = people[2]!;
    const { handler } = desk(caller);

    const cancelled = await ok(claimStep('cancelClaim', await reported(caller), handler, { reason: '重复报案' }));
    expect(await view(cancelled.reportNo)).toMatchObject({ status: 'CANCELLED', closedOutcome: 'CANCELLED', closeReason: '重复报案', closedAt: START });
    expect(refusal((await claimStep('reopenClaim', cancelled, handler, { reason: '误注销' })).errors)).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentState: 'CANCELLED',
      allowed: [],
    });

    // The customer withdraws by phone: the hotline may record it.
    const surveyed = await advance(await reported(caller), caller, 'SURVEYED');
    const withdrawn = await ok(claimStep('withdrawClaim', surveyed, agent, { reason: '客户自行协商解决' }));
    expect(await view(withdrawn.reportNo)).toMatchObject({ status: 'WITHDRAWN', closedOutcome: 'WITHDRAWN' });

    const registered = await advance(await reported(caller), caller, 'REGISTERED', { reserve: 12_000, assessed: 0, payable: 0 });
    expect(refusal((await claimStep('cancelClaim', registered, handler, { reason: '无保险责任' })).errors)).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentState: 'REGISTERED',
      allowed: ['ASSESSED', 'WITHDRAWN', 'DENIED'],
    });
    const denied = await ok(claimStep('denyClaim', registered, handler, { reason: '事故不在保险责任范围内' }));
    expect(await view(denied.reportNo)).toMatchObject({ status: 'DENIED', closedOutcome: 'DENIED', outstandingReserve: 0 });
    expect(await ok(claimStep('reopenClaim', denied, handler, { reason: '客户补充了事故证明' }))).toMatchObject({ status: 'REOPENED' });

    const assessed = await advance(await reported(caller), caller, 'ASSESSED', { reserve: 3_000, assessed: 800, payable: 0 });
    const zeroClosed = await ok(claimStep('zeroCloseClaim', assessed, handler, { reason: '损失低于免赔额' }));
    expect(await view(zeroClosed.reportNo)).toMatchObject({ status: 'ZERO_CLOSED', closedOutcome: 'ZERO_CLOSED', outstandingReserve: 0 });
  });

  it('refuses every step the claim is not ready for, naming its state and what may come next', async () => {
    const caller = people[3]!;
    const { handler, second } = desk(caller);
    const claim = await reported(caller);
    const refused = async (field: string, target: ClaimRef, extra: Record<string, unknown> = {}, acting = handler) =>
      refusal((await claimStep(field, target, acting, extra)).errors);

    expect(await refused('registerClaim', claim, { outstandingReserve: 1_000 })).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentState: 'REPORTED',
      requestedState: 'REGISTERED',
      allowed: ['DISPATCHED', 'CANCELLED', 'WITHDRAWN'],
    });
    expect(await refused('recordSurveyorOnSite', claim)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'REPORTED', requestedState: 'ON_SITE' });
    expect(await refused('completeSurvey', claim)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'REPORTED', requestedState: 'SURVEYED' });
    expect(await refused('setClaimReserve', claim, { outstandingReserve: 1_000 })).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'REPORTED' });
    expect(await refused('closeClaim', claim)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'REPORTED', requestedState: 'CLOSED' });

    const dispatched = await ok(claimStep('dispatchSurveyor', claim, handler));
    // The survey is finished only once the surveyor was on site.
    expect(await refused('completeSurvey', dispatched)).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentState: 'DISPATCHED',
      requestedState: 'DONE',
      allowed: ['ON_SITE'],
    });

    const adjusted = await advance(dispatched, caller, 'ADJUSTED');
    const payment = { amount: 100, payeeName: '王五', payeeAccount: '6222021234567890123', method: 'BANK_TRANSFER' };
    expect(await refused('payClaim', adjusted, payment)).toMatchObject({
      currentState: 'ADJUSTED',
      requestedState: 'PAID',
      allowed: ['APPROVED', 'DENIED', 'ZERO_CLOSED'],
    });
    expect(await refused('reopenClaim', adjusted, { reason: '无' })).toMatchObject({ currentState: 'ADJUSTED', requestedState: 'REOPENED' });
    const approved = await ok(claimStep('approveClaim', adjusted, second));
    expect(await refused('closeClaim', approved)).toMatchObject({ currentState: 'APPROVED', requestedState: 'CLOSED', allowed: ['PAID'] });
    expect(await refused('zeroCloseClaim', approved, { reason: '无' })).toMatchObject({ currentState: 'APPROVED', allowed: ['PAID'] });
    expect(await view(claim.reportNo)).toMatchObject({ status: 'APPROVED', version: approved.version });
  });

  it('lets only the roles and scopes the policy grants act on a claim', async () => {
    const caller = people[4]!;
    const { handler, elsewhere } = desk(caller);
    const manager: ActingAs = { role: 'CUSTOMER_MANAGER', staffId: caller.managerStaffId! };
    const claim = await reported(caller);

    expect(refusal((await claimStep('dispatchSurveyor', claim, manager, { surveyorStaffId: handler.staffId })).errors)).toMatchObject({
      code: 'FORBIDDEN_ACTION',
      action: 'claim.dispatch',
      reason: 'NOT_GRANTED',
    });
    expect(refusal((await claimStep('dispatchSurveyor', claim, elsewhere, { surveyorStaffId: handler.staffId })).errors)).toMatchObject({
      code: 'FORBIDDEN_ACTION',
      reason: 'OUT_OF_SCOPE',
    });
    expect(refusal((await claimStep('cancelClaim', claim, agent, { reason: '重复报案' })).errors)).toMatchObject({
      code: 'FORBIDDEN_ACTION',
      action: 'claim.cancel',
      reason: 'NOT_GRANTED',
    });
    // The hotline dispatches a surveyor it names.
    expect(refusal((await claimStep('dispatchSurveyor', claim, agent)).errors)).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'input.surveyorStaffId',
    });
    const dispatched = await ok(claimStep('dispatchSurveyor', claim, agent, { surveyorStaffId: handler.staffId }));
    expect(await view(claim.reportNo)).toMatchObject({
      status: 'DISPATCHED',
      handler: { id: handler.staffId },
      surveyTasks: [{ surveyor: { id: handler.staffId } }],
    });
    expect(refusal((await claimStep('recordSurveyorOnSite', dispatched, agent)).errors)).toMatchObject({
      code: 'FORBIDDEN_ACTION',
      action: 'claim.survey',
      reason: 'NOT_GRANTED',
    });
    expect(await view(claim.reportNo)).toMatchObject({ version: dispatched.version });
  });

  it('answers a retried payment with the first result and refuses the key for another payment', async () => {
    const caller = people[5]!;
    const { handler } = desk(caller);
    const approved = await advance(await reported(caller), caller, 'APPROVED');
    const key = newKey();
    const payment = { amount: 10_000, payeeName: '赵六', payeeAccount: '6222021234567890123', method: 'BANK_TRANSFER' };
    const first = await ok(claimStep('payClaim', approved, handler, payment, key));
    const retry = await ok(claimStep('payClaim', approved, handler, payment, key));
    expect(retry).toEqual(first);
    expect(await view(approved.reportNo)).toMatchObject({ paid: 10_000, outstandingReserve: 20_000, payments: [{ amount: 10_000 }] });
    const reused = await claimStep('payClaim', approved, handler, { ...payment, amount: 9_000 }, key);
    expect(refusal(reused.errors)).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', action: 'claim.pay' });
  });

  it('refuses a step taken on a version that is no longer current', async () => {
    const caller = people[6]!;
    const { handler } = desk(caller);
    const claim = await reported(caller);
    const dispatched = await ok(claimStep('dispatchSurveyor', claim, handler));
    const stale = await claimStep('cancelClaim', claim, handler, { reason: '重复报案' });
    expect(refusal(stale.errors)).toMatchObject({ code: 'CONFLICT', expectedVersion: 1, currentVersion: dispatched.version });
    expect(await view(claim.reportNo)).toMatchObject({ status: 'DISPATCHED' });
  });

  it('names the field and the reason of bad input', async () => {
    const caller = people[7]!;
    const { handler } = desk(caller);
    // The surveyor becomes the handler and reads the claim's health facts: an adjuster of its branch or above only.
    const undispatched = await reported(caller);
    const otherProvinceAdjuster = staffWith('CLAIMS_ADJUSTER').find((staff) => !caller.branchPath.startsWith(staff.branchPath))!;
    for (const surveyorStaffId of [caller.managerStaffId!, String(otherProvinceAdjuster.id)])
      expect(refusal((await claimStep('dispatchSurveyor', undispatched, agent, { surveyorStaffId })).errors)).toMatchObject({
        code: 'BAD_USER_INPUT',
        argumentName: 'input.surveyorStaffId',
      });
    expect(await view(undispatched.reportNo)).toMatchObject({ status: 'REPORTED', handler: null });
    const dispatched = await advance(await reported(caller), caller, 'ON_SITE');
    expect(refusal((await claimStep('completeSurvey', dispatched, handler, { lossDescription: '驾驶员轻微擦伤' })).errors)).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'input.lossDescription',
    });
    const surveyed = await ok(claimStep('completeSurvey', dispatched, handler, { lossDescription: '车头受损', injuryNarrative: '驾驶员轻微擦伤，门诊处理' }));
    for (const reserve of [0, -5, 10.005])
      expect(refusal((await claimStep('registerClaim', surveyed, handler, { outstandingReserve: reserve })).errors)).toMatchObject({
        code: 'BAD_USER_INPUT',
        argumentName: 'input.outstandingReserve',
      });
    expect(refusal((await claimStep('registerClaim', { ...surveyed, reportNo: 'RPT1' }, handler, { outstandingReserve: 100 })).errors)).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'input.reportNo',
    });
  });
});
