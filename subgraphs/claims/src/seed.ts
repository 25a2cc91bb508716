import { CLAIM_STATUSES, insertInChunks, latestTimestamp, sqlTimestamp, type ClaimStatus, type Knex, type LineOfBusiness } from '@icg/shared';
import {
  branchLineage,
  chineseName,
  generateBankAccount,
  generateMobile,
  registrationNoFor,
  SeededRandom,
  type ClaimFact,
  type CustomerFact,
  type OrgFacts,
  type PolicyFact,
  type SeedBatch,
  type StaffFact,
  type SubgraphSeeder,
} from '@icg/synthetic';
import {
  roundMoney,
  type ClaimCause,
  type ClaimClosedOutcome,
  type ClaimParticipantRole,
  type ClaimParticipantRow,
  type ClaimPaymentMethod,
  type ClaimPaymentRow,
  type ClaimRow,
  type InvestigationOutcome,
  type LossAssessmentRow,
  type SurveyTaskRow,
} from './records';
import {
  assessmentNotes,
  denialNote,
  hospitalIn,
  ILLNESSES,
  INJURIES,
  injuryNarrative,
  lossDescription,
  medicalDetails,
  REOPEN_REASONS,
  repairShopIn,
  supersededAssessmentNotes,
  supplementaryAssessmentNote,
  ZERO_CLOSURE_NOTE,
  type LossFacts,
} from './seed-narratives';

/** Rows of every claims table for one batch, parents before children. */
export interface ClaimsTables {
  claims: ClaimRow[];
  participants: ClaimParticipantRow[];
  surveyTasks: SurveyTaskRow[];
  lossAssessments: LossAssessmentRow[];
  payments: ClaimPaymentRow[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Losses up to this amount take the small-claim fast track (快赔). */
const SMALL_CLAIM_LIMIT = 10_000;
/** Fraud scores from here on open a special investigation. */
const SPECIAL_INVESTIGATION_SCORE = 75;
/** Of the denied files under special investigation, the share denied for confirmed fraud. */
const DENIED_FOR_FRAUD = 0.8;

const CAUSES_BY_LINE: Record<LineOfBusiness, readonly (readonly [ClaimCause, number])[]> = {
  MOTOR: [
    ['COLLISION', 68],
    ['THEFT', 3],
    ['FIRE', 2],
    ['FLOOD', 6],
    ['TYPHOON', 3],
    ['INJURY', 9],
    ['LIABILITY', 7],
    ['OTHER', 2],
  ],
  PROPERTY: [
    ['FIRE', 25],
    ['FLOOD', 25],
    ['TYPHOON', 20],
    ['THEFT', 15],
    ['OTHER', 15],
  ],
  CARGO: [
    ['CARGO_DAMAGE', 70],
    ['THEFT', 15],
    ['FLOOD', 8],
    ['TYPHOON', 7],
  ],
  LIABILITY: [
    ['LIABILITY', 60],
    ['INJURY', 40],
  ],
  ENGINEERING: [
    ['FLOOD', 25],
    ['TYPHOON', 20],
    ['FIRE', 15],
    ['LIABILITY', 15],
    ['OTHER', 25],
  ],
  ACCIDENT_HEALTH: [
    ['INJURY', 45],
    ['ILLNESS', 55],
  ],
};

/** Loss size in yuan, drawn log-uniformly (many small losses, a few large ones). */
const LOSS_RANGE: Record<LineOfBusiness, readonly [number, number]> = {
  MOTOR: [600, 40_000],
  PROPERTY: [2_000, 500_000],
  CARGO: [3_000, 400_000],
  LIABILITY: [5_000, 600_000],
  ENGINEERING: [20_000, 3_000_000],
  ACCIDENT_HEALTH: [500, 80_000],
};
const LOSS_RANGE_BY_CAUSE: Partial<Record<ClaimCause, readonly [number, number]>> = { THEFT: [20_000, 300_000], ILLNESS: [2_000, 300_000] };
const DEDUCTIBLE_RATES: Record<LineOfBusiness, readonly number[]> = {
  MOTOR: [0, 0, 0, 0.05, 0.1],
  PROPERTY: [0.05, 0.1],
  CARGO: [0, 0.05, 0.1],
  LIABILITY: [0, 0.1],
  ENGINEERING: [0.1, 0.15],
  ACCIDENT_HEALTH: [0, 0, 0.1],
};

/** A main-path status's position: REPORTED 0 … PAID 8 (CLOSED is PAID plus closing). */
const stage = (status: ClaimStatus): number => CLAIM_STATUSES.indexOf(status);
const STAGE = {
  SURVEYED: stage('SURVEYED'),
  REGISTERED: stage('REGISTERED'),
  ASSESSED: stage('ASSESSED'),
  DOCUMENTS_COMPLETE: stage('DOCUMENTS_COMPLETE'),
  PAID: stage('PAID'),
} as const;

/** How far along the main path a claim got, and how it left it. */
interface ClaimPath {
  reached: number;
  closure: ClaimClosedOutcome | null;
  reopened: boolean;
}

function pathOf(status: ClaimStatus, random: SeededRandom): ClaimPath {
  switch (status) {
    case 'CLOSED':
      return { reached: STAGE.PAID, closure: 'PAID', reopened: false };
    case 'REOPENED':
      return { reached: STAGE.PAID, closure: 'PAID', reopened: true };
    // 注销 happens before registration: a duplicate report, or no cover once surveyed.
    case 'CANCELLED':
      return { reached: random.chance(0.6) ? stage('REPORTED') : STAGE.SURVEYED, closure: 'CANCELLED', reopened: false };
    case 'WITHDRAWN':
      return { reached: random.int(STAGE.SURVEYED, STAGE.ASSESSED), closure: 'WITHDRAWN', reopened: false };
    case 'DENIED':
      return { reached: random.int(STAGE.REGISTERED, STAGE.DOCUMENTS_COMPLETE), closure: 'DENIED', reopened: false };
    case 'ZERO_CLOSED':
      return { reached: STAGE.ASSESSED, closure: 'ZERO_CLOSED', reopened: false };
    default:
      return { reached: stage(status), closure: null, reopened: false };
  }
}

type Milestone =
  'dispatched' | 'onSite' | 'surveyed' | 'registered' | 'assessed' | 'documentsCompleted' | 'adjusted' | 'approved' | 'paid' | 'closed' | 'reopened';
type Timeline = Partial<Record<Milestone, Date>>;
/** Milestones with a typical duration of their own; arrival on site is part of the survey. */
type TimedMilestone = Exclude<Milestone, 'onSite'>;

/** Typical time from the previous milestone, before a small claim's fast track shortens it. */
const STEP_DURATION: Record<TimedMilestone, readonly [number, number]> = {
  dispatched: [2 * MINUTE, 30 * MINUTE],
  surveyed: [30 * MINUTE, 4 * HOUR],
  registered: [2 * HOUR, 3 * DAY],
  assessed: [1 * DAY, 10 * DAY],
  documentsCompleted: [1 * DAY, 20 * DAY],
  adjusted: [1 * DAY, 7 * DAY],
  approved: [4 * HOUR, 5 * DAY],
  paid: [1 * DAY, 5 * DAY],
  closed: [1 * HOUR, 3 * DAY],
  reopened: [10 * DAY, 180 * DAY],
};
/** The milestone that reaches each main-path stage after REPORTED, in order. */
const MAIN_MILESTONES: readonly TimedMilestone[] = ['dispatched', 'surveyed', 'registered', 'assessed', 'documentsCompleted', 'adjusted', 'approved', 'paid'];

/**
 * Milestones in lifecycle order from the report on. Durations are typical ones, squeezed
 * proportionally when the claim is too recent for them, so nothing lies after `asOf`.
 */
function planTimeline(random: SeededRandom, reportedAt: Date, asOf: Date, path: ClaimPath, fastTrack: boolean, arrivalMinutes: number): Timeline {
  const steps: [Milestone, number][] = [];
  for (const milestone of MAIN_MILESTONES.slice(0, path.reached)) {
    const [min, max] = STEP_DURATION[milestone];
    // The fast track shortens the paperwork, not the survey.
    const pace = fastTrack && milestone !== 'dispatched' && milestone !== 'surveyed' ? 0.25 : 1;
    if (milestone === 'surveyed') steps.push(['onSite', arrivalMinutes * MINUTE]);
    steps.push([milestone, random.int(min, max) * pace]);
  }
  if (path.closure) {
    // A side exit takes longer to decide than closing a paid file.
    const [min, max] = path.closure === 'PAID' ? STEP_DURATION.closed : [2 * HOUR, 15 * DAY];
    steps.push(['closed', random.int(min, max)]);
  }
  if (path.reopened) steps.push(['reopened', random.int(...STEP_DURATION.reopened)]);
  const total = steps.reduce((sum, [, duration]) => sum + duration, 0);
  const squeeze = total === 0 ? 1 : Math.min(1, Math.max(0, asOf.getTime() - reportedAt.getTime()) / total);
  const timeline: Timeline = {};
  let elapsed = 0;
  for (const [milestone, duration] of steps) {
    elapsed += duration;
    // Whole seconds, as DATETIME keeps them; flooring keeps the order.
    timeline[milestone] = new Date(Math.floor((reportedAt.getTime() + elapsed * squeeze) / 1000) * 1000);
  }
  return timeline;
}

/** Company facts write `YYYY-MM-DD HH:MM:SS` UTC. */
function parseFactTimestamp(value: string): Date {
  return new Date(`${value.replace(' ', 'T').slice(0, 19)}Z`);
}

function between(random: SeededRandom, start: Date, end: Date): Date {
  return end <= start ? start : new Date(Math.floor(random.between(start, end).getTime() / 1000) * 1000);
}

function logUniform(random: SeededRandom, [min, max]: readonly [number, number]): number {
  return roundMoney(Math.exp(Math.log(min) + random.next() * (Math.log(max) - Math.log(min))));
}

function timestampOrNull(date: Date | undefined): string | null {
  return date ? sqlTimestamp(date) : null;
}

/** Minutes from dispatch until the surveyor contacts the customer: most within the 10-minute target. */
function drawContactMinutes(random: SeededRandom): number {
  return random.chance(0.88) ? random.int(1, 10) : random.int(11, 45);
}

/** What the whole batch shares: lookups and the staff pools claims are assigned from. */
class BatchContext {
  private readonly customers: Map<number, CustomerFact>;
  private readonly policies: Map<string, PolicyFact>;
  private readonly adjusters = new Map<number, StaffFact[]>();

  constructor(
    readonly seed: number,
    readonly asOf: Date,
    private readonly org: OrgFacts,
    batch: SeedBatch,
  ) {
    this.customers = new Map(batch.customers.map((customer) => [customer.id, customer]));
    this.policies = new Map(batch.policies.map((policy) => [policy.policyNo, policy]));
  }

  customerOf(claim: ClaimFact): CustomerFact {
    const customer = this.customers.get(claim.customerId);
    if (!customer) throw new Error(`Claim ${claim.reportNo} refers to customer ${claim.customerId}, which is not in the batch`);
    return customer;
  }

  policyOf(claim: ClaimFact): PolicyFact {
    const policy = this.policies.get(claim.policyNo);
    if (!policy) throw new Error(`Claim ${claim.reportNo} refers to policy ${claim.policyNo}, which is not in the batch`);
    return policy;
  }

  /** Claims adjusters of the claim's branch, or of the nearest branch above it that has some. */
  adjustersFor(branchId: number): StaffFact[] {
    let pool = this.adjusters.get(branchId);
    if (!pool) {
      const nearestFirst = branchLineage(this.org, branchId).reverse();
      pool = nearestFirst.map((branch) => this.org.staffByRoleAndBranch('CLAIMS_ADJUSTER', branch.id)).find((staff) => staff.length > 0) ?? [];
      this.adjusters.set(branchId, pool);
    }
    return pool;
  }
}

interface Person {
  name: string;
  mobile: string;
}

/** What is decided about a claim before its rows are written; every draw comes from `random`. */
interface ClaimCase {
  seed: number;
  asOf: Date;
  fact: ClaimFact;
  random: SeededRandom;
  customer: CustomerFact;
  policy: PolicyFact;
  line: LineOfBusiness;
  cause: ClaimCause;
  reportedAt: Date;
  /** The loss as first estimated at report. */
  estimate: number;
  path: ClaimPath;
  timeline: Timeline;
  claimant: Person;
  injury: string | null;
  thirdPartyInvolved: boolean;
  /** Minutes until the first surveyor contacted the customer. */
  contactMinutes: number;
  pickAdjuster(): number | null;
}

function caseOf(context: BatchContext, fact: ClaimFact): ClaimCase {
  const random = SeededRandom.for(context.seed, 'claim', fact.id);
  const customer = context.customerOf(fact);
  const policy = context.policyOf(fact);
  const line = policy.lineOfBusiness;
  const cause = random.weighted(CAUSES_BY_LINE[line]);
  const estimate = Math.min(logUniform(random, LOSS_RANGE_BY_CAUSE[cause] ?? LOSS_RANGE[line]), roundMoney(policy.sumInsured * 0.9));
  const path = pathOf(fact.status, random);
  const reportedAt = parseFactTimestamp(fact.reportedAt);
  const contactMinutes = drawContactMinutes(random);
  const timeline = planTimeline(random, reportedAt, context.asOf, path, estimate <= SMALL_CLAIM_LIMIT, contactMinutes + random.int(15, 180));
  const injured = cause === 'INJURY' || cause === 'ILLNESS' || (cause === 'COLLISION' && random.chance(0.1));
  const adjusters = context.adjustersFor(fact.branchId);
  return {
    seed: context.seed,
    asOf: context.asOf,
    fact,
    random,
    customer,
    policy,
    line,
    cause,
    reportedAt,
    estimate,
    path,
    timeline,
    claimant: { name: customer.name, mobile: customer.mobile },
    injury: injured ? random.pick(cause === 'ILLNESS' ? ILLNESSES : INJURIES) : null,
    thirdPartyInvolved: cause === 'LIABILITY' || (cause === 'COLLISION' && random.chance(0.45)),
    contactMinutes,
    pickAdjuster: () => (adjusters.length ? random.pick(adjusters).id : fact.handlerStaffId),
  };
}

/** The customer claims; who else took part depends on what happened. */
function participantRows(claim: ClaimCase): ClaimParticipantRow[] {
  const { fact, random, customer, claimant, cause, line, injury } = claim;
  const rows: ClaimParticipantRow[] = [];
  const nextId = (): number => fact.id * 10 + rows.length + 1;
  const stranger = (): Person => ({
    name: chineseName([claim.seed, 'claim-participant', nextId()], random.chance(0.5) ? 'MALE' : 'FEMALE'),
    mobile: generateMobile(random),
  });
  const add = (role: ClaimParticipantRole, who: Person, health: { injury: string; details: string } | null = null): void => {
    rows.push({
      id: nextId(),
      claim_id: fact.id,
      role,
      name: who.name,
      mobile: who.mobile,
      injury_description: health?.injury ?? null,
      medical_details: health?.details ?? null,
    });
  };
  add('CLAIMANT', claimant);
  if (line === 'MOTOR') add('DRIVER', customer.kind === 'INDIVIDUAL' && random.chance(0.7) ? claimant : stranger());
  if (claim.thirdPartyInvolved) add('THIRD_PARTY', stranger());
  if (injury) {
    // The insured themself under accident & health cover; otherwise a victim of the insured's loss.
    const injured = line === 'ACCIDENT_HEALTH' && customer.kind === 'INDIVIDUAL' ? claimant : stranger();
    add('INJURED', injured, { injury, details: medicalDetails(random, hospitalIn(random, customer.city), roundMoney(claim.estimate * random.amount(0.6, 1))) });
  }
  if ((cause === 'COLLISION' || cause === 'THEFT' || cause === 'FIRE') && random.chance(0.08)) add('WITNESS', stranger());
  return rows;
}

/** One surveyor once the claim is dispatched; a second for the injured (人伤查勘) on some injury claims. */
function surveyTaskRows(claim: ClaimCase): SurveyTaskRow[] {
  const { fact, random, timeline, asOf } = claim;
  if (!timeline.dispatched) return [];
  const surveyed = claim.path.reached >= STAGE.SURVEYED;
  const onSite = surveyed ? timeline.onSite : random.chance(0.5) ? between(random, timeline.dispatched, asOf) : undefined;
  const rows = [
    surveyTask(
      fact.id * 10 + 1,
      fact.id,
      claim.pickAdjuster(),
      timeline.dispatched,
      onSite,
      surveyed ? timeline.surveyed : undefined,
      claim.contactMinutes,
      asOf,
    ),
  ];
  if (surveyed && claim.injury && claim.cause !== 'ILLNESS' && random.chance(0.6)) {
    const secondDispatch = between(random, timeline.dispatched, timeline.onSite!);
    const secondOnSite = between(random, secondDispatch, timeline.surveyed!);
    rows.push(surveyTask(fact.id * 10 + 2, fact.id, claim.pickAdjuster(), secondDispatch, secondOnSite, timeline.surveyed, drawContactMinutes(random), asOf));
  }
  return rows;
}

/** 定损 (assessed), 核损 (approved), and what is payable after the deductible. */
interface Settlement {
  assessedAmount: number;
  approvedAmount: number;
  payable: number;
}

function settle(claim: ClaimCase): Settlement {
  const { random, path } = claim;
  // Zero-closed: the loss stayed under the deductible. Denied: assessed, but not covered.
  const zeroClosed = path.closure === 'ZERO_CLOSED';
  const assessedAmount = zeroClosed ? random.amount(200, 1_500) : roundMoney(claim.estimate * random.amount(0.75, 1.15));
  const approvedAmount = zeroClosed || path.closure === 'DENIED' ? 0 : roundMoney(assessedAmount * random.amount(0.85, 1));
  return { assessedAmount, approvedAmount, payable: roundMoney(approvedAmount * (1 - random.pick(DEDUCTIBLE_RATES[claim.line]))) };
}

/** A reopened claim's reason and the extra reserve it carries. */
interface Reopening {
  reason: string;
  additionalReserve: number;
  at: Date;
}

function reopeningOf(claim: ClaimCase, settlement: Settlement): Reopening | null {
  if (!claim.timeline.reopened) return null;
  const { random } = claim;
  return {
    reason: random.pick(REOPEN_REASONS),
    additionalReserve: Math.max(100, Math.round((settlement.payable * random.amount(0.1, 0.5)) / 100) * 100),
    at: claim.timeline.reopened,
  };
}

function lossAssessmentRows(claim: ClaimCase, settlement: Settlement, reopening: Reopening | null): LossAssessmentRow[] {
  const { fact, random, timeline, path } = claim;
  const rows: LossAssessmentRow[] = [];
  const add = (assessedAt: Date, assessed: number, approved: number | null, notes: string): void => {
    rows.push({
      id: fact.id * 10 + rows.length + 1,
      claim_id: fact.id,
      assessed_at: sqlTimestamp(assessedAt),
      assessor_staff_id: fact.handlerStaffId ?? claim.pickAdjuster(),
      assessed_amount: assessed,
      approved_amount: approved,
      notes,
    });
  };
  if (timeline.assessed) {
    const routine = path.closure !== 'ZERO_CLOSED' && path.closure !== 'DENIED';
    // Some first assessments are sent back by the approver and redone.
    if (routine && random.chance(0.15))
      add(
        between(random, timeline.registered!, timeline.assessed),
        roundMoney(settlement.assessedAmount * random.amount(1.1, 1.4)),
        null,
        supersededAssessmentNotes(random),
      );
    const notes =
      path.closure === 'ZERO_CLOSED'
        ? ZERO_CLOSURE_NOTE
        : path.closure === 'DENIED'
          ? denialNote(random, claim.line)
          : assessmentNotes(random, { line: claim.line, assessedAmount: settlement.assessedAmount });
    add(timeline.assessed, settlement.assessedAmount, settlement.approvedAmount, notes);
  }
  if (reopening && random.chance(0.6)) {
    add(
      between(random, reopening.at, claim.asOf),
      roundMoney(reopening.additionalReserve * random.amount(0.8, 1.1)),
      null,
      supplementaryAssessmentNote(random, reopening.reason),
    );
  }
  return rows;
}

/**
 * Settled claims pay what is payable, sometimes in two instalments; some PAID claims have had an
 * advance (预付) only, the rest still reserved.
 */
function paymentRows(claim: ClaimCase, settlement: Settlement): ClaimPaymentRow[] {
  const { fact, random, timeline } = claim;
  if (!timeline.paid) return [];
  const payments: { at: Date; amount: number }[] = [];
  const advanceOnly = fact.status === 'PAID' && random.chance(0.25);
  const total = advanceOnly ? roundMoney(settlement.payable * random.amount(0.3, 0.7)) : settlement.payable;
  if (!advanceOnly && random.chance(0.15)) {
    const first = roundMoney(total * random.amount(0.3, 0.7));
    payments.push({ at: between(random, timeline.approved!, timeline.paid), amount: first }, { at: timeline.paid, amount: roundMoney(total - first) });
  } else {
    payments.push({ at: timeline.paid, amount: total });
  }
  const payee = choosePayee(random, claim.line, claim.cause, claim.claimant.name, claim.customer.city);
  return payments.map((payment, index) => ({
    id: fact.id * 10 + index + 1,
    claim_id: fact.id,
    paid_at: sqlTimestamp(payment.at),
    amount: payment.amount,
    payee_name: payee.name,
    payee_account: generateBankAccount(random),
    method: payee.method,
  }));
}

/** Turns one claim fact into its rows. Every choice comes from the claim's own seeded generator. */
function elaborateClaim(context: BatchContext, fact: ClaimFact, tables: ClaimsTables): void {
  const claim = caseOf(context, fact);
  const { random, timeline, path, cause } = claim;
  const settlement = settle(claim);
  const reopening = reopeningOf(claim, settlement);
  const payments = paymentRows(claim, settlement);
  const paid = roundMoney(payments.reduce((sum, payment) => sum + Number(payment.amount), 0));
  tables.participants.push(...participantRows(claim));
  tables.surveyTasks.push(...surveyTaskRows(claim));
  tables.lossAssessments.push(...lossAssessmentRows(claim, settlement, reopening));
  tables.payments.push(...payments);

  // Subrogation against a liable third party, or salvage of a recovered vehicle or cargo.
  const recoverable = paid > 0 && (claim.thirdPartyInvolved || cause === 'THEFT' || cause === 'CARGO_DAMAGE');
  const fraudScore = drawFraudScore(random, fact.status);
  const investigation = fraudScore >= SPECIAL_INVESTIGATION_SCORE ? concludedInvestigation(context.seed, claim) : null;
  const loss: LossFacts = {
    cause,
    line: claim.line,
    lossDate: fact.lossDate,
    city: claim.customer.city,
    plate: claim.policy.plate,
    injury: claim.injury,
    thirdPartyInvolved: claim.thirdPartyInvolved,
  };
  tables.claims.push({
    id: fact.id,
    report_no: fact.reportNo,
    registration_no: timeline.registered ? registrationNoFor(context.seed, fact.id, timeline.registered) : null,
    policy_no: fact.policyNo,
    customer_id: fact.customerId,
    loss_date: fact.lossDate,
    reported_at: sqlTimestamp(claim.reportedAt),
    registered_at: timestampOrNull(timeline.registered),
    documents_completed_at: timestampOrNull(timeline.documentsCompleted),
    adjusted_at: timestampOrNull(timeline.adjusted),
    approved_at: timestampOrNull(timeline.approved),
    closed_at: timestampOrNull(timeline.closed),
    reopened_at: timestampOrNull(timeline.reopened),
    updated_at: latestTimestamp(
      claim.reportedAt,
      timeline.registered,
      timeline.documentsCompleted,
      timeline.adjusted,
      timeline.approved,
      timeline.closed,
      timeline.reopened,
    ),
    reopen_reason: reopening?.reason ?? null,
    status: fact.status,
    closed_outcome: path.closure,
    cause,
    // Health facts only in the HEALTH column (docs/access-model.md section 1).
    loss_description: lossDescription(random, loss),
    injury_narrative: injuryNarrative(random, loss),
    report_channel: fact.reportChannel,
    small_claim: claim.estimate <= SMALL_CLAIM_LIMIT,
    handler_staff_id: fact.handlerStaffId,
    branch_id: fact.branchId,
    branch_path: fact.branchPath,
    customer_manager_staff_id: fact.customerManagerStaffId,
    paid,
    outstanding_reserve: reserveFor(
      fact.status,
      {
        estimate: claim.estimate,
        approvedAmount: settlement.approvedAmount,
        payable: settlement.payable,
        paid,
        additionalReserve: reopening?.additionalReserve ?? 0,
      },
      random,
    ),
    recoveries: recoverable && random.chance(0.25) ? roundMoney(paid * random.amount(0.1, 0.6)) : 0,
    fraud_score: fraudScore,
    special_investigation: fraudScore >= SPECIAL_INVESTIGATION_SCORE,
    investigation_outcome: investigation?.outcome ?? null,
    investigation_concluded_at: investigation ? sqlTimestamp(investigation.at) : null,
    version: 1,
    // The seeded hotline tickets are numbered by the hotline's own seed; its tickets name the claim instead.
    source_ticket_no: null,
    customer_segment: null,
    adjusted_amount: timeline.adjusted ? settlement.payable : null,
    adjusted_by_staff_id: timeline.adjusted ? fact.handlerStaffId : null,
    approved_amount: timeline.approved ? settlement.payable : null,
    // Who approved a seeded file is not part of the company's facts.
    approved_by_staff_id: null,
    close_reason: null,
  });
}

function surveyTask(
  id: number,
  claimId: number,
  surveyorStaffId: number | null,
  dispatchedAt: Date,
  onSiteAt: Date | undefined,
  completedAt: Date | undefined,
  contactMinutes: number,
  asOf: Date,
): SurveyTaskRow {
  // Contact happens before arrival; a surveyor still on the way has called only if time allowed.
  const limit = ((onSiteAt ?? asOf).getTime() - dispatchedAt.getTime()) / MINUTE;
  const contacted = onSiteAt ? Math.min(contactMinutes, Math.floor(limit)) : contactMinutes <= limit ? contactMinutes : null;
  return {
    id,
    claim_id: claimId,
    status: completedAt ? 'DONE' : onSiteAt ? 'ON_SITE' : 'DISPATCHED',
    dispatched_at: sqlTimestamp(dispatchedAt),
    on_site_at: timestampOrNull(onSiteAt),
    completed_at: timestampOrNull(completedAt),
    surveyor_staff_id: surveyorStaffId,
    contacted_customer_within_minutes: contacted,
  };
}

interface ClaimAmounts {
  estimate: number;
  approvedAmount: number;
  payable: number;
  paid: number;
  additionalReserve: number;
}

/** The reserve follows the file: estimate at registration, approved loss, payable amount, remainder. */
function reserveFor(status: ClaimStatus, amounts: ClaimAmounts, random: SeededRandom): number {
  switch (status) {
    case 'REGISTERED':
      return Math.max(100, Math.round((amounts.estimate * random.amount(0.9, 1.3)) / 100) * 100);
    case 'ASSESSED':
    case 'DOCUMENTS_COMPLETE':
      return amounts.approvedAmount;
    case 'ADJUSTED':
    case 'APPROVED':
      return amounts.payable;
    case 'PAID':
      return roundMoney(amounts.payable - amounts.paid);
    case 'REOPENED':
      return amounts.additionalReserve;
    // Not yet registered (no reserve yet) or closed (reserve released).
    default:
      return 0;
  }
}

function choosePayee(
  random: SeededRandom,
  line: LineOfBusiness,
  cause: ClaimCause,
  claimantName: string,
  city: string,
): { name: string; method: ClaimPaymentMethod } {
  if (line === 'MOTOR' && cause === 'COLLISION' && random.chance(0.5)) return { name: repairShopIn(random, city), method: 'REPAIR_SHOP_DIRECT' };
  if ((cause === 'INJURY' || cause === 'ILLNESS') && random.chance(0.25)) return { name: hospitalIn(random, city), method: 'HOSPITAL_DIRECT' };
  return { name: claimantName, method: 'BANK_TRANSFER' };
}

/** Most claims score low; denied and withdrawn ones are more often suspicious. */
function drawFraudScore(random: SeededRandom, status: ClaimStatus): number {
  const highRisk = status === 'DENIED' ? 0.3 : status === 'WITHDRAWN' ? 0.12 : 0.02;
  if (random.chance(highRisk)) return random.int(SPECIAL_INVESTIGATION_SCORE, 99);
  return random.chance(0.08) ? random.int(35, SPECIAL_INVESTIGATION_SCORE - 1) : random.int(0, 34);
}

/**
 * A special investigation's finding: concluded before a file closed (most denials for confirmed fraud, no fraud
 * found in the other files), still running on an open or reopened one. Drawn from a generator of its own, so every
 * other draw of the claim stays as it was.
 */
function concludedInvestigation(seed: number, claim: ClaimCase): { outcome: InvestigationOutcome; at: Date } | null {
  const closedAt = claim.timeline.closed;
  if (closedAt === undefined || claim.path.reopened) return null;
  const random = SeededRandom.for(seed, 'claim-investigation', claim.fact.id);
  const fraud = claim.path.closure === 'DENIED' && random.chance(DENIED_FOR_FRAUD);
  return { outcome: fraud ? 'FRAUD_CONFIRMED' : 'NO_FRAUD_FOUND', at: between(random, claim.reportedAt, closedAt) };
}

/** Pure: the rows a batch's claim facts become (exposed for tests of the data's consistency). */
export function elaborateClaims(batch: SeedBatch): ClaimsTables {
  const context = new BatchContext(batch.seed, batch.asOf, batch.org, batch);
  const tables: ClaimsTables = { claims: [], participants: [], surveyTasks: [], lossAssessments: [], payments: [] };
  for (const fact of batch.claims) elaborateClaim(context, fact, tables);
  return tables;
}

export const claimsSeeder: SubgraphSeeder = {
  name: 'claims',
  tables: ['claim_payments', 'loss_assessments', 'survey_tasks', 'claim_participants', 'claims', 'staff_register'],
  /** The staff register: who may be sent as a surveyor (claim-mutations.ts). */
  async seedReference(db: Knex, org: OrgFacts): Promise<void> {
    await insertInChunks(
      db,
      'staff_register',
      org.staff.map((member) => ({ id: member.id, role: member.role, branch_path: member.branchPath })),
    );
  },
  async seedBatch(db: Knex, batch: SeedBatch): Promise<void> {
    const tables = elaborateClaims(batch);
    await insertInChunks(db, 'claims', tables.claims);
    await insertInChunks(db, 'claim_participants', tables.participants);
    await insertInChunks(db, 'survey_tasks', tables.surveyTasks);
    await insertInChunks(db, 'loss_assessments', tables.lossAssessments);
    await insertInChunks(db, 'claim_payments', tables.payments);
  },
};
