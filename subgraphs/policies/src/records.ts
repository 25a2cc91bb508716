import { entities } from './entities';
import { attachScope, toId, type CountedConnection, toIsoDate, toIsoTimestamp, toNumberOrNull, type RowScope, type Scoped, scopeOfRow } from '@icg/shared';
import type {
  Gender,
  IdentityDocumentType,
  InsuredObjectKind,
  LineOfBusiness,
  ParticipantRole,
  PaymentStatus,
  PolicyStatus,
  RelationshipToPolicyholder,
  ReminderChannel,
  ReminderStatus,
  SalesChannel,
  TerminationReason,
} from './domain';
import type { Coverage, InsuredObject, RenewalReminder } from './generated/schema-types';

/** Column values as either dialect returns them (MySQL may hand back BIGINT and DECIMAL as strings). */
type DbId = number | string;
type DbNumber = number | string;
type DbDate = string | Date;

export interface PolicyRow {
  id: DbId;
  policy_no: string;
  customer_id: DbId;
  product_code: string;
  product_name: string;
  line_of_business: LineOfBusiness;
  status: PolicyStatus;
  channel: SalesChannel;
  effective_date: DbDate;
  expiry_date: DbDate;
  quoted_at: DbDate;
  bound_at: DbDate | null;
  terminated_at: DbDate | null;
  termination_reason: TerminationReason | null;
  sum_insured: DbNumber;
  written_premium: DbNumber;
  payment_status: PaymentStatus;
  arrears_days: number;
  prior_policy_no: string | null;
  branch_id: DbId;
  branch_path: string;
  servicing_manager_staff_id: DbId | null;
  customer_manager_staff_id: DbId | null;
  /** Optional only for seed rows, which take the column's default (1). */
  version?: number;
  /** The day an unpaid premium fell due; null when nothing is owed or the row is seeded. */
  premium_due_since?: DbDate | null;
  /** When the row last changed (BI's `updatedSince`); set on every write. */
  updated_at?: DbDate | null;
}

export interface ParticipantRow {
  id: DbId;
  policy_id: DbId;
  role: ParticipantRole;
  name: string;
  id_type: IdentityDocumentType;
  id_number: string;
  mobile: string | null;
  gender: Gender | null;
  birth_date: DbDate | null;
  relationship_to_policyholder: RelationshipToPolicyholder;
  customer_id: DbId | null;
}

export interface CoverageRow {
  id: DbId;
  policy_id: DbId;
  code: string;
  name: string;
  sum_insured: DbNumber;
  premium: DbNumber;
  deductible: DbNumber;
}

export interface InsuredObjectRow {
  id: DbId;
  policy_id: DbId;
  kind: InsuredObjectKind;
  plate: string | null;
  vin: string | null;
  make: string | null;
  model: string | null;
  address: string | null;
  description: string | null;
  /** The same on every policy that insures the object (a renewal keeps it): its id on the first one (migration 006). */
  object_key: DbId | null;
}

export interface ReminderRow {
  id: DbId;
  policy_id: DbId;
  days_before: number;
  due_at: DbDate;
  sent_at: DbDate | null;
  channel: ReminderChannel;
  status: ReminderStatus;
}

export interface PolicyRecord {
  id: string;
  policyNo: string;
  productCode: string;
  productName: string;
  lineOfBusiness: LineOfBusiness;
  status: PolicyStatus;
  channel: SalesChannel;
  effectiveDate: string;
  expiryDate: string;
  quotedAt: string;
  boundAt: string | null;
  terminatedAt: string | null;
  terminationReason: TerminationReason | null;
  sumInsured: number;
  writtenPremium: number;
  paymentStatus: PaymentStatus;
  arrearsDays: number;
  version: number;
  /** Keys the field resolvers follow; not schema fields. */
  customerId: string;
  priorPolicyNo: string | null;
  issuingBranchId: string;
  servicingManagerStaffId: string | null;
  premiumDueSince: string | null;
}

export interface ParticipantRecord {
  id: string;
  role: ParticipantRole;
  name: string;
  idType: IdentityDocumentType;
  idNumber: string;
  mobile: string | null;
  gender: Gender | null;
  birthDate: string | null;
  relationshipToPolicyholder: RelationshipToPolicyholder;
  customerId: string | null;
}

export type CoverageRecord = Omit<Coverage, '__typename'>;

export type InsuredObjectRecord = Omit<InsuredObject, '__typename'>;

export type ReminderRecord = Omit<RenewalReminder, '__typename'>;

/** What the Policy and PolicyParticipant resolvers receive: the records with their row scope, which children and stubs inherit. */
export type ScopedPolicyRecord = Scoped<PolicyRecord>;
export type ScopedParticipantRecord = Scoped<ParticipantRecord>;
/** A page of the root `policies` connection (policy-connection.ts). */
export type PolicyConnectionRecord = CountedConnection<ScopedPolicyRecord>;

/** A reference to another subgraph's entity (Customer, Branch, Staff) by its key. */
export interface EntityStub {
  id: string;
}

const money = (value: DbNumber): number => toNumberOrNull(value) ?? 0;
const optionalId = (value: DbId | null): string | null => (value === null ? null : toId(value));

/** A policy's scope, as the manifest declares it (docs/access-model.md section 3). */
export function policyScope(row: PolicyRow): RowScope {
  return scopeOfRow('Policy', entities.Policy, row);
}

export function policyRecord(row: PolicyRow): Scoped<PolicyRecord> {
  return attachScope(
    {
      id: toId(row.id),
      policyNo: row.policy_no,
      productCode: row.product_code,
      productName: row.product_name,
      lineOfBusiness: row.line_of_business,
      status: row.status,
      channel: row.channel,
      effectiveDate: toIsoDate(row.effective_date)!,
      expiryDate: toIsoDate(row.expiry_date)!,
      quotedAt: toIsoTimestamp(row.quoted_at)!,
      boundAt: toIsoTimestamp(row.bound_at),
      terminatedAt: toIsoTimestamp(row.terminated_at),
      terminationReason: row.termination_reason,
      sumInsured: money(row.sum_insured),
      writtenPremium: money(row.written_premium),
      paymentStatus: row.payment_status,
      arrearsDays: row.arrears_days,
      version: row.version ?? 1,
      customerId: toId(row.customer_id),
      priorPolicyNo: row.prior_policy_no,
      issuingBranchId: toId(row.branch_id),
      servicingManagerStaffId: optionalId(row.servicing_manager_staff_id),
      premiumDueSince: toIsoDate(row.premium_due_since),
    },
    policyScope(row),
  );
}

/** Children of a policy take their policy's scope. */
export function participantRecord(row: ParticipantRow, scope: RowScope): Scoped<ParticipantRecord> {
  return attachScope(
    {
      id: toId(row.id),
      role: row.role,
      name: row.name,
      idType: row.id_type,
      idNumber: row.id_number,
      mobile: row.mobile,
      gender: row.gender,
      birthDate: toIsoDate(row.birth_date),
      relationshipToPolicyholder: row.relationship_to_policyholder,
      customerId: optionalId(row.customer_id),
    },
    scope,
  );
}

export function coverageRecord(row: CoverageRow, scope: RowScope): Scoped<CoverageRecord> {
  return attachScope(
    { id: toId(row.id), code: row.code, name: row.name, sumInsured: money(row.sum_insured), premium: money(row.premium), deductible: money(row.deductible) },
    scope,
  );
}

/** The object's key (InsuredObject.objectKey): its id for a row written without one (migration 006). */
export function objectKeyOf(row: Pick<InsuredObjectRow, 'id' | 'object_key'>): string {
  return toId(row.object_key ?? row.id);
}

export function insuredObjectRecord(row: InsuredObjectRow, scope: RowScope): Scoped<InsuredObjectRecord> {
  return attachScope(
    {
      id: toId(row.id),
      objectKey: objectKeyOf(row),
      kind: row.kind,
      plate: row.plate,
      vin: row.vin,
      make: row.make,
      model: row.model,
      address: row.address,
      description: row.description,
    },
    scope,
  );
}

export function reminderRecord(row: ReminderRow, scope: RowScope): Scoped<ReminderRecord> {
  return attachScope(
    {
      id: toId(row.id),
      daysBefore: row.days_before,
      dueAt: toIsoTimestamp(row.due_at)!,
      sentAt: toIsoTimestamp(row.sent_at),
      channel: row.channel,
      status: row.status,
    },
    scope,
  );
}

/** A stub carries the scope of the record that refers to it. */
export function entityStub(id: string, scope: RowScope): Scoped<EntityStub> {
  return attachScope({ id }, scope);
}

/**
 * The Customer this subgraph extends, as a stub by its key. Like every entity a subgraph extends without
 * owning, it carries no row scope (see entities.ts), so it is decided as out of scope.
 */
export function customerStub(id: string): EntityStub {
  return { id };
}
