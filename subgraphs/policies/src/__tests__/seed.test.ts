import {
  isValidMobile,
  isValidPlate,
  isValidResidentId,
  isValidUscc,
  isValidVin,
  LINES_OF_BUSINESS,
  POLICY_STATUSES,
  toIsoDate,
  toIsoTimestamp,
} from '@icg/shared';
import { DEFAULT_AS_OF, generateCompanyBatch, generateOrg, type PolicyFact, type SeedBatch } from '@icg/synthetic';
import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import {
  INSURED_OBJECT_KINDS,
  PARTICIPANT_ROLES,
  PAYMENT_STATUSES,
  RELATIONSHIPS,
  REMINDER_CHANNELS,
  REMINDER_STATUSES,
  SALES_CHANNELS,
  TERMINATION_REASONS,
} from '../domain';
import type { CoverageRow, InsuredObjectRow, ParticipantRow, PolicyRow, ReminderRow } from '../records';
import { policyTablesFor } from '../seed';
import { TEST_STORE } from './test-store';

const DAY_MS = 86_400_000;
const asOf = DEFAULT_AS_OF.getTime();

const time = (value: PolicyRow['quoted_at'] | null): number | null => (value === null ? null : Date.parse(toIsoTimestamp(value)!));
const dayStart = (value: PolicyRow['effective_date']): number => Date.parse(`${toIsoDate(value)}T00:00:00Z`);
const cents = (amount: number | string): number => Math.round(Number(amount) * 100);
const distinct = <T>(values: T[]): T[] => [...new Set(values)].sort();
const groupBy = <Row>(rows: Row[], key: (row: Row) => number | string): Map<string, Row[]> => {
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(String(key(row)), [...(groups.get(String(key(row))) ?? []), row]);
  return groups;
};

/** In force, expiring within 60 days of the clock, customer not blacklisted (DOMAIN.md section 5). */
function isDueForReminders(fact: PolicyFact, batch: SeedBatch): boolean {
  const daysLeft = (Date.parse(`${fact.expiryDate}T00:00:00Z`) - batch.asOf.getTime()) / DAY_MS;
  const customer = batch.customers.find((candidate) => candidate.id === fact.customerId)!;
  return fact.status === 'IN_FORCE' && daysLeft > 0 && daysLeft <= 60 && !customer.blacklisted;
}

describe.each(TEST_DIALECTS)('seeded policy store on %s', (dialect) => {
  let graph: SeededSubgraph;
  let policies: PolicyRow[];
  let participants: ParticipantRow[];
  let coverages: CoverageRow[];
  let insuredObjects: InsuredObjectRow[];
  let reminders: ReminderRow[];

  beforeAll(async () => {
    // Three batches, so batch boundaries are crossed.
    graph = await startSeededSubgraph({ ...TEST_STORE, dialect, customers: 1_000, batchSize: 400 });
    const db = graph.running.db;
    policies = await db<PolicyRow>('policies').select();
    participants = await db<ParticipantRow>('policy_participants').select();
    coverages = await db<CoverageRow>('policy_coverages').select();
    insuredObjects = await db<InsuredObjectRow>('insured_objects').select();
    reminders = await db<ReminderRow>('renewal_reminders').select();
  });

  afterAll(async () => {
    await graph?.close();
  });

  test('every value of every closed set occurs', () => {
    expect(distinct(policies.map((row) => row.status))).toEqual(distinct([...POLICY_STATUSES]));
    expect(distinct(policies.map((row) => row.line_of_business))).toEqual(distinct([...LINES_OF_BUSINESS]));
    expect(distinct(policies.map((row) => row.channel))).toEqual(distinct([...SALES_CHANNELS]));
    expect(distinct(policies.map((row) => row.payment_status))).toEqual(distinct([...PAYMENT_STATUSES]));
    expect(distinct(policies.flatMap((row) => row.termination_reason ?? []))).toEqual(distinct([...TERMINATION_REASONS]));
    expect(distinct(participants.map((row) => row.role))).toEqual(distinct([...PARTICIPANT_ROLES]));
    expect(distinct(participants.map((row) => row.relationship_to_policyholder))).toEqual(distinct([...RELATIONSHIPS]));
    expect(distinct(insuredObjects.map((row) => row.kind))).toEqual(distinct([...INSURED_OBJECT_KINDS]));
    expect(distinct(reminders.map((row) => row.status))).toEqual(distinct([...REMINDER_STATUSES]));
    expect(distinct(reminders.map((row) => row.channel))).toEqual(distinct([...REMINDER_CHANNELS]));
  });

  test('there is one policy row per policy fact, agreeing with it', () => {
    const byId = new Map(policies.map((row) => [Number(row.id), row]));
    expect(policies).toHaveLength(graph.facts.policies.length);
    for (const fact of graph.facts.policies) {
      const row = byId.get(fact.id)!;
      const customer = graph.facts.customers.find((candidate) => candidate.id === fact.customerId)!;
      expect({
        policyNo: row.policy_no,
        customerId: Number(row.customer_id),
        line: row.line_of_business,
        status: row.status,
        effectiveDate: toIsoDate(row.effective_date),
        expiryDate: toIsoDate(row.expiry_date),
        sumInsured: cents(row.sum_insured),
        writtenPremium: cents(row.written_premium),
        branchPath: row.branch_path,
        servicingManager: row.servicing_manager_staff_id === null ? null : Number(row.servicing_manager_staff_id),
        customerManager: row.customer_manager_staff_id === null ? null : Number(row.customer_manager_staff_id),
        priorPolicyNo: row.prior_policy_no,
      }).toEqual({
        policyNo: fact.policyNo,
        customerId: fact.customerId,
        line: fact.lineOfBusiness,
        status: fact.status,
        effectiveDate: fact.effectiveDate,
        expiryDate: fact.expiryDate,
        sumInsured: cents(fact.sumInsured),
        writtenPremium: cents(fact.writtenPremium),
        branchPath: fact.branchPath,
        servicingManager: fact.servicingManagerStaffId,
        customerManager: customer.primaryManagerStaffId,
        priorPolicyNo: fact.priorPolicyNo,
      });
    }
  });

  test('every policy has its customer as policyholder, and every identifier is valid', () => {
    const participantsByPolicy = groupBy(participants, (row) => row.policy_id);
    for (const fact of graph.facts.policies) {
      const customer = graph.facts.customers.find((candidate) => candidate.id === fact.customerId)!;
      const holders = participantsByPolicy.get(String(fact.id))!.filter((row) => row.role === 'POLICYHOLDER');
      expect(holders.map((row) => [row.name, row.id_number, row.mobile, Number(row.customer_id)])).toEqual([
        [customer.name, customer.idNumber, customer.mobile, customer.id],
      ]);
    }
    const invalid = participants.filter(
      (row) =>
        !(row.id_type === 'USCC' ? isValidUscc(row.id_number) : isValidResidentId(row.id_number, DEFAULT_AS_OF)) ||
        (row.mobile !== null && !isValidMobile(row.mobile)),
    );
    expect(invalid).toEqual([]);
    const vehicles = insuredObjects.filter((row) => row.kind === 'VEHICLE');
    expect(vehicles.filter((row) => !isValidPlate(row.plate ?? '') || !isValidVin(row.vin ?? ''))).toEqual([]);
  });

  test('workflow timestamps run quoted → bound → effective → terminated, none after the clock', () => {
    const violations: string[] = [];
    for (const row of policies) {
      const quoted = time(row.quoted_at)!;
      const bound = time(row.bound_at);
      const terminated = time(row.terminated_at);
      const effective = dayStart(row.effective_date);
      const check = (holds: boolean, rule: string) => holds || violations.push(`${row.policy_no} (${row.status}): ${rule}`);
      check(quoted <= asOf, 'quoted after the clock');
      check((bound === null) === (row.status === 'QUOTED'), 'bound exactly unless quoted');
      if (bound !== null) check(quoted < bound && bound <= Math.min(effective, asOf), 'bound after quoting, before cover and the clock');
      check((terminated === null) === !['CANCELLED', 'LAPSED'].includes(row.status), 'terminated exactly when cancelled or lapsed');
      if (terminated !== null)
        check(effective <= terminated && terminated <= Math.min(dayStart(row.expiry_date), asOf), 'terminated during cover, before the clock');
    }
    expect(violations).toEqual([]);
  });

  test('payment state and arrears agree with the policy status', () => {
    const violations: string[] = [];
    for (const row of policies) {
      const check = (holds: boolean, rule: string) =>
        holds || violations.push(`${row.policy_no} (${row.status}, ${row.payment_status}, ${row.arrears_days}d): ${rule}`);
      const elapsedDays = Math.max(0, Math.floor((asOf - dayStart(row.effective_date)) / DAY_MS));
      check(row.arrears_days >= 0 && row.arrears_days <= elapsedDays, 'arrears within the days since inception');
      if (row.payment_status === 'PAID' || row.payment_status === 'REFUNDED') check(row.arrears_days === 0, 'nothing overdue when paid');
      if (row.payment_status === 'REFUNDED')
        check(row.status === 'CANCELLED' && row.termination_reason !== 'NON_PAYMENT', 'refunds only for cancellations other than non-payment');
      if (row.status === 'QUOTED') check(row.payment_status === 'UNPAID' && row.arrears_days === 0, 'a quote owes nothing yet');
      if (row.status === 'LAPSED' || row.termination_reason === 'NON_PAYMENT') {
        check(row.payment_status === 'UNPAID', 'non-payment leaves the premium unpaid');
        check(row.arrears_days === Math.floor((time(row.terminated_at)! - dayStart(row.effective_date)) / DAY_MS), 'overdue from inception to termination');
      }
      if (row.status === 'LAPSED') check(row.termination_reason === 'NON_PAYMENT', 'lapses are for non-payment');
    }
    expect(violations).toEqual([]);
  });

  test('coverage premiums add up to each written premium to the cent', () => {
    const coverageCents = new Map<string, number>();
    for (const row of coverages) coverageCents.set(String(row.policy_id), (coverageCents.get(String(row.policy_id)) ?? 0) + cents(row.premium));
    expect(policies.filter((row) => coverageCents.get(String(row.id)) !== cents(row.written_premium)).map((row) => row.policy_no)).toEqual([]);
    expect(coverages.filter((row) => Number(row.premium) <= 0 || Number(row.sum_insured) <= 0 || Number(row.deductible) < 0)).toEqual([]);
  });

  test('a renewal keeps the product, channel and insured objects of the policy it renews', () => {
    const byNo = new Map(policies.map((row) => [row.policy_no, row]));
    const objectsByPolicy = groupBy(insuredObjects, (row) => row.policy_id);
    const objectsOf = (row: PolicyRow) =>
      objectsByPolicy
        .get(String(row.id))!
        .map(({ kind, plate, vin, make, model, address, description, object_key }) => ({ kind, plate, vin, make, model, address, description, object_key }));
    const renewals = policies.filter((row) => row.prior_policy_no !== null);
    expect(renewals.length).toBeGreaterThan(100);
    for (const renewal of renewals) {
      const prior = byNo.get(renewal.prior_policy_no!)!;
      expect([renewal.product_code, renewal.channel, renewal.customer_id]).toEqual([prior.product_code, prior.channel, prior.customer_id]);
      expect(objectsOf(renewal)).toEqual(objectsOf(prior));
    }
  });

  test("an object's key is its id on the first policy of its chain, and differs between objects", () => {
    const firstPolicyIds = new Set(policies.filter((row) => row.prior_policy_no === null).map((row) => String(row.id)));
    const onFirstPolicies = insuredObjects.filter((row) => firstPolicyIds.has(String(row.policy_id)));
    expect(onFirstPolicies.length).toBeGreaterThan(100);
    expect(onFirstPolicies.filter((row) => String(row.object_key) !== String(row.id))).toEqual([]);
    const keysPerPolicy = groupBy(insuredObjects, (row) => String(row.policy_id));
    for (const objects of keysPerPolicy.values()) expect(new Set(objects.map((row) => String(row.object_key))).size).toBe(objects.length);
  });

  test('reminders go exactly to policies in force expiring within 60 days whose customer is not blacklisted', () => {
    const remindersByPolicy = groupBy(reminders, (row) => row.policy_id);
    const due = graph.facts.policies.filter((fact) => isDueForReminders(fact, graph.facts));
    expect(due.length).toBeGreaterThan(20);
    expect([...remindersByPolicy.keys()].sort()).toEqual(due.map((fact) => String(fact.id)).sort());
    for (const fact of due) {
      const rows = remindersByPolicy.get(String(fact.id))!;
      expect(rows.map((row) => row.days_before)).toEqual([60, 30, 15, 7]);
      const renewalBound = graph.facts.policies.some((candidate) => candidate.priorPolicyNo === fact.policyNo && candidate.status === 'BOUND');
      for (const row of rows.filter((reminder) => time(reminder.due_at)! > asOf)) expect(row.status).toBe(renewalBound ? 'CANCELLED' : 'SCHEDULED');
    }
  });
});

describe('policy rows from a batch of facts', () => {
  const org = generateOrg(TEST_STORE.seed);
  const batchOf = (firstCustomerId: number, lastCustomerId: number) =>
    generateCompanyBatch({ seed: TEST_STORE.seed, asOf: DEFAULT_AS_OF, org, firstCustomerId, lastCustomerId });

  test('a blacklisted customer gets no renewal reminders', () => {
    const batch = batchOf(1, 300);
    const reminded = batch.policies.find((fact) => isDueForReminders(fact, batch))!;
    const withBlacklist: SeedBatch = {
      ...batch,
      customers: batch.customers.map((customer) => (customer.id === reminded.customerId ? { ...customer, blacklisted: true } : customer)),
    };
    const policyIdsOfCustomer = new Set(batch.policies.filter((fact) => fact.customerId === reminded.customerId).map((fact) => fact.id));
    const isTheCustomers = (row: ReminderRow) => policyIdsOfCustomer.has(Number(row.policy_id));

    const before = policyTablesFor(batch).reminders;
    const after = policyTablesFor(withBlacklist).reminders;

    expect(before.filter(isTheCustomers).length).toBeGreaterThan(0);
    expect(after.filter(isTheCustomers)).toEqual([]);
    expect(after).toEqual(before.filter((row) => !isTheCustomers(row)));
  });

  test("a customer's rows do not depend on the batch they are seeded in", () => {
    const whole = policyTablesFor(batchOf(1, 120));
    const half = policyTablesFor(batchOf(61, 120));
    const secondHalfPolicyIds = new Set(whole.policies.filter((row) => Number(row.customer_id) >= 61).map((row) => Number(row.id)));
    const ofSecondHalf = <Row extends { policy_id: number | string }>(rows: Row[]) => rows.filter((row) => secondHalfPolicyIds.has(Number(row.policy_id)));

    expect(half.policies).toEqual(whole.policies.filter((row) => secondHalfPolicyIds.has(Number(row.id))));
    expect(half.participants).toEqual(ofSecondHalf(whole.participants));
    expect(half.coverages).toEqual(ofSecondHalf(whole.coverages));
    expect(half.insuredObjects).toEqual(ofSecondHalf(whole.insuredObjects));
    expect(half.reminders).toEqual(ofSecondHalf(whole.reminders));
  });
});
