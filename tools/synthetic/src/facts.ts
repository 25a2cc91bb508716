import type {
  ClaimReportChannel,
  ClaimStatus,
  ComplaintCategory,
  ComplaintSource,
  ComplaintStatus,
  CustomerKind,
  Gender,
  IdentityDocumentType,
  Knex,
  LineOfBusiness,
  PolicyStatus,
} from '@icg/shared';
import type { OrgFacts } from './org';

// Kept for the synthetic-data tests, which import these from here; everything else reads them from @icg/shared.

/**
 * What one system's seed tells the systems seeded after it, so references agree across databases
 * (a claim's policy exists, its customer owns that policy, its handler works in that branch).
 */
export interface CustomerFact {
  id: number;
  customerNo: string;
  kind: CustomerKind;
  /** Individual's full name or organisation's registered name. */
  name: string;
  /** Resident ID (individuals) or unified social credit code (organisations), valid check chars. */
  idType: IdentityDocumentType;
  idNumber: string;
  /** Individual's mobile, or the organisation's contact mobile. */
  mobile: string;
  gender: Gender | null;
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
 * One batch of the synthetic company (tools/synthetic/src/company.ts fills it in full before any
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
  name: string;
  /** Tables this seeder writes, children first, so a reset can empty them in a safe order. */
  tables: readonly string[];
  /** Reference data written once before any batch (org tree, staff). */
  seedReference?(db: Knex, org: OrgFacts, seed: number, asOf: Date): Promise<void>;
  seedBatch(db: Knex, batch: SeedBatch): Promise<void>;
}
