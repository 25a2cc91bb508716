import type { Knex, Migration } from '@icg/shared';

/**
 * The claims system's copy of the staff register (reference data, seeded with the org tree): who may be sent as a
 * surveyor and so become a claim's handler, which gives them the claim's health facts (an adjuster's HEALTH exception
 * covers the claims they handle). A surveyor must be a claims adjuster of the claim's branch or a branch above it.
 */
export const staffRegister: Migration = {
  name: '005_staff_register',
  async up(db: Knex) {
    await db.schema.createTable('staff_register', (table) => {
      table.bigInteger('id').primary();
      table.string('role', 32).notNullable();
      table.string('branch_path', 64).notNullable();
    });
  },
  async down(db: Knex) {
    await db.schema.dropTableIfExists('staff_register');
  },
};
