/**
 * The idempotency table every subgraph's own store holds (shared/src/write-side-migrations.ts): one row per
 * (staff member, action, idempotency key), written in the same transaction as the change it guards, holding a hash
 * of the input and the first result. The primary key is what makes two identical requests at once write once.
 */
import type { Migration } from '../migrations';

export const IDEMPOTENCY_TABLE = 'write_side_idempotency_keys';

/** Longest idempotency key accepted (a UUID is 36). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

export const idempotencyKeysMigration: Migration = {
  name: 'write_side_idempotency_keys',
  async up(db) {
    await db.schema.createTable(IDEMPOTENCY_TABLE, (table) => {
      table.string('staff_id', 64).notNullable();
      table.string('action', 64).notNullable();
      table.string('idempotency_key', MAX_IDEMPOTENCY_KEY_LENGTH).notNullable();
      // SHA-256 of the action's input (canonical JSON), hex.
      table.specificType('request_hash', 'char(64)').notNullable();
      // The first result, JSON: references (ids, numbers), never personal values.
      table.text('result').nullable();
      table.dateTime('created_at').notNullable().index();
      table.primary(['staff_id', 'action', 'idempotency_key']);
    });
  },
  async down(db) {
    await db.schema.dropTableIfExists(IDEMPOTENCY_TABLE);
  },
};
