import type { Knex, Migration } from '@icg/shared';

/**
 * Indexes for `insightMetrics` (src/metrics-query.ts): each of its GROUP BY statements picks the facts of the
 * months asked for by a date column (policies by cover and bind day, claims by loss, registration and closing day,
 * complaints by due day); the columns 001 did not index yet. The customer join uses the customer_id indexes and the
 * caller's scope the customers' branch_path index, both from 001.
 */
export const metricsIndexes: Migration = {
  name: '002_metrics_indexes',
  async up(db: Knex) {
    await db.schema.alterTable('insight_policies', (table) => {
      table.index(['expiry_date'], 'insight_policies_expiry_date_index');
      table.index(['bound_at'], 'insight_policies_bound_at_index');
    });
    await db.schema.alterTable('insight_claims', (table) => {
      table.index(['loss_date'], 'insight_claims_loss_date_index');
      table.index(['registered_at'], 'insight_claims_registered_at_index');
      table.index(['closed_at'], 'insight_claims_closed_at_index');
    });
    await db.schema.alterTable('insight_complaints', (table) => {
      table.index(['due_date'], 'insight_complaints_due_date_index');
    });
  },
  async down(db: Knex) {
    await db.schema.alterTable('insight_complaints', (table) => table.dropIndex(['due_date'], 'insight_complaints_due_date_index'));
    await db.schema.alterTable('insight_claims', (table) => {
      table.dropIndex(['closed_at'], 'insight_claims_closed_at_index');
      table.dropIndex(['registered_at'], 'insight_claims_registered_at_index');
      table.dropIndex(['loss_date'], 'insight_claims_loss_date_index');
    });
    await db.schema.alterTable('insight_policies', (table) => {
      table.dropIndex(['bound_at'], 'insight_policies_bound_at_index');
      table.dropIndex(['expiry_date'], 'insight_policies_expiry_date_index');
    });
  },
};
