import type { Knex, Migration } from '@icg/shared';

/**
 * The key of the one object a policy insures (policy.bound's `insuredObjectKeys`, InsuredObject.objectKey): a claim
 * on that policy is on that object, for the same-insured-object warning. Null when the policy insures none or
 * several (a claim does not say which) or when no system has said yet.
 */
export const policyObjectKey: Migration = {
  name: '005_policy_object_key',
  async up(db: Knex) {
    await db.schema.alterTable('insight_policies', (table) => {
      table.string('insured_object_key', 20).nullable();
    });
  },
  async down(db: Knex) {
    await db.schema.alterTable('insight_policies', (table) => {
      table.dropColumn('insured_object_key');
    });
  },
};
