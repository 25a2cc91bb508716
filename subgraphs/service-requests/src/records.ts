import { entities } from './entities';
import {
  attachScope,
  ROW_SCOPE,
  toBoolean,
  toId,
  toIsoTimestamp,
  type RowScope,
  type Scoped,
  type ServiceRequestStatus,
  type ServiceRequestType,
  scopeOfRow,
  sqlTimestamp,
} from '@icg/shared';
import type { CallRecord, ReturnVisit } from './generated/schema-types';
import { effectiveSlaDeadline, isSlaBreached, slaElapsedMinutes, slaPausedMinutes, type SlaClock } from './sla';
import type {
  CallRecordRow,
  ReturnVisitRow,
  ServiceRequestChannel,
  ServiceRequestPendingReason,
  ServiceRequestPriority,
  ServiceRequestReopenReason,
  ServiceRequestRow,
} from './tables';

/** Rows become GraphQL objects here, each carrying the row scope field-level enforcement decides on. */

/** A reference to another subgraph's entity: its key only, scoped like the record that refers to it. */
type EntityRef<Key extends object> = Scoped<Key>;

/** What the ServiceRequest resolvers receive: a ticket with the row scope its calls and visits inherit. */
export type ScopedServiceRequestRecord = Scoped<ServiceRequestRecord>;
export type { ServiceRequestConnectionRecord } from './service-request-connection';

export interface ServiceRequestRecord {
  id: string;
  ticketNo: string;
  channel: ServiceRequestChannel;
  type: ServiceRequestType;
  status: ServiceRequestStatus;
  priority: ServiceRequestPriority;
  subject: string;
  description: string | null;
  callerName: string | null;
  callerMobile: string | null;
  customer: EntityRef<{ id: string }>;
  policy: EntityRef<{ policyNo: string }> | null;
  spawnedClaim: EntityRef<{ reportNo: string }> | null;
  spawnedComplaint: EntityRef<{ complaintNo: string }> | null;
  assignee: EntityRef<{ id: string }> | null;
  branch: EntityRef<{ id: string }>;
  openedAt: string;
  triagedAt: string | null;
  assignedAt: string | null;
  firstResponseAt: string | null;
  pendingSince: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  slaDueAt: string;
  slaPausedMinutes: number;
  slaBreached: boolean;
  slaElapsedMinutes: number;
  slaDeadlineAt: string;
  pendingReason: ServiceRequestPendingReason | null;
  reopenedAt: string | null;
  reopenReason: ServiceRequestReopenReason | null;
  relatedClaim: EntityRef<{ reportNo: string }> | null;
  version: number;
}

export type CallRecordRecord = Omit<CallRecord, '__typename'>;

export type ReturnVisitRecord = Omit<ReturnVisit, '__typename'>;

function reference<Key extends object>(key: Key, scope: RowScope): EntityRef<Key> {
  return attachScope(key, scope);
}

function staffReference(staffId: number | string | null, scope: RowScope): EntityRef<{ id: string }> | null {
  return staffId === null ? null : reference({ id: toId(staffId) }, scope);
}

function timestamp(value: string): string {
  return toIsoTimestamp(value)!;
}

function dateOrNull(value: string | null): Date | null {
  return value === null ? null : new Date(timestamp(value));
}

/** SLA figures depend on `now`: a pause still running keeps adding minutes, an open ticket can fall overdue. */
export function serviceRequestRecord(row: ServiceRequestRow, now: Date): Scoped<ServiceRequestRecord> {
  const scope = scopeOfRow('ServiceRequest', entities.ServiceRequest, row);
  const clock: SlaClock = {
    slaDueAt: new Date(timestamp(row.sla_due_at)),
    completedPauseMinutes: row.sla_paused_minutes,
    pendingSince: dateOrNull(row.pending_since),
    resolvedAt: dateOrNull(row.resolved_at),
  };
  return attachScope<ServiceRequestRecord>(
    {
      id: toId(row.id),
      ticketNo: row.ticket_no,
      channel: row.channel,
      type: row.type,
      status: row.status,
      priority: row.priority,
      subject: row.subject,
      description: row.description,
      callerName: row.caller_name,
      callerMobile: row.caller_mobile,
      customer: reference({ id: toId(row.customer_id) }, scope),
      policy: row.policy_no === null ? null : reference({ policyNo: row.policy_no }, scope),
      spawnedClaim: row.spawned_claim_report_no === null ? null : reference({ reportNo: row.spawned_claim_report_no }, scope),
      spawnedComplaint: row.spawned_complaint_no === null ? null : reference({ complaintNo: row.spawned_complaint_no }, scope),
      assignee: staffReference(row.assignee_staff_id, scope),
      branch: reference({ id: toId(row.branch_id) }, scope),
      openedAt: timestamp(row.opened_at),
      triagedAt: toIsoTimestamp(row.triaged_at),
      assignedAt: toIsoTimestamp(row.assigned_at),
      firstResponseAt: toIsoTimestamp(row.first_response_at),
      pendingSince: toIsoTimestamp(row.pending_since),
      resolvedAt: toIsoTimestamp(row.resolved_at),
      closedAt: toIsoTimestamp(row.closed_at),
      slaDueAt: timestamp(row.sla_due_at),
      slaPausedMinutes: slaPausedMinutes(clock, now),
      slaBreached: isSlaBreached(clock, now),
      slaElapsedMinutes: slaElapsedMinutes(clock, new Date(timestamp(row.opened_at)), now),
      slaDeadlineAt: timestamp(sqlTimestamp(effectiveSlaDeadline(clock, now))),
      pendingReason: row.pending_reason,
      reopenedAt: toIsoTimestamp(row.reopened_at),
      reopenReason: row.reopen_reason,
      relatedClaim: row.related_claim_report_no === null ? null : reference({ reportNo: row.related_claim_report_no }, scope),
      version: Number(row.version),
    },
    scope,
  );
}

export function callRecordRecord(row: CallRecordRow, ticket: Scoped<ServiceRequestRecord>): Scoped<CallRecordRecord> {
  // Child rows inherit their ticket's scope.
  const scope = ticket[ROW_SCOPE];
  return attachScope<CallRecordRecord>(
    {
      id: toId(row.id),
      direction: row.direction,
      startedAt: timestamp(row.started_at),
      answeredAt: toIsoTimestamp(row.answered_at),
      endedAt: toIsoTimestamp(row.ended_at),
      waitSeconds: row.wait_seconds,
      durationSeconds: row.duration_seconds,
      answeredByAgent: toBoolean(row.answered_by_agent),
      agent: staffReference(row.agent_staff_id, scope),
      recordingUrl: row.recording_url,
    },
    scope,
  );
}

export function returnVisitRecord(row: ReturnVisitRow, ticket: Scoped<ServiceRequestRecord>): Scoped<ReturnVisitRecord> {
  // Child rows inherit their ticket's scope.
  const scope = ticket[ROW_SCOPE];
  return attachScope<ReturnVisitRecord>(
    {
      id: toId(row.id),
      scheduledFor: timestamp(row.scheduled_for),
      visitedAt: toIsoTimestamp(row.visited_at),
      outcome: row.outcome,
      satisfaction: row.satisfaction,
      agent: staffReference(row.agent_staff_id, scope),
      notes: row.notes,
    },
    scope,
  );
}
