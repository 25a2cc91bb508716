import { COMPLAINT_STATUSES, defineStateMachine, invalidTransition, type ComplaintStatus } from '@icg/shared';
import { deadlineExpiresAt } from './deadlines';
import type { ExtensionRequestStatus } from './records';
import type { EscalationLevel } from './workflow';

/**
 * The complaint's state machines (DOMAIN.md section 4, seed 000 section 5). The steps run in one line;
 * withdrawal is the side exit before the decision, and lands where a decision would (HANDLED, outcome
 * WITHDRAWN), so the complainant is still told and the case archived. The deadline, the escalation and
 * the review each have their own small machine beside the steps.
 */
export const COMPLAINT_LIFECYCLE = defineStateMachine('complaint', {
  ACCEPTED: ['VERIFIED'],
  VERIFIED: ['REGISTERED'],
  REGISTERED: ['TRANSFERRED'],
  TRANSFERRED: ['COORDINATING'],
  COORDINATING: ['HANDLED'],
  HANDLED: ['FEEDBACK_GIVEN'],
  FEEDBACK_GIVEN: ['ARCHIVED'],
  ARCHIVED: [],
} satisfies Record<ComplaintStatus, readonly ComplaintStatus[]>);

/** Before the decision: the complaint may still be withdrawn, escalated or given more time. */
export const UNDECIDED_STATUSES: readonly ComplaintStatus[] = COMPLAINT_STATUSES.slice(0, COMPLAINT_STATUSES.indexOf('HANDLED'));

/**
 * Refuses an action that is no transition of the steps (withdrawal, an extension, an escalation) in a
 * status where it is not possible: INVALID_TRANSITION with the current status and the steps allowed next.
 */
export function assertUndecided(status: ComplaintStatus, requested: string): void {
  if (!UNDECIDED_STATUSES.includes(status)) throw invalidTransition(COMPLAINT_LIFECYCLE.name, status, requested, COMPLAINT_LIFECYCLE.next(status));
}

/**
 * The deadline: 15 days; extended to 30 for a complex case; a further extension (to 60) is requested and
 * then approved or rejected by a second person. A rejected request may be made again.
 */
export type DeadlineState = 'STANDARD' | 'EXTENDED' | 'FURTHER_REQUESTED' | 'FURTHER_EXTENDED';

export const COMPLAINT_DEADLINE = defineStateMachine('complaint deadline', {
  STANDARD: ['EXTENDED'],
  EXTENDED: ['FURTHER_REQUESTED'],
  FURTHER_REQUESTED: ['FURTHER_EXTENDED', 'EXTENDED'],
  FURTHER_EXTENDED: [],
} satisfies Record<DeadlineState, readonly DeadlineState[]>);

export function deadlineStateOf(extensionsGranted: number, requests: readonly { status: ExtensionRequestStatus }[]): DeadlineState {
  if (extensionsGranted >= 2) return 'FURTHER_EXTENDED';
  if (requests.some((request) => request.status === 'PENDING')) return 'FURTHER_REQUESTED';
  return extensionsGranted === 1 ? 'EXTENDED' : 'STANDARD';
}

/** A deadline that has already run out is not extended: INVALID_TRANSITION from EXPIRED. */
export function assertDeadlineRunning(dueDate: string, now: Date, requested: DeadlineState): void {
  if (now >= deadlineExpiresAt(dueDate)) throw invalidTransition(COMPLAINT_DEADLINE.name, 'EXPIRED', requested, []);
}

/** Escalation goes one level up at a time, from the level the complaint is handled at. */
export const COMPLAINT_ESCALATION = defineStateMachine('complaint escalation', {
  CITY: ['PROVINCE'],
  PROVINCE: ['HEAD_OFFICE'],
  HEAD_OFFICE: [],
} satisfies Record<EscalationLevel, readonly EscalationLevel[]>);

/**
 * A review the complainant asks for after being notified of the decision (not of a withdrawal); it must be
 * decided before the case is archived.
 */
export type ReviewState = 'NOT_REQUESTED' | 'REQUESTED' | 'DECIDED';

export const COMPLAINT_REVIEW = defineStateMachine('complaint review', {
  NOT_REQUESTED: ['REQUESTED'],
  REQUESTED: ['DECIDED'],
  DECIDED: [],
} satisfies Record<ReviewState, readonly ReviewState[]>);

export function reviewStateOf(reviewRequested: boolean, reviewDecided: boolean): ReviewState {
  if (!reviewRequested) return 'NOT_REQUESTED';
  return reviewDecided ? 'DECIDED' : 'REQUESTED';
}
