import { keysetConnection, type KeysetFilterSpec } from '@icg/shared';
import type { Resolvers } from './generated/schema-types';
import { policyRecord, type PolicyConnectionRecord, type PolicyRow, type ScopedPolicyRecord } from './records';

/** PolicyFilter's fields and the columns they read (indexes: migration 004). */
export const POLICY_FILTER: KeysetFilterSpec = {
  branchId: { kind: 'branchSubtree', idColumn: 'branch_id', pathColumn: 'branch_path' },
  customerId: { kind: 'id', column: 'customer_id' },
  lineOfBusiness: { kind: 'equals', column: 'line_of_business' },
  status: { kind: 'equals', column: 'status' },
  effectiveFrom: { kind: 'dateFrom', column: 'effective_date' },
  effectiveTo: { kind: 'dateTo', column: 'effective_date' },
  expiryFrom: { kind: 'dateFrom', column: 'expiry_date' },
  expiryTo: { kind: 'dateTo', column: 'expiry_date' },
  updatedSince: { kind: 'instantSince', column: 'updated_at' },
};

/** The root `policies` connection: each policy carries its own row scope (decided per record), the connection none. */
export const policyConnectionResolvers = {
  Query: {
    policies: (_root, { first, after, filter }, { db }): Promise<PolicyConnectionRecord> =>
      keysetConnection<PolicyRow, ScopedPolicyRecord>({ db, table: 'policies', filterSpec: POLICY_FILTER, filter, first, after, toNode: policyRecord }),
  },
  PolicyConnection: {
    totalCount: (connection) => connection.countTotal(),
  },
} satisfies Resolvers;
