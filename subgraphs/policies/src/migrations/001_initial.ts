import type { Knex, Migration } from '@icg/shared';

const MONEY: [number, number] = [15, 2];

/** Policies and their children. Child rows carry no scope columns: they inherit their policy's. */
export const initialMigration: Migration = {
  name: '001_initial',
  async up(db: Knex) {
    await db.schema.createTable('policies', (table) => {
      table.bigInteger('id').primary();
      table.string('policy_no', 20).notNullable().unique();
      table.bigInteger('customer_id').notNullable().index();
      table.string('product_code', 16).notNullable();
      table.string('product_name', 64).notNullable();
      table.string('line_of_business', 20).notNullable().index();
      table.string('status', 16).notNullable().index();
      table.string('channel', 16).notNullable();
      table.date('effective_date').notNullable();
      table.date('expiry_date').notNullable().index();
      table.dateTime('quoted_at').notNullable();
      table.dateTime('bound_at').nullable();
      table.dateTime('terminated_at').nullable();
      table.string('termination_reason', 20).nullable();
      table.decimal('sum_insured', ...MONEY).notNullable();
      table.decimal('written_premium', ...MONEY).notNullable();
      table.string('payment_status', 12).notNullable();
      table.integer('arrears_days').notNullable();
      table.string('prior_policy_no', 20).nullable().index();
      table.bigInteger('branch_id').notNullable().index();
      table.string('branch_path', 64).notNullable().index();
      table.bigInteger('servicing_manager_staff_id').nullable().index();
      table.bigInteger('customer_manager_staff_id').nullable().index();
    });

    await db.schema.createTable('policy_participants', (table) => {
      table.bigInteger('id').primary();
      table.bigInteger('policy_id').notNullable().index();
      table.string('role', 16).notNullable();
      table.string('name', 100).notNullable();
      table.string('id_type', 16).notNullable();
      table.string('id_number', 18).notNullable();
      table.string('mobile', 11).nullable();
      table.string('gender', 6).nullable();
      table.date('birth_date').nullable();
      table.string('relationship_to_policyholder', 16).notNullable();
      table.bigInteger('customer_id').nullable().index();
    });

    await db.schema.createTable('policy_coverages', (table) => {
      table.bigInteger('id').primary();
      table.bigInteger('policy_id').notNullable().index();
      table.string('code', 8).notNullable();
      table.string('name', 64).notNullable();
      table.decimal('sum_insured', ...MONEY).notNullable();
      table.decimal('premium', ...MONEY).notNullable();
      table.decimal('deductible', ...MONEY).notNullable();
    });

    await db.schema.createTable('insured_objects', (table) => {
      table.bigInteger('id').primary();
      table.bigInteger('policy_id').notNullable().index();
      table.string('kind', 10).notNullable();
      table.string('plate', 10).nullable().index();
      table.string('vin', 17).nullable().index();
      table.string('make', 32).nullable();
      table.string('model', 64).nullable();
      table.string('address', 200).nullable();
      table.string('description', 200).nullable();
    });

    await db.schema.createTable('renewal_reminders', (table) => {
      table.bigInteger('id').primary();
      table.bigInteger('policy_id').notNullable().index();
      table.integer('days_before').notNullable();
      table.dateTime('due_at').notNullable().index();
      table.dateTime('sent_at').nullable();
      table.string('channel', 8).notNullable();
      table.string('status', 10).notNullable().index();
    });
  },
  async down(db: Knex) {
    for (const table of ['renewal_reminders', 'insured_objects', 'policy_coverages', 'policy_participants', 'policies']) {
      await db.schema.dropTableIfExists(table);
    }
  },
};
