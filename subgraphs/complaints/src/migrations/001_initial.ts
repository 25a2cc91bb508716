import type { Knex, Migration } from '@icg/shared';

/**
 * The complaint register. Ids are given by the seed (or the source system), never auto-incremented.
 * A complaint's row scope is its respondent branch (the accountable unit), its handler and the
 * customer's manager; steps and extensions inherit it.
 */
export const initialSchema: Migration = {
  name: '001_initial',
  async up(db: Knex) {
    await db.schema.createTable('complaints', (table) => {
      table.bigInteger('id').notNullable().primary();
      table.string('complaint_no', 20).notNullable().unique();
      table.string('source', 24).notNullable();
      table.string('complainant_name', 100).nullable();
      table.string('complainant_mobile', 20).nullable();
      table.bigInteger('customer_id').notNullable().index();
      table.bigInteger('branch_id').notNullable().index();
      table.string('branch_path', 64).notNullable().index();
      table.bigInteger('handler_staff_id').nullable().index();
      table.bigInteger('customer_manager_staff_id').nullable().index();
      table.bigInteger('respondent_staff_id').nullable().index();
      table.string('policy_no', 20).nullable().index();
      table.string('report_no', 20).nullable().index();
      table.string('category', 16).notNullable().index();
      table.string('line_of_business', 20).nullable();
      table.text('facts').nullable();
      table.text('request').nullable();
      table.string('complexity', 24).notNullable();
      table.string('status', 24).notNullable().index();
      table.datetime('accepted_at').notNullable().index();
      table.datetime('verified_at').nullable();
      table.datetime('registered_at').nullable();
      table.datetime('transferred_at').nullable();
      table.datetime('coordinated_at').nullable();
      table.datetime('handled_at').nullable();
      table.datetime('feedback_at').nullable();
      table.datetime('archived_at').nullable();
      table.integer('deadline_days').notNullable();
      table.date('due_date').notNullable().index();
      table.string('escalation_level', 16).notNullable();
      table.string('outcome', 24).nullable();
      table.decimal('compensation_amount', 15, 2).nullable();
      table.boolean('review_requested').notNullable();
      table.string('review_outcome', 16).nullable();
      table.string('root_cause', 40).nullable();
      table.text('rectification').nullable();
      table.boolean('archived').notNullable();
    });

    await db.schema.createTable('complaint_steps', (table) => {
      table.bigInteger('id').notNullable().primary();
      table.bigInteger('complaint_id').notNullable().references('id').inTable('complaints');
      table.integer('sequence').notNullable();
      table.string('step', 16).notNullable();
      table.bigInteger('actor_staff_id').nullable().index();
      table.datetime('at').notNullable();
      table.string('form', 16).nullable();
      table.text('note').nullable();
      table.unique(['complaint_id', 'sequence']);
      table.unique(['complaint_id', 'step']);
    });

    await db.schema.createTable('complaint_deadline_extensions', (table) => {
      table.bigInteger('id').notNullable().primary();
      table.bigInteger('complaint_id').notNullable().references('id').inTable('complaints');
      table.integer('sequence').notNullable();
      table.integer('days').notNullable();
      table.bigInteger('approved_by_staff_id').nullable().index();
      table.datetime('approved_at').notNullable();
      table.text('reason').nullable();
      table.datetime('notified_complainant_at').nullable();
      table.unique(['complaint_id', 'sequence']);
    });
  },
  async down(db: Knex) {
    await db.schema.dropTableIfExists('complaint_deadline_extensions');
    await db.schema.dropTableIfExists('complaint_steps');
    await db.schema.dropTableIfExists('complaints');
  },
};
