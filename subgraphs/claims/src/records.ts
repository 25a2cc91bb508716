import { entities } from './entities';
import { attachScope, toBoolean, toId, toIsoDate, toIsoTimestamp, ROW_SCOPE, type ClaimStatus, type RowScope, type Scoped, scopeOfRow } from '@icg/shared';
import { CLAIM_REPORT_CHANNELS, everyValueOf, type CompilesIfTrue, type SameValues } from '@icg/shared';
import type * as Vocabulary from '@icg/shared';
import type {
  Claim,
  ClaimCause,
  ClaimClosedOutcome,
  ClaimParticipant,
  ClaimParticipantRole,
  ClaimPayment,
  ClaimPaymentMethod,
  ClaimReportChannel,
  ClaimStatus as SchemaClaimStatus,
  Customer,
  InvestigationOutcome,
  LossAssessment,
  Policy,
  Staff,
  SurveyTask,
  SurveyTaskStatus,
} from './generated/schema-types';

export type { ClaimCause, ClaimClosedOutcome, ClaimParticipantRole, ClaimPaymentMethod, ClaimReportChannel, InvestigationOutcome, SurveyTaskStatus };

/** The company-wide vocabularies this schema declares as enums hold the same values (checked by the compiler). */
export type SchemaEnumsMatchVocabulary = CompilesIfTrue<
  SameValues<SchemaClaimStatus, ClaimStatus> & SameValues<ClaimReportChannel, Vocabulary.ClaimReportChannel>
>;

/** The claims system's own enums as runtime lists (the seed and its tests draw from them), in schema order. */
export const CLAIM_CLOSED_OUTCOMES = everyValueOf<ClaimClosedOutcome>()(['PAID', 'DENIED', 'WITHDRAWN', 'CANCELLED', 'ZERO_CLOSED']);
export const CLAIM_CAUSES = everyValueOf<ClaimCause>()([
  'COLLISION',
  'THEFT',
  'FIRE',
  'FLOOD',
  'TYPHOON',
  'INJURY',
  'ILLNESS',
  'CARGO_DAMAGE',
  'LIABILITY',
  'OTHER',
]);
export const CLAIM_PARTICIPANT_ROLES = everyValueOf<ClaimParticipantRole>()(['CLAIMANT', 'INJURED', 'THIRD_PARTY', 'WITNESS', 'DRIVER']);
export const SURVEY_TASK_STATUSES = everyValueOf<SurveyTaskStatus>()(['DISPATCHED', 'ON_SITE', 'DONE']);
export const CLAIM_PAYMENT_METHODS = everyValueOf<ClaimPaymentMethod>()(['BANK_TRANSFER', 'REPAIR_SHOP_DIRECT', 'HOSPITAL_DIRECT']);
export const INVESTIGATION_OUTCOMES = everyValueOf<InvestigationOutcome>()(['FRAUD_CONFIRMED', 'NO_FRAUD_FOUND']);
// Company-wide (the hotline and the seed use it too); re-exported for this system's seed tests.
export { CLAIM_REPORT_CHANNELS };

/** BIGINT comes back as a number (SQLite, MySQL within 2^53) or a string; the seed writes numbers. */
type StoredId = number | string;
/** DATETIME: `YYYY-MM-DD HH:MM:SS` UTC strings in both dialects (MySQL runs with dateStrings). */
type StoredTimestamp = string | Date;
/** BOOLEAN is 0/1 in both dialects; the seed writes booleans. */
type StoredFlag = number | boolean;
/** DECIMAL(15,2): a number in both dialects as configured, a string if a driver ever returns one. */
type StoredMoney = number | string;

export interface ClaimRow {
  id: StoredId;
  report_no: string;
  registration_no: string | null;
  policy_no: string;
  customer_id: StoredId;
  loss_date: string | Date;
  reported_at: StoredTimestamp;
  registered_at: StoredTimestamp | null;
  documents_completed_at: StoredTimestamp | null;
  adjusted_at: StoredTimestamp | null;
  approved_at: StoredTimestamp | null;
  closed_at: StoredTimestamp | null;
  reopened_at: StoredTimestamp | null;
  reopen_reason: string | null;
  status: ClaimStatus;
  closed_outcome: ClaimClosedOutcome | null;
  cause: ClaimCause;
  loss_description: string | null;
  /** Health facts of the loss (HEALTH), kept out of `loss_description`. */
  injury_narrative: string | null;
  report_channel: ClaimReportChannel;
  small_claim: StoredFlag;
  handler_staff_id: StoredId | null;
  branch_id: StoredId;
  branch_path: string;
  customer_manager_staff_id: StoredId | null;
  paid: StoredMoney;
  outstanding_reserve: StoredMoney;
  recoveries: StoredMoney;
  fraud_score: number;
  special_investigation: StoredFlag;
  /** What the special investigation found (migration 008); null while none is concluded. */
  investigation_outcome: InvestigationOutcome | null;
  investigation_concluded_at: StoredTimestamp | null;
  /** Write side (migration 003): goes up by one with every change. */
  version: number;
  /** When the row last changed (BI's `updatedSince`, migration 006); set on every write. */
  updated_at?: string | Date | null;
  /** The hotline ticket a phone report came from; unique, so a report is filed once. */
  source_ticket_no: string | null;
  /** As the hotline reported it: decides the return visit after closing. */
  customer_segment: CustomerServiceSegment | null;
  adjusted_amount: StoredMoney | null;
  adjusted_by_staff_id: StoredId | null;
  approved_amount: StoredMoney | null;
  approved_by_staff_id: StoredId | null;
  /** Why a side exit closed the file (HEALTH). */
  close_reason: string | null;
}

/** How the customer is served (DOMAIN.md section 5); the hotline's enum of the same name. */
export const CUSTOMER_SERVICE_SEGMENTS = ['LARGE', 'QUALITY', 'STANDARD'] as const;
export type CustomerServiceSegment = (typeof CUSTOMER_SERVICE_SEGMENTS)[number];

export interface ClaimParticipantRow {
  id: StoredId;
  claim_id: StoredId;
  role: ClaimParticipantRole;
  name: string;
  mobile: string | null;
  injury_description: string | null;
  medical_details: string | null;
}

export interface SurveyTaskRow {
  id: StoredId;
  claim_id: StoredId;
  status: SurveyTaskStatus;
  dispatched_at: StoredTimestamp;
  on_site_at: StoredTimestamp | null;
  completed_at: StoredTimestamp | null;
  surveyor_staff_id: StoredId | null;
  contacted_customer_within_minutes: number | null;
}

export interface LossAssessmentRow {
  id: StoredId;
  claim_id: StoredId;
  assessed_at: StoredTimestamp;
  assessor_staff_id: StoredId | null;
  assessed_amount: StoredMoney;
  approved_amount: StoredMoney | null;
  notes: string | null;
}

export interface ClaimPaymentRow {
  id: StoredId;
  claim_id: StoredId;
  paid_at: StoredTimestamp;
  amount: StoredMoney;
  payee_name: string;
  payee_account: string;
  method: ClaimPaymentMethod;
}

/** Entities owned by other subgraphs, referred to by their key only. */
export type StaffReference = Pick<Staff, 'id'>;
export type PolicyObject = Pick<Policy, 'policyNo'>;
export type CustomerObject = Pick<Customer, 'id'>;

/** Claim fields with resolvers of their own, which load the claim's children. */
type ClaimChildLists = 'participants' | 'surveyTasks' | 'lossAssessments' | 'payments';
/** A claim as built from its row: the schema's Claim without the child lists. */
export type ClaimObject = Omit<Claim, ClaimChildLists | '__typename'>;
/** What the Claim resolvers receive and every claim resolver returns: a claim with its row scope. */
export type ClaimRecord = Scoped<ClaimObject>;
export type { ClaimConnectionRecord } from './claim-connection';

export type ClaimParticipantObject = Omit<ClaimParticipant, '__typename'>;
export type SurveyTaskObject = Omit<SurveyTask, '__typename'>;
export type LossAssessmentObject = Omit<LossAssessment, '__typename'>;
export type ClaimPaymentObject = Omit<ClaimPayment, '__typename'>;

/** Rounds to fen, so sums of DECIMAL(15,2) values do not show floating-point noise. */
export function roundMoney(value: number): number {
  return Math.round(value * 100) / 100;
}

function money(value: StoredMoney): number {
  return Number(value);
}

function timestamp(value: StoredTimestamp): string {
  return toIsoTimestamp(value)!;
}

function staffReference(staffId: StoredId | null, scope: RowScope): Scoped<StaffReference> | null {
  return staffId === null ? null : attachScope({ id: toId(staffId) }, scope);
}

/** A claim's scope, as the manifest declares it (docs/access-model.md section 3). */
export function claimScope(row: ClaimRow): RowScope {
  return scopeOfRow('Claim', entities.Claim, row);
}

export function claimRecord(row: ClaimRow): Scoped<ClaimObject> {
  const scope = claimScope(row);
  const paid = money(row.paid);
  const outstandingReserve = money(row.outstanding_reserve);
  const recoveries = money(row.recoveries);
  return attachScope(
    {
      id: toId(row.id),
      reportNo: row.report_no,
      registrationNo: row.registration_no,
      policy: attachScope({ policyNo: row.policy_no }, scope),
      customer: attachScope({ id: toId(row.customer_id) }, scope),
      lossDate: toIsoDate(row.loss_date)!,
      reportedAt: timestamp(row.reported_at),
      registeredAt: toIsoTimestamp(row.registered_at),
      documentsCompletedAt: toIsoTimestamp(row.documents_completed_at),
      adjustedAt: toIsoTimestamp(row.adjusted_at),
      approvedAt: toIsoTimestamp(row.approved_at),
      closedAt: toIsoTimestamp(row.closed_at),
      reopenedAt: toIsoTimestamp(row.reopened_at),
      reopenReason: row.reopen_reason,
      status: row.status,
      closedOutcome: row.closed_outcome,
      cause: row.cause,
      lossDescription: row.loss_description,
      injuryNarrative: row.injury_narrative,
      reportChannel: row.report_channel,
      smallClaim: toBoolean(row.small_claim),
      handler: staffReference(row.handler_staff_id, scope),
      branch: attachScope({ id: toId(row.branch_id) }, scope),
      paid,
      outstandingReserve,
      recoveries,
      incurred: roundMoney(paid + outstandingReserve - recoveries),
      fraudScore: row.fraud_score,
      specialInvestigation: toBoolean(row.special_investigation),
      investigationOutcome: row.investigation_outcome,
      investigationConcludedAt: toIsoTimestamp(row.investigation_concluded_at),
      closeReason: row.close_reason,
      adjustedAmount: row.adjusted_amount === null ? null : money(row.adjusted_amount),
      approvedAmount: row.approved_amount === null ? null : money(row.approved_amount),
      approver: staffReference(row.approved_by_staff_id, scope),
      reportTicket: row.source_ticket_no === null ? null : attachScope({ ticketNo: row.source_ticket_no }, scope),
      version: Number(row.version),
    },
    scope,
  );
}

/**
 * A customer or policy as this system knows it: a stub by its key. Like every entity a subgraph extends
 * without owning, it carries no row scope (see entities.ts), so it is decided as out of scope.
 */
export function customerStub(customerId: string): CustomerObject {
  return { id: customerId };
}

export function policyStub(policyNo: string): PolicyObject {
  return { policyNo };
}

/** Children of a claim inherit the claim's scope. */
export function participantRecord(row: ClaimParticipantRow, claim: Scoped<ClaimObject>): Scoped<ClaimParticipantObject> {
  return attachScope(
    {
      id: toId(row.id),
      role: row.role,
      name: row.name,
      mobile: row.mobile,
      injuryDescription: row.injury_description,
      medicalDetails: row.medical_details,
    },
    claim[ROW_SCOPE],
  );
}

export function surveyTaskRecord(row: SurveyTaskRow, claim: Scoped<ClaimObject>): Scoped<SurveyTaskObject> {
  const scope = claim[ROW_SCOPE];
  return attachScope(
    {
      id: toId(row.id),
      status: row.status,
      dispatchedAt: timestamp(row.dispatched_at),
      onSiteAt: toIsoTimestamp(row.on_site_at),
      completedAt: toIsoTimestamp(row.completed_at),
      surveyor: staffReference(row.surveyor_staff_id, scope),
      contactedCustomerWithinMinutes: row.contacted_customer_within_minutes,
    },
    scope,
  );
}

export function lossAssessmentRecord(row: LossAssessmentRow, claim: Scoped<ClaimObject>): Scoped<LossAssessmentObject> {
  const scope = claim[ROW_SCOPE];
  return attachScope(
    {
      id: toId(row.id),
      assessedAt: timestamp(row.assessed_at),
      assessor: staffReference(row.assessor_staff_id, scope),
      assessedAmount: money(row.assessed_amount),
      approvedAmount: row.approved_amount === null ? null : money(row.approved_amount),
      notes: row.notes,
    },
    scope,
  );
}

export function paymentRecord(row: ClaimPaymentRow, claim: Scoped<ClaimObject>): Scoped<ClaimPaymentObject> {
  return attachScope(
    {
      id: toId(row.id),
      paidAt: timestamp(row.paid_at),
      amount: money(row.amount),
      payeeName: row.payee_name,
      payeeAccount: row.payee_account,
      method: row.method,
    },
    claim[ROW_SCOPE],
  );
}
