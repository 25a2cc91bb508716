import { keysetConnection, type CountedConnection, type KeysetFilterSpec } from '@icg/shared';
import type { Resolvers } from './generated/schema-types';
import { serviceRequestRecord, type ScopedServiceRequestRecord } from './records';
import { TABLES, type ServiceRequestRow } from './tables';

/** A page of the root `serviceRequests` connection. */
export type ServiceRequestConnectionRecord = CountedConnection<ScopedServiceRequestRecord>;

/** ServiceRequestFilter's fields and the columns they read (indexes: migration 005). */
export const SERVICE_REQUEST_FILTER: KeysetFilterSpec = {
  branchId: { kind: 'branchSubtree', idColumn: 'branch_id', pathColumn: 'branch_path' },
  customerId: { kind: 'id', column: 'customer_id' },
  type: { kind: 'equals', column: 'type' },
  status: { kind: 'equals', column: 'status' },
  channel: { kind: 'equals', column: 'channel' },
  openedFrom: { kind: 'dateFrom', column: 'opened_at' },
  openedTo: { kind: 'dateTo', column: 'opened_at' },
  updatedSince: { kind: 'instantSince', column: 'updated_at' },
};

/** The root `serviceRequests` connection: each ticket carries its own row scope (decided per record), the connection none. */
export const serviceRequestConnectionResolvers = {
  Query: {
    serviceRequests: (_root, { first, after, filter }, { db, clock }): Promise<ServiceRequestConnectionRecord> => {
      // SLA figures are computed against the subgraph's one clock, as for a single ticket.
      const now = clock.now();
      return keysetConnection<ServiceRequestRow, ScopedServiceRequestRecord>({
        db,
        table: TABLES.serviceRequests,
        filterSpec: SERVICE_REQUEST_FILTER,
        filter,
        first,
        after,
        toNode: (row) => serviceRequestRecord(row, now),
      });
    },
  },
  ServiceRequestConnection: {
    totalCount: (connection) => connection.countTotal(),
  },
} satisfies Resolvers;
