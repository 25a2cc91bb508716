import type { Knex, Migration } from '@icg/shared';

/**
 * The write side of the hotline (issue "CRM workflows as mutations"): a version per ticket for optimistic
 * updates, why a ticket waits for the customer and why it was reopened (codes, never free text: a reason
 * could otherwise carry a health fact into a ticket), the claim a return visit follows up, and the hotline's
 * directory of callers (each customer's branch and primary manager, which policies are theirs and their
 * line): a new ticket takes its row scope from it, never from what the caller or the agent types in. (New rows'
 * ids: 003_id_sequence.)
 */
export const hotlineWorkflow: Migration = {
  name: '002_hotline_workflow',
  async up(db: Knex): Promise<void> {
    await db.schema.alterTable('service_requests', (table) => {
      table.integer('version').notNullable().defaultTo(1);
      table.string('pending_reason', 24).nullable();
      table.dateTime('reopened_at').nullable();
      table.string('reopen_reason', 24).nullable();
      table.string('related_claim_report_no', 20).nullable().index();
    });
    await db.schema.createTable('customer_directory', (table) => {
      table.bigInteger('customer_id').unsigned().primary();
      table.bigInteger('branch_id').unsigned().notNullable();
      table.string('branch_path', 64).notNullable();
      table.bigInteger('customer_manager_staff_id').unsigned().nullable();
    });
    await db.schema.createTable('policy_directory', (table) => {
      table.string('policy_no', 20).primary();
      table.bigInteger('customer_id').unsigned().notNullable().index();
      // A claim report's ticket subject names the line (车险报案), never the loss.
      table.string('line_of_business', 16).notNullable();
    });
  },
  async down(db: Knex): Promise<void> {
    await db.schema.dropTableIfExists('policy_directory');
    await db.schema.dropTableIfExists('customer_directory');
    await db.schema.alterTable('service_requests', (table) => {
      table.dropIndex(['related_claim_report_no']);
      for (const column of ['version', 'pending_reason', 'reopened_at', 'reopen_reason', 'related_claim_report_no']) table.dropColumn(column);
    });
  },
};
