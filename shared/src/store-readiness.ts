import type { Knex } from 'knex';
import type { DatabaseConfig } from './config';
import { describeDatabase, ensureMysqlDatabase } from './database';
import type { Logger } from './logger';
import { migrateToLatest, type Migration } from './migrations';

export interface StoreToPrepare {
  name: string;
  db: Knex;
  migrations: readonly Migration[];
}

export interface PrepareStoresOptions {
  logger: Logger;
  /** First wait between attempts; grows with each attempt up to 5 s. */
  retryDelayMs: number;
  /** Checked before each attempt: a closed server stops retrying. */
  stopped: () => boolean;
}

/**
 * Creates (on MySQL) and migrates the stores, retrying until the database answers, so a process can
 * start and serve /health while its database is down. True once ready, false if stopped first.
 */
export async function prepareStoresWhenReachable(config: DatabaseConfig, stores: readonly StoreToPrepare[], options: PrepareStoresOptions): Promise<boolean> {
  const where = stores.map((store) => describeDatabase(config, store.name)).join(', ');
  for (let attempt = 1; !options.stopped(); attempt++) {
    try {
      for (const store of stores) {
        await ensureMysqlDatabase(config, store.name);
        await migrateToLatest(store.db, store.migrations);
      }
      options.logger.info({ database: where }, 'database ready');
      return true;
    } catch (error) {
      const failure = error as { name?: string; code?: string };
      options.logger.warn({ attempt, err: { name: failure.name, code: failure.code } }, `database ${where} not ready; retrying`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(options.retryDelayMs * attempt, 5_000)));
    }
  }
  return false;
}
