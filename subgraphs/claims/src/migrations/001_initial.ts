import type { Knex, Migration } from '@icg/shared';

/** Money is DECIMAL(15,2) yuan; ids are BIGINTs given by the seed; timestamps are UTC DATETIMEs. */
const MONEY: [number, number] = [15, 2];

export const initial: Migration = {
  name: '001_initial',
  async up(db: Knex) {
    await db.schema.createTable('claims', (table) => {
      table.bigInteger('id').primary();
      table.string('report_no', 20).notNullable().unique();
      table.string('registration_no', 20).nullable().unique();
      table.string('policy_no', 20).notNullable().index();
      table.bigInteger('customer_id').notNullable().index();
      table.date('loss_date').notNullable();
      table.dateTime('reported_at').notNullable().index();
      table.dateTime('registered_at').nullable();
      table.dateTime('documents_completed_at').nullable();
      table.dateTime('adjusted_at').nullable();
      table.dateTime('approved_at').nullable();
      table.dateTime('closed_at').nullable().index();
      table.dateTime('reopened_at').nullable();
      table.string('reopen_reason', 200).nullable();
      table.string('status', 24).notNullable().index();
      table.string('closed_outcome', 16).nullable();
      table.string('cause', 16).notNullable().index();
      table.text('loss_description').nullable();
      table.string('report_channel', 12).notNullable();
      table.boolean('small_claim').notNullable();
      // Row scope (docs/adding-a-subgraph.md, "Data").
      table.bigInteger('handler_staff_id').nullable().index();
      table.bigInteger('branch_id').notNullable().index();
      table.string('branch_path', 64).notNullable().index();
      table.bigInteger('customer_manager_staff_id').nullable().index();
      table.decimal('paid', ...MONEY).notNullable();
      table.decimal('outstanding_reserve', ...MONEY).notNullable();
      table.decimal('recoveries', ...MONEY).notNullable();
      table.smallint('fraud_score').notNullable();
      table.boolean('special_investigation').notNullable().index();
    });

    await db.schema.createTable('claim_participants', (table) => {
      table.bigInteger('id').primary();
      table.bigInteger('claim_id').notNullable().references('id').inTable('claims').index();
      table.string('role', 16).notNullable();
      table.string('name', 100).notNullable();
      table.string('mobile', 11).nullable();
      table.string('injury_description', 200).nullable();
      table.text('medical_details').nullable();
    });

    await db.schema.createTable('survey_tasks', (table) => {
      table.bigInteger('id').primary();
      table.bigInteger('claim_id').notNullable().references('id').inTable('claims').index();
      table.string('status', 12).notNullable();
      table.dateTime('dispatched_at').notNullable();
      table.dateTime('on_site_at').nullable();
      table.dateTime('completed_at').nullable();
      table.bigInteger('surveyor_staff_id').nullable().index();
      table.integer('contacted_customer_within_minutes').nullable();
    });

    await db.schema.createTable('loss_assessments', (table) => {
      table.bigInteger('id').primary();
      table.bigInteger('claim_id').notNullable().references('id').inTable('claims').index();
      table.dateTime('assessed_at').notNullable();
      table.bigInteger('assessor_staff_id').nullable().index();
      table.decimal('assessed_amount', ...MONEY).notNullable();
      table.decimal('approved_amount', ...MONEY).nullable();
      table.text('notes').nullable();
    });

    await db.schema.createTable('claim_payments', (table) => {
      table.bigInteger('id').primary();
      table.bigInteger('claim_id').notNullable().references('id').inTable('claims').index();
      table.dateTime('paid_at').notNullable();
      table.decimal('amount', ...MONEY).notNullable();
      table.string('payee_name', 100).notNullable();
      table.string('payee_account', 32).notNullable();
      table.string('method', 20).notNullable();
    });
  },
  async down(db: Knex) {
    for (const table of ['claim_payments', 'loss_assessments', 'survey_tasks', 'claim_participants', 'claims']) await db.schema.dropTableIfExists(table);
  },
};
