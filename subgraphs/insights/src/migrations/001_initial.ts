import type { Knex, Migration } from '@icg/shared';

/** Money is DECIMAL(15,2) yuan; ids are BIGINTs given by the seed; timestamps are UTC DATETIMEs. */
export const initial: Migration = {
  name: '001_initial',
  async up(db: Knex) {
    await db.schema.createTable('early_warnings', (table) => {
      table.bigInteger('id').primary();
      table.string('early_warning_no', 20).notNullable().unique();
      table.bigInteger('customer_id').notNullable().index();
      table.string('status', 12).notNullable();
      table.dateTime('opened_at').notNullable();
      table.decimal('amount', 15, 2).nullable();
      table.string('contact_name', 60).nullable();
      // Row scope (docs/adding-a-subgraph.md, "Data").
      table.bigInteger('branch_id').notNullable();
      table.string('branch_path', 64).notNullable().index();
      table.bigInteger('customer_manager_staff_id').nullable().index();
    });
  },
  async down(db: Knex) {
    await db.schema.dropTableIfExists('early_warnings');
  },
};
