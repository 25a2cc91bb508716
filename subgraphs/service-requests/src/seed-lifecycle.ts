import type { ServiceRequestStatus, ServiceRequestType } from '@icg/shared';
import type { SeededRandom } from '@icg/synthetic';
import type { ServiceRequestChannel } from './tables';

// The targets are the service centre's, read by the write side too; the seed plans against them.
export { SLA_TARGET_MINUTES } from './sla';

/**
 * How long each step of a synthetic ticket takes, and where a ticket stands at the seed's clock.
 * A ticket is planned as durations first; its status is whichever step the clock has reached, so
 * timestamps and status always agree and never lie in the future.
 */
const MINUTE = 60;
export const HOUR = 3_600;
export const DAY = 86_400;

/** Share of tickets of each type that wait for the customer once (documents, a call back…). */
const PENDING_SHARE: Readonly<Record<ServiceRequestType, number>> = {
  CLAIM_REPORT: 0,
  RESCUE: 0,
  ENQUIRY: 0.12,
  COMPLAINT: 0.1,
  RENEWAL: 0.25,
  POLICY_SERVICE: 0.35,
  RETURN_VISIT: 0.2,
};

export function canWaitForCustomer(type: ServiceRequestType): boolean {
  return PENDING_SHARE[type] > 0;
}

/** Durations in whole seconds, each step measured from the one before. */
export interface TicketPlan {
  triage: number;
  assign: number;
  firstResponse: number;
  /** A wait for the customer starting `after` seconds into the work. */
  pending: { after: number; length: number } | null;
  /** From the first response, or from the end of the wait. */
  resolve: number;
  /** A satisfaction call after resolution, in seconds after it; the ticket closes after the call. */
  followUpVisit: { scheduledAfter: number; attemptAfter: number } | null;
  close: number;
  /** The furthest step the ticket can reach, e.g. ASSIGNED while its claim still waits for dispatch. */
  lastStatus: ServiceRequestStatus;
}

interface Milestone {
  status: ServiceRequestStatus;
  /** Seconds after opening. */
  at: number;
}

function milestones(plan: TicketPlan): Milestone[] {
  const triaged = plan.triage;
  const assigned = triaged + plan.assign;
  const working = assigned + plan.firstResponse;
  const steps: Milestone[] = [
    { status: 'NEW', at: 0 },
    { status: 'TRIAGED', at: triaged },
    { status: 'ASSIGNED', at: assigned },
    { status: 'IN_PROGRESS', at: working },
  ];
  let resumed = working;
  if (plan.pending) {
    steps.push({ status: 'PENDING_CUSTOMER', at: working + plan.pending.after });
    resumed = working + plan.pending.after + plan.pending.length;
    steps.push({ status: 'IN_PROGRESS', at: resumed });
  }
  const resolved = resumed + plan.resolve;
  steps.push({ status: 'RESOLVED', at: resolved }, { status: 'CLOSED', at: resolved + plan.close });
  const last = steps.findIndex((step) => step.status === plan.lastStatus);
  return steps.slice(0, last + 1);
}

/** Where the ticket stands at `asOf`; a timestamp is null for a step not reached yet. */
export interface TicketTimeline {
  status: ServiceRequestStatus;
  openedAt: Date;
  triagedAt: Date | null;
  assignedAt: Date | null;
  firstResponseAt: Date | null;
  /** The wait for the customer, as far as it has happened. */
  pendingStartedAt: Date | null;
  pendingEndedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  /** When steps are planned even if not reached: for visits scheduled ahead of time. */
  plannedAt(status: ServiceRequestStatus, occurrence?: number): Date | null;
}

export function timelineAt(plan: TicketPlan, openedAt: Date, asOf: Date): TicketTimeline {
  const steps = milestones(plan);
  const elapsed = (asOf.getTime() - openedAt.getTime()) / 1000;
  if (elapsed < 0) throw new Error(`A ticket opening at ${openedAt.toISOString()} is after the seed's clock ${asOf.toISOString()}`);
  const plannedAt = (status: ServiceRequestStatus, occurrence = 0): Date | null => {
    const step = steps.filter((candidate) => candidate.status === status)[occurrence];
    return step ? new Date(openedAt.getTime() + step.at * 1000) : null;
  };
  const reachedAt = (status: ServiceRequestStatus, occurrence = 0): Date | null => {
    const at = plannedAt(status, occurrence);
    return at !== null && at.getTime() <= asOf.getTime() ? at : null;
  };
  const reached = steps.filter((step) => step.at <= elapsed);
  return {
    status: reached[reached.length - 1]!.status,
    openedAt,
    triagedAt: reachedAt('TRIAGED'),
    assignedAt: reachedAt('ASSIGNED'),
    firstResponseAt: reachedAt('IN_PROGRESS'),
    pendingStartedAt: reachedAt('PENDING_CUSTOMER'),
    pendingEndedAt: plan.pending ? reachedAt('IN_PROGRESS', 1) : null,
    resolvedAt: reachedAt('RESOLVED'),
    closedAt: reachedAt('CLOSED'),
    plannedAt,
  };
}

/** How long a closed ticket is still counted as recent. */
const RECENTLY_CLOSED_SECONDS = 30 * DAY;

/**
 * An opening time that puts the ticket in `status` at `asOf`: the seed's open tickets are built
 * backwards from the status they should show, so every status occurs.
 */
export function openedAtForStatus(plan: TicketPlan, status: ServiceRequestStatus, asOf: Date, random: SeededRandom): Date {
  const steps = milestones(plan);
  const spans = steps
    .map((step, index) => ({ step, end: steps[index + 1]?.at ?? step.at + RECENTLY_CLOSED_SECONDS }))
    .filter(({ step }) => step.status === status);
  if (spans.length === 0) throw new Error(`A ticket planned this way never reaches ${status}`);
  const { step, end } = random.pick(spans);
  return new Date(asOf.getTime() - random.int(step.at, end - 1) * 1000);
}

function seconds(random: SeededRandom, min: number, max: number): number {
  return random.int(Math.round(min), Math.round(max));
}

/** Mostly quick, sometimes slow: `slowShare` of the draws come from the slow range. */
function mostlyWithin(random: SeededRandom, usual: readonly [number, number], slow: readonly [number, number], slowShare: number): number {
  const [min, max] = random.chance(slowShare) ? slow : usual;
  return seconds(random, min, max);
}

export interface PlanOptions {
  /** Force (true) or forbid (false) a wait for the customer; by default it happens at the type's usual rate. */
  waitsForCustomer?: boolean;
  /** Whether a satisfaction call follows resolution (never for return-visit tickets, which are calls themselves). */
  followUpVisit: boolean;
  lastStatus?: ServiceRequestStatus;
}

/** Durations for the ordinary ticket types; claim reports and complaint calls are planned around their claim or complaint. */
export function planTicket(type: ServiceRequestType, channel: ServiceRequestChannel, random: SeededRandom, options: PlanOptions): TicketPlan {
  const onThePhone = channel === 'PHONE';
  const triage = onThePhone
    ? seconds(random, 20, 120)
    : channel === 'COUNTER'
      ? seconds(random, MINUTE, 5 * MINUTE)
      : mostlyWithin(random, [10 * MINUTE, HOUR], [HOUR, 4 * HOUR], 0.2);
  const assign = onThePhone ? seconds(random, 30, 5 * MINUTE) : seconds(random, 5 * MINUTE, 2 * HOUR);
  const firstResponse =
    type === 'RESCUE'
      ? mostlyWithin(random, [5 * MINUTE, 15 * MINUTE], [15 * MINUTE, 40 * MINUTE], 0.1)
      : type === 'RETURN_VISIT'
        ? seconds(random, HOUR, 2 * DAY)
        : mostlyWithin(random, [15 * MINUTE, 6 * HOUR], [6 * HOUR, 2 * DAY], 0.1);
  const waits = options.waitsForCustomer ?? (canWaitForCustomer(type) && random.chance(PENDING_SHARE[type]));
  const pending = waits ? { after: seconds(random, 5 * MINUTE, 2 * HOUR), length: mostlyWithin(random, [2 * HOUR, DAY], [DAY, 5 * DAY], 0.3) } : null;
  const resolve =
    type === 'RESCUE'
      ? seconds(random, 30 * MINUTE, 100 * MINUTE)
      : type === 'RETURN_VISIT'
        ? seconds(random, 2 * MINUTE, 15 * MINUTE)
        : type === 'ENQUIRY'
          ? mostlyWithin(random, [5 * MINUTE, 4 * HOUR], [4 * HOUR, DAY], 0.1)
          : type === 'RENEWAL'
            ? mostlyWithin(random, [30 * MINUTE, 12 * HOUR], [12 * HOUR, 3 * DAY], 0.1)
            : mostlyWithin(random, [HOUR, 2 * DAY], [2 * DAY, 5 * DAY], 0.1);
  return withClosing({ triage, assign, firstResponse, pending, resolve, lastStatus: options.lastStatus ?? 'CLOSED' }, random, options.followUpVisit);
}

/**
 * A claim report taken by phone: the agent triages and assigns at once and registers the claim
 * (the claim's reportedAt) before hanging up; the surveyor should call within 10 minutes of the report.
 */
export function planClaimReport(
  random: SeededRandom,
  options: { dispatched: boolean; followUpVisit: boolean },
): { plan: TicketPlan; reportAfterOpening: number } {
  const triage = seconds(random, 20, 60);
  const assign = seconds(random, 30, 90);
  const keyingIn = seconds(random, 30, 4 * MINUTE);
  const surveyorCall = mostlyWithin(random, [2 * MINUTE, 10 * MINUTE], [10 * MINUTE + 1, 30 * MINUTE], 0.1);
  const plan = withClosing(
    {
      triage,
      assign,
      firstResponse: keyingIn + surveyorCall,
      pending: null,
      resolve: seconds(random, MINUTE, 20 * MINUTE),
      lastStatus: options.dispatched ? 'CLOSED' : 'ASSIGNED',
    },
    random,
    options.followUpVisit,
  );
  return { plan, reportAfterOpening: triage + assign + keyingIn };
}

/** A complaint call: the agent registers the complaint (its acceptedAt is the first response) and hands it to the complaint desk. */
export function planComplaintCall(random: SeededRandom, options: { followUpVisit: boolean }): { plan: TicketPlan; acceptedAfterOpening: number } {
  const triage = seconds(random, 30, 2 * MINUTE);
  const assign = seconds(random, MINUTE, 5 * MINUTE);
  const firstResponse = seconds(random, 2 * MINUTE, 30 * MINUTE);
  const waits = random.chance(PENDING_SHARE.COMPLAINT);
  const pending = waits ? { after: seconds(random, 5 * MINUTE, HOUR), length: seconds(random, 2 * HOUR, DAY) } : null;
  const plan = withClosing(
    { triage, assign, firstResponse, pending, resolve: seconds(random, 10 * MINUTE, HOUR), lastStatus: 'CLOSED' },
    random,
    options.followUpVisit,
  );
  return { plan, acceptedAfterOpening: triage + assign + firstResponse };
}

function withClosing(plan: Omit<TicketPlan, 'close' | 'followUpVisit'>, random: SeededRandom, followUpVisit: boolean): TicketPlan {
  if (!followUpVisit) return { ...plan, followUpVisit: null, close: seconds(random, DAY, 5 * DAY) };
  const scheduledAfter = seconds(random, DAY, 2 * DAY);
  const attemptAfter = scheduledAfter + seconds(random, 0, 3 * HOUR);
  return { ...plan, followUpVisit: { scheduledAfter, attemptAfter }, close: attemptAfter + seconds(random, 10 * MINUTE, DAY) };
}
