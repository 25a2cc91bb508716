import type { Knex, Migration } from '@icg/shared';

/**
 * Ids of the rows the claims system creates itself (claims reported by phone, survey tasks, assessments, payments)
 * come from an auto-increment sequence: the one id source both dialects hand to concurrent transactions without
 * locking the tables' last rows.
 */
export const idSequence: Migration = {
  name: '004_id_sequence',
  async up(db: Knex) {
    await db.schema.createTable('claims_id_sequence', (table) => {
      table.increments('id').primary();
      table.dateTime('issued_at').notNullable();
    });
  },
  async down(db: Knex) {
    await db.schema.dropTableIfExists('claims_id_sequence');
  },
};
