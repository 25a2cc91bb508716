import { keysetConnection, type CountedConnection, type KeysetFilterSpec } from '@icg/shared';
import type { Resolvers } from './generated/schema-types';
import { complaintRecord, type ComplaintRow, type ScopedComplaintRecord } from './records';

/** A page of the root `complaints` connection. */
export type ComplaintConnectionRecord = CountedConnection<ScopedComplaintRecord>;

/** ComplaintFilter's fields and the columns they read (indexes: migration 003). The branch is the respondent (accountable) unit. */
export const COMPLAINT_FILTER: KeysetFilterSpec = {
  branchId: { kind: 'branchSubtree', idColumn: 'branch_id', pathColumn: 'branch_path' },
  customerId: { kind: 'id', column: 'customer_id' },
  category: { kind: 'equals', column: 'category' },
  status: { kind: 'equals', column: 'status' },
  source: { kind: 'equals', column: 'source' },
  lineOfBusiness: { kind: 'equals', column: 'line_of_business' },
  registeredFrom: { kind: 'dateFrom', column: 'registered_at' },
  registeredTo: { kind: 'dateTo', column: 'registered_at' },
  dueBefore: { kind: 'dateBefore', column: 'due_date' },
  updatedSince: { kind: 'instantSince', column: 'updated_at' },
};

/** The root `complaints` connection: each complaint carries its own row scope (decided per record), the connection none. */
export const complaintConnectionResolvers = {
  Query: {
    complaints: (_root, { first, after, filter }, { db }): Promise<ComplaintConnectionRecord> =>
      keysetConnection<ComplaintRow, ScopedComplaintRecord>({
        db,
        table: 'complaints',
        filterSpec: COMPLAINT_FILTER,
        filter,
        first,
        after,
        toNode: complaintRecord,
      }),
  },
  ComplaintConnection: {
    totalCount: (connection) => connection.countTotal(),
  },
} satisfies Resolvers;
