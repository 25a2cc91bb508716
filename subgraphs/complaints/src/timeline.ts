import { COMPLAINT_STATUSES, type ComplaintStatus } from '@icg/shared';
import type { SeededRandom } from '@icg/synthetic';
import { COMPLEX_EXTENSION_DAYS, deadlineDays, ESPECIALLY_COMPLEX_EXTENSION_DAYS } from './deadlines';
import type { ComplaintComplexity } from './workflow';

/**
 * When a synthetic complaint's steps and deadline extensions happen. Offsets are planned from the
 * acceptance as an unhurried case would run, then squeezed proportionally so that every step the
 * complaint has reached (and every extension granted) lies before the batch's `asOf`.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Position of the step that notifies the decision: the deadline is met by it. */
const FEEDBACK_INDEX = COMPLAINT_STATUSES.indexOf('FEEDBACK_GIVEN');

export interface TimelinePlan {
  complexity: ComplaintComplexity;
  status: ComplaintStatus;
  /** Decided and notified after the deadline expired. */
  late: boolean;
  /** A review keeps the case open longer before it is archived. */
  reviewRequested: boolean;
}

export interface GrantedExtension {
  sequence: number;
  days: number;
  approvedAt: Date;
}

export interface Timeline {
  /** One timestamp per step reached, in workflow order. */
  stepTimes: Date[];
  extensions: GrantedExtension[];
  deadlineDays: number;
}

function fraction(random: SeededRandom, min: number, max: number): number {
  return min + random.next() * (max - min);
}

/** Complex cases are recognised early: the first extension comes inside the original 15 days, the second inside 30. */
function planExtensions(random: SeededRandom, complexity: ComplaintComplexity): { sequence: number; days: number; offsetMs: number }[] {
  if (complexity === 'SIMPLE') return [];
  const first = { sequence: 1, days: COMPLEX_EXTENSION_DAYS, offsetMs: random.int(4 * DAY_MS, 12 * DAY_MS) };
  if (complexity === 'COMPLEX') return [first];
  return [first, { sequence: 2, days: ESPECIALLY_COMPLEX_EXTENSION_DAYS, offsetMs: random.int(16 * DAY_MS, 26 * DAY_MS) }];
}

/**
 * Offsets of all eight steps. The decision is notified between half and 92 % of the deadline (after
 * every extension, which the early extension offsets guarantee), or 3-30 % past it when late.
 */
function planStepOffsets(random: SeededRandom, plannedDeadlineDays: number, plan: TimelinePlan): number[] {
  const offsets = [0];
  const next = (minMs: number, maxMs: number) => offsets.push(offsets[offsets.length - 1]! + random.int(minMs, maxMs));
  next(HOUR_MS, 20 * HOUR_MS); // verify
  next(30 * MINUTE_MS, 8 * HOUR_MS); // register
  next(HOUR_MS, 30 * HOUR_MS); // transfer
  next(4 * HOUR_MS, 72 * HOUR_MS); // coordinate
  const coordinated = offsets[4]!;
  const share = plan.late ? fraction(random, 1.03, 1.3) : fraction(random, 0.5, 0.92);
  const feedback = Math.max(Math.round(plannedDeadlineDays * DAY_MS * share), coordinated + 8 * HOUR_MS);
  offsets.push(coordinated + Math.round((feedback - coordinated) * fraction(random, 0.55, 0.9))); // handle
  offsets.push(feedback);
  offsets.push(feedback + (plan.reviewRequested ? random.int(12 * DAY_MS, 35 * DAY_MS) : random.int(2 * DAY_MS, 15 * DAY_MS))); // archive
  return offsets;
}

export function planTimeline(random: SeededRandom, acceptedAt: Date, asOf: Date, plan: TimelinePlan): Timeline {
  const reachedIndex = COMPLAINT_STATUSES.indexOf(plan.status);
  const planned = planExtensions(random, plan.complexity);
  const offsets = planStepOffsets(random, deadlineDays(planned.map((extension) => extension.days)), plan);

  // Keep the last step reached a minute before asOf; whole seconds, as DATETIME columns store them.
  const availableMs = Math.max(0, asOf.getTime() - acceptedAt.getTime() - MINUTE_MS);
  const squeeze = Math.min(1, availableMs / Math.max(1, offsets[reachedIndex]!));
  const toSeconds = (offsetMs: number) => Math.floor((offsetMs * squeeze) / 1_000) * 1_000;
  const stepOffsets: number[] = [];
  for (let index = 0; index <= reachedIndex; index++) {
    stepOffsets.push(index === 0 ? 0 : Math.max(toSeconds(offsets[index]!), stepOffsets[index - 1]! + 1_000));
  }

  // An extension exists once granted, and only while the decision is still to be notified.
  const feedbackOffset = reachedIndex >= FEEDBACK_INDEX ? stepOffsets[FEEDBACK_INDEX]! : Number.POSITIVE_INFINITY;
  const extensions = planned
    .map((extension) => ({ ...extension, offsetMs: toSeconds(extension.offsetMs) }))
    .filter((extension) => extension.offsetMs <= availableMs && extension.offsetMs < feedbackOffset)
    .map((extension) => ({ sequence: extension.sequence, days: extension.days, approvedAt: new Date(acceptedAt.getTime() + extension.offsetMs) }));

  return {
    stepTimes: stepOffsets.map((offset) => new Date(acceptedAt.getTime() + offset)),
    extensions,
    deadlineDays: deadlineDays(extensions.map((extension) => extension.days)),
  };
}
