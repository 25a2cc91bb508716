import { assertionHeaders, testSubgraphSecurity } from '../../../../tests/support/test-security';
import { DEFAULT_AS_OF, generateCompanyBatch, generateOrg, seedStores, startSubgraph, type RunningSubgraph, type SeedBatch } from '@icg/shared';
import { postGraphQL, type GraphQLResponse } from '../../../../tests/support/graphql-client';
import { createTestDatabases, type TestDatabases, type TestDialect } from '../../../../tests/support/test-database';
import { policiesSeeder, policiesSubgraph } from '../index';

export const TEST_SEED = 7_117;

export interface SeededPolicies {
  running: RunningSubgraph;
  databases: TestDatabases;
  /** The facts the store was seeded from, to compare answers against. */
  facts: SeedBatch;
  query<TData = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<TData>>;
  close(): Promise<void>;
}

/** The policies subgraph on a free port over a fresh store seeded with `customers` customers. */
export async function startSeededPolicies(dialect: TestDialect, customers: number, batchSize?: number): Promise<SeededPolicies> {
  const databases = createTestDatabases(dialect);
  let running: RunningSubgraph | undefined;
  try {
    await seedStores({ config: databases.config, stores: [{ manifest: policiesSubgraph, seeder: policiesSeeder }], customers, seed: TEST_SEED, asOf: DEFAULT_AS_OF, batchSize });
    running = await startSubgraph(policiesSubgraph, { name: 'policies', host: '127.0.0.1', port: 0, database: databases.config, maxBodyBytes: 100_000, logLevel: 'silent', security: testSubgraphSecurity() });
    await running.ready;
  } catch (error) {
    await running?.close();
    await databases.cleanup();
    throw error;
  }
  const started = running;
  return {
    running: started,
    databases,
    facts: generateCompanyBatch({ seed: TEST_SEED, asOf: DEFAULT_AS_OF, org: generateOrg(TEST_SEED), firstCustomerId: 1, lastCustomerId: customers }),
    query: async (query, variables = {}) => postGraphQL(`${started.url}/graphql`, query, variables, await assertionHeaders('policies')),
    async close() {
      await started.close();
      await databases.cleanup();
    },
  };
}
