import type { Knex } from 'knex';
import type { Migration } from '../migrations';

/**
 * A migration adding the index an entity's aggregates read (docs/access-model.md "Aggregates", SQL): the branch path
 * first, so a BRANCH-scoped caller's rows are one range, then the dimension and figure columns, so the GROUP BY is
 * answered from the index alone (a covering index) on SQLite and MariaDB instead of from the table's rows.
 */
export function aggregateIndexMigration(name: string, table: string, columns: readonly string[]): Migration {
  const indexName = `${table}_aggregates`;
  return {
    name,
    async up(db: Knex) {
      await db.schema.alterTable(table, (builder) => builder.index([...columns], indexName));
    },
    async down(db: Knex) {
      await db.schema.alterTable(table, (builder) => builder.dropIndex([...columns], indexName));
    },
  };
}
