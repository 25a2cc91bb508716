import { addUpdatedAtColumn, dropUpdatedAtColumn, type Knex, type Migration, type UpdatedAtColumn } from '@icg/shared';

/**
 * BI's root `complaints` connection (issue "Customer insight and BI"): `updated_at` for `updatedSince`, backfilled
 * from the latest workflow step the complaint records, and the indexes its filters page through in id order.
 */
const COMPLAINTS: UpdatedAtColumn = {
  table: 'complaints',
  createdColumn: 'accepted_at',
  laterColumns: [
    'verified_at',
    'registered_at',
    'transferred_at',
    'coordinated_at',
    'handled_at',
    'feedback_at',
    'archived_at',
    'withdrawn_at',
    'review_requested_at',
    'review_decided_at',
  ],
  indexedFilters: ['status', 'category', 'registered_at', 'customer_id'],
};

export const updatedAtSchema: Migration = {
  name: '003_updated_at',
  async up(db: Knex) {
    await addUpdatedAtColumn(db, COMPLAINTS);
  },
  async down(db: Knex) {
    await dropUpdatedAtColumn(db, COMPLAINTS);
  },
};
