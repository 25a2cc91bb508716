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

export interface PolicyFact {
  id: number;
  policyNo: string;
  customerId: number;
  lineOfBusiness: LineOfBusiness;
  status: string;
  effectiveDate: string;
  expiryDate: string;
  sumInsured: number;
  writtenPremium: number;
  branchId: number;
  branchPath: string;
  servicingManagerStaffId: number | null;
  /** Motor policies: the vehicle's plate, for claims and hotline tickets to mention. */
  plate: string | null;
}

export interface ClaimFact {
  id: number;
  reportNo: string;
  policyNo: string;
  customerId: number;
  status: string;
  lossDate: string;
  reportedAt: string;
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
  status: string;
  handlerStaffId: number | null;
  branchId: number;
  branchPath: string;
}

/** One batch of the synthetic company as it is being generated; each seeder reads and appends. */
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

/** Each subgraph's seed module: generates its rows for a batch, writes them, and appends its facts. */
export interface SubgraphSeeder {
  name: SubgraphName;
  /** Tables this seeder writes, children first, so a reset can empty them in a safe order. */
  tables: readonly string[];
  /** Reference data written once before any batch (org tree, staff). */
  seedReference?(db: Knex, org: OrgFacts, seed: number): Promise<void>;
  seedBatch(db: Knex, batch: SeedBatch): Promise<void>;
}
