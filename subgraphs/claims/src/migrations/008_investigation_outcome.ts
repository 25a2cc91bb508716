import type { Knex, Migration } from '@icg/shared';

/**
 * A special investigation's finding (concludeSpecialInvestigation): FRAUD_CONFIRMED or NO_FRAUD_FOUND, null while
 * none is concluded, and when it was concluded. Insights classifies a customer with confirmed fraud as poor
 * (DOMAIN.md section 5), told by `claim.investigation-concluded`.
 */
export const investigationOutcome: Migration = {
  name: '008_investigation_outcome',
  async up(db: Knex) {
    await db.schema.alterTable('claims', (table) => {
      table.string('investigation_outcome', 16).nullable();
      table.dateTime('investigation_concluded_at').nullable();
    });
  },
  async down(db: Knex) {
    await db.schema.alterTable('claims', (table) => {
      table.dropColumn('investigation_outcome');
      table.dropColumn('investigation_concluded_at');
    });
  },
};
