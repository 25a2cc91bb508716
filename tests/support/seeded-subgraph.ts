import { inProcessSubgraphConfig, startSubgraph, type DatabaseConfig, type RunningSubgraph, type SubgraphManifest } from '@icg/shared';
import { DEFAULT_AS_OF, DEFAULT_SEED, generateCompanyBatch, generateOrg, seedStores, type OrgFacts, type SeedBatch, type SubgraphSeeder } from '@icg/synthetic';
import type { GraphQLResponse } from './graphql-client';
import { createTestDatabases, type TestDatabases, type TestDialect } from './test-database';
import { postToSubgraph, testSubgraphSecurity, type ActingAs } from './test-security';

/** Which subgraph's store to seed, on which dialect, from how much of the synthetic company. */
export interface SeededSubgraphOptions<TLoaders = unknown> {
  manifest: SubgraphManifest<TLoaders>;
  seeder: SubgraphSeeder;
  dialect: TestDialect;
  /** Customers 1 to `customers` of the company, with everything they hold. */
  customers: number;
  /** `DEFAULT_SEED` unless given. */
  seed?: number;
  /** `DEFAULT_AS_OF` unless given. */
  asOf?: Date;
  /** Customers per seeding batch; fewer than `customers` also tests that ids stay unique across batches. */
  batchSize?: number;
}

/** A fresh store seeded from the synthetic company, and the facts it was seeded from to compare answers against. */
export interface SeededStore {
  databases: TestDatabases;
  /** The company's facts for the seeded customers: what the store must give back. */
  facts: SeedBatch;
  org: OrgFacts;
}

/** A subgraph over HTTP on a free loopback port, called the way the gateway calls it. */
export interface ServedSubgraph {
  running: RunningSubgraph;
  /** One operation, with the identity assertion the gateway would send for `acting` (the auditor by default). */
  query<TData = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, acting?: ActingAs): Promise<GraphQLResponse<TData>>;
  close(): Promise<void>;
}

/** A subgraph served over a freshly seeded store; `close()` stops it and drops the store. */
export type SeededSubgraph = SeededStore & ServedSubgraph;

/** Seeds a fresh store for `manifest` on `dialect`; the store is dropped again if seeding fails. */
export async function seedTestStore(
  options: Omit<SeededSubgraphOptions, 'manifest'> & { manifest: Pick<SubgraphManifest, 'name' | 'migrations'> },
): Promise<SeededStore> {
  const { manifest, seeder, dialect, customers, seed = DEFAULT_SEED, asOf = DEFAULT_AS_OF, batchSize } = options;
  const databases = createTestDatabases(dialect);
  try {
    await seedStores({ config: databases.config, stores: [{ manifest, seeder }], customers, seed, asOf, batchSize });
  } catch (error) {
    await databases.cleanup();
    throw error;
  }
  const org = generateOrg(seed);
  return { databases, org, facts: generateCompanyBatch({ seed, asOf, org, firstCustomerId: 1, lastCustomerId: customers }) };
}

/** Serves `manifest` over an existing store, ready for queries; a subgraph that fails to get ready is closed again. */
export async function serveTestSubgraph<TLoaders>(manifest: SubgraphManifest<TLoaders>, database: DatabaseConfig): Promise<ServedSubgraph> {
  const running = await startSubgraph(manifest, inProcessSubgraphConfig(manifest.name, database, testSubgraphSecurity()));
  try {
    await running.ready;
  } catch (error) {
    await running.close();
    throw error;
  }
  return {
    running,
    query: async (query, variables = {}, acting) => postToSubgraph(`${running.url}/graphql`, manifest.name, query, variables, acting),
    close: () => running.close(),
  };
}

/**
 * A subgraph listening on a free loopback port over a fresh store seeded with `customers` customers,
 * with the facts it was seeded from. Whatever fails on the way is closed and dropped again.
 */
export async function startSeededSubgraph<TLoaders>(options: SeededSubgraphOptions<TLoaders>): Promise<SeededSubgraph> {
  const store = await seedTestStore(options);
  let served: ServedSubgraph;
  try {
    served = await serveTestSubgraph(options.manifest, store.databases.config);
  } catch (error) {
    await store.databases.cleanup();
    throw error;
  }
  return {
    ...store,
    ...served,
    async close() {
      await served.close();
      await store.databases.cleanup();
    },
  };
}
