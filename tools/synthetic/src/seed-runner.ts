import { ensureMysqlDatabase, migrateToLatest, openDatabase, type DatabaseConfig, type Knex, type SubgraphManifest } from '@icg/shared';
import { generateCompanyBatch } from './company';
import type { SubgraphSeeder } from './facts';
import { generateOrg } from './org';

export interface SeedStore {
  manifest: Pick<SubgraphManifest, 'name' | 'migrations'>;
  seeder: SubgraphSeeder;
}

export interface SeedProgress {
  customersDone: number;
  customersTotal: number;
  elapsedMs: number;
}

export interface SeedOptions {
  config: DatabaseConfig;
  stores: readonly SeedStore[];
  customers: number;
  seed: number;
  /** The date the company is generated against; fixed by default so the same seed gives the same data. */
  asOf?: Date;
  batchSize?: number;
  /** Empty the stores first; otherwise seeding refuses to write into a store that has data. */
  reset?: boolean;
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedSummary {
  customers: number;
  elapsedMs: number;
}

export const DEFAULT_SEED = 20_240_601;
/** Default "today" of the synthetic company; states and ages are computed against it. */
export const DEFAULT_AS_OF = new Date('2026-11-01T00:00:00Z');

export class SeedRefusedError extends Error {}

async function hasData(db: Knex, seeder: SubgraphSeeder): Promise<boolean> {
  for (const table of seeder.tables) {
    const row = await db.table(table).first(db.raw('1 as present'));
    if (row) return true;
  }
  return false;
}

/**
 * Generates the synthetic company and writes each store's share, batch by batch. Each batch of each
 * store is one transaction, so a failure leaves whole batches only; the run reports what it did.
 */
export async function seedStores(options: SeedOptions): Promise<SeedSummary> {
  const started = Date.now();
  const asOf = options.asOf ?? DEFAULT_AS_OF;
  const batchSize = options.batchSize ?? 1_000;
  const org = generateOrg(options.seed);
  const opened: { store: SeedStore; db: Knex }[] = [];
  try {
    for (const store of options.stores) {
      await ensureMysqlDatabase(options.config, store.manifest.name);
      const db = openDatabase(options.config, store.manifest.name);
      opened.push({ store, db });
      await migrateToLatest(db, store.manifest.migrations);
      if (options.reset) {
        for (const table of store.seeder.tables) await db.table(table).delete();
      } else if (await hasData(db, store.seeder)) {
        throw new SeedRefusedError(`The ${store.manifest.name} store already has data; pass reset to replace it`);
      }
      if (store.seeder.seedReference) await db.transaction((trx) => store.seeder.seedReference!(trx, org, options.seed, asOf));
    }
    for (let first = 1; first <= options.customers; first += batchSize) {
      const last = Math.min(options.customers, first + batchSize - 1);
      const batch = generateCompanyBatch({ seed: options.seed, asOf, org, firstCustomerId: first, lastCustomerId: last });
      // Stores are independent systems: write them concurrently.
      await Promise.all(opened.map(({ store, db }) => db.transaction((trx) => store.seeder.seedBatch(trx, batch))));
      options.onProgress?.({ customersDone: last, customersTotal: options.customers, elapsedMs: Date.now() - started });
    }
    return { customers: options.customers, elapsedMs: Date.now() - started };
  } finally {
    await Promise.all(opened.map(({ db }) => db.destroy()));
  }
}

/** True when the store has been seeded (used by `npm start` to seed on first run only). */
export async function isStoreSeeded(config: DatabaseConfig, store: SeedStore): Promise<boolean> {
  await ensureMysqlDatabase(config, store.manifest.name);
  const db = openDatabase(config, store.manifest.name);
  try {
    await migrateToLatest(db, store.manifest.migrations);
    return await hasData(db, store.seeder);
  } finally {
    await db.destroy();
  }
}
