import type { Knex, Migration } from '@icg/shared';

/**
 * Injuries and illness move out of the loss description into a HEALTH column of their own
 * (docs/access-model.md section 1). Rows seeded before this keep health facts in `loss_description`:
 * reseed with `npm run seed -- --reset`.
 */
export const injuryNarrative: Migration = {
  name: '002_injury_narrative',
  async up(db: Knex) {
    await db.schema.alterTable('claims', (table) => {
      table.text('injury_narrative').nullable();
    });
  },
  async down(db: Knex) {
    await db.schema.alterTable('claims', (table) => {
      table.dropColumn('injury_narrative');
    });
  },
};
