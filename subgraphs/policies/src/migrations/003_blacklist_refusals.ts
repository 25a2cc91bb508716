import type { Knex, Migration } from '@icg/shared';

/**
 * The policy admin system's own copy of whom to refuse (issue "CRM workflows as mutations", blacklist):
 * one row per customer the customers system ever blacklisted, kept by its `customer.blacklist-changed`
 * events, so quote, bind and renew check it in their own transaction without calling another system.
 */
export const blacklistRefusalsMigration: Migration = {
  name: '003_blacklist_refusals',
  async up(db: Knex) {
    await db.schema.createTable('blacklist_refusals', (table) => {
      table.bigInteger('customer_id').primary();
      table.boolean('blacklisted').notNullable();
      // The customers system's entry status the row follows: ACTIVE refuses, LIFTED or EXPIRED no longer.
      table.string('status', 16).notNullable();
      // When the customers system made the change (its clock), and when this store learnt of it (ours).
      table.dateTime('effective_at').notNullable();
      table.dateTime('applied_at').notNullable();
      // The last event applied (null for seeded rows): a late or repeated older event never overwrites a newer state.
      table.string('event_id', 36).nullable();
      table.bigInteger('event_sequence').notNullable().defaultTo(0);
    });
  },
  async down(db: Knex) {
    await db.schema.dropTableIfExists('blacklist_refusals');
  },
};
