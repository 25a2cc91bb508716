import { COMPLAINT_SOURCES, COMPLAINT_STATUSES, everyValueOf, type CompilesIfTrue, type ComplaintStatus, type SameValues } from '@icg/shared';
import type * as Vocabulary from '@icg/shared';
import type {
  ComplaintCategory,
  ComplaintComplexity,
  ComplaintEscalationLevel as EscalationLevel,
  ComplaintEscalationReason as EscalationReason,
  ComplaintForm,
  ComplaintOutcome,
  ComplaintReviewOutcome as ReviewOutcome,
  ComplaintRootCause as RootCause,
  ComplaintSource,
  ComplaintStatus as SchemaComplaintStatus,
  ComplaintWorkflowStep as ComplaintStep,
  LineOfBusiness,
} from './generated/schema-types';

/**
 * The complaint workflow's vocabulary (DOMAIN.md section 4, seed 000 section 5). The types are generated
 * from schema.graphql's enums and the runtime lists checked against them. Statuses, categories, sources
 * and lines of business are company-wide (@icg/shared's vocabulary); each status is the last step
 * reached, in the same order as the steps.
 */
export type {
  ComplaintComplexity,
  ComplaintForm,
  ComplaintOutcome,
  ComplaintSource,
  ComplaintStep,
  EscalationLevel,
  EscalationReason,
  ReviewOutcome,
  RootCause,
};

export type SchemaEnumsMatchVocabulary = CompilesIfTrue<
  SameValues<SchemaComplaintStatus, ComplaintStatus> &
    SameValues<ComplaintCategory, Vocabulary.ComplaintCategory> &
    SameValues<ComplaintSource, Vocabulary.ComplaintSource> &
    SameValues<LineOfBusiness, Vocabulary.LineOfBusiness>
>;

export const COMPLAINT_STEPS = everyValueOf<ComplaintStep>()(['ACCEPT', 'VERIFY', 'REGISTER', 'TRANSFER', 'COORDINATE', 'HANDLE', 'FEEDBACK', 'ARCHIVE']);

export const COMPLAINT_FORMS = everyValueOf<ComplaintForm>()(['REGISTRATION', 'VERIFICATION', 'TRANSFER', 'HANDLING']);

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

// Company-wide (the hotline and the seed use it too); re-exported for this system's tests.
export { COMPLAINT_SOURCES };

export const COMPLAINT_COMPLEXITIES = everyValueOf<ComplaintComplexity>()(['SIMPLE', 'COMPLEX', 'ESPECIALLY_COMPLEX']);

export const ESCALATION_LEVELS = everyValueOf<EscalationLevel>()(['CITY', 'PROVINCE', 'HEAD_OFFICE']);

export const ESCALATION_REASONS = everyValueOf<EscalationReason>()([
  'CROSS_UNIT',
  'UNRESOLVED_AT_LEVEL',
  'REGULATOR_OR_MEDIA',
  'DEADLINE_AT_RISK',
  'COMPLAINANT_REQUEST',
]);

export const COMPLAINT_OUTCOMES = everyValueOf<ComplaintOutcome>()(['UPHELD', 'PARTIALLY_UPHELD', 'NOT_UPHELD', 'WITHDRAWN']);

export const REVIEW_OUTCOMES = everyValueOf<ReviewOutcome>()(['MAINTAINED', 'REVISED']);

export const ROOT_CAUSES = everyValueOf<RootCause>()([
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
]);

/** The steps a complaint in `status` has been through, in order. */
export function stepsReached(status: ComplaintStatus): ComplaintStep[] {
  return COMPLAINT_STEPS.slice(0, COMPLAINT_STATUSES.indexOf(status) + 1);
}

export function hasReached(status: ComplaintStatus, step: ComplaintStep): boolean {
  return COMPLAINT_STATUSES.indexOf(status) >= COMPLAINT_STEPS.indexOf(step);
}
