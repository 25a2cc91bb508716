import type { Migration } from '@icg/shared';
import { initialMigration } from './001_initial';
import { policyWorkflowMigration } from './002_policy_workflow';
import { blacklistRefusalsMigration } from './003_blacklist_refusals';
import { updatedAtMigration } from './004_updated_at';
import { aggregateIndex } from './005_aggregate_index';
import { insuredObjectKeyMigration } from './006_insured_object_key';

/** Applied in this order; never reorder or edit a released migration, add a new one. */
export const migrations: readonly Migration[] = [
  initialMigration,
  policyWorkflowMigration,
  blacklistRefusalsMigration,
  updatedAtMigration,
  aggregateIndex,
  insuredObjectKeyMigration,
];
