import type { Knex, Migration } from '@icg/shared';

/**
 * Ids of the rows the hotline creates itself come from an auto-increment sequence: the one id source both dialects
 * hand to concurrent transactions without locking the tables' last rows (reading the highest id with a locking read
 * deadlocked concurrent claim reports on MariaDB).
 */
export const idSequence: Migration = {
  name: '003_id_sequence',
  async up(db: Knex): Promise<void> {
    await db.schema.createTable('service_requests_id_sequence', (table) => {
      table.increments('id').primary();
      table.dateTime('issued_at').notNullable();
    });
  },
  async down(db: Knex): Promise<void> {
    await db.schema.dropTableIfExists('service_requests_id_sequence');
  },
};
