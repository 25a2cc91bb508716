import { attachScope, rowScope, toBoolean, toId, toIsoDate, toIsoTimestamp, ROW_SCOPE, type ClaimStatus, type RowScope, type Scoped } from '@icg/shared';

/** Closed vocabularies of the claims system; schema.graphql declares the same values as enums. */
export const CLAIM_CLOSED_OUTCOMES = ['PAID', 'DENIED', 'WITHDRAWN', 'CANCELLED', 'ZERO_CLOSED'] as const;
export type ClaimClosedOutcome = (typeof CLAIM_CLOSED_OUTCOMES)[number];
export const CLAIM_CAUSES = ['COLLISION', 'THEFT', 'FIRE', 'FLOOD', 'TYPHOON', 'INJURY', 'ILLNESS', 'CARGO_DAMAGE', 'LIABILITY', 'OTHER'] as const;
export type ClaimCause = (typeof CLAIM_CAUSES)[number];
export const CLAIM_REPORT_CHANNELS = ['HOTLINE', 'APP', 'AGENT', 'COUNTER', 'WECHAT'] as const;
export type ClaimReportChannel = (typeof CLAIM_REPORT_CHANNELS)[number];
export const CLAIM_PARTICIPANT_ROLES = ['CLAIMANT', 'INJURED', 'THIRD_PARTY', 'WITNESS', 'DRIVER'] as const;
export type ClaimParticipantRole = (typeof CLAIM_PARTICIPANT_ROLES)[number];
export const SURVEY_TASK_STATUSES = ['DISPATCHED', 'ON_SITE', 'DONE'] as const;
export type SurveyTaskStatus = (typeof SURVEY_TASK_STATUSES)[number];
export const CLAIM_PAYMENT_METHODS = ['BANK_TRANSFER', 'REPAIR_SHOP_DIRECT', 'HOSPITAL_DIRECT'] as const;
export type ClaimPaymentMethod = (typeof CLAIM_PAYMENT_METHODS)[number];

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
}

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

/** Entities owned by other subgraphs, referred to by key only. */
export interface StaffReference {
  id: string;
}
export interface BranchReference {
  id: string;
}
export interface PolicyObject {
  policyNo: string;
}
export interface CustomerObject {
  id: string;
}

export interface ClaimObject {
  id: string;
  reportNo: string;
  registrationNo: string | null;
  policy: PolicyObject;
  customer: CustomerObject;
  lossDate: string;
  reportedAt: string;
  registeredAt: string | null;
  documentsCompletedAt: string | null;
  adjustedAt: string | null;
  approvedAt: string | null;
  closedAt: string | null;
  reopenedAt: string | null;
  reopenReason: string | null;
  status: ClaimStatus;
  closedOutcome: ClaimClosedOutcome | null;
  cause: ClaimCause;
  lossDescription: string | null;
  reportChannel: ClaimReportChannel;
  smallClaim: boolean;
  handler: StaffReference | null;
  branch: BranchReference;
  paid: number;
  outstandingReserve: number;
  recoveries: number;
  incurred: number;
  fraudScore: number;
  specialInvestigation: boolean;
}

export interface ClaimParticipantObject {
  id: string;
  role: ClaimParticipantRole;
  name: string;
  mobile: string | null;
  injuryDescription: string | null;
  medicalDetails: string | null;
}

export interface SurveyTaskObject {
  id: string;
  status: SurveyTaskStatus;
  dispatchedAt: string;
  onSiteAt: string | null;
  completedAt: string | null;
  surveyor: StaffReference | null;
  contactedCustomerWithinMinutes: number | null;
}

export interface LossAssessmentObject {
  id: string;
  assessedAt: string;
  assessor: StaffReference | null;
  assessedAmount: number;
  approvedAmount: number | null;
  notes: string | null;
}

export interface ClaimPaymentObject {
  id: string;
  paidAt: string;
  amount: number;
  payeeName: string;
  payeeAccount: string;
  method: ClaimPaymentMethod;
}

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

/** A claim belongs to its branch, its handler and the customer's manager (ACCESS-MODEL.md section 3). */
export function claimScope(row: ClaimRow): RowScope {
  return rowScope(row.branch_path, row.handler_staff_id, row.customer_manager_staff_id);
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
    },
    scope,
  );
}

/**
 * A customer or policy as this system knows it: through its claims. It takes the scope of its most
 * recent claim (the branch that holds the policy, the customer's manager). With no claims here it
 * carries no scope, which enforcement treats as out of scope; its only fields are INTERNAL.
 */
function referencedEntity<T extends object>(entity: T, claimsNewestFirst: readonly ClaimRow[]): T | Scoped<T> {
  const latest = claimsNewestFirst[0];
  return latest ? attachScope(entity, rowScope(latest.branch_path, latest.customer_manager_staff_id)) : entity;
}

export function customerRecord(customerId: string, claimsNewestFirst: readonly ClaimRow[]): CustomerObject | Scoped<CustomerObject> {
  return referencedEntity({ id: customerId }, claimsNewestFirst);
}

export function policyRecord(policyNo: string, claimsNewestFirst: readonly ClaimRow[]): PolicyObject | Scoped<PolicyObject> {
  return referencedEntity({ policyNo }, claimsNewestFirst);
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
