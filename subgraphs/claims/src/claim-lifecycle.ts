import { defineStateMachine, type ClaimStatus } from '@icg/shared';
import type { ClaimClosedOutcome, SurveyTaskStatus } from './records';

/**
 * The claim lifecycle (DOMAIN.md section 4): reported → dispatched → surveyed → registered (reserve set)
 * → assessed → documents complete → adjusted → approved → paid → closed, with the side exits and the
 * reopening. Each status lists the statuses a claim may move to next; anything else is INVALID_TRANSITION.
 */
export const CLAIM_TRANSITIONS: { readonly [From in ClaimStatus]: readonly ClaimStatus[] } = {
  // 注销 (a duplicate report, or no cover) only before registration; 撤案 (the customer withdraws) until adjustment.
  REPORTED: ['DISPATCHED', 'CANCELLED', 'WITHDRAWN'],
  DISPATCHED: ['SURVEYED', 'CANCELLED', 'WITHDRAWN'],
  SURVEYED: ['REGISTERED', 'CANCELLED', 'WITHDRAWN'],
  // 拒赔 once registered; 零结案 once the loss is known to be nil or under the deductible.
  REGISTERED: ['ASSESSED', 'WITHDRAWN', 'DENIED'],
  ASSESSED: ['DOCUMENTS_COMPLETE', 'WITHDRAWN', 'DENIED', 'ZERO_CLOSED'],
  DOCUMENTS_COMPLETE: ['ADJUSTED', 'WITHDRAWN', 'DENIED', 'ZERO_CLOSED'],
  ADJUSTED: ['APPROVED', 'DENIED', 'ZERO_CLOSED'],
  APPROVED: ['PAID'],
  // Further instalments keep a claim PAID; closing also needs a zero outstanding reserve.
  PAID: ['PAID', 'CLOSED'],
  CLOSED: ['REOPENED'],
  // A cancelled or withdrawn report is not reopened: a new report is made instead.
  CANCELLED: [],
  WITHDRAWN: [],
  DENIED: ['REOPENED'],
  ZERO_CLOSED: ['REOPENED'],
  // A reopened file is reassessed or readjusted, closed as it is, or denied.
  REOPENED: ['ASSESSED', 'ADJUSTED', 'CLOSED', 'DENIED', 'ZERO_CLOSED'],
};

export const claimLifecycle = defineStateMachine<ClaimStatus>('claim', CLAIM_TRANSITIONS);

/** The statuses that close a file, with the outcome each records (CLOSED after payment records PAID). */
export const CLOSING_OUTCOMES: Readonly<Partial<Record<ClaimStatus, ClaimClosedOutcome>>> = {
  CLOSED: 'PAID',
  CANCELLED: 'CANCELLED',
  WITHDRAWN: 'WITHDRAWN',
  DENIED: 'DENIED',
  ZERO_CLOSED: 'ZERO_CLOSED',
};

/** Statuses in which the outstanding reserve may be set: from registration until the file closes. */
export const RESERVE_STATUSES: readonly ClaimStatus[] = ['REGISTERED', 'ASSESSED', 'DOCUMENTS_COMPLETE', 'ADJUSTED', 'APPROVED', 'PAID', 'REOPENED'];

/** Survey tasks (DOMAIN.md section 3): dispatched → on site → done. */
export const surveyTaskLifecycle = defineStateMachine<SurveyTaskStatus>('survey task', {
  DISPATCHED: ['ON_SITE'],
  ON_SITE: ['DONE'],
  DONE: [],
});
