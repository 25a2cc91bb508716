import type { Knex, Migration } from '@icg/shared';

/**
 * Each org unit's leaders for the large rule's top-N clause (src/rules/unit-leaders.ts): JSON `{capacity, parties}`,
 * written by a full recompute or the seed; null until one has run (the clause then does not fire).
 */
export const unitLeaders: Migration = {
  name: '004_unit_leaders',
  async up(db: Knex) {
    await db.schema.alterTable('insight_unit_premium', (table) => {
      // MEDIUMTEXT on MySQL: topN may be up to 100,000 parties (TEXT stops at 64 KiB); SQLite ignores the length.
      table.text('leaders', 'mediumtext').nullable();
    });
  },
  async down(db: Knex) {
    await db.schema.alterTable('insight_unit_premium', (table) => {
      table.dropColumn('leaders');
    });
  },
};
