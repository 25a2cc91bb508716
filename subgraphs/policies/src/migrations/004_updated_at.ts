import { addUpdatedAtColumn, dropUpdatedAtColumn, type Knex, type Migration, type UpdatedAtColumn } from '@icg/shared';

/**
 * BI's root `policies` connection (issue "Customer insight and BI"): `updated_at` for `updatedSince`, backfilled
 * from when the policy was quoted, bound or terminated, and the indexes its filters page through in id order.
 */
const POLICIES: UpdatedAtColumn = {
  table: 'policies',
  createdColumn: 'quoted_at',
  laterColumns: ['bound_at', 'terminated_at'],
  indexedFilters: ['status', 'line_of_business', 'customer_id'],
};

export const updatedAtMigration: Migration = {
  name: '004_updated_at',
  async up(db: Knex) {
    await addUpdatedAtColumn(db, POLICIES);
  },
  async down(db: Knex) {
    await dropUpdatedAtColumn(db, POLICIES);
  },
};
