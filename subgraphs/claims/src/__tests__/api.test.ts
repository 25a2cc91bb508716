import { CLAIM_STATUSES, type ClaimStatus } from '@icg/shared';
import type { ClaimFact } from '@icg/synthetic';
import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { TEST_STORE } from './test-store';

const CLAIM_FIELDS = `
  fragment ClaimFields on Claim {
    id reportNo registrationNo policy { policyNo } customer { id } lossDate reportedAt registeredAt
    documentsCompletedAt adjustedAt approvedAt closedAt reopenedAt reopenReason status closedOutcome cause
    lossDescription reportChannel smallClaim handler { id } branch { id } paid outstandingReserve recoveries
    incurred fraudScore specialInvestigation
    participants { id role name mobile injuryDescription medicalDetails }
    surveyTasks { id status dispatchedAt onSiteAt completedAt surveyor { id } contactedCustomerWithinMinutes }
    lossAssessments { id assessedAt assessor { id } assessedAmount approvedAmount notes }
    payments { id paidAt amount payeeName payeeAccount method }
  }`;

interface ClaimAnswer {
  id: string;
  reportNo: string;
  registrationNo: string | null;
  policy: { policyNo: string };
  customer: { id: string };
  lossDate: string;
  reportedAt: string;
  registeredAt: string | null;
  documentsCompletedAt: string | null;
  adjustedAt: string | null;
  approvedAt: string | null;
  closedAt: string | null;
  reopenedAt: string | null;
  reopenReason: string | null;
  status: ClaimStatus;
  closedOutcome: string | null;
  cause: string;
  lossDescription: string | null;
  reportChannel: string;
  smallClaim: boolean;
  handler: { id: string } | null;
  branch: { id: string };
  paid: number;
  outstandingReserve: number;
  recoveries: number;
  incurred: number;
  fraudScore: number;
  specialInvestigation: boolean;
  participants: { id: string; role: string; name: string; mobile: string | null; injuryDescription: string | null; medicalDetails: string | null }[];
  surveyTasks: {
    id: string;
    status: string;
    dispatchedAt: string;
    onSiteAt: string | null;
    completedAt: string | null;
    surveyor: { id: string } | null;
    contactedCustomerWithinMinutes: number | null;
  }[];
  lossAssessments: {
    id: string;
    assessedAt: string;
    assessor: { id: string } | null;
    assessedAmount: number;
    approvedAmount: number | null;
    notes: string | null;
  }[];
  payments: { id: string; paidAt: string; amount: number; payeeName: string; payeeAccount: string; method: string }[];
}

const SIDE_EXITS: readonly ClaimStatus[] = ['CANCELLED', 'WITHDRAWN', 'DENIED', 'ZERO_CLOSED'];
const CLOSED_STATES: readonly ClaimStatus[] = ['CLOSED', ...SIDE_EXITS];

const isoOf = (factTimestamp: string): string => `${factTimestamp.replace(' ', 'T')}Z`;
const cents = (amount: number): number => Math.round(amount * 100);
const newestFirst = (a: ClaimFact, b: ClaimFact): number => b.reportedAt.localeCompare(a.reportedAt) || b.id - a.id;

/** The orderings the workflow demands that a claim breaks (reported ≤ dispatched ≤ … ≤ closed ≤ reopened). */
function lifecycleViolations(claim: ClaimAnswer): string[] {
  const violations: string[] = [];
  const expectOrder = (labels: string, times: (string | null)[]): void => {
    const present = times.filter((time): time is string => time !== null);
    if (present.some((time, index) => index > 0 && time < present[index - 1]!)) violations.push(`${labels}: ${present.join(' > ')}`);
  };
  for (const task of claim.surveyTasks) expectOrder(`survey task ${task.id}`, [claim.reportedAt, task.dispatchedAt, task.onSiteAt, task.completedAt]);
  const beforeReopening = claim.lossAssessments.filter((assessment) => claim.reopenedAt === null || assessment.assessedAt < claim.reopenedAt);
  const span = (times: string[]): string[] => {
    const sorted = [...times].sort();
    return sorted.length ? [sorted[0]!, sorted[sorted.length - 1]!] : [];
  };
  expectOrder('milestones', [
    claim.reportedAt,
    ...span(claim.surveyTasks.flatMap((task) => (task.completedAt ? [task.completedAt] : []))),
    claim.registeredAt,
    ...span(beforeReopening.map((assessment) => assessment.assessedAt)),
    claim.documentsCompletedAt,
    claim.adjustedAt,
    claim.approvedAt,
    ...span(claim.payments.map((payment) => payment.paidAt)),
    claim.closedAt,
    claim.reopenedAt,
  ]);
  return violations;
}

describe.each(TEST_DIALECTS)('claims subgraph over %s', (dialect) => {
  let claims: SeededSubgraph;
  beforeAll(async () => {
    claims = await startSeededSubgraph({ ...TEST_STORE, dialect, customers: 600 });
  });
  afterAll(async () => {
    await claims?.close();
  });

  const factWithStatus = (status: ClaimStatus): ClaimFact => {
    const fact = claims.facts.claims.find((claim) => claim.status === status);
    if (!fact) throw new Error(`no ${status} claim among the facts`);
    return fact;
  };

  async function claimByReportNo(reportNo: string): Promise<ClaimAnswer | null> {
    const response = await claims.query<{ claim: ClaimAnswer | null }>(
      `query($reportNo: String!) { claim(reportNo: $reportNo) { ...ClaimFields } } ${CLAIM_FIELDS}`,
      { reportNo },
    );
    expect(response.errors).toBeUndefined();
    return response.data!.claim;
  }

  it('answers claim(reportNo) with the claim its facts describe', async () => {
    const fact = factWithStatus('CLOSED');
    const customer = claims.facts.customers.find((entry) => entry.id === fact.customerId)!;
    const claim = (await claimByReportNo(fact.reportNo))!;

    expect(claim).toMatchObject({
      id: String(fact.id),
      reportNo: fact.reportNo,
      policy: { policyNo: fact.policyNo },
      customer: { id: String(fact.customerId) },
      lossDate: fact.lossDate,
      reportedAt: isoOf(fact.reportedAt),
      status: 'CLOSED',
      closedOutcome: 'PAID',
      branch: { id: String(fact.branchId) },
      handler: fact.handlerStaffId === null ? null : { id: String(fact.handlerStaffId) },
      outstandingReserve: 0,
    });
    expect(claim.registrationNo).toMatch(/^CLM\d{16}$/);
    expect(claim.paid).toBeGreaterThan(0);
    expect(cents(claim.payments.reduce((sum, payment) => sum + payment.amount, 0))).toBe(cents(claim.paid));
    expect(cents(claim.incurred)).toBe(cents(claim.paid) + cents(claim.outstandingReserve) - cents(claim.recoveries));
    expect(claim.participants).toContainEqual(expect.objectContaining({ role: 'CLAIMANT', name: customer.name, mobile: customer.mobile }));
    expect(claim.surveyTasks.length).toBeGreaterThan(0);
    expect(claim.surveyTasks.every((task) => task.status === 'DONE' && task.completedAt !== null)).toBe(true);
    expect(claim.lossAssessments.some((assessment) => assessment.approvedAmount !== null && assessment.approvedAmount > 0)).toBe(true);
    expect(claim.lossDescription).toMatch(/[\u4e00-\u9fff]/);
  });

  it('answers claimById with the same claim as claim(reportNo)', async () => {
    const fact = factWithStatus('REGISTERED');
    const response = await claims.query<{ claimById: ClaimAnswer | null }>(`query($id: ID!) { claimById(id: $id) { ...ClaimFields } } ${CLAIM_FIELDS}`, {
      id: String(fact.id),
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!.claimById).toEqual(await claimByReportNo(fact.reportNo));
    expect(response.data!.claimById).toMatchObject({ status: 'REGISTERED', paid: 0, closedAt: null });
    expect(response.data!.claimById!.outstandingReserve).toBeGreaterThan(0);
  });

  it('answers unknown ids and report numbers with null', async () => {
    const response = await claims.query<{ byNo: unknown; byId: unknown }>(
      '{ byNo: claim(reportNo: "RPT999999999999") { id } byId: claimById(id: "999999999999") { id } }',
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ byNo: null, byId: null });
  });

  it.each([
    ['claim(reportNo: "RPT12")', 'reportNo'],
    ['claim(reportNo: "rpt000000010101")', 'reportNo'],
    ['claimById(id: "abc")', 'id'],
    ['claimById(id: "-5")', 'id'],
  ])('refuses %s as BAD_USER_INPUT naming the argument', async (field, argumentName) => {
    const response = await claims.query(`{ ${field} { id } }`);
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
    expect(response.errors![0]!.message).toContain(argumentName);
  });

  it('keeps every status consistent with the workflow rules', async () => {
    const present = CLAIM_STATUSES.filter((status) => claims.facts.claims.some((claim) => claim.status === status));
    expect(present.length).toBeGreaterThanOrEqual(12);
    const representations = present
      .flatMap((status) => claims.facts.claims.filter((claim) => claim.status === status).slice(0, 5))
      .map((claim) => ({ __typename: 'Claim', reportNo: claim.reportNo }));
    const response = await claims.query<{ _entities: ClaimAnswer[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ...ClaimFields } } ${CLAIM_FIELDS}`,
      { r: representations },
    );
    expect(response.errors).toBeUndefined();
    const answered = response.data!._entities;
    expect(answered.map((claim) => claim.reportNo)).toEqual(representations.map((representation) => representation.reportNo));

    for (const claim of answered) {
      const context = `${claim.reportNo} (${claim.status})`;
      expect([context, cents(claim.incurred)]).toEqual([context, cents(claim.paid) + cents(claim.outstandingReserve) - cents(claim.recoveries)]);
      expect([context, cents(claim.payments.reduce((sum, payment) => sum + payment.amount, 0))]).toEqual([context, cents(claim.paid)]);
      expect([context, claim.registrationNo === null]).toEqual([context, claim.registeredAt === null]);
      expect([context, lifecycleViolations(claim)]).toEqual([context, []]);
      expect([context, claim.recoveries <= claim.paid]).toEqual([context, true]);
      if (CLOSED_STATES.includes(claim.status)) expect([context, claim.outstandingReserve, claim.closedAt !== null]).toEqual([context, 0, true]);
      if (SIDE_EXITS.includes(claim.status)) expect([context, claim.paid, claim.payments.length, claim.closedOutcome]).toEqual([context, 0, 0, claim.status]);
      if (claim.status === 'REOPENED') {
        expect([context, claim.closedOutcome, claim.reopenReason !== null, claim.paid > 0, claim.outstandingReserve > 0]).toEqual([
          context,
          'PAID',
          true,
          true,
          true,
        ]);
        expect(claim.reopenedAt! > claim.closedAt!).toBe(true);
      }
      for (const participant of claim.participants.filter((entry) => entry.role === 'INJURED')) {
        expect([context, participant.injuryDescription !== null, participant.medicalDetails !== null]).toEqual([context, true, true]);
      }
    }
  });

  it('resolves Claim references in order, with null for unknown report numbers', async () => {
    const [first, second] = claims.facts.claims;
    const response = await claims.query<{ _entities: ({ reportNo: string; status: string } | null)[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Claim { reportNo status } } }',
      {
        r: [
          { __typename: 'Claim', reportNo: second!.reportNo },
          { __typename: 'Claim', reportNo: 'RPT999999999999' },
          { __typename: 'Claim', reportNo: first!.reportNo },
        ],
      },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities).toEqual([
      { reportNo: second!.reportNo, status: second!.status },
      null,
      { reportNo: first!.reportNo, status: first!.status },
    ]);
  });

  it("adds a customer's claims, newest first, and an empty list for a customer without claims", async () => {
    const withClaims = claims.facts.customers.find((customer) => claims.facts.claims.filter((claim) => claim.customerId === customer.id).length >= 2)!;
    const withoutClaims = claims.facts.customers.find((customer) => !claims.facts.claims.some((claim) => claim.customerId === customer.id))!;
    const response = await claims.query<{ _entities: { id: string; claims: { reportNo: string; customer: { id: string } }[] }[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id claims { reportNo customer { id } } } } }',
      {
        r: [
          { __typename: 'Customer', id: String(withClaims.id) },
          { __typename: 'Customer', id: String(withoutClaims.id) },
        ],
      },
    );
    expect(response.errors).toBeUndefined();
    const expected = claims.facts.claims.filter((claim) => claim.customerId === withClaims.id).sort(newestFirst);
    expect(response.data!._entities).toEqual([
      { id: String(withClaims.id), claims: expected.map((claim) => ({ reportNo: claim.reportNo, customer: { id: String(withClaims.id) } })) },
      { id: String(withoutClaims.id), claims: [] },
    ]);
  });

  it("adds a policy's claims and reaches them from a claim's policy", async () => {
    const fact = claims.facts.claims.find((claim) => claims.facts.claims.filter((other) => other.policyNo === claim.policyNo).length >= 2)!;
    const expected = claims.facts.claims
      .filter((claim) => claim.policyNo === fact.policyNo)
      .sort(newestFirst)
      .map((claim) => claim.reportNo);
    const quiet = claims.facts.policies.find((policy) => !claims.facts.claims.some((claim) => claim.policyNo === policy.policyNo))!;
    const response = await claims.query<{
      _entities: { policyNo: string; claims: { reportNo: string }[] }[];
      claim: { policy: { claims: { reportNo: string }[] } };
    }>(
      'query($r: [_Any!]!, $reportNo: String!) { _entities(representations: $r) { ... on Policy { policyNo claims { reportNo } } } claim(reportNo: $reportNo) { policy { claims { reportNo } } } }',
      {
        r: [
          { __typename: 'Policy', policyNo: fact.policyNo },
          { __typename: 'Policy', policyNo: quiet.policyNo },
        ],
        reportNo: fact.reportNo,
      },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities).toEqual([
      { policyNo: fact.policyNo, claims: expected.map((reportNo) => ({ reportNo })) },
      { policyNo: quiet.policyNo, claims: [] },
    ]);
    expect(response.data!.claim.policy.claims.map((claim) => claim.reportNo)).toEqual(expected);
  });

  it('refuses malformed entity keys as BAD_USER_INPUT', async () => {
    const response = await claims.query('query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id } } }', {
      r: [{ __typename: 'Customer', id: 'CU0000000001' }],
    });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'id' });
  });
});
