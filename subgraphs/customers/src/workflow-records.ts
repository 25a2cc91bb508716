/**
 * Rows and GraphQL records of the customer-manager and blacklist workflows (migration 003): grade decisions, major
 * customer events and the visit reports a manager owes. Each record carries its row scope, as in records.ts: a
 * manager's grade decisions the manager's, a customer's events and reports the customer's.
 */
import { attachScope, toId, toIsoDate, toIsoTimestamp, type RowScope, type Scoped } from '@icg/shared';
import type { BranchLevel, GradeChangeKind, MajorCustomerEventKind, ManagerGrade } from './generated/schema-types';

type DbId = number | string;

export interface GradeChangeRow {
  id: DbId;
  staff_id: DbId;
  kind: GradeChangeKind;
  from_grade: ManagerGrade;
  to_grade: ManagerGrade;
  certification_year: number | null;
  approved_by_staff_id: DbId;
  approved_by_level: BranchLevel;
  approved_by_branch_id: DbId;
  approved_at: string;
}

export interface GradeChangeRecord {
  kind: GradeChangeKind;
  fromGrade: ManagerGrade;
  toGrade: ManagerGrade;
  certificationYear: number | null;
  approvedByStaffId: string;
  approvedByLevel: BranchLevel;
  approvedByBranchId: string;
  approvedAt: string;
}

export function gradeChangeRecord(row: GradeChangeRow, scope: RowScope): Scoped<GradeChangeRecord> {
  return attachScope(
    {
      kind: row.kind,
      fromGrade: row.from_grade,
      toGrade: row.to_grade,
      certificationYear: row.certification_year === null ? null : Number(row.certification_year),
      approvedByStaffId: toId(row.approved_by_staff_id),
      approvedByLevel: row.approved_by_level,
      approvedByBranchId: toId(row.approved_by_branch_id),
      approvedAt: toIsoTimestamp(row.approved_at)!,
    },
    scope,
  );
}

export interface MajorCustomerEventRow {
  id: DbId;
  customer_id: DbId;
  kind: MajorCustomerEventKind;
  occurred_on: string;
  description: string;
  reported_by_staff_id: DbId;
  reported_at: string;
}

export interface MajorCustomerEventRecord {
  id: string;
  kind: MajorCustomerEventKind;
  occurredOn: string;
  description: string;
  reportedByStaffId: string;
  reportedAt: string;
}

/** An event in its customer's scope, its own key naming it in the audit trail. */
export function majorCustomerEventRecord(row: MajorCustomerEventRow, customerScope: RowScope): Scoped<MajorCustomerEventRecord> {
  const id = toId(row.id);
  return attachScope(
    {
      id,
      kind: row.kind,
      occurredOn: toIsoDate(row.occurred_on)!,
      description: row.description,
      reportedByStaffId: toId(row.reported_by_staff_id),
      reportedAt: toIsoTimestamp(row.reported_at)!,
    },
    { ...customerScope, recordKey: `MajorCustomerEvent:${id}` },
  );
}

/** The visit report a customer's primary manager owes for one month, and whether it is overdue by the clock. */
export interface VisitReportDueRecord {
  customerId: string;
  month: string;
  dueDate: string;
  submitted: boolean;
  overdue: boolean;
}
