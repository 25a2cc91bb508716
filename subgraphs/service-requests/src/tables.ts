import {
  everyValueOf,
  type CompilesIfTrue,
  type LineOfBusiness,
  type SameValues,
  type ServiceRequestStatus,
  type ServiceRequestType,
  type StaffRole,
} from '@icg/shared';
import type {
  CallDirection,
  ReturnVisitOutcome,
  ServiceRequestChannel,
  ServiceRequestPendingReason,
  ServiceRequestPriority,
  ServiceRequestReopenReason,
  ServiceRequestStatus as SchemaServiceRequestStatus,
  ServiceRequestType as SchemaServiceRequestType,
} from './generated/schema-types';

export type { CallDirection, ReturnVisitOutcome, ServiceRequestChannel, ServiceRequestPendingReason, ServiceRequestPriority, ServiceRequestReopenReason };

/** Table names and row shapes, shared by the loaders that read rows and the seeder that writes them. */
export const TABLES = {
  serviceRequests: 'service_requests',
  callRecords: 'call_records',
  returnVisits: 'return_visits',
  /** The hotline's copy of each customer's branch and primary manager: a new ticket's row scope. */
  customerDirectory: 'customer_directory',
  /** Which customer each policy belongs to, and its line. */
  policyDirectory: 'policy_directory',
  /** Each staff member's role and branch: who a ticket may be assigned to. */
  staffRegister: 'staff_register',
} as const;

/** Ticket types and statuses are company-wide (@icg/shared); the schema's enums must hold the same values. */
export type SchemaEnumsMatchVocabulary = CompilesIfTrue<
  SameValues<SchemaServiceRequestType, ServiceRequestType> & SameValues<SchemaServiceRequestStatus, ServiceRequestStatus>
>;

/** This system's own enums as runtime lists (the seed draws from them), checked against the generated types. */
export const SERVICE_REQUEST_CHANNELS = everyValueOf<ServiceRequestChannel>()(['PHONE', 'APP', 'WECHAT', 'WEB', 'COUNTER']);
export const SERVICE_REQUEST_PRIORITIES = everyValueOf<ServiceRequestPriority>()(['LOW', 'NORMAL', 'HIGH', 'URGENT']);
export const CALL_DIRECTIONS = everyValueOf<CallDirection>()(['INBOUND', 'OUTBOUND']);
export const RETURN_VISIT_OUTCOMES = everyValueOf<ReturnVisitOutcome>()(['REACHED', 'NO_ANSWER', 'CALLBACK_REQUESTED', 'DECLINED']);

/** BIGINT ids come back as numbers (or strings beyond 2^53 on MySQL); timestamps as `YYYY-MM-DD HH:MM:SS`. */
type BigIntId = number | string;

export interface ServiceRequestRow {
  id: BigIntId;
  ticket_no: string;
  channel: ServiceRequestChannel;
  type: ServiceRequestType;
  status: ServiceRequestStatus;
  priority: ServiceRequestPriority;
  subject: string;
  description: string | null;
  caller_name: string | null;
  caller_mobile: string | null;
  customer_id: BigIntId;
  policy_no: string | null;
  spawned_claim_report_no: string | null;
  spawned_complaint_no: string | null;
  branch_id: BigIntId;
  branch_path: string;
  assignee_staff_id: BigIntId | null;
  customer_manager_staff_id: BigIntId | null;
  opened_at: string;
  triaged_at: string | null;
  assigned_at: string | null;
  first_response_at: string | null;
  pending_since: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  sla_due_at: string;
  sla_paused_minutes: number;
  /** Goes up by one with every change (optimistic updates). */
  version: number;
  /** When the row last changed (BI's `updatedSince`, migration 005); set on every write. */
  updated_at?: string | null;
  pending_reason: ServiceRequestPendingReason | null;
  reopened_at: string | null;
  reopen_reason: ServiceRequestReopenReason | null;
  /** The claim a return visit follows up. */
  related_claim_report_no: string | null;
}

export interface CustomerDirectoryRow {
  customer_id: BigIntId;
  branch_id: BigIntId;
  branch_path: string;
  customer_manager_staff_id: BigIntId | null;
}

export interface StaffRegisterRow {
  id: BigIntId;
  role: StaffRole;
  branch_path: string;
}

export interface PolicyDirectoryRow {
  policy_no: string;
  customer_id: BigIntId;
  line_of_business: LineOfBusiness;
}

export interface CallRecordRow {
  id: BigIntId;
  service_request_id: BigIntId;
  direction: CallDirection;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  wait_seconds: number;
  duration_seconds: number | null;
  /** 0/1 in both dialects once read; written as a boolean. */
  answered_by_agent: number | boolean;
  agent_staff_id: BigIntId | null;
  recording_url: string | null;
}

export interface ReturnVisitRow {
  id: BigIntId;
  service_request_id: BigIntId;
  agent_staff_id: BigIntId | null;
  scheduled_for: string;
  visited_at: string | null;
  outcome: ReturnVisitOutcome | null;
  satisfaction: number | null;
  notes: string | null;
}
