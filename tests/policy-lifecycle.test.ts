/**
 * The policy workflow through the gateway (issue 10, Policies; DOMAIN.md section 4): quote → bind → in
 * force → renewed / expired / cancelled / lapsed, reinstated; on SQLite and MariaDB, with a settable clock
 * the policy clock reads. Each answer is what the staff member would see; events are read from the
 * policies outbox, where the insights subgraph of issue 11 will take them from.
 */
import { AUDIT_TABLE, OUTBOX_TABLE, openAuditStore, pseudonymise, SettableClock, type Knex } from '@icg/shared';
import { runPolicyClock } from '@icg/subgraph-policies';
import { waitUntil } from './support/event-probes';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { STORES_AND_TRANSPORTS_UNDER_TEST } from './support/stores-and-transports';
import { AUDITOR, TEST_PSEUDONYM_SECRET } from './support/test-security';
import { TEST_DIALECTS } from './support/test-database';
import {
  answered,
  castFor,
  dayAfter,
  firstError,
  mutatePolicy,
  policyMutationDocument,
  policiesRefuse,
  readPolicy,
  seededPolicyToRenew,
  sendBlacklistChange,
  type PolicyCast,
  type PolicyView,
} from './support/policy-workflow';

const START = '2026-12-01T02:00:00Z';
const TODAY = START.slice(0, 10);
const GRACE_PERIOD_DAYS = 60;

describe.each(TEST_DIALECTS)('policy lifecycle through the gateway on %s', (dialect) => {
  let graph: GraphUnderTest;
  let cast: PolicyCast;
  let auditStore: Knex;
  const clock = new SettableClock(START);

  beforeAll(async () => {
    graph = await startGraph({ dialect, clock });
    cast = await castFor(graph);
    auditStore = await openAuditStore(graph.databases.config);
  }, 180_000);
  afterAll(async () => {
    await auditStore?.destroy();
    await graph?.close();
  });
  beforeEach(() => clock.set(START));

  const policies = () => graph.subgraphs['policies']!;
  const runClock = () => runPolicyClock(policies().db, clock.now(), { gracePeriodDays: GRACE_PERIOD_DAYS, events: policies().events.recorder });
  const eventsOf = async (policyNo: string): Promise<{ type: string; payload: Record<string, unknown> }[]> =>
    (
      await policies()
        .db(OUTBOX_TABLE)
        .where({ aggregate: `Policy:${policyNo}` })
        .orderBy('sequence', 'asc')
        .select('type', 'payload')
    ).map((row: { type: string; payload: string }) => ({ type: row.type, payload: JSON.parse(row.payload) as Record<string, unknown> }));

  const quoteInput = (overrides: Record<string, unknown> = {}) => ({
    customerId: cast.customerId,
    productCode: 'MOT-PRV',
    channel: 'DIRECT',
    effectiveDate: dayAfter(TODAY, 10),
    sumInsured: 150_000,
    writtenPremium: 3_456.78,
    ...overrides,
  });
  const quote = async (overrides: Record<string, unknown> = {}): Promise<PolicyView> =>
    answered(await mutatePolicy(graph, 'quotePolicy', quoteInput(overrides), cast.manager), 'quotePolicy');
  const bind = async (policy: PolicyView, premiumPaid = true): Promise<PolicyView> =>
    answered(await mutatePolicy(graph, 'bindPolicy', { policyNo: policy.policyNo, expectedVersion: policy.version, premiumPaid }, cast.manager), 'bindPolicy');
  /** A policy in force from today. */
  const inForce = async (premiumPaid = true): Promise<PolicyView> => bind(await quote({ effectiveDate: TODAY }), premiumPaid);

  it('quotes, binds, puts in force, renews and hands over to the renewal at expiry', async () => {
    const quoted = await quote();
    expect(quoted).toMatchObject({
      status: 'QUOTED',
      version: 1,
      productCode: 'MOT-PRV',
      lineOfBusiness: 'MOTOR',
      effectiveDate: dayAfter(TODAY, 10),
      expiryDate: '2027-12-11',
      sumInsured: 150_000,
      writtenPremium: 3_456.78,
      boundAt: null,
      customer: { id: cast.customerId },
    });
    expect(quoted.policyNo).toMatch(/^PMO\d{12}$/);
    // The product's standard covers share the premium to the fen.
    expect(quoted.coverages!.length).toBeGreaterThan(0);
    expect(Math.round(quoted.coverages!.reduce((sum, cover) => sum + cover.premium!, 0) * 100)).toBe(345_678);

    const bound = await bind(quoted);
    expect(bound).toMatchObject({ status: 'BOUND', version: 2, paymentStatus: 'PAID', boundAt: '2026-12-01T02:00:00Z' });
    expect((await eventsOf(quoted.policyNo)).map((event) => event.type)).toEqual(['policy.bound']);

    // Cover starts on its effective date: the policy clock puts it in force.
    clock.set(`${dayAfter(TODAY, 10)}T00:30:00Z`);
    await runClock();
    expect(await readPolicy(graph, quoted.policyNo, cast.manager)).toMatchObject({ status: 'IN_FORCE', version: 3 });

    // The operator of the branch renews it; the renewal is a quote for the next term, linked both ways.
    const renewal = answered(
      await mutatePolicy(graph, 'renewPolicy', { policyNo: quoted.policyNo, expectedVersion: 3, writtenPremium: 3_300 }, cast.operator),
      'renewPolicy',
    );
    expect(renewal).toMatchObject({
      status: 'QUOTED',
      effectiveDate: '2027-12-11',
      expiryDate: '2028-12-10',
      sumInsured: 150_000,
      writtenPremium: 3_300,
      priorPolicy: { policyNo: quoted.policyNo, status: 'IN_FORCE' },
    });
    expect(renewal.coverages!.map((cover) => cover.code)).toEqual(quoted.coverages!.map((cover) => cover.code));
    expect((await readPolicy(graph, quoted.policyNo, cast.manager)).renewalPolicy).toEqual({ policyNo: renewal.policyNo, status: 'QUOTED' });

    const boundRenewal = await bind(renewal);
    expect(boundRenewal.status).toBe('BOUND');
    expect((await eventsOf(quoted.policyNo)).map((event) => event.type)).toEqual(['policy.bound', 'policy.renewed']);
    const [renewed] = (await eventsOf(quoted.policyNo)).filter((event) => event.type === 'policy.renewed');
    expect(renewed!.payload).toMatchObject({ policyNo: renewal.policyNo, priorPolicyNo: quoted.policyNo, writtenPremium: '3300.00' });

    // At expiry the prior policy is renewed and the renewal takes over.
    clock.set('2027-12-11T00:30:00Z');
    await runClock();
    expect(await readPolicy(graph, quoted.policyNo, cast.manager)).toMatchObject({ status: 'RENEWED', renewalPolicy: { status: 'IN_FORCE' } });
  });

  it("renews a seeded policy with its people, insured objects and covers, for the prior's premium", async () => {
    const { policyNo, operator } = await seededPolicyToRenew(graph);
    const prior = await readPolicy(graph, policyNo, operator);
    const renewal = answered(await mutatePolicy(graph, 'renewPolicy', { policyNo, expectedVersion: prior.version }, operator), 'renewPolicy');
    expect(renewal).toMatchObject({
      status: 'QUOTED',
      effectiveDate: prior.expiryDate > TODAY ? prior.expiryDate : TODAY,
      productCode: prior.productCode,
      sumInsured: prior.sumInsured,
      writtenPremium: prior.writtenPremium,
      priorPolicy: { policyNo },
    });
    expect(renewal.participants).toEqual(prior.participants);
    // The same objects, under the same keys: claims on them are counted as on one object across the renewal.
    expect(renewal.insuredObjects).toEqual(prior.insuredObjects);
    expect(renewal.coverages).toEqual(prior.coverages);

    // Bound, the renewal tells the other systems the keys of the objects it insures.
    const keys = prior.insuredObjects!.map((object) => object.objectKey);
    expect(keys.length).toBeGreaterThan(0);
    answered(
      await mutatePolicy(graph, 'bindPolicy', { policyNo: renewal.policyNo, expectedVersion: renewal.version, premiumPaid: true }, operator),
      'bindPolicy',
    );
    const boundEvent = (await eventsOf(renewal.policyNo)).find((event) => event.type === 'policy.bound');
    expect(boundEvent?.payload).toMatchObject({ policyNo: renewal.policyNo, insuredObjectKeys: keys });
    const renewedEvent = (await eventsOf(policyNo)).find((event) => event.type === 'policy.renewed');
    expect(renewedEvent?.payload).toMatchObject({ policyNo: renewal.policyNo, priorPolicyNo: policyNo, insuredObjectKeys: keys });
  });

  it('expires a policy nobody renewed', async () => {
    const policy = await inForce();
    clock.set('2027-12-01T00:30:00Z');
    await runClock();
    expect(await readPolicy(graph, policy.policyNo, cast.manager)).toMatchObject({ status: 'EXPIRED', version: 3 });
  });

  it('cancels a policy at the customer’s request and reinstates it once the premium is paid again', async () => {
    const policy = await inForce();
    expect(policy).toMatchObject({ status: 'IN_FORCE', version: 2 });
    clock.set(`${dayAfter(TODAY, 20)}T03:00:00Z`);
    const cancelled = answered(
      await mutatePolicy(
        graph,
        'cancelPolicy',
        { policyNo: policy.policyNo, expectedVersion: 2, reason: 'CUSTOMER_REQUEST', cancelledOn: dayAfter(TODAY, 15) },
        cast.operator,
      ),
      'cancelPolicy',
    );
    expect(cancelled).toMatchObject({ status: 'CANCELLED', version: 3, terminationReason: 'CUSTOMER_REQUEST', paymentStatus: 'REFUNDED' });
    expect(cancelled.terminatedAt).toBe(`${dayAfter(TODAY, 15)}T00:00:00Z`);
    const [event] = (await eventsOf(policy.policyNo)).filter((entry) => entry.type === 'policy.cancelled');
    expect(event!.payload).toMatchObject({ policyNo: policy.policyNo, customerId: cast.customerId, cancelledOn: dayAfter(TODAY, 15), forNonPayment: false });

    // The refunded premium must come back before cover does.
    const unpaid = await mutatePolicy(graph, 'reinstatePolicy', { policyNo: policy.policyNo, expectedVersion: 3 }, cast.operator);
    expect(firstError(unpaid)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.arrearsSettled' });
    const reinstated = answered(
      await mutatePolicy(graph, 'reinstatePolicy', { policyNo: policy.policyNo, expectedVersion: 3, arrearsSettled: true }, cast.operator),
      'reinstatePolicy',
    );
    expect(reinstated).toMatchObject({ status: 'IN_FORCE', version: 4, paymentStatus: 'PAID', terminatedAt: null, terminationReason: null });
    expect((await eventsOf(policy.policyNo)).map((entry) => entry.type)).toEqual(['policy.bound', 'policy.cancelled', 'policy.reinstated']);
  });

  it('lapses an unpaid policy when the grace period runs out, and reinstates it with the arrears settled', async () => {
    const policy = await inForce(false);
    expect(policy).toMatchObject({ status: 'IN_FORCE', paymentStatus: 'UNPAID', arrearsDays: 0 });
    clock.set(`${dayAfter(TODAY, GRACE_PERIOD_DAYS - 1)}T12:00:00Z`);
    await runClock();
    expect(await readPolicy(graph, policy.policyNo, cast.manager)).toMatchObject({ status: 'IN_FORCE', arrearsDays: GRACE_PERIOD_DAYS - 1 });
    clock.set(`${dayAfter(TODAY, GRACE_PERIOD_DAYS + 3)}T12:00:00Z`);
    await runClock();
    const lapsed = await readPolicy(graph, policy.policyNo, cast.manager);
    expect(lapsed).toMatchObject({ status: 'LAPSED', terminationReason: 'NON_PAYMENT', arrearsDays: GRACE_PERIOD_DAYS, version: 3 });
    expect(lapsed.terminatedAt).toBe(`${dayAfter(TODAY, GRACE_PERIOD_DAYS)}T00:00:00Z`);
    expect((await eventsOf(policy.policyNo)).map((entry) => entry.type)).toEqual(['policy.bound', 'policy.lapsed']);
    // Running the clock again moves nothing twice.
    await runClock();
    expect((await readPolicy(graph, policy.policyNo, cast.manager)).version).toBe(3);

    const refused = await mutatePolicy(graph, 'reinstatePolicy', { policyNo: policy.policyNo, expectedVersion: 3, arrearsSettled: false }, cast.operator);
    expect(firstError(refused)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.arrearsSettled' });
    const reinstated = answered(
      await mutatePolicy(graph, 'reinstatePolicy', { policyNo: policy.policyNo, expectedVersion: 3, arrearsSettled: true }, cast.operator),
      'reinstatePolicy',
    );
    expect(reinstated).toMatchObject({ status: 'IN_FORCE', paymentStatus: 'PAID', arrearsDays: 0, version: 4 });
  });

  describe('refuses illegal transitions with the current state and what may come next', () => {
    it('binds only a quote', async () => {
      const policy = await inForce();
      const again = await mutatePolicy(graph, 'bindPolicy', { policyNo: policy.policyNo, expectedVersion: 2, premiumPaid: true }, cast.manager);
      expect(firstError(again)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'IN_FORCE', allowed: ['EXPIRED', 'RENEWED', 'CANCELLED', 'LAPSED'] });
    });

    it('renews only a policy that is in force or ran out, and only once', async () => {
      const quoted = await quote();
      const early = await mutatePolicy(graph, 'renewPolicy', { policyNo: quoted.policyNo, expectedVersion: 1 }, cast.manager);
      expect(firstError(early)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'QUOTED', allowed: ['BOUND', 'IN_FORCE'] });
      const policy = await inForce();
      answered(await mutatePolicy(graph, 'renewPolicy', { policyNo: policy.policyNo, expectedVersion: 2 }, cast.manager), 'renewPolicy');
      const twice = await mutatePolicy(graph, 'renewPolicy', { policyNo: policy.policyNo, expectedVersion: 2 }, cast.manager);
      expect(firstError(twice)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.policyNo' });
    });

    it('cancels only a bound or in-force policy', async () => {
      const quoted = await quote();
      const response = await mutatePolicy(graph, 'cancelPolicy', { policyNo: quoted.policyNo, expectedVersion: 1, reason: 'CUSTOMER_REQUEST' }, cast.operator);
      expect(firstError(response)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'QUOTED', allowed: ['BOUND', 'IN_FORCE'] });
      const policy = await inForce();
      answered(
        await mutatePolicy(graph, 'cancelPolicy', { policyNo: policy.policyNo, expectedVersion: 2, reason: 'OBJECT_SOLD' }, cast.operator),
        'cancelPolicy',
      );
      const again = await mutatePolicy(graph, 'cancelPolicy', { policyNo: policy.policyNo, expectedVersion: 3, reason: 'OBJECT_SOLD' }, cast.operator);
      expect(firstError(again)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'CANCELLED', allowed: ['BOUND', 'IN_FORCE'] });
    });

    it('reinstates only a cancelled or lapsed policy, and never one past its expiry', async () => {
      const policy = await inForce();
      const response = await mutatePolicy(graph, 'reinstatePolicy', { policyNo: policy.policyNo, expectedVersion: 2, arrearsSettled: true }, cast.operator);
      expect(firstError(response)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'IN_FORCE' });
      answered(
        await mutatePolicy(graph, 'cancelPolicy', { policyNo: policy.policyNo, expectedVersion: 2, reason: 'CUSTOMER_REQUEST' }, cast.operator),
        'cancelPolicy',
      );
      clock.set('2027-12-02T02:00:00Z');
      const late = await mutatePolicy(graph, 'reinstatePolicy', { policyNo: policy.policyNo, expectedVersion: 3, arrearsSettled: true }, cast.operator);
      expect(firstError(late)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.policyNo' });
    });
  });

  describe('refuses what the policy file does not grant, naming the action', () => {
    it('a hotline agent may not quote, bind or renew, and each refusal is audited', async () => {
      // Premiums are never readable to the hotline, so it reads back only what it may see.
      const response = await mutatePolicy(graph, 'quotePolicy', quoteInput(), cast.hotlineAgent, 'policyNo status');
      expect(firstError(response)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'policy.quote', reason: 'NOT_GRANTED' });
      expect(response.data?.quotePolicy ?? null).toBeNull();
      const policy = await inForce();
      const quoted = await quote();
      const refusals = [
        await mutatePolicy(graph, 'bindPolicy', { policyNo: quoted.policyNo, expectedVersion: 1, premiumPaid: true }, cast.hotlineAgent, 'policyNo'),
        await mutatePolicy(graph, 'renewPolicy', { policyNo: policy.policyNo, expectedVersion: 2 }, cast.hotlineAgent, 'policyNo'),
      ];
      expect(refusals.map((refusal) => firstError(refusal))).toMatchObject([
        { code: 'FORBIDDEN_ACTION', action: 'policy.bind', reason: 'NOT_GRANTED' },
        { code: 'FORBIDDEN_ACTION', action: 'policy.renew', reason: 'NOT_GRANTED' },
      ]);
      const decisionId = firstError(refusals[0]!)['decisionId'];
      const denied = await waitUntil(
        async () => (await auditStore(AUDIT_TABLE).where({ coordinate: 'action:policy.bind', decision: 'DENY' })) as Record<string, unknown>[],
        (found) => found.some((row) => row['decision_id'] === decisionId),
      );
      expect(denied.find((row) => row['decision_id'] === decisionId)).toMatchObject({
        staff_id: cast.hotlineAgent.staffId,
        rule: 'policy.bind/HOTLINE_AGENT/not-granted',
      });
      expect((await readPolicy(graph, quoted.policyNo, AUDITOR)).status).toBe('QUOTED');
    });

    it("a manager may not quote for, bind or renew a colleague's customer", async () => {
      const quoted = await quote();
      const policy = await inForce();
      expect(firstError(await mutatePolicy(graph, 'quotePolicy', quoteInput(), cast.otherManager))).toMatchObject({
        code: 'FORBIDDEN_ACTION',
        action: 'policy.quote',
        reason: 'OUT_OF_SCOPE',
      });
      expect(
        firstError(await mutatePolicy(graph, 'bindPolicy', { policyNo: quoted.policyNo, expectedVersion: 1, premiumPaid: true }, cast.otherManager)),
      ).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'policy.bind', reason: 'OUT_OF_SCOPE' });
      expect(firstError(await mutatePolicy(graph, 'renewPolicy', { policyNo: policy.policyNo, expectedVersion: 2 }, cast.otherManager))).toMatchObject({
        code: 'FORBIDDEN_ACTION',
        action: 'policy.renew',
        reason: 'OUT_OF_SCOPE',
      });
      expect((await readPolicy(graph, quoted.policyNo, AUDITOR)).status).toBe('QUOTED');
    });

    it('only operators cancel and reinstate, and only in their own branch', async () => {
      const policy = await inForce();
      expect(
        firstError(await mutatePolicy(graph, 'cancelPolicy', { policyNo: policy.policyNo, expectedVersion: 2, reason: 'CUSTOMER_REQUEST' }, cast.manager)),
      ).toMatchObject({
        code: 'FORBIDDEN_ACTION',
        action: 'policy.cancel',
        reason: 'NOT_GRANTED',
      });
      expect(
        firstError(await mutatePolicy(graph, 'cancelPolicy', { policyNo: policy.policyNo, expectedVersion: 2, reason: 'CUSTOMER_REQUEST' }, cast.farOperator)),
      ).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'policy.cancel', reason: 'OUT_OF_SCOPE' });
      answered(
        await mutatePolicy(graph, 'cancelPolicy', { policyNo: policy.policyNo, expectedVersion: 2, reason: 'CUSTOMER_REQUEST' }, cast.operator),
        'cancelPolicy',
      );
      expect(
        firstError(await mutatePolicy(graph, 'reinstatePolicy', { policyNo: policy.policyNo, expectedVersion: 3, arrearsSettled: true }, cast.farOperator)),
      ).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'policy.reinstate', reason: 'OUT_OF_SCOPE' });
      expect(
        firstError(await mutatePolicy(graph, 'reinstatePolicy', { policyNo: policy.policyNo, expectedVersion: 3, arrearsSettled: true }, cast.manager)),
      ).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'policy.reinstate', reason: 'NOT_GRANTED' });
      expect((await readPolicy(graph, policy.policyNo, AUDITOR)).status).toBe('CANCELLED');
    });
  });

  it('answers a retry with the same idempotency key with the first result and writes nothing; refuses the key for other input', async () => {
    // A moment of its own, so the quotes written at it are this test's only.
    clock.set('2026-12-01T05:05:05Z');
    const input = { ...quoteInput(), idempotencyKey: `quote-${dialect}-retry` };
    const first = answered(await graph.query(policyMutationDocument('quotePolicy'), { input }, cast.manager), 'quotePolicy');
    const retry = answered(await graph.query(policyMutationDocument('quotePolicy'), { input }, cast.manager), 'quotePolicy');
    expect(retry.policyNo).toBe(first.policyNo);
    const customer = await graph.query<{ customer: { policies: { policyNo: string; quotedAt: string }[] } | null }>(
      'query Quotes($id: ID!) { customer(id: $id) { policies(status: QUOTED) { policyNo quotedAt } } }',
      { id: cast.customerId },
      cast.manager,
    );
    expect(customer.data?.customer?.policies.filter((policy) => policy.quotedAt === '2026-12-01T05:05:05Z')).toEqual([
      { policyNo: first.policyNo, quotedAt: '2026-12-01T05:05:05Z' },
    ]);
    const reused = await graph.query(policyMutationDocument('quotePolicy'), { input: { ...input, writtenPremium: 999 } }, cast.manager);
    expect(firstError(reused)).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', action: 'policy.quote' });

    const bindInput = { idempotencyKey: `bind-${dialect}-retry`, policyNo: first.policyNo, expectedVersion: 1, premiumPaid: true };
    const bound = answered(await graph.query(policyMutationDocument('bindPolicy'), { input: bindInput }, cast.manager), 'bindPolicy');
    const boundAgain = answered(await graph.query(policyMutationDocument('bindPolicy'), { input: bindInput }, cast.manager), 'bindPolicy');
    expect(boundAgain).toMatchObject({ policyNo: bound.policyNo, version: 2, status: 'BOUND' });
    expect((await eventsOf(first.policyNo)).map((event) => event.type)).toEqual(['policy.bound']);
    // One audit record of the bind, for the first request only, with its versions and no value in clear.
    const pseudonym = pseudonymise(TEST_PSEUDONYM_SECRET, `Policy:${first.policyNo}`);
    const records = await waitUntil(
      async () =>
        ((await auditStore(AUDIT_TABLE).where({ coordinate: 'action:policy.bind' })) as Record<string, unknown>[]).filter((row) =>
          String(row['record_pseudonyms']).includes(pseudonym),
        ),
      (found) => found.length > 0,
    );
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ format: 3, staff_id: cast.manager.staffId, decision: 'ALLOW', rule: 'policy.bind/CUSTOMER_MANAGER/OWN' });
    expect(JSON.parse(String(records[0]!['change']))).toMatchObject({ beforeVersion: 1, afterVersion: 2 });
    const stored = JSON.stringify(records[0]);
    // The policy's key is stored pseudonymised, the new payment status hashed.
    for (const clear of [first.policyNo, 'PAID']) expect(stored).not.toContain(clear);
  });

  it('gives quotes made at once their own numbers, and renews a policy once when two renewals meet', async () => {
    const quotes = await Promise.all(Array.from({ length: 8 }, () => mutatePolicy(graph, 'quotePolicy', quoteInput(), cast.manager)));
    const numbers = quotes.map((response) => answered(response, 'quotePolicy').policyNo);
    expect(new Set(numbers).size).toBe(8);
    const policy = await inForce();
    const renewals = await Promise.all(
      [cast.manager, cast.operator].map((acting) => mutatePolicy(graph, 'renewPolicy', { policyNo: policy.policyNo, expectedVersion: 2 }, acting)),
    );
    const renewed = renewals.filter((response) => response.data?.renewPolicy);
    expect(renewed).toHaveLength(1);
    expect(firstError(renewals.find((response) => !response.data?.renewPolicy)!)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.policyNo' });
    expect((await readPolicy(graph, policy.policyNo, cast.manager)).renewalPolicy?.policyNo).toBe(renewed[0]!.data!.renewPolicy!.policyNo);
  });

  it('refuses a change based on a stale version with the current one', async () => {
    const policy = await inForce();
    answered(await mutatePolicy(graph, 'renewPolicy', { policyNo: policy.policyNo, expectedVersion: 2 }, cast.operator), 'renewPolicy');
    answered(
      await mutatePolicy(graph, 'cancelPolicy', { policyNo: policy.policyNo, expectedVersion: 2, reason: 'CUSTOMER_REQUEST' }, cast.operator),
      'cancelPolicy',
    );
    const stale = await mutatePolicy(graph, 'reinstatePolicy', { policyNo: policy.policyNo, expectedVersion: 2, arrearsSettled: true }, cast.operator);
    expect(firstError(stale)).toMatchObject({ code: 'CONFLICT', expectedVersion: 2, currentVersion: 3 });
    expect((await readPolicy(graph, policy.policyNo, AUDITOR)).status).toBe('CANCELLED');
  });

  describe('validates input, naming the field and the reason', () => {
    it.each([
      ['input.sumInsured', { sumInsured: 0 }],
      ['input.writtenPremium', { writtenPremium: 12.345 }],
      ['input.writtenPremium', { writtenPremium: 200_000 }],
      ['input.effectiveDate', { effectiveDate: dayAfter(TODAY, -1) }],
      ['input.effectiveDate', { effectiveDate: '2027-02-30' }],
      ['input.effectiveDate', { effectiveDate: dayAfter(TODAY, 400) }],
      ['input.expiryDate', { expiryDate: dayAfter(TODAY, 5) }],
      ['input.productCode', { productCode: 'NO-SUCH' }],
      ['input.customerId', { customerId: 'abc' }],
    ])('%s', async (field, overrides) => {
      const response = await mutatePolicy(graph, 'quotePolicy', quoteInput(overrides), cast.manager);
      expect(firstError(response)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: field });
      expect(response.errors![0]!.message).not.toMatch(/select|insert|at .*\.ts|http:\/\//i);
    });

    it('cancellation dates: not in the future, not before cover started', async () => {
      const policy = await inForce();
      for (const cancelledOn of [dayAfter(TODAY, 1), dayAfter(TODAY, -1), 'yesterday']) {
        const response = await mutatePolicy(
          graph,
          'cancelPolicy',
          { policyNo: policy.policyNo, expectedVersion: 2, reason: 'CUSTOMER_REQUEST', cancelledOn },
          cast.operator,
        );
        expect(firstError(response)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.cancelledOn' });
      }
      const paid = await mutatePolicy(graph, 'cancelPolicy', { policyNo: policy.policyNo, expectedVersion: 2, reason: 'NON_PAYMENT' }, cast.operator);
      expect(firstError(paid)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.reason' });
    });
  });
});

/**
 * The customers system's blacklist reaches policies as events (delivered over HTTP, or NATS JetStream when
 * NATS_URL is set): once one is applied, quote, bind and renew refuse the customer; once it is lifted, they
 * serve it again. Delivered even when policies was down as the change was made.
 */
describe.each(STORES_AND_TRANSPORTS_UNDER_TEST)('a blacklisted customer on %s, events over %s', (dialect, transport) => {
  let graph: GraphUnderTest;
  let cast: PolicyCast;
  const clock = new SettableClock(START);

  beforeAll(async () => {
    graph = await startGraph({ dialect, clock, eventTransport: transport });
    cast = await castFor(graph);
  }, 180_000);
  afterAll(async () => {
    await graph?.close();
  });

  const quoteInput = { customerId: '', productCode: 'PRO-HOM', channel: 'DIRECT', effectiveDate: TODAY, sumInsured: 300_000, writtenPremium: 600 };

  it('is refused quote, bind and renew once the change is delivered, also to a policies subgraph that was down; served again once lifted', async () => {
    const input = { ...quoteInput, customerId: cast.customerId };
    const quoted = answered(await mutatePolicy(graph, 'quotePolicy', input, cast.manager), 'quotePolicy');
    const toRenew = answered(await mutatePolicy(graph, 'quotePolicy', input, cast.manager), 'quotePolicy');
    const inForce = answered(
      await mutatePolicy(graph, 'bindPolicy', { policyNo: toRenew.policyNo, expectedVersion: 1, premiumPaid: true }, cast.manager),
      'bindPolicy',
    );

    // Policies is down while the customers system blacklists the customer; the change waits for it.
    await graph.stopSubgraph('policies');
    await sendBlacklistChange(graph, cast.customerId, true, clock.now());
    await graph.restartSubgraph('policies');
    expect(
      await waitUntil(
        () => policiesRefuse(graph, cast.customerId),
        (refused) => refused,
      ),
    ).toBe(true);

    const refusals = [
      await mutatePolicy(graph, 'quotePolicy', input, cast.manager),
      await mutatePolicy(graph, 'bindPolicy', { policyNo: quoted.policyNo, expectedVersion: 1, premiumPaid: true }, cast.manager),
      await mutatePolicy(graph, 'renewPolicy', { policyNo: inForce.policyNo, expectedVersion: inForce.version }, cast.operator),
    ];
    for (const refusal of refusals) expect(firstError(refusal)).toMatchObject({ code: 'CUSTOMER_BLACKLISTED' });
    // Nothing was written: the quote is still a quote and the policy has no renewal.
    expect(await readPolicy(graph, quoted.policyNo, cast.manager)).toMatchObject({ status: 'QUOTED', version: 1 });
    expect((await readPolicy(graph, inForce.policyNo, cast.manager)).renewalPolicy).toBeNull();
    // Cancelling is still the operator's to do: only new business is refused.
    answered(
      await mutatePolicy(graph, 'cancelPolicy', { policyNo: inForce.policyNo, expectedVersion: inForce.version, reason: 'UNDERWRITING' }, cast.operator),
      'cancelPolicy',
    );

    await sendBlacklistChange(graph, cast.customerId, false, clock.now());
    expect(
      await waitUntil(
        () => policiesRefuse(graph, cast.customerId),
        (refused) => !refused,
      ),
    ).toBe(false);
    expect(
      answered(await mutatePolicy(graph, 'bindPolicy', { policyNo: quoted.policyNo, expectedVersion: 1, premiumPaid: true }, cast.manager), 'bindPolicy')
        .status,
    ).toBe('IN_FORCE');
  });
});
