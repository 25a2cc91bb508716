import type { Knex, Migration } from '@icg/shared';

/**
 * The write side of the policy admin system (issue "CRM workflows as mutations"): a version on each
 * policy for optimistic updates, the day an unpaid premium fell due (the grace period for non-payment
 * runs from it), a sequence for the ids of policies quoted here, and one reminder per policy × offset.
 */
export const policyWorkflowMigration: Migration = {
  name: '002_policy_workflow',
  async up(db: Knex) {
    await db.schema.alterTable('policies', (table) => {
      table.integer('version').notNullable().defaultTo(1);
      // Null while nothing is owed; seeded policies carry none, so the lapse step never touches them.
      table.date('premium_due_since').nullable();
    });
    // Auto-increment is the one id source both dialects hand out safely to concurrent transactions.
    await db.schema.createTable('policy_id_sequence', (table) => {
      table.increments('id').primary();
      table.dateTime('issued_at').notNullable();
    });
    // A rerun of the reminder job can never write a second reminder for the same policy and offset.
    await db.schema.alterTable('renewal_reminders', (table) => {
      table.unique(['policy_id', 'days_before'], { indexName: 'renewal_reminders_policy_offset_unique' });
    });
  },
  async down(db: Knex) {
    await db.schema.alterTable('renewal_reminders', (table) => table.dropUnique(['policy_id', 'days_before'], 'renewal_reminders_policy_offset_unique'));
    await db.schema.dropTableIfExists('policy_id_sequence');
    await db.schema.alterTable('policies', (table) => {
      table.dropColumn('premium_due_since');
      table.dropColumn('version');
    });
  },
};
