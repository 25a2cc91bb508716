import { insertInChunks, latestTimestamp, sqlTimestamp, type Knex } from '@icg/shared';
import { SeededRandom, type CustomerFact, type PolicyFact, type SeedBatch, type SubgraphSeeder } from '@icg/synthetic';
import { BLACKLIST_REFUSALS_TABLE, blacklistRefusalSeedRows } from './blacklist-state';
import type { CoverageTemplate } from './catalog';
import { REMINDER_DAYS_BEFORE, type ParticipantRole, type PaymentStatus, type ReminderChannel, type TerminationReason } from './domain';
import type { CoverageRow, InsuredObjectRow, ParticipantRow, PolicyRow, ReminderRow } from './records';

// For the insights seeder, which keys a policy's objects as this system does.
export { objectKeyOf } from './records';
import { planChain, type ChainPlan } from './seed-chain';
import { policyholderOf, type Person } from './seed-people';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Days a policy stays in force with its premium unpaid before it lapses *(default)*. */
const GRACE_PERIOD_DAYS = 60;
/** Reminders are written for policies expiring within this many days of the batch's clock. */
const RENEWAL_WINDOW_DAYS = Math.max(...REMINDER_DAYS_BEFORE);

interface PolicyTables {
  policies: PolicyRow[];
  participants: ParticipantRow[];
  coverages: CoverageRow[];
  insuredObjects: InsuredObjectRow[];
  reminders: ReminderRow[];
}

const startOfDay = (date: string): Date => new Date(`${date}T00:00:00Z`);
const wholeDays = (from: Date, to: Date): number => Math.max(0, Math.floor((to.getTime() - from.getTime()) / DAY_MS));
const earliest = (...dates: Date[]): Date => new Date(Math.min(...dates.map((date) => date.getTime())));
const between = (random: SeededRandom, from: Date, to: Date): Date => (to > from ? random.between(from, to) : from);

/** Child rows are numbered under their policy (policy id × 100 + n), unique without shared counters. */
function childIds(policyId: number): () => number {
  let next = 1;
  return () => {
    if (next > 99) throw new Error(`policy ${policyId} has more than 99 child rows of one kind`);
    return policyId * 100 + next++;
  };
}

interface Workflow {
  quotedAt: Date;
  boundAt: Date | null;
  terminatedAt: Date | null;
  terminationReason: TerminationReason | null;
  paymentStatus: PaymentStatus;
  arrearsDays: number;
}

/** Timestamps in workflow order (quoted → bound → in force → terminated) and the premium's payment state. */
function workflowOf(random: SeededRandom, fact: PolicyFact, asOf: Date): Workflow {
  const effective = startOfDay(fact.effectiveDate);
  const coverEnd = earliest(startOfDay(fact.expiryDate), asOf);
  const latestQuote = new Date(asOf.getTime() - random.int(1, 72) * HOUR_MS);
  // Quotes are made in office hours (09:00–17:00 Beijing time) some weeks before cover starts.
  const quotedAt = earliest(new Date(effective.getTime() - random.int(5, 40) * DAY_MS + random.int(1, 9) * HOUR_MS), latestQuote);
  const boundAt = fact.status === 'QUOTED' ? null : between(random, new Date(quotedAt.getTime() + 600_000), earliest(effective, asOf));
  const elapsedDays = wholeDays(effective, asOf);

  switch (fact.status) {
    case 'QUOTED':
      return { quotedAt, boundAt, terminatedAt: null, terminationReason: null, paymentStatus: 'UNPAID', arrearsDays: 0 };
    case 'BOUND':
      // Premium falls due at inception, which is still ahead.
      return { quotedAt, boundAt, terminatedAt: null, terminationReason: null, paymentStatus: random.chance(0.7) ? 'PAID' : 'UNPAID', arrearsDays: 0 };
    case 'IN_FORCE': {
      const paymentStatus = random.weighted([
        ['PAID', 0.85],
        ['PARTIAL', 0.1],
        ['UNPAID', 0.05],
      ] as const);
      const overdue = paymentStatus === 'UNPAID' || (paymentStatus === 'PARTIAL' && random.chance(0.5));
      return {
        quotedAt,
        boundAt,
        terminatedAt: null,
        terminationReason: null,
        paymentStatus,
        arrearsDays: overdue ? Math.min(elapsedDays, random.int(1, GRACE_PERIOD_DAYS - 1)) : 0,
      };
    }
    case 'EXPIRED':
    case 'RENEWED': {
      const paymentStatus = random.chance(0.94) ? 'PAID' : 'PARTIAL';
      return {
        quotedAt,
        boundAt,
        terminatedAt: null,
        terminationReason: null,
        paymentStatus,
        arrearsDays: paymentStatus === 'PARTIAL' ? Math.min(elapsedDays, random.int(30, 200)) : 0,
      };
    }
    case 'CANCELLED': {
      const objectCanBeSold = fact.lineOfBusiness === 'MOTOR' || fact.lineOfBusiness === 'PROPERTY';
      const reason = random.weighted<TerminationReason>([
        ['CUSTOMER_REQUEST', 0.5],
        ['NON_PAYMENT', 0.2],
        ['OBJECT_SOLD', objectCanBeSold ? 0.2 : 0],
        ['UNDERWRITING', 0.1],
      ]);
      const terminatedAt = between(random, new Date(effective.getTime() + DAY_MS), coverEnd);
      const unpaid = reason === 'NON_PAYMENT';
      return {
        quotedAt,
        boundAt,
        terminatedAt,
        terminationReason: reason,
        paymentStatus: unpaid ? 'UNPAID' : 'REFUNDED',
        arrearsDays: unpaid ? wholeDays(effective, terminatedAt) : 0,
      };
    }
    case 'LAPSED': {
      // Cover lapses when the grace period for the unpaid premium runs out.
      const lapse = new Date(effective.getTime() + (GRACE_PERIOD_DAYS + random.int(0, 30)) * DAY_MS);
      const terminatedAt = new Date(Math.max(effective.getTime(), Math.min(lapse.getTime(), coverEnd.getTime() - HOUR_MS)));
      return { quotedAt, boundAt, terminatedAt, terminationReason: 'NON_PAYMENT', paymentStatus: 'UNPAID', arrearsDays: wholeDays(effective, terminatedAt) };
    }
  }
}

function policyRow(fact: PolicyFact, customer: CustomerFact, chain: ChainPlan, workflow: Workflow): PolicyRow {
  return {
    id: fact.id,
    policy_no: fact.policyNo,
    customer_id: fact.customerId,
    product_code: chain.product.code,
    product_name: chain.product.name,
    line_of_business: fact.lineOfBusiness,
    status: fact.status,
    channel: chain.channel,
    effective_date: fact.effectiveDate,
    expiry_date: fact.expiryDate,
    quoted_at: sqlTimestamp(workflow.quotedAt),
    bound_at: workflow.boundAt && sqlTimestamp(workflow.boundAt),
    terminated_at: workflow.terminatedAt && sqlTimestamp(workflow.terminatedAt),
    termination_reason: workflow.terminationReason,
    sum_insured: fact.sumInsured,
    written_premium: fact.writtenPremium,
    payment_status: workflow.paymentStatus,
    arrears_days: workflow.arrearsDays,
    prior_policy_no: fact.priorPolicyNo,
    branch_id: fact.branchId,
    branch_path: fact.branchPath,
    servicing_manager_staff_id: fact.servicingManagerStaffId,
    // The customer's primary manager is responsible for everything of the customer (ACCESS-MODEL.md section 3).
    customer_manager_staff_id: customer.primaryManagerStaffId ?? fact.servicingManagerStaffId,
    updated_at: latestTimestamp(workflow.quotedAt, workflow.boundAt, workflow.terminatedAt),
  };
}

function participantRows(fact: PolicyFact, customer: CustomerFact, chain: ChainPlan): ParticipantRow[] {
  const holder = policyholderOf(customer);
  const named: [ParticipantRole, Person][] = [['POLICYHOLDER', holder]];
  for (const insured of chain.otherInsured.length ? chain.otherInsured : [holder]) named.push(['INSURED', insured]);
  if (chain.beneficiary) named.push(['BENEFICIARY', chain.beneficiary]);
  // An individual drives their own car; an organisation's cars are driven by its named employees.
  if (fact.lineOfBusiness === 'MOTOR' && customer.kind === 'INDIVIDUAL') named.push(['DRIVER', holder]);
  for (const driver of chain.drivers) named.push(['DRIVER', driver]);
  if (chain.payer) named.push(['PAYER', chain.payer]);
  const nextId = childIds(fact.id);
  return named.map(([role, person]) => ({
    id: nextId(),
    policy_id: fact.id,
    role,
    name: person.name,
    id_type: person.idType,
    id_number: person.idNumber,
    mobile: person.mobile,
    gender: person.gender,
    birth_date: person.birthDate,
    relationship_to_policyholder: person.relationship,
    customer_id: person.customerId,
  }));
}

function coverLimit(template: CoverageTemplate, fact: PolicyFact, random: SeededRandom): number {
  if (template.limit.kind === 'FIXED') return random.pick(template.limit.amounts);
  return Math.max(1_000, Math.round((fact.sumInsured * template.limit.factor) / 1_000) * 1_000);
}

/** The product's covers taken on this policy; their premiums add up to the written premium to the cent. */
function coverageRows(fact: PolicyFact, chain: ChainPlan, random: SeededRandom): CoverageRow[] {
  const taken = chain.product.coverages.filter((template) => template.takeUp === undefined || random.chance(template.takeUp));
  const totalWeight = taken.reduce((sum, template) => sum + template.premiumWeight, 0);
  const premiumCents = Math.round(fact.writtenPremium * 100);
  const sharesCents = taken.map((template) => Math.floor((premiumCents * template.premiumWeight) / totalWeight));
  // Rounding leftovers go to the main cover.
  sharesCents[0]! += premiumCents - sharesCents.reduce((sum, cents) => sum + cents, 0);
  const nextId = childIds(fact.id);
  return taken.map((template, index) => ({
    id: nextId(),
    policy_id: fact.id,
    code: template.code,
    name: template.name,
    sum_insured: coverLimit(template, fact, random),
    premium: sharesCents[index]! / 100,
    deductible: random.pick(template.deductibles),
  }));
}

/** A renewal insures the chain's objects under new ids; each keeps the key it had on the chain's first policy (its id there). */
function insuredObjectRows(fact: PolicyFact, chain: ChainPlan, rootPolicyId: number): InsuredObjectRow[] {
  const nextId = childIds(fact.id);
  const keyOnRoot = childIds(rootPolicyId);
  return chain.objects.map((object) => ({ id: nextId(), policy_id: fact.id, ...object, object_key: keyOnRoot() }));
}

/**
 * Reminders 60/30/15/7 days before expiry for policies in force that expire within the window,
 * never for blacklisted customers (DOMAIN.md section 5). Those already due went out (a few failed);
 * the rest are scheduled, or cancelled once the renewal is bound.
 */
function reminderRows(seed: number, fact: PolicyFact, customer: CustomerFact, renewal: PolicyFact | undefined, asOf: Date): ReminderRow[] {
  const expiry = startOfDay(fact.expiryDate);
  const daysLeft = (expiry.getTime() - asOf.getTime()) / DAY_MS;
  if (customer.blacklisted || fact.status !== 'IN_FORCE' || daysLeft <= 0 || daysLeft > RENEWAL_WINDOW_DAYS) return [];
  const random = SeededRandom.for(seed, 'renewal-reminder', fact.id);
  const channels: (readonly [ReminderChannel, number])[] = [
    ['SMS', 0.45],
    ['WECHAT', 0.3],
    ['PHONE', customer.primaryManagerStaffId === null ? 0 : 0.15],
    ['EMAIL', customer.kind === 'ORGANISATION' ? 0.3 : 0.1],
  ];
  const nextId = childIds(fact.id);
  return REMINDER_DAYS_BEFORE.map((daysBefore) => {
    // Sent at 09:00 Beijing time.
    const dueAt = new Date(expiry.getTime() - daysBefore * DAY_MS + HOUR_MS);
    const channel = random.weighted(channels);
    let status: ReminderRow['status'] = renewal?.status === 'BOUND' ? 'CANCELLED' : 'SCHEDULED';
    let sentAt: Date | null = null;
    if (dueAt <= asOf) {
      status = random.chance(0.06) ? 'FAILED' : 'SENT';
      sentAt = status === 'SENT' ? earliest(new Date(dueAt.getTime() + random.int(0, 90) * 60_000), asOf) : null;
    }
    return { id: nextId(), policy_id: fact.id, days_before: daysBefore, due_at: sqlTimestamp(dueAt), sent_at: sentAt && sqlTimestamp(sentAt), channel, status };
  });
}

/** Turns the batch's policy facts into rows of all five tables. Pure: the same batch gives the same rows. */
export function policyTablesFor(batch: SeedBatch): PolicyTables {
  const customers = new Map(batch.customers.map((customer) => [customer.id, customer]));
  const byPolicyNo = new Map(batch.policies.map((fact) => [fact.policyNo, fact]));
  const renewals = new Map(batch.policies.filter((fact) => fact.priorPolicyNo !== null).map((fact) => [fact.priorPolicyNo!, fact]));
  const chains = new Map<number, ChainPlan>();
  const chainOf = (fact: PolicyFact, customer: CustomerFact): { chain: ChainPlan; rootPolicyId: number } => {
    let root = fact;
    for (let prior = root.priorPolicyNo && byPolicyNo.get(root.priorPolicyNo); prior; prior = prior.priorPolicyNo && byPolicyNo.get(prior.priorPolicyNo))
      root = prior;
    let chain = chains.get(root.id);
    if (!chain) chains.set(root.id, (chain = planChain(batch.seed, batch.asOf, root, customer)));
    return { chain, rootPolicyId: root.id };
  };

  const tables: PolicyTables = { policies: [], participants: [], coverages: [], insuredObjects: [], reminders: [] };
  for (const fact of batch.policies) {
    const customer = customers.get(fact.customerId);
    if (!customer) throw new Error(`policy ${fact.policyNo} refers to customer ${fact.customerId}, who is not in the batch`);
    const { chain, rootPolicyId } = chainOf(fact, customer);
    const random = SeededRandom.for(batch.seed, 'policy', fact.id);
    tables.policies.push(policyRow(fact, customer, chain, workflowOf(random, fact, batch.asOf)));
    tables.participants.push(...participantRows(fact, customer, chain));
    tables.coverages.push(...coverageRows(fact, chain, random));
    tables.insuredObjects.push(...insuredObjectRows(fact, chain, rootPolicyId));
    tables.reminders.push(...reminderRows(batch.seed, fact, customer, renewals.get(fact.policyNo), batch.asOf));
  }
  return tables;
}

export const policiesSeeder: SubgraphSeeder = {
  name: 'policies',
  tables: [BLACKLIST_REFUSALS_TABLE, 'renewal_reminders', 'insured_objects', 'policy_coverages', 'policy_participants', 'policies'],
  async seedBatch(db: Knex, batch: SeedBatch) {
    const tables = policyTablesFor(batch);
    await insertInChunks(db, 'policies', tables.policies);
    await insertInChunks(db, 'policy_participants', tables.participants);
    await insertInChunks(db, 'policy_coverages', tables.coverages);
    await insertInChunks(db, 'insured_objects', tables.insuredObjects);
    await insertInChunks(db, 'renewal_reminders', tables.reminders);
    // The refusal state the blacklist events keep, as it stands for the customers seeded blacklisted.
    await insertInChunks(db, BLACKLIST_REFUSALS_TABLE, blacklistRefusalSeedRows(batch.customers, batch.asOf));
  },
};
