import { COMPLAINT_STATUSES, type ComplaintStatus } from '@icg/shared';

/**
 * The complaint workflow's vocabulary (DOMAIN.md section 4, seed 000 section 5). Statuses come from
 * shared/src/synthetic/facts.ts; each status is the last step reached, in the same order.
 */
export const COMPLAINT_STEPS = ['ACCEPT', 'VERIFY', 'REGISTER', 'TRANSFER', 'COORDINATE', 'HANDLE', 'FEEDBACK', 'ARCHIVE'] as const;
export type ComplaintStep = (typeof COMPLAINT_STEPS)[number];

export const COMPLAINT_FORMS = ['REGISTRATION', 'VERIFICATION', 'TRANSFER', 'HANDLING'] as const;
export type ComplaintForm = (typeof COMPLAINT_FORMS)[number];

/** 登记表 opens the case and completes the registration; 处理表 carries the decision and its notice. */
export const FORM_OF_STEP: Readonly<Record<ComplaintStep, ComplaintForm | null>> = {
  ACCEPT: 'REGISTRATION',
  VERIFY: 'VERIFICATION',
  REGISTER: 'REGISTRATION',
  TRANSFER: 'TRANSFER',
  COORDINATE: null,
  HANDLE: 'HANDLING',
  FEEDBACK: 'HANDLING',
  ARCHIVE: null,
};

export const COMPLAINT_SOURCES = ['DIRECT', 'HOTLINE', 'REGULATOR_TRANSFER', 'MEDIA', 'ONLINE', 'LETTER'] as const;
export type ComplaintSource = (typeof COMPLAINT_SOURCES)[number];

export const COMPLAINT_COMPLEXITIES = ['SIMPLE', 'COMPLEX', 'ESPECIALLY_COMPLEX'] as const;
export type ComplaintComplexity = (typeof COMPLAINT_COMPLEXITIES)[number];

export const ESCALATION_LEVELS = ['CITY', 'PROVINCE', 'HEAD_OFFICE'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

export const COMPLAINT_OUTCOMES = ['UPHELD', 'PARTIALLY_UPHELD', 'NOT_UPHELD', 'WITHDRAWN'] as const;
export type ComplaintOutcome = (typeof COMPLAINT_OUTCOMES)[number];

export const REVIEW_OUTCOMES = ['MAINTAINED', 'REVISED'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

export const ROOT_CAUSES = [
  'CLAIMS_DELAY',
  'CLAIMS_AMOUNT_DISPUTE',
  'CLAIMS_DENIAL_DISPUTE',
  'SALES_MISREPRESENTATION',
  'TIED_SALE',
  'SURRENDER_OBSTRUCTION',
  'SURRENDER_REFUND_DISPUTE',
  'UNDERWRITING_DECISION',
  'POLICY_ADMINISTRATION_ERROR',
  'SERVICE_ATTITUDE',
  'SERVICE_DELAY',
  'COMMUNICATION_GAP',
  'CUSTOMER_MISUNDERSTANDING',
] as const;
export type RootCause = (typeof ROOT_CAUSES)[number];

/** The steps a complaint in `status` has been through, in order. */
export function stepsReached(status: ComplaintStatus): ComplaintStep[] {
  return COMPLAINT_STEPS.slice(0, COMPLAINT_STATUSES.indexOf(status) + 1);
}

export function hasReached(status: ComplaintStatus, step: ComplaintStep): boolean {
  return COMPLAINT_STATUSES.indexOf(status) >= COMPLAINT_STEPS.indexOf(step);
}
