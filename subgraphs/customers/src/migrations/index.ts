import type { Migration } from '@icg/shared';
import { initialMigration } from './001_initial';
import { recordMaintenanceMigration } from './002_record_maintenance';
import { managersAndBlacklistMigration } from './003_managers_and_blacklist';
import { customerCountsMigration } from './004_customer_counts';

/** Applied in this order; never reorder or edit one that has shipped, add a new one. */
export const migrations: readonly Migration[] = [initialMigration, recordMaintenanceMigration, managersAndBlacklistMigration, customerCountsMigration];
