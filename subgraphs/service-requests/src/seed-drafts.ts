import { addDays, type ServiceRequestStatus, type ServiceRequestType } from '@icg/shared';
import { SeededRandom, type ClaimFact, type ComplaintFact, type CustomerFact, type PolicyFact, type SeedBatch } from '@icg/synthetic';
import { DAY, HOUR, canWaitForCustomer, openedAtForStatus, planClaimReport, planComplaintCall, planTicket, type TicketPlan } from './seed-lifecycle';
import { claimReportWords, complaintCallWords, routineWords, type TicketWords } from './seed-texts';
import type { ServiceRequestChannel, ServiceRequestPriority } from './tables';

/**
 * Which tickets the hotline holds for a batch of the company's facts, and how each one unfolds:
 * a claim report for every claim reported by phone, a complaint call for every complaint that came
 * in through the hotline, and everyday tickets per customer. Calls and visits are elaborated from these drafts in seed-rows.ts.
 */

/** Share of resolved tickets followed by a satisfaction call. */
const FOLLOW_UP_VISIT_SHARE = 0.3;
/** Share of everyday tickets still recent at the seed's clock, so open work of every status exists. */
const RECENT_SHARE = 0.15;
const EVERYDAY_TICKETS_PER_CUSTOMER: readonly (readonly [number, number])[] = [
  [0, 30],
  [1, 30],
  [2, 20],
  [3, 12],
  [4, 8],
];
const RECENT_STATUS_WEIGHTS: readonly (readonly [ServiceRequestStatus, number])[] = [
  ['NEW', 10],
  ['TRIAGED', 10],
  ['ASSIGNED', 15],
  ['IN_PROGRESS', 25],
  ['PENDING_CUSTOMER', 15],
  ['RESOLVED', 15],
  ['CLOSED', 10],
];
/** Everyday tickets older than this are settled; history reaches back this far. */
const SETTLED_AFTER_DAYS = 40;
const HISTORY_DAYS = 3 * 365;

/**
 * Ticket ids nest under the customer (customer id × 100 + the customer's n-th ticket in the batch),
 * like the company's policy and claim ids, so batches never share a counter.
 */
const TICKETS_PER_CUSTOMER = 100;

class TicketIds {
  private readonly issued = new Map<number, number>();

  next(customerId: number): number {
    const index = this.issued.get(customerId) ?? 0;
    if (index >= TICKETS_PER_CUSTOMER) throw new Error(`Customer ${customerId} would get more than ${TICKETS_PER_CUSTOMER} tickets`);
    this.issued.set(customerId, index + 1);
    return customerId * TICKETS_PER_CUSTOMER + index;
  }
}

type EverydayType = Exclude<ServiceRequestType, 'CLAIM_REPORT' | 'COMPLAINT'>;

export interface TicketDraft {
  id: number;
  /** The ticket's own generator; seed-rows.ts keeps drawing from it. */
  random: SeededRandom;
  customer: CustomerFact;
  type: ServiceRequestType;
  channel: ServiceRequestChannel;
  priority: ServiceRequestPriority;
  words: TicketWords;
  policyNo: string | null;
  spawnedClaimReportNo: string | null;
  spawnedComplaintNo: string | null;
  plan: TicketPlan;
  openedAt: Date;
  /** Length of the call that opened the ticket; null when no inbound call did. */
  openingCallSeconds: number | null;
}

export interface BatchFacts {
  batch: SeedBatch;
  /** The seed's clock in whole seconds, as timestamps are stored. */
  asOf: Date;
  customerById: Map<number, CustomerFact>;
  policyByNo: Map<string, PolicyFact>;
  policiesByCustomer: Map<number, PolicyFact[]>;
}

export function indexFacts(batch: SeedBatch): BatchFacts {
  const policiesByCustomer = new Map<number, PolicyFact[]>();
  for (const policy of batch.policies) {
    const held = policiesByCustomer.get(policy.customerId);
    if (held) held.push(policy);
    else policiesByCustomer.set(policy.customerId, [policy]);
  }
  return {
    batch,
    asOf: new Date(Math.floor(batch.asOf.getTime() / 1000) * 1000),
    customerById: new Map(batch.customers.map((customer) => [customer.id, customer])),
    policyByNo: new Map(batch.policies.map((policy) => [policy.policyNo, policy])),
    policiesByCustomer,
  };
}

/** Fact timestamps come as ISO 8601 or as `YYYY-MM-DD HH:MM:SS` in UTC. */
function parseFactTimestamp(value: string): Date {
  const parsed = new Date(/(Z|[+-]\d\d:\d\d)$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
  if (Number.isNaN(parsed.getTime())) throw new Error(`Unreadable timestamp in the seed facts: "${value}"`);
  return parsed;
}

function customerOf(facts: BatchFacts, customerId: number, what: string): CustomerFact {
  const customer = facts.customerById.get(customerId);
  if (!customer) throw new Error(`${what} belongs to customer ${customerId}, who is not in this batch`);
  return customer;
}

export function draftTickets(facts: BatchFacts): TicketDraft[] {
  const { seed, claims, complaints, customers } = facts.batch;
  const ids = new TicketIds();
  const drafts: TicketDraft[] = [];
  for (const claim of claims) {
    // The claims system records the same channel: a HOTLINE claim was reported on a call here.
    if (claim.reportChannel === 'HOTLINE') drafts.push(claimReportTicket(facts, claim, ids));
  }
  for (const complaint of complaints) {
    if (complaint.source === 'HOTLINE') drafts.push(complaintCallTicket(facts, complaint, ids));
  }
  for (const customer of customers) {
    const count = SeededRandom.for(seed, 'everyday-service-requests', customer.id).weighted(EVERYDAY_TICKETS_PER_CUSTOMER);
    for (let index = 0; index < count; index++) drafts.push(everydayTicket(facts, customer, ids.next(customer.id)));
  }
  return drafts;
}

function claimReportTicket(facts: BatchFacts, claim: ClaimFact, ids: TicketIds): TicketDraft {
  const customer = customerOf(facts, claim.customerId, `Claim ${claim.reportNo}`);
  const id = ids.next(customer.id);
  const random = SeededRandom.for(facts.batch.seed, 'service-request', id);
  const policy = facts.policyByNo.get(claim.policyNo) ?? null;
  const { plan, reportAfterOpening } = planClaimReport(random, {
    dispatched: claim.status !== 'REPORTED',
    followUpVisit: random.chance(FOLLOW_UP_VISIT_SHARE),
  });
  return {
    id,
    random,
    customer,
    type: 'CLAIM_REPORT',
    channel: 'PHONE',
    priority: random.chance(0.15) ? 'URGENT' : 'HIGH',
    words: claimReportWords(random, {
      lineOfBusiness: policy?.lineOfBusiness ?? null,
      lossDate: claim.lossDate,
      city: customer.city,
      plate: policy?.plate ?? null,
    }),
    policyNo: claim.policyNo,
    spawnedClaimReportNo: claim.reportNo,
    spawnedComplaintNo: null,
    plan,
    // The claim is registered during the call, a few minutes after the agent picked up.
    openedAt: new Date(parseFactTimestamp(claim.reportedAt).getTime() - reportAfterOpening * 1000),
    openingCallSeconds: reportAfterOpening + random.int(60, 300),
  };
}

function complaintCallTicket(facts: BatchFacts, complaint: ComplaintFact, ids: TicketIds): TicketDraft {
  const customer = customerOf(facts, complaint.customerId, `Complaint ${complaint.complaintNo}`);
  const id = ids.next(customer.id);
  const random = SeededRandom.for(facts.batch.seed, 'service-request', id);
  const { plan, acceptedAfterOpening } = planComplaintCall(random, { followUpVisit: random.chance(FOLLOW_UP_VISIT_SHARE) });
  return {
    id,
    random,
    customer,
    type: 'COMPLAINT',
    channel: 'PHONE',
    priority: 'HIGH',
    words: complaintCallWords(random, complaint.category),
    policyNo: complaint.policyNo,
    spawnedClaimReportNo: null,
    spawnedComplaintNo: complaint.complaintNo,
    plan,
    openedAt: new Date(parseFactTimestamp(complaint.acceptedAt).getTime() - acceptedAfterOpening * 1000),
    openingCallSeconds: random.int(5 * 60, 20 * 60),
  };
}

function everydayTicket(facts: BatchFacts, customer: CustomerFact, id: number): TicketDraft {
  const random = SeededRandom.for(facts.batch.seed, 'service-request', id);
  const window = settledWindow(facts, customer);
  // Recent tickets, and all tickets of customers too new for settled history, are built backwards from the status they show now.
  const recent = window === null || random.chance(RECENT_SHARE);
  const policies = policiesInPlay(facts.policiesByCustomer.get(customer.id) ?? [], recent ? null : window, facts.asOf);
  const motorPolicies = policies.filter((policy) => policy.lineOfBusiness === 'MOTOR');
  const type = random.weighted<EverydayType>([
    ['ENQUIRY', 30],
    ['POLICY_SERVICE', policies.length > 0 ? 25 : 0],
    ['RENEWAL', policies.length > 0 ? 15 : 0],
    ['RESCUE', motorPolicies.length > 0 ? 12 : 0],
    ['RETURN_VISIT', policies.length > 0 ? 18 : 0],
  ]);
  const policy =
    type === 'RESCUE' ? random.pick(motorPolicies) : policies.length > 0 && (type !== 'ENQUIRY' || random.chance(0.5)) ? random.pick(policies) : null;
  const channel: ServiceRequestChannel =
    type === 'RETURN_VISIT'
      ? 'PHONE'
      : type === 'RESCUE'
        ? random.weighted<ServiceRequestChannel>([
            ['PHONE', 85],
            ['APP', 15],
          ])
        : random.weighted<ServiceRequestChannel>([
            ['PHONE', 45],
            ['APP', 20],
            ['WECHAT', 15],
            ['WEB', 10],
            ['COUNTER', 10],
          ]);
  const opening: { settledAt: Date } | { status: ServiceRequestStatus } = recent
    ? { status: recentStatus(random, type) }
    : { settledAt: settledOpeningTime(window, type, policy, random) };
  const plan = planTicket(type, channel, random, {
    waitsForCustomer: 'status' in opening && opening.status === 'PENDING_CUSTOMER' ? true : undefined,
    followUpVisit: type !== 'RETURN_VISIT' && random.chance(FOLLOW_UP_VISIT_SHARE),
  });
  return {
    id,
    random,
    customer,
    type,
    channel,
    priority: everydayPriority(type, random),
    words: routineWords(random, type, { channel, city: customer.city, plate: policy?.plate ?? null }),
    policyNo: policy?.policyNo ?? null,
    spawnedClaimReportNo: null,
    spawnedComplaintNo: null,
    plan,
    openedAt: 'status' in opening ? openedAtForStatus(plan, opening.status, facts.asOf, random) : opening.settledAt,
    openingCallSeconds: channel === 'PHONE' && type !== 'RETURN_VISIT' ? openingCallSeconds(type, random) : null,
  };
}

/**
 * Policies a ticket can be about: for a settled ticket, those covering part of the settled window;
 * for a recent one, those in force now, else any that has started.
 */
function policiesInPlay(held: readonly PolicyFact[], window: SettledWindow | null, asOf: Date): PolicyFact[] {
  if (window) return held.filter((policy) => dateAt(policy.effectiveDate).getTime() <= window.end && dateAt(policy.expiryDate).getTime() >= window.start);
  const inForce = held.filter((policy) => policy.status === 'IN_FORCE');
  return inForce.length > 0 ? inForce : held.filter((policy) => dateAt(policy.effectiveDate) <= asOf);
}

function recentStatus(random: SeededRandom, type: ServiceRequestType): ServiceRequestStatus {
  const status = random.weighted(RECENT_STATUS_WEIGHTS);
  return status === 'PENDING_CUSTOMER' && !canWaitForCustomer(type) ? 'IN_PROGRESS' : status;
}

function everydayPriority(type: EverydayType, random: SeededRandom): ServiceRequestPriority {
  switch (type) {
    case 'RESCUE':
      return 'URGENT';
    case 'ENQUIRY':
      return random.chance(0.6) ? 'LOW' : 'NORMAL';
    case 'POLICY_SERVICE':
      return random.chance(0.1) ? 'HIGH' : 'NORMAL';
    case 'RENEWAL':
      return 'NORMAL';
    case 'RETURN_VISIT':
      return 'LOW';
  }
}

function openingCallSeconds(type: EverydayType, random: SeededRandom): number {
  return type === 'RESCUE' ? random.int(120, 300) : type === 'ENQUIRY' ? random.int(60, 480) : random.int(180, 600);
}

function dateAt(value: string): Date {
  return new Date(`${value.slice(0, 10)}T00:00:00Z`);
}

/** Epoch milliseconds in which a customer's settled tickets opened. */
interface SettledWindow {
  start: number;
  end: number;
}

/** The last three years of the customer's tenure, up to the point where tickets are settled; null for a customer too new. */
function settledWindow(facts: BatchFacts, customer: CustomerFact): SettledWindow | null {
  const start = Math.max(dateAt(customer.customerSince).getTime(), addDays(facts.asOf, -HISTORY_DAYS).getTime());
  const end = addDays(facts.asOf, -SETTLED_AFTER_DAYS).getTime();
  return start <= end ? { start, end } : null;
}

/**
 * When a settled ticket opened: inside the window and, where a policy is involved, when such a
 * ticket happens (renewal calls before expiry, welcome calls after inception), at a daytime hour
 * in China (UTC+8).
 */
function settledOpeningTime(window: SettledWindow, type: EverydayType, policy: PolicyFact | null, random: SeededRandom): Date {
  let { start, end } = window;
  if (policy) {
    const effective = dateAt(policy.effectiveDate);
    const expiry = dateAt(policy.expiryDate);
    const [from, to] =
      type === 'RENEWAL'
        ? [addDays(expiry, -45), addDays(expiry, -1)]
        : type === 'RETURN_VISIT'
          ? [addDays(effective, 3), addDays(effective, 15)]
          : [effective, expiry];
    // Keep to the policy's moment when it falls inside the window.
    if (Math.max(from.getTime(), start) <= Math.min(to.getTime(), end)) [start, end] = [Math.max(from.getTime(), start), Math.min(to.getTime(), end)];
  }
  const day = new Date(start + Math.floor(random.next() * (end - start + 1)));
  const localMidnight = Math.floor((day.getTime() + 8 * HOUR * 1000) / (DAY * 1000)) * DAY * 1000 - 8 * HOUR * 1000;
  const hour = random.chance(0.95) ? random.int(8, 21) : random.int(0, 7);
  return new Date(localMidnight + (hour * HOUR + random.int(0, HOUR - 1)) * 1000);
}
