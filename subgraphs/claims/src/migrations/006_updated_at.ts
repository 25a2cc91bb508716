import { addUpdatedAtColumn, dropUpdatedAtColumn, type Knex, type Migration, type UpdatedAtColumn } from '@icg/shared';

/**
 * BI's root `claims` connection (issue "Customer insight and BI"): `updated_at` for `updatedSince`, backfilled
 * from the latest step the claim records, and the indexes its filters page through in id order.
 */
const CLAIMS: UpdatedAtColumn = {
  table: 'claims',
  createdColumn: 'reported_at',
  laterColumns: ['registered_at', 'documents_completed_at', 'adjusted_at', 'approved_at', 'closed_at', 'reopened_at'],
  indexedFilters: ['status', 'customer_id'],
};

export const updatedAt: Migration = {
  name: '006_updated_at',
  async up(db: Knex) {
    await addUpdatedAtColumn(db, CLAIMS);
  },
  async down(db: Knex) {
    await dropUpdatedAtColumn(db, CLAIMS);
  },
};
