import { addUpdatedAtColumn, dropUpdatedAtColumn, type Knex, type Migration, type UpdatedAtColumn } from '@icg/shared';

/**
 * BI's root `serviceRequests` connection (issue "Customer insight and BI"): `updated_at` for `updatedSince`,
 * backfilled from the latest step the ticket records, and the indexes its filters page through in id order.
 */
const SERVICE_REQUESTS: UpdatedAtColumn = {
  table: 'service_requests',
  createdColumn: 'opened_at',
  laterColumns: ['triaged_at', 'assigned_at', 'first_response_at', 'pending_since', 'resolved_at', 'closed_at', 'reopened_at'],
  indexedFilters: ['status', 'type', 'opened_at'],
};

export const updatedAt: Migration = {
  name: '005_updated_at',
  async up(db: Knex) {
    await addUpdatedAtColumn(db, SERVICE_REQUESTS);
  },
  async down(db: Knex) {
    await dropUpdatedAtColumn(db, SERVICE_REQUESTS);
  },
};
