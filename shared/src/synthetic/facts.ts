import type { Knex } from 'knex';
import type { SubgraphName } from '../config';
import type { OrgFacts } from './org';

/**
 * What one system's seed tells the systems seeded after it, so references agree across databases
 * (a claim's policy exists, its customer owns that policy, its handler works in that branch).
 */
export interface CustomerFact {
  id: number;
  customerNo: string;
  kind: 'INDIVIDUAL' | 'ORGANISATION';
  /** Individual's full name or organisation's registered name. */
  name: string;
  /** Resident ID (individuals) or unified social credit code (organisations), valid check chars. */
  idType: 'RESIDENT_ID' | 'USCC';
  idNumber: string;
  /** Individual's mobile, or the organisation's contact mobile. */
  mobile: string;
  gender: 'MALE' | 'FEMALE' | null;
  birthDate: string | null;
  branchId: number;
  branchPath: string;
  /** Null for a prospect nobody has taken on yet. */
  primaryManagerStaffId: number | null;
  province: string;
  city: string;
  customerSince: string;
  blacklisted: boolean;
}

export const LINES_OF_BUSINESS = ['MOTOR', 'PROPERTY', 'CARGO', 'LIABILITY', 'ENGINEERING', 'ACCIDENT_HEALTH'] as const;
export type LineOfBusiness = (typeof LINES_OF_BUSINESS)[number];

export const POLICY_STATUSES = ['QUOTED', 'BOUND', 'IN_FORCE', 'EXPIRED', 'RENEWED', 'CANCELLED', 'LAPSED'] as const;
export type PolicyStatus = (typeof POLICY_STATUSES)[number];

/** Claim lifecycle (DOMAIN.md section 4): the main path, then the side exits, then reopened. */
export const CLAIM_STATUSES = [
  'REPORTED', 'DISPATCHED', 'SURVEYED', 'REGISTERED', 'ASSESSED', 'DOCUMENTS_COMPLETE', 'ADJUSTED', 'APPROVED', 'PAID', 'CLOSED',
  'CANCELLED', 'WITHDRAWN', 'DENIED', 'ZERO_CLOSED', 'REOPENED',
] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** Complaint workflow (seed 000 section 5): one status per step reached. */
export const COMPLAINT_STATUSES = ['ACCEPTED', 'VERIFIED', 'REGISTERED', 'TRANSFERRED', 'COORDINATING', 'HANDLED', 'FEEDBACK_GIVEN', 'ARCHIVED'] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];
export const COMPLAINT_CATEGORIES = ['CLAIMS', 'SALES', 'SURRENDER', 'UNDERWRITING', 'SERVICE'] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];

export const SERVICE_REQUEST_TYPES = ['CLAIM_REPORT', 'ENQUIRY', 'COMPLAINT', 'POLICY_SERVICE', 'RENEWAL', 'RESCUE', 'RETURN_VISIT'] as const;
export type ServiceRequestType = (typeof SERVICE_REQUEST_TYPES)[number];
export const SERVICE_REQUEST_STATUSES = ['NEW', 'TRIAGED', 'ASSIGNED', 'IN_PROGRESS', 'PENDING_CUSTOMER', 'RESOLVED', 'CLOSED'] as const;
export type ServiceRequestStatus = (typeof SERVICE_REQUEST_STATUSES)[number];

export interface PolicyFact {
  id: number;
  policyNo: string;
  customerId: number;
  lineOfBusiness: LineOfBusiness;
  status: PolicyStatus;
  effectiveDate: string;
  expiryDate: string;
  sumInsured: number;
  writtenPremium: number;
  branchId: number;
  branchPath: string;
  servicingManagerStaffId: number | null;
  /** The policy this one renews, if any (the prior/renewal chain). */
  priorPolicyNo: string | null;
  /** Motor policies: the vehicle's plate, for claims and hotline tickets to mention. */
  plate: string | null;
}

export const CLAIM_REPORT_CHANNELS = ['HOTLINE', 'APP', 'AGENT', 'COUNTER', 'WECHAT'] as const;
export type ClaimReportChannel = (typeof CLAIM_REPORT_CHANNELS)[number];
export const COMPLAINT_SOURCES = ['DIRECT', 'HOTLINE', 'REGULATOR_TRANSFER', 'MEDIA', 'ONLINE', 'LETTER'] as const;
export type ComplaintSource = (typeof COMPLAINT_SOURCES)[number];

export interface ClaimFact {
  id: number;
  reportNo: string;
  policyNo: string;
  customerId: number;
  status: ClaimStatus;
  lossDate: string;
  reportedAt: string;
  /** HOTLINE claims have a CLAIM_REPORT ticket in the service-requests system. */
  reportChannel: ClaimReportChannel;
  handlerStaffId: number | null;
  branchId: number;
  branchPath: string;
  customerManagerStaffId: number | null;
}

export interface ComplaintFact {
  id: number;
  complaintNo: string;
  customerId: number;
  policyNo: string | null;
  reportNo: string | null;
  acceptedAt: string;
  /** HOTLINE complaints have a COMPLAINT ticket in the service-requests system. */
  source: ComplaintSource;
  status: ComplaintStatus;
  category: ComplaintCategory;
  handlerStaffId: number | null;
  branchId: number;
  branchPath: string;
}

/**
 * One batch of the synthetic company (shared/src/synthetic/company.ts fills it in full before any
 * seeder runs); each subgraph's seeder turns the facts that concern it into rows of its own tables.
 */
export interface SeedBatch {
  seed: number;
  /** The clock the data is generated against, so "now-relative" states are reproducible. */
  asOf: Date;
  org: OrgFacts;
  customers: CustomerFact[];
  policies: PolicyFact[];
  claims: ClaimFact[];
  complaints: ComplaintFact[];
  /** Customer ids this batch covers: [firstCustomerId, lastCustomerId]. */
  firstCustomerId: number;
  lastCustomerId: number;
}

/** Each subgraph's seed module: elaborates the batch's facts into its own rows and writes them. */
export interface SubgraphSeeder {
  name: SubgraphName;
  /** Tables this seeder writes, children first, so a reset can empty them in a safe order. */
  tables: readonly string[];
  /** Reference data written once before any batch (org tree, staff). */
  seedReference?(db: Knex, org: OrgFacts, seed: number, asOf: Date): Promise<void>;
  seedBatch(db: Knex, batch: SeedBatch): Promise<void>;
}
