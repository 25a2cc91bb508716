import { entities } from './entities';
import {
  attachScope,
  toBoolean,
  toId,
  toIsoDate,
  toIsoTimestamp,
  toNumberOrNull,
  type ComplaintCategory,
  type ComplaintStatus,
  type LineOfBusiness,
  type RowScope,
  type Scoped,
  scopeOfRow,
} from '@icg/shared';
import type { ComplaintEscalation, ComplaintEscalationReason, ComplaintStep, DeadlineExtension, DeadlineExtensionRequest } from './generated/schema-types';
import { handlingBranch } from './org-directory';
import type {
  ComplaintComplexity,
  ComplaintForm,
  ComplaintOutcome,
  ComplaintSource,
  ComplaintStep as WorkflowStep,
  EscalationLevel,
  ReviewOutcome,
  RootCause,
} from './workflow';

type Id = number | string;
type Timestamp = string | Date;

/** A `complaints` row as both dialects return it. */
export interface ComplaintRow {
  id: Id;
  complaint_no: string;
  source: ComplaintSource;
  complainant_name: string | null;
  complainant_mobile: string | null;
  customer_id: Id;
  branch_id: Id;
  branch_path: string;
  handler_staff_id: Id | null;
  customer_manager_staff_id: Id | null;
  respondent_staff_id: Id | null;
  policy_no: string | null;
  report_no: string | null;
  category: ComplaintCategory;
  line_of_business: LineOfBusiness | null;
  facts: string | null;
  request: string | null;
  complexity: ComplaintComplexity;
  status: ComplaintStatus;
  accepted_at: Timestamp;
  verified_at: Timestamp | null;
  registered_at: Timestamp | null;
  transferred_at: Timestamp | null;
  coordinated_at: Timestamp | null;
  handled_at: Timestamp | null;
  feedback_at: Timestamp | null;
  archived_at: Timestamp | null;
  deadline_days: number;
  due_date: string | Date;
  escalation_level: EscalationLevel;
  outcome: ComplaintOutcome | null;
  compensation_amount: number | string | null;
  review_requested: number | boolean;
  review_outcome: ReviewOutcome | null;
  root_cause: RootCause | null;
  rectification: string | null;
  archived: number | boolean;
  /** Write side (migration 002). */
  version: number;
  /** When the row last changed (BI's `updatedSince`, migration 003); set on every write. */
  updated_at?: Timestamp | null;
  respondent_determined_at: Timestamp | null;
  withdrawn_at: Timestamp | null;
  review_requested_at: Timestamp | null;
  review_decided_at: Timestamp | null;
  source_ticket_no: string | null;
}

export interface ComplaintStepRow {
  id: Id;
  complaint_id: Id;
  sequence: number;
  step: WorkflowStep;
  actor_staff_id: Id | null;
  at: Timestamp;
  form: ComplaintForm | null;
  note: string | null;
}

export interface DeadlineExtensionRow {
  id: Id;
  complaint_id: Id;
  sequence: number;
  days: number;
  approved_by_staff_id: Id | null;
  approved_at: Timestamp;
  reason: string | null;
  notified_complainant_at: Timestamp | null;
  requested_by_staff_id: Id | null;
  requested_at: Timestamp | null;
}

export type ExtensionRequestStatus = 'PENDING' | 'APPROVED' | 'REJECTED';

export interface ExtensionRequestRow {
  id: Id;
  complaint_id: Id;
  sequence: number;
  days: number;
  requested_by_staff_id: Id;
  requested_at: Timestamp;
  reason: string;
  status: ExtensionRequestStatus;
  decided_by_staff_id: Id | null;
  decided_at: Timestamp | null;
}

export interface EscalationRow {
  id: Id;
  complaint_id: Id;
  sequence: number;
  from_level: EscalationLevel;
  to_level: EscalationLevel;
  branch_id: Id;
  reason: ComplaintEscalationReason;
  escalated_by_staff_id: Id;
  at: Timestamp;
}

/** An entity another subgraph owns, referred to by its key; it carries the referring record's scope. */
export type IdReference = Scoped<{ id: string }>;

/** What the Complaint resolvers receive: a complaint with the row scope its steps and extensions inherit. */
export type ScopedComplaintRecord = Scoped<ComplaintRecord>;
export type { ComplaintConnectionRecord } from './complaint-connection';

export interface ComplaintRecord {
  id: string;
  complaintNo: string;
  source: ComplaintSource;
  complainantName: string | null;
  complainantMobile: string | null;
  customer: IdReference;
  respondentBranch: IdReference;
  respondentStaff: IdReference | null;
  policy: Scoped<{ policyNo: string }> | null;
  claim: Scoped<{ reportNo: string }> | null;
  category: ComplaintCategory;
  lineOfBusiness: LineOfBusiness | null;
  facts: string | null;
  request: string | null;
  complexity: ComplaintComplexity;
  status: ComplaintStatus;
  acceptedAt: string;
  verifiedAt: string | null;
  registeredAt: string | null;
  transferredAt: string | null;
  coordinatedAt: string | null;
  handledAt: string | null;
  feedbackAt: string | null;
  archivedAt: string | null;
  deadlineDays: number;
  dueDate: string;
  escalationLevel: EscalationLevel;
  handlingBranch: IdReference;
  respondentDeterminedAt: string | null;
  outcome: ComplaintOutcome | null;
  compensationAmount: number | null;
  reviewRequested: boolean;
  reviewRequestedAt: string | null;
  reviewDecidedAt: string | null;
  withdrawnAt: string | null;
  reviewOutcome: ReviewOutcome | null;
  rootCause: RootCause | null;
  rectification: string | null;
  archived: boolean;
  handler: IdReference | null;
  sourceTicket: Scoped<{ ticketNo: string }> | null;
  version: number;
}

export type ComplaintStepRecord = Omit<ComplaintStep, '__typename'>;

export type DeadlineExtensionRecord = Omit<DeadlineExtension, '__typename'>;

export type DeadlineExtensionRequestRecord = Omit<DeadlineExtensionRequest, '__typename'>;

export type ComplaintEscalationRecord = Omit<ComplaintEscalation, '__typename'>;

function idReference(id: Id, scope: RowScope): IdReference {
  return attachScope({ id: toId(id) }, scope);
}

function optionalIdReference(id: Id | null, scope: RowScope): IdReference | null {
  return id === null ? null : idReference(id, scope);
}

/** Accountable branch, handler and the customer's manager, as the manifest declares it (docs/access-model.md section 3). */
function complaintScope(row: ComplaintRow): RowScope {
  return scopeOfRow('Complaint', entities.Complaint, row);
}

export function complaintRecord(row: ComplaintRow): Scoped<ComplaintRecord> {
  const scope = complaintScope(row);
  return attachScope(
    {
      id: toId(row.id),
      complaintNo: row.complaint_no,
      source: row.source,
      complainantName: row.complainant_name,
      complainantMobile: row.complainant_mobile,
      customer: idReference(row.customer_id, scope),
      respondentBranch: idReference(row.branch_id, scope),
      respondentStaff: optionalIdReference(row.respondent_staff_id, scope),
      policy: row.policy_no === null ? null : attachScope({ policyNo: row.policy_no }, scope),
      claim: row.report_no === null ? null : attachScope({ reportNo: row.report_no }, scope),
      category: row.category,
      lineOfBusiness: row.line_of_business,
      facts: row.facts,
      request: row.request,
      complexity: row.complexity,
      status: row.status,
      acceptedAt: toIsoTimestamp(row.accepted_at)!,
      verifiedAt: toIsoTimestamp(row.verified_at),
      registeredAt: toIsoTimestamp(row.registered_at),
      transferredAt: toIsoTimestamp(row.transferred_at),
      coordinatedAt: toIsoTimestamp(row.coordinated_at),
      handledAt: toIsoTimestamp(row.handled_at),
      feedbackAt: toIsoTimestamp(row.feedback_at),
      archivedAt: toIsoTimestamp(row.archived_at),
      deadlineDays: row.deadline_days,
      dueDate: toIsoDate(row.due_date)!,
      escalationLevel: row.escalation_level,
      handlingBranch: idReference(handlingBranch(row.branch_path, row.escalation_level).id, scope),
      respondentDeterminedAt: toIsoTimestamp(row.respondent_determined_at),
      outcome: row.outcome,
      compensationAmount: toNumberOrNull(row.compensation_amount),
      reviewRequested: toBoolean(row.review_requested),
      reviewRequestedAt: toIsoTimestamp(row.review_requested_at),
      reviewDecidedAt: toIsoTimestamp(row.review_decided_at),
      withdrawnAt: toIsoTimestamp(row.withdrawn_at),
      reviewOutcome: row.review_outcome,
      rootCause: row.root_cause,
      rectification: row.rectification,
      archived: toBoolean(row.archived),
      handler: optionalIdReference(row.handler_staff_id, scope),
      sourceTicket: row.source_ticket_no === null ? null : attachScope({ ticketNo: row.source_ticket_no }, scope),
      version: Number(row.version),
    },
    scope,
  );
}

/** Steps and extensions belong to their complaint and inherit its scope. */
export function complaintStepRecord(row: ComplaintStepRow, parentScope: RowScope): Scoped<ComplaintStepRecord> {
  return attachScope(
    {
      step: row.step,
      actor: optionalIdReference(row.actor_staff_id, parentScope),
      at: toIsoTimestamp(row.at)!,
      form: row.form,
      note: row.note,
    },
    parentScope,
  );
}

export function deadlineExtensionRecord(row: DeadlineExtensionRow, parentScope: RowScope): Scoped<DeadlineExtensionRecord> {
  return attachScope(
    {
      days: row.days,
      approvedBy: optionalIdReference(row.approved_by_staff_id, parentScope),
      approvedAt: toIsoTimestamp(row.approved_at)!,
      reason: row.reason,
      notifiedComplainantAt: toIsoTimestamp(row.notified_complainant_at),
      requestedBy: optionalIdReference(row.requested_by_staff_id, parentScope),
      requestedAt: toIsoTimestamp(row.requested_at),
    },
    parentScope,
  );
}

export function extensionRequestRecord(row: ExtensionRequestRow, parentScope: RowScope): Scoped<DeadlineExtensionRequestRecord> {
  return attachScope(
    {
      days: row.days,
      status: row.status,
      requestedBy: idReference(row.requested_by_staff_id, parentScope),
      requestedAt: toIsoTimestamp(row.requested_at)!,
      reason: row.reason,
      decidedBy: optionalIdReference(row.decided_by_staff_id, parentScope),
      decidedAt: toIsoTimestamp(row.decided_at),
    },
    parentScope,
  );
}

export function escalationRecord(row: EscalationRow, parentScope: RowScope): Scoped<ComplaintEscalationRecord> {
  return attachScope(
    {
      level: row.to_level,
      branch: idReference(row.branch_id, parentScope),
      reason: row.reason,
      escalatedBy: idReference(row.escalated_by_staff_id, parentScope),
      at: toIsoTimestamp(row.at)!,
    },
    parentScope,
  );
}
