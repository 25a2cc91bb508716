import type { Knex, Migration } from '@icg/shared';

/**
 * Indexes for the `customerInsights` connection (src/loaders.ts): a filter on a classification or a band walks its
 * rows in customer-id order, so a page is one index range and `totalCount` one indexed count, whichever page.
 */
const SEGMENT_INDEXES = [
  ['classification', 'customer_insights_classification_customer_index'],
  ['value_segment', 'customer_insights_value_segment_customer_index'],
  ['contribution_segment', 'customer_insights_contribution_segment_customer_index'],
  ['loyalty_segment', 'customer_insights_loyalty_segment_customer_index'],
] as const;

export const segmentIndexes: Migration = {
  name: '003_segment_indexes',
  async up(db: Knex) {
    await db.schema.alterTable('customer_insights', (table) => {
      for (const [column, name] of SEGMENT_INDEXES) table.index([column, 'customer_id'], name);
    });
  },
  async down(db: Knex) {
    await db.schema.alterTable('customer_insights', (table) => {
      for (const [column, name] of SEGMENT_INDEXES) table.dropIndex([column, 'customer_id'], name);
    });
  },
};
