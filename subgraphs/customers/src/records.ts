import { changedFieldsOf, parseCustomerDetails, proposalOfRow, type CustomerDetails } from './customer-details';
import { entities } from './entities';
import {
  attachScope,
  connectionFromRows,
  scopeOfRow,
  scopeOf,
  toBoolean,
  toId,
  toIsoDate,
  toIsoTimestamp,
  toNumberOrNull,
  type CompilesIfTrue,
  type Connection,
  type RowScope,
  type SameValues,
  type Scoped,
} from '@icg/shared';
import type * as Vocabulary from '@icg/shared';
import type {
  AddressKind,
  BlacklistStatus,
  BranchLevel,
  ChangeRequestField,
  ChangeRequestStatus,
  CreditRating,
  CustomerKind,
  CustomerVersionReason,
  Gender,
  HouseholdRelationship,
  IdentityDocumentType,
  IncomeBand,
  ManagerGrade,
  StaffRole,
} from './generated/schema-types';

/**
 * Rows as the store returns them (SQLite and MySQL differ in number and boolean shapes) and the
 * objects handed to GraphQL. Every object gets its row scope here: its own for customers, staff and
 * branches, the parent's for everything that belongs to one of them.
 */

type DbId = number | string;
type DbBoolean = number | boolean;
type DbMoney = number | string;

/** The company-wide vocabularies this schema declares as enums hold the same values (checked by the compiler). */
export type SchemaEnumsMatchVocabulary = CompilesIfTrue<
  SameValues<CustomerKind, Vocabulary.CustomerKind> &
    SameValues<Gender, Vocabulary.Gender> &
    SameValues<IdentityDocumentType, Vocabulary.IdentityDocumentType> &
    SameValues<BranchLevel, Vocabulary.BranchLevel> &
    SameValues<StaffRole, Vocabulary.StaffRole> &
    SameValues<ManagerGrade, Vocabulary.ManagerGrade>
>;

// The mappers codegen.json names for the manager and blacklist workflows' types (workflow-records.ts).
export type { GradeChangeRecord, MajorCustomerEventRecord, VisitReportDueRecord } from './workflow-records';

export type {
  AddressKind,
  BlacklistStatus,
  ChangeRequestField,
  ChangeRequestStatus,
  CreditRating,
  CustomerKind,
  CustomerVersionReason,
  Gender,
  HouseholdRelationship,
  IdentityDocumentType,
  IncomeBand,
};

/** Change requests still waiting for someone: the operator (SUBMITTED) or the manager (RETURNED). */
export const PENDING_CHANGE_REQUEST_STATUSES: readonly ChangeRequestStatus[] = ['SUBMITTED', 'RETURNED'];

/** Household members younger than this are minors, whose data is RESTRICTED. */
const AGE_OF_MAJORITY = 18;

export interface BranchRow {
  id: DbId;
  code: string;
  name: string;
  level: BranchLevel;
  parent_id: DbId | null;
  path: string;
  province: string;
  city: string | null;
  area_code: string;
}

export interface StaffRow {
  id: DbId;
  staff_no: string;
  name: string;
  gender: Gender;
  role: StaffRole;
  grade: ManagerGrade | null;
  hired_on: string;
  branch_id: DbId;
  branch_path: string;
  /** Optimistic updates of a manager's grade (003_managers_and_blacklist; absent from rows the seeder builds). */
  version?: number;
}

export interface GradeHistoryRow {
  staff_id: DbId;
  year: number;
  grade: ManagerGrade;
  approved_by_level: BranchLevel;
  approved_by_branch_id: DbId;
  approved_on: string;
}

export interface CustomerRow {
  id: DbId;
  customer_no: string;
  kind: CustomerKind;
  name: string;
  gender: Gender | null;
  birth_date: string | null;
  id_type: IdentityDocumentType;
  id_number: string;
  mobile: string;
  email: string | null;
  occupation: string | null;
  income_band: IncomeBand | null;
  credit_rating: CreditRating | null;
  customer_since: string;
  do_not_solicit: DbBoolean;
  marketing_consent: DbBoolean;
  blacklisted: DbBoolean;
  branch_id: DbId;
  branch_path: string;
  customer_manager_staff_id: DbId | null;
  created_at: string;
  updated_at: string;
  /** Optimistic updates: every approved change adds one. */
  version: number;
  /** Optimistic updates of the primary manager, apart from the record's details (003_managers_and_blacklist). */
  primary_manager_version?: number;
}

export interface AddressRow {
  customer_id: DbId;
  kind: AddressKind;
  province: string;
  city: string;
  line: string;
}

export interface HouseholdMemberRow {
  customer_id: DbId;
  member_no: number;
  name: string;
  gender: Gender;
  relationship: HouseholdRelationship;
  is_head: DbBoolean;
  birth_date: string;
}

export interface BusinessProfileRow {
  customer_id: DbId;
  industry: string;
  registered_capital: DbMoney;
  employees: number;
  annual_revenue: DbMoney;
  legal_representative: string;
  group_parent_customer_id: DbId | null;
}

export interface ManagerAssignmentRow {
  id: DbId;
  customer_id: DbId;
  manager_staff_id: DbId;
  is_primary: DbBoolean;
  assigned_from: string;
  assigned_to: string | null;
  current_primary_customer_id: DbId | null;
  // Added by 003_managers_and_blacklist; null for periods from before the write side.
  started_by?: 'ASSIGNED' | 'TRANSFERRED' | null;
  started_by_staff_id?: DbId | null;
  ended_by?: 'TRANSFERRED' | 'RELEASED' | null;
  ended_by_staff_id?: DbId | null;
}

export interface VisitReportRow {
  customer_id: DbId;
  month: string;
  manager_staff_id: DbId;
  visit_count: number;
  summary: string;
  submitted_at: string;
}

export interface BlacklistEntryRow {
  id: DbId;
  customer_id: DbId;
  status: BlacklistStatus;
  reason: string;
  proposed_by_staff_id: DbId;
  approved_by_staff_id: DbId | null;
  proposed_at: string;
  activated_at: string | null;
  lifted_at: string | null;
  expired_at: string | null;
  review_due: string | null;
  // Added by 003_managers_and_blacklist; the seeder sets open_customer_id, the defaults apply to the rest.
  version?: number;
  /** The customer's id while the entry is PROPOSED or ACTIVE (unique: one open entry per customer), else null. */
  open_customer_id?: DbId | null;
  rejected_by_staff_id?: DbId | null;
  rejected_at?: string | null;
  lifted_by_staff_id?: DbId | null;
  expired_by_staff_id?: DbId | null;
  last_reviewed_by_staff_id?: DbId | null;
  last_reviewed_at?: string | null;
}

export interface ChangeRequestRow {
  id: DbId;
  customer_id: DbId;
  /** The first field the request changes. */
  field: ChangeRequestField;
  /** Requests from before the write side: the one field's new value as text; empty for newer ones. */
  proposed_value: string;
  status: ChangeRequestStatus;
  submitted_by_staff_id: DbId;
  submitted_at: string;
  reviewed_by_staff_id: DbId | null;
  reviewed_at: string | null;
  // Added by 002_record_maintenance; absent from rows the seeder builds (the defaults apply).
  version?: number;
  based_on_version?: number | null;
  /** JSON: the proposed CustomerDetails fields (customer-details.ts); null for requests from before the write side. */
  proposed?: string | null;
  completed_by_staff_id?: DbId | null;
  completed_at?: string | null;
  decision_reason?: string | null;
}

export interface CustomerVersionRow {
  customer_id: DbId;
  version: number;
  reason: CustomerVersionReason;
  change_request_id: DbId | null;
  changed_by_staff_id: DbId | null;
  changed_at: string;
  /** JSON: CustomerDetails (customer-details.ts). */
  details: string;
}

const idOrNull = (value: DbId | null): string | null => (value === null ? null : toId(value));

/** The scope a child object inherits; a parent without one is a programming error, not a denial. */
export function inheritedScope(parent: object): RowScope {
  const scope = scopeOf(parent);
  if (!scope) throw new Error('Parent object has no row scope');
  return scope;
}

/** Whole years from a YYYY-MM-DD date to `on` (UTC), as ages and tenures are counted. */
export function wholeYearsSince(date: string, on: Date): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const beforeAnniversary = on.getUTCMonth() + 1 < month || (on.getUTCMonth() + 1 === month && on.getUTCDate() < day);
  return on.getUTCFullYear() - year - (beforeAnniversary ? 1 : 0);
}

export interface BranchRecord {
  id: string;
  code: string;
  name: string;
  level: BranchLevel;
  province: string;
  city: string | null;
  path: string;
  parentId: string | null;
}

export function branchRecord(row: BranchRow): Scoped<BranchRecord> {
  return attachScope(
    {
      id: toId(row.id),
      code: row.code,
      name: row.name,
      level: row.level,
      province: row.province,
      city: row.city,
      path: row.path,
      parentId: idOrNull(row.parent_id),
    },
    scopeOfRow('Branch', entities.Branch, row),
  );
}

export interface StaffRecord {
  id: string;
  staffNo: string;
  name: string;
  role: StaffRole;
  branchId: string;
}

/** A staff member is in their own branch's scope and responsible for themselves (entities.ts). */
function staffScope(row: StaffRow): RowScope {
  return scopeOfRow('Staff', entities.Staff, row);
}

export function staffRecord(row: StaffRow): Scoped<StaffRecord> {
  return attachScope({ id: toId(row.id), staffNo: row.staff_no, name: row.name, role: row.role, branchId: toId(row.branch_id) }, staffScope(row));
}

export interface CustomerManagerRecord {
  id: string;
  grade: ManagerGrade;
  staff: Scoped<StaffRecord>;
}

/** Null unless the staff member is a customer manager: other staff have no grade or portfolio. */
export function customerManagerRecord(row: StaffRow | null): Scoped<CustomerManagerRecord> | null {
  if (!row || row.role !== 'CUSTOMER_MANAGER' || row.grade === null) return null;
  return attachScope({ id: toId(row.id), grade: row.grade, staff: staffRecord(row) }, scopeOfRow('CustomerManager', entities.CustomerManager, row));
}

export interface GradeCertificationRecord {
  year: number;
  grade: ManagerGrade;
  approvedByLevel: BranchLevel;
  approvedByBranchId: string;
  approvedOn: string;
}

export function gradeCertificationRecord(row: GradeHistoryRow, scope: RowScope): Scoped<GradeCertificationRecord> {
  return attachScope(
    {
      year: Number(row.year),
      grade: row.grade,
      approvedByLevel: row.approved_by_level,
      approvedByBranchId: toId(row.approved_by_branch_id),
      approvedOn: toIsoDate(row.approved_on)!,
    },
    scope,
  );
}

export interface CustomerRecord {
  id: string;
  customerNo: string;
  kind: CustomerKind;
  name: string;
  gender: Gender | null;
  birthDate: string | null;
  idType: IdentityDocumentType;
  idNumber: string;
  mobile: string;
  email: string | null;
  occupation: string | null;
  incomeBand: IncomeBand | null;
  creditRating: CreditRating | null;
  customerSince: string;
  tenureYears: number;
  doNotSolicit: boolean;
  marketingConsent: boolean;
  blacklisted: boolean;
  branchId: string;
  primaryManagerStaffId: string | null;
  version: number;
  /** Pass it as expectedVersion to assign, transfer or release the primary manager. */
  primaryManagerVersion: number;
  /** When the record was last changed (the time of its newest version). */
  updatedAt: string;
}

/** A customer and everything of theirs: the owning branch and the primary manager. */
export function customerRecord(row: CustomerRow, today: Date = new Date()): Scoped<CustomerRecord> {
  const customerSince = toIsoDate(row.customer_since)!;
  return attachScope(
    {
      id: toId(row.id),
      customerNo: row.customer_no,
      kind: row.kind,
      name: row.name,
      gender: row.gender,
      birthDate: toIsoDate(row.birth_date),
      idType: row.id_type,
      idNumber: row.id_number,
      mobile: row.mobile,
      email: row.email,
      occupation: row.occupation,
      incomeBand: row.income_band,
      creditRating: row.credit_rating,
      customerSince,
      tenureYears: Math.max(0, wholeYearsSince(customerSince, today)),
      doNotSolicit: toBoolean(row.do_not_solicit),
      marketingConsent: toBoolean(row.marketing_consent),
      blacklisted: toBoolean(row.blacklisted),
      branchId: toId(row.branch_id),
      primaryManagerStaffId: idOrNull(row.customer_manager_staff_id),
      version: Number(row.version),
      primaryManagerVersion: Number(row.primary_manager_version ?? 1),
      updatedAt: toIsoTimestamp(row.updated_at)!,
    },
    scopeOfRow('Customer', entities.Customer, row),
  );
}

export interface CustomerConnectionRecord extends Connection<Scoped<CustomerRecord>> {
  /** Runs the count query only if a client asks for totalCount. */
  countTotal(): Promise<number>;
}

/**
 * A page of customers from `pageSize + 1` rows. The connection, its edges and page info describe the
 * query rather than a record, so they carry no row scope; the customers inside do.
 */
export function customerConnection(
  rows: readonly CustomerRow[],
  pageSize: number,
  hasCursor: boolean,
  countTotal: () => Promise<number>,
): CustomerConnectionRecord {
  return {
    ...connectionFromRows(
      rows.map((row) => customerRecord(row)),
      pageSize,
      (customer) => customer.id,
      hasCursor,
    ),
    countTotal,
  };
}

export interface AddressRecord {
  kind: AddressKind;
  province: string;
  city: string;
  line: string;
  fullAddress: string;
}

/** Postal form: province, city, line; a municipality (北京市 in 北京市) is written once. */
export function formatFullAddress(province: string, city: string, line: string): string {
  return `${province === city ? '' : province}${city}${line}`;
}

export function addressRecord(row: AddressRow, scope: RowScope): Scoped<AddressRecord> {
  return attachScope(
    { kind: row.kind, province: row.province, city: row.city, line: row.line, fullAddress: formatFullAddress(row.province, row.city, row.line) },
    scope,
  );
}

export interface HouseholdMemberRecord {
  name: string;
  gender: Gender;
  relationship: HouseholdRelationship;
  isHead: boolean;
  birthDate: string;
}

export interface HouseholdRecord {
  size: number;
  members: Scoped<HouseholdMemberRecord>[];
  minors: Scoped<HouseholdMemberRecord>[];
}

/** Null when no household is recorded; adults and minors apart, minors judged on `today`. */
export function householdRecord(rows: readonly HouseholdMemberRow[], scope: RowScope, today: Date = new Date()): Scoped<HouseholdRecord> | null {
  if (rows.length === 0) return null;
  const members: Scoped<HouseholdMemberRecord>[] = [];
  const minors: Scoped<HouseholdMemberRecord>[] = [];
  for (const row of rows) {
    const birthDate = toIsoDate(row.birth_date)!;
    const member = attachScope({ name: row.name, gender: row.gender, relationship: row.relationship, isHead: toBoolean(row.is_head), birthDate }, scope);
    (wholeYearsSince(birthDate, today) < AGE_OF_MAJORITY ? minors : members).push(member);
  }
  return attachScope({ size: rows.length, members, minors }, scope);
}

export interface BusinessProfileRecord {
  industry: string;
  registeredCapital: number;
  employees: number;
  annualRevenue: number;
  legalRepresentative: string;
  groupParentCustomerId: string | null;
}

export function businessProfileRecord(row: BusinessProfileRow, scope: RowScope): Scoped<BusinessProfileRecord> {
  return attachScope(
    {
      industry: row.industry,
      registeredCapital: toNumberOrNull(row.registered_capital)!,
      employees: Number(row.employees),
      annualRevenue: toNumberOrNull(row.annual_revenue)!,
      legalRepresentative: row.legal_representative,
      groupParentCustomerId: idOrNull(row.group_parent_customer_id),
    },
    scope,
  );
}

export interface ManagerAssignmentRecord {
  managerStaffId: string;
  isPrimary: boolean;
  from: string;
  to: string | null;
  startedBy: 'ASSIGNED' | 'TRANSFERRED' | null;
  endedBy: 'TRANSFERRED' | 'RELEASED' | null;
}

export function managerAssignmentRecord(row: ManagerAssignmentRow, scope: RowScope): Scoped<ManagerAssignmentRecord> {
  return attachScope(
    {
      managerStaffId: toId(row.manager_staff_id),
      isPrimary: toBoolean(row.is_primary),
      from: toIsoDate(row.assigned_from)!,
      to: toIsoDate(row.assigned_to),
      startedBy: row.started_by ?? null,
      endedBy: row.ended_by ?? null,
    },
    scope,
  );
}

export interface VisitReportRecord {
  month: string;
  managerStaffId: string;
  visitCount: number;
  summary: string;
  submittedAt: string;
}

export function visitReportRecord(row: VisitReportRow, scope: RowScope): Scoped<VisitReportRecord> {
  return attachScope(
    {
      month: row.month,
      managerStaffId: toId(row.manager_staff_id),
      visitCount: Number(row.visit_count),
      summary: row.summary,
      submittedAt: toIsoTimestamp(row.submitted_at)!,
    },
    scope,
  );
}

export interface BlacklistEntryRecord {
  id: string;
  version: number;
  status: BlacklistStatus;
  reason: string;
  proposedByStaffId: string;
  approvedByStaffId: string | null;
  proposedAt: string;
  activatedAt: string | null;
  liftedAt: string | null;
  expiredAt: string | null;
  reviewDue: string | null;
  rejectedByStaffId: string | null;
  rejectedAt: string | null;
  liftedByStaffId: string | null;
  expiredByStaffId: string | null;
  lastReviewedByStaffId: string | null;
  lastReviewedAt: string | null;
}

/** A blacklist entry, in its customer's scope; its own key names it in the audit trail. */
export function blacklistEntryRecord(row: BlacklistEntryRow, scope: RowScope): Scoped<BlacklistEntryRecord> {
  const id = toId(row.id);
  return attachScope(
    {
      id,
      version: Number(row.version ?? 1),
      status: row.status,
      reason: row.reason,
      proposedByStaffId: toId(row.proposed_by_staff_id),
      approvedByStaffId: idOrNull(row.approved_by_staff_id),
      proposedAt: toIsoTimestamp(row.proposed_at)!,
      activatedAt: toIsoTimestamp(row.activated_at),
      liftedAt: toIsoTimestamp(row.lifted_at),
      expiredAt: toIsoTimestamp(row.expired_at),
      reviewDue: toIsoDate(row.review_due),
      rejectedByStaffId: idOrNull(row.rejected_by_staff_id ?? null),
      rejectedAt: toIsoTimestamp(row.rejected_at ?? null),
      liftedByStaffId: idOrNull(row.lifted_by_staff_id ?? null),
      expiredByStaffId: idOrNull(row.expired_by_staff_id ?? null),
      lastReviewedByStaffId: idOrNull(row.last_reviewed_by_staff_id ?? null),
      lastReviewedAt: toIsoTimestamp(row.last_reviewed_at ?? null),
    },
    { ...scope, recordKey: `BlacklistEntry:${id}` },
  );
}

export interface ChangeRequestRecord {
  id: string;
  version: number;
  customerId: string;
  field: ChangeRequestField;
  changedFields: ChangeRequestField[];
  proposed: Scoped<CustomerDetailsRecord> | null;
  basedOnVersion: number | null;
  proposedValue: string | null;
  status: ChangeRequestStatus;
  submittedByStaffId: string;
  submittedAt: string;
  reviewedByStaffId: string | null;
  reviewedAt: string | null;
  completedByStaffId: string | null;
  completedAt: string | null;
  decisionReason: string | null;
}

/** A change request, in its customer's scope; its own key names it in the audit trail. */
export function changeRequestRecord(row: ChangeRequestRow, scope: RowScope): Scoped<ChangeRequestRecord> {
  const id = toId(row.id);
  const ownScope: RowScope = { ...scope, recordKey: `CustomerChangeRequest:${id}` };
  const proposal = proposalOfRow(row);
  return attachScope(
    {
      id,
      version: Number(row.version ?? 1),
      customerId: toId(row.customer_id),
      field: row.field,
      changedFields: changedFieldsOf(proposal, row.field),
      proposed: proposal === null ? null : customerDetailsRecord(proposal, ownScope),
      basedOnVersion: row.based_on_version === null || row.based_on_version === undefined ? null : Number(row.based_on_version),
      proposedValue: row.proposed === null || row.proposed === undefined ? row.proposed_value : null,
      status: row.status,
      submittedByStaffId: toId(row.submitted_by_staff_id),
      submittedAt: toIsoTimestamp(row.submitted_at)!,
      reviewedByStaffId: idOrNull(row.reviewed_by_staff_id),
      reviewedAt: toIsoTimestamp(row.reviewed_at),
      completedByStaffId: idOrNull(row.completed_by_staff_id ?? null),
      completedAt: toIsoTimestamp(row.completed_at ?? null),
      decisionReason: row.decision_reason ?? null,
    },
    ownScope,
  );
}

export type CustomerDetailsRecord = Omit<CustomerDetails, 'addresses'> & { addresses: Scoped<AddressRecord>[] | null };

/** Details as GraphQL reads them: every field present (null when not held), addresses with their postal form. */
export function customerDetailsRecord(details: Partial<CustomerDetails>, scope: RowScope): Scoped<CustomerDetailsRecord> {
  return attachScope(
    {
      name: details.name ?? null,
      gender: details.gender ?? null,
      birthDate: details.birthDate ?? null,
      mobile: details.mobile ?? null,
      email: details.email ?? null,
      addresses:
        details.addresses === undefined || details.addresses === null
          ? null
          : details.addresses.map((address) => addressRecord({ customer_id: 0, ...address }, scope)),
      occupation: details.occupation ?? null,
      incomeBand: details.incomeBand ?? null,
      marketingConsent: details.marketingConsent ?? null,
      doNotSolicit: details.doNotSolicit ?? null,
    },
    scope,
  );
}

export interface CustomerVersionRecord {
  version: number;
  reason: CustomerVersionReason;
  changedByStaffId: string | null;
  changedAt: string;
  changeRequestId: string | null;
  details: Scoped<CustomerDetailsRecord>;
}

/** A version of a customer record, in the customer's scope: its details show no more than the record would. */
export function customerVersionRecord(row: CustomerVersionRow, scope: RowScope): Scoped<CustomerVersionRecord> {
  return attachScope(
    {
      version: Number(row.version),
      reason: row.reason,
      changedByStaffId: idOrNull(row.changed_by_staff_id),
      changedAt: toIsoTimestamp(row.changed_at)!,
      changeRequestId: idOrNull(row.change_request_id),
      details: customerDetailsRecord(parseCustomerDetails(row.details), scope),
    },
    scope,
  );
}
