import { isValidMobile, isValidPlate, isValidResidentId, isValidUscc, isValidVin } from '@icg/shared';
import { DEFAULT_AS_OF, type CustomerFact, type PolicyFact } from '@icg/synthetic';
import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { TEST_STORE } from './test-store';

const DAY_MS = 86_400_000;

const POLICY_FIELDS = `
  fragment PolicyFields on Policy {
    id policyNo productCode productName lineOfBusiness status channel effectiveDate expiryDate quotedAt boundAt
    terminatedAt terminationReason sumInsured writtenPremium paymentStatus arrearsDays
    priorPolicy { policyNo renewalPolicy { policyNo } insuredObjects { vin } }
    renewalPolicy { policyNo }
    issuingBranch { id } servicingManager { id } customer { id }
    participants { id role name idType idNumber mobile gender birthDate relationshipToPolicyholder customer { id } }
    coverages { id code name sumInsured premium deductible }
    insuredObjects { id kind plate vin make model address description }
    renewalReminders { id daysBefore dueAt sentAt channel status }
  }`;

interface ParticipantAnswer {
  id: string;
  role: string;
  name: string;
  idType: 'RESIDENT_ID' | 'USCC';
  idNumber: string;
  mobile: string | null;
  gender: string | null;
  birthDate: string | null;
  relationshipToPolicyholder: string;
  customer: { id: string } | null;
}

interface PolicyAnswer {
  id: string;
  policyNo: string;
  productCode: string;
  productName: string;
  lineOfBusiness: string;
  status: string;
  channel: string;
  effectiveDate: string;
  expiryDate: string;
  quotedAt: string;
  boundAt: string | null;
  terminatedAt: string | null;
  terminationReason: string | null;
  sumInsured: number;
  writtenPremium: number;
  paymentStatus: string;
  arrearsDays: number;
  priorPolicy: { policyNo: string; renewalPolicy: { policyNo: string } | null; insuredObjects: { vin: string | null }[] } | null;
  renewalPolicy: { policyNo: string } | null;
  issuingBranch: { id: string };
  servicingManager: { id: string } | null;
  customer: { id: string };
  participants: ParticipantAnswer[];
  coverages: { id: string; code: string; name: string; sumInsured: number; premium: number; deductible: number }[];
  insuredObjects: {
    id: string;
    kind: string;
    plate: string | null;
    vin: string | null;
    make: string | null;
    model: string | null;
    address: string | null;
    description: string | null;
  }[];
  renewalReminders: { id: string; daysBefore: number; dueAt: string; sentAt: string | null; channel: string; status: string }[];
}

const startOfDay = (date: string): number => Date.parse(`${date}T00:00:00Z`);
const cents = (amount: number): number => Math.round(amount * 100);
const newestFirst = (a: PolicyFact, b: PolicyFact): number => b.effectiveDate.localeCompare(a.effectiveDate) || b.id - a.id;

describe.each(TEST_DIALECTS)('policies subgraph on %s', (dialect) => {
  let graph: SeededSubgraph;

  beforeAll(async () => {
    graph = await startSeededSubgraph({ ...TEST_STORE, dialect, customers: 150 });
  });

  afterAll(async () => {
    await graph?.close();
  });

  const policyFact = (description: string, predicate: (fact: PolicyFact) => boolean): PolicyFact => {
    const found = graph.facts.policies.find(predicate);
    if (!found) throw new Error(`the seed has no policy that ${description}`);
    return found;
  };
  const customerOf = (fact: PolicyFact): CustomerFact => graph.facts.customers.find((customer) => customer.id === fact.customerId)!;

  async function policyByNo(policyNo: string): Promise<PolicyAnswer> {
    const response = await graph.query<{ policy: PolicyAnswer | null }>(`query($no: String!) { policy(policyNo: $no) { ...PolicyFields } } ${POLICY_FIELDS}`, {
      no: policyNo,
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?.policy).not.toBeNull();
    return response.data!.policy!;
  }

  test('policy(policyNo) answers with the policy the facts describe, linked to its prior and renewal', async () => {
    const fact = policyFact('renews a motor policy', (candidate) => candidate.lineOfBusiness === 'MOTOR' && candidate.priorPolicyNo !== null);
    const policy = await policyByNo(fact.policyNo);

    expect(policy).toMatchObject({
      id: String(fact.id),
      policyNo: fact.policyNo,
      lineOfBusiness: fact.lineOfBusiness,
      status: fact.status,
      effectiveDate: fact.effectiveDate,
      expiryDate: fact.expiryDate,
      sumInsured: fact.sumInsured,
      writtenPremium: fact.writtenPremium,
      issuingBranch: { id: String(fact.branchId) },
      customer: { id: String(fact.customerId) },
      servicingManager: fact.servicingManagerStaffId === null ? null : { id: String(fact.servicingManagerStaffId) },
    });
    expect(policy.productName).toMatch(/汽车|机动车/);
    // The chain links both ways and the renewal insures the same vehicle.
    expect(policy.priorPolicy?.policyNo).toBe(fact.priorPolicyNo);
    expect(policy.priorPolicy?.renewalPolicy?.policyNo).toBe(fact.policyNo);
    expect(policy.priorPolicy?.insuredObjects.map((object) => object.vin)).toEqual(policy.insuredObjects.map((object) => object.vin));
    const renewal = graph.facts.policies.find((candidate) => candidate.priorPolicyNo === fact.policyNo);
    expect(policy.renewalPolicy?.policyNo ?? null).toBe(renewal?.policyNo ?? null);
  });

  test('policyById finds the same policy as its number', async () => {
    const fact = graph.facts.policies[0]!;
    const response = await graph.query<{ policyById: { policyNo: string } | null }>('query($id: ID!) { policyById(id: $id) { policyNo } }', {
      id: String(fact.id),
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?.policyById).toEqual({ policyNo: fact.policyNo });
  });

  test('unknown policy numbers and ids are null, without errors', async () => {
    const response = await graph.query('{ policy(policyNo: "PMO999999999999") { policyNo } policyById(id: "999999999") { policyNo } }');
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ policy: null, policyById: null });
  });

  test.each([
    ['policyNo', '{ policy(policyNo: "P-123") { policyNo } }'],
    ['id', '{ policyById(id: "12ab") { policyNo } }'],
    ['id', '{ policyById(id: "-4") { policyNo } }'],
  ])('a malformed %s is BAD_USER_INPUT naming the argument', async (argumentName, query) => {
    const response = await graph.query(query);
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
  });

  test.each(['2025-02-29', '2025-13-01', '01/06/2025', '2025-06-01T00:00:00Z'])('earnedPremium(asOf: "%s") is BAD_USER_INPUT naming asOf', async (asOf) => {
    const policyNo = graph.facts.policies[0]!.policyNo;
    const response = await graph.query('query($no: String!, $asOf: String) { policy(policyNo: $no) { policyNo earnedPremium(asOf: $asOf) } }', {
      no: policyNo,
      asOf,
    });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'asOf' });
    // Only the field is lost, not the policy.
    expect(response.data?.policy).toEqual({ policyNo, earnedPremium: null });
  });

  test('the policyholder is the customer and every identifier is valid', async () => {
    const fact = policyFact('belongs to an individual', (candidate) => customerOf(candidate).kind === 'INDIVIDUAL');
    const customer = customerOf(fact);
    const policy = await policyByNo(fact.policyNo);

    const holders = policy.participants.filter((participant) => participant.role === 'POLICYHOLDER');
    expect(holders).toEqual([
      expect.objectContaining({
        name: customer.name,
        idType: customer.idType,
        idNumber: customer.idNumber,
        mobile: customer.mobile,
        relationshipToPolicyholder: 'SELF',
        customer: { id: String(customer.id) },
      }),
    ]);
    expect(policy.participants.some((participant) => participant.role === 'INSURED')).toBe(true);
    for (const participant of policy.participants) {
      expect(participant.idType === 'USCC' ? isValidUscc(participant.idNumber) : isValidResidentId(participant.idNumber)).toBe(true);
      if (participant.mobile !== null) expect(isValidMobile(participant.mobile)).toBe(true);
    }
  });

  test('a motor policy insures the plate of the facts, with a valid VIN, and names a driver', async () => {
    const fact = policyFact('is a motor policy', (candidate) => candidate.lineOfBusiness === 'MOTOR');
    const policy = await policyByNo(fact.policyNo);

    const vehicle = policy.insuredObjects[0]!;
    expect(vehicle).toMatchObject({ kind: 'VEHICLE', plate: fact.plate });
    expect(isValidPlate(vehicle.plate!)).toBe(true);
    expect(isValidVin(vehicle.vin!)).toBe(true);
    expect(vehicle.make).toBeTruthy();
    expect(policy.participants.some((participant) => participant.role === 'DRIVER')).toBe(true);
    expect(policy.coverages.map((coverage) => coverage.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/损失保险$/), expect.stringMatching(/第三者责任保险$/)]),
    );
  });

  test('coverage premiums add up to the written premium to the cent', async () => {
    for (const line of ['MOTOR', 'PROPERTY', 'ACCIDENT_HEALTH'] as const) {
      const fact = policyFact(`is in ${line}`, (candidate) => candidate.lineOfBusiness === line);
      const policy = await policyByNo(fact.policyNo);
      expect(policy.coverages.length).toBeGreaterThan(0);
      expect(policy.coverages.reduce((sum, coverage) => sum + cents(coverage.premium), 0)).toBe(cents(fact.writtenPremium));
    }
  });

  test('earned premium grows with the days of cover up to asOf', async () => {
    const fact = policyFact('expired', (candidate) => candidate.status === 'EXPIRED');
    const termDays = (startOfDay(fact.expiryDate) - startOfDay(fact.effectiveDate)) / DAY_MS;
    const day100 = new Date(startOfDay(fact.effectiveDate) + 100 * DAY_MS).toISOString().slice(0, 10);
    const response = await graph.query<{ policy: Record<string, number> }>(
      `query($no: String!, $start: String!, $day100: String!, $expiry: String!) {
        policy(policyNo: $no) { before: earnedPremium(asOf: "2000-01-01") atStart: earnedPremium(asOf: $start) atDay100: earnedPremium(asOf: $day100)
          atExpiry: earnedPremium(asOf: $expiry) later: earnedPremium(asOf: "2099-12-31") today: earnedPremium }
      }`,
      { no: fact.policyNo, start: fact.effectiveDate, day100, expiry: fact.expiryDate },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.policy).toEqual({
      before: 0,
      atStart: 0,
      atDay100: Math.round((fact.writtenPremium * 100 * 100) / termDays) / 100,
      atExpiry: fact.writtenPremium,
      later: fact.writtenPremium,
      // The policy expired before today, so today it has earned everything.
      today: fact.writtenPremium,
    });
  });

  test('a quote earns nothing and a cancelled policy stops earning when it is cancelled', async () => {
    const quote = policyFact('is a quote', (candidate) => candidate.status === 'QUOTED');
    const cancelled = policyFact('was cancelled', (candidate) => candidate.status === 'CANCELLED');
    const query = 'query($no: String!) { policy(policyNo: $no) { terminatedAt earnedPremium(asOf: "2099-12-31") } }';

    const quoted = await graph.query<{ policy: { earnedPremium: number } }>(query, { no: quote.policyNo });
    expect(quoted.data?.policy.earnedPremium).toBe(0);

    const answer = await graph.query<{ policy: { terminatedAt: string; earnedPremium: number } }>(query, { no: cancelled.policyNo });
    const { terminatedAt, earnedPremium } = answer.data!.policy;
    const coveredDays = (startOfDay(terminatedAt.slice(0, 10)) - startOfDay(cancelled.effectiveDate)) / DAY_MS;
    const termDays = (startOfDay(cancelled.expiryDate) - startOfDay(cancelled.effectiveDate)) / DAY_MS;
    expect(earnedPremium).toBe(Math.round((cancelled.writtenPremium * coveredDays * 100) / termDays) / 100);
    expect(earnedPremium).toBeLessThan(cancelled.writtenPremium);
  });

  test('policies in force expiring within 60 days get reminders 60, 30, 15 and 7 days before; others none', async () => {
    const expiresSoon = (fact: PolicyFact) => {
      const daysLeft = (startOfDay(fact.expiryDate) - DEFAULT_AS_OF.getTime()) / DAY_MS;
      return daysLeft > 0 && daysLeft <= 60;
    };
    const due = policyFact(
      'is in force and expires within 60 days',
      (fact) => fact.status === 'IN_FORCE' && expiresSoon(fact) && !customerOf(fact).blacklisted,
    );
    const later = policyFact('is in force and expires later', (fact) => fact.status === 'IN_FORCE' && !expiresSoon(fact));

    const reminders = (await policyByNo(due.policyNo)).renewalReminders;
    expect(reminders.map((reminder) => reminder.daysBefore)).toEqual([60, 30, 15, 7]);
    for (const reminder of reminders) {
      expect(Date.parse(reminder.dueAt)).toBe(startOfDay(due.expiryDate) - reminder.daysBefore * DAY_MS + 3_600_000);
      if (Date.parse(reminder.dueAt) <= DEFAULT_AS_OF.getTime()) {
        expect(['SENT', 'FAILED']).toContain(reminder.status);
        expect(reminder.sentAt === null).toBe(reminder.status === 'FAILED');
      } else {
        expect(['SCHEDULED', 'CANCELLED']).toContain(reminder.status);
        expect(reminder.sentAt).toBeNull();
      }
    }
    expect((await policyByNo(later.policyNo)).renewalReminders).toEqual([]);
  });

  test('Customer entities list their policies newest first, filtered by status and line', async () => {
    const policiesByCustomer = new Map<number, PolicyFact[]>();
    for (const fact of graph.facts.policies) policiesByCustomer.set(fact.customerId, [...(policiesByCustomer.get(fact.customerId) ?? []), fact]);
    const [customerId, facts] = [...policiesByCustomer.entries()].find(
      ([, held]) => new Set(held.map((fact) => fact.lineOfBusiness)).size > 1 && held.some((fact) => fact.status === 'RENEWED'),
    )!;
    const line = facts[0]!.lineOfBusiness;

    const response = await graph.query<{
      _entities: { id: string; all: { policyNo: string }[]; renewed: { policyNo: string }[]; ofLine: { policyNo: string }[] }[];
    }>(
      `query($r: [_Any!]!, $line: LineOfBusiness) { _entities(representations: $r) { ... on Customer {
        id all: policies { policyNo } renewed: policies(status: RENEWED) { policyNo } ofLine: policies(lineOfBusiness: $line) { policyNo }
      } } }`,
      { r: [{ __typename: 'Customer', id: String(customerId) }], line },
    );
    expect(response.errors).toBeUndefined();
    const numbers = (selected: PolicyFact[]) => [...selected].sort(newestFirst).map((fact) => ({ policyNo: fact.policyNo }));
    expect(response.data?._entities).toEqual([
      {
        id: String(customerId),
        all: numbers(facts),
        renewed: numbers(facts.filter((fact) => fact.status === 'RENEWED')),
        ofLine: numbers(facts.filter((fact) => fact.lineOfBusiness === line)),
      },
    ]);
  });

  test('a customer this system does not know has no policies', async () => {
    const response = await graph.query('query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id policies { policyNo } } } }', {
      r: [{ __typename: 'Customer', id: '987654321' }],
    });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ _entities: [{ id: '987654321', policies: [] }] });
  });

  test('Policy entities resolve by policy number, unknown ones to null', async () => {
    const [first, second] = graph.facts.policies;
    const response = await graph.query('query($r: [_Any!]!) { _entities(representations: $r) { ... on Policy { policyNo status } } }', {
      r: [
        { __typename: 'Policy', policyNo: first!.policyNo },
        { __typename: 'Policy', policyNo: 'PMO999999999999' },
        { __typename: 'Policy', policyNo: second!.policyNo },
      ],
    });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      _entities: [{ policyNo: first!.policyNo, status: first!.status }, null, { policyNo: second!.policyNo, status: second!.status }],
    });
  });
});
