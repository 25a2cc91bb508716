import { keysetConnection, type CountedConnection, type KeysetFilterSpec } from '@icg/shared';
import type { Resolvers } from './generated/schema-types';
import { claimRecord, type ClaimRecord, type ClaimRow } from './records';

/** A page of the root `claims` connection. */
export type ClaimConnectionRecord = CountedConnection<ClaimRecord>;

/** ClaimFilter's fields and the columns they read (indexes: migration 006). Claims hold no line of business. */
export const CLAIM_FILTER: KeysetFilterSpec = {
  branchId: { kind: 'branchSubtree', idColumn: 'branch_id', pathColumn: 'branch_path' },
  customerId: { kind: 'id', column: 'customer_id' },
  status: { kind: 'equals', column: 'status' },
  reportedFrom: { kind: 'dateFrom', column: 'reported_at' },
  reportedTo: { kind: 'dateTo', column: 'reported_at' },
  closedFrom: { kind: 'dateFrom', column: 'closed_at' },
  closedTo: { kind: 'dateTo', column: 'closed_at' },
  updatedSince: { kind: 'instantSince', column: 'updated_at' },
};

/** The root `claims` connection: each claim carries its own row scope (decided per record), the connection none. */
export const claimConnectionResolvers = {
  Query: {
    claims: (_root, { first, after, filter }, { db }): Promise<ClaimConnectionRecord> =>
      keysetConnection<ClaimRow, ClaimRecord>({ db, table: 'claims', filterSpec: CLAIM_FILTER, filter, first, after, toNode: claimRecord }),
  },
  ClaimConnection: {
    totalCount: (connection) => connection.countTotal(),
  },
} satisfies Resolvers;
