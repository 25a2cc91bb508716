import { assertionHeaders, testSubgraphSecurity } from '../../../../tests/support/test-security';
import {
  DEFAULT_AS_OF,
  generateCompanyBatch,
  generateOrg,
  seedStores,
  startSubgraph,
  type RunningSubgraph,
  type SeedBatch,
} from '@icg/shared';
import { createTestDatabases, type TestDialect } from '../../../../tests/support/test-database';
import { postGraphQL, type GraphQLResponse } from '../../../../tests/support/graphql-client';
import { claimsSeeder, claimsSubgraph } from '../index';

export const TEST_SEED = 4_242;

export interface SeededClaims {
  running: RunningSubgraph;
  /** The facts the store was seeded from, to compare answers against. */
  facts: SeedBatch;
  query<TData = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<TData>>;
  close(): Promise<void>;
}

/** A claims subgraph listening on a free port over a fresh store seeded with `customers` customers. */
export async function startSeededClaims(dialect: TestDialect, customers: number): Promise<SeededClaims> {
  const databases = createTestDatabases(dialect);
  let running: RunningSubgraph | undefined;
  try {
    await seedStores({ config: databases.config, stores: [{ manifest: claimsSubgraph, seeder: claimsSeeder }], customers, seed: TEST_SEED, asOf: DEFAULT_AS_OF });
    running = await startSubgraph(claimsSubgraph, { name: 'claims', host: '127.0.0.1', port: 0, database: databases.config, maxBodyBytes: 100_000, logLevel: 'silent', security: testSubgraphSecurity() });
    await running.ready;
  } catch (error) {
    await running?.close();
    await databases.cleanup();
    throw error;
  }
  const started = running;
  const facts = generateCompanyBatch({ seed: TEST_SEED, asOf: DEFAULT_AS_OF, org: generateOrg(TEST_SEED), firstCustomerId: 1, lastCustomerId: customers });
  return {
    running: started,
    facts,
    query: async (query, variables = {}) => postGraphQL(`${started.url}/graphql`, query, variables, await assertionHeaders('claims')),
    async close() {
      await started.close();
      await databases.cleanup();
    },
  };
}
