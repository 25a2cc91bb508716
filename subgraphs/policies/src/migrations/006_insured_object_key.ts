import type { Knex, Migration } from '@icg/shared';

/**
 * The insured object's key (issue "Customer insight and BI": two claims on one object): the same on every policy
 * that insures the object, since a renewal copies its objects under new ids. It is the id the object had on the
 * first policy that insured it. Objects already stored take their own id: their renewals made before this
 * migration keep separate keys.
 */
export const insuredObjectKeyMigration: Migration = {
  name: '006_insured_object_key',
  async up(db: Knex) {
    await db.schema.alterTable('insured_objects', (table) => {
      // Null only for a row written without one; readers take its id then.
      table.bigInteger('object_key').nullable().index();
    });
    await db('insured_objects').update({ object_key: db.ref('id') });
  },
  async down(db: Knex) {
    await db.schema.alterTable('insured_objects', (table) => {
      table.dropIndex(['object_key']);
      table.dropColumn('object_key');
    });
  },
};
