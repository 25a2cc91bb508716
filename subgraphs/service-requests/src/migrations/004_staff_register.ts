import type { Knex, Migration } from '@icg/shared';

/**
 * The hotline's copy of the staff register (reference data, seeded with the org tree): who a ticket may be assigned
 * to, since the assignee reads the ticket as in scope. An assignee must be a hotline agent, or a service-centre manager
 * of the ticket's branch or a branch above it.
 */
export const staffRegister: Migration = {
  name: '004_staff_register',
  async up(db: Knex): Promise<void> {
    await db.schema.createTable('staff_register', (table) => {
      table.bigInteger('id').unsigned().primary();
      table.string('role', 32).notNullable();
      table.string('branch_path', 64).notNullable();
    });
  },
  async down(db: Knex): Promise<void> {
    await db.schema.dropTableIfExists('staff_register');
  },
};
