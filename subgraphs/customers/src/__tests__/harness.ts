import { assertionHeaders, testSubgraphSecurity } from '../../../../tests/support/test-security';
import { DEFAULT_AS_OF, DEFAULT_SEED, generateCompanyBatch, generateOrg, seedStores, startSubgraph, type OrgFacts, type RunningSubgraph, type SeedBatch } from '@icg/shared';
import { postGraphQL, type GraphQLResponse } from '../../../../tests/support/graphql-client';
import { createTestDatabases, type TestDatabases, type TestDialect } from '../../../../tests/support/test-database';
import { customersSeeder, customersSubgraph } from '../index';

/** The customers subgraph over HTTP on a freshly seeded store, with the facts it was seeded from. */
export interface SeededCustomers {
  running: RunningSubgraph;
  databases: TestDatabases;
  /** What the store must give back: the company's facts for the seeded customers. */
  company: SeedBatch;
  org: OrgFacts;
  query<TData = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<TData>>;
  close(): Promise<void>;
}

export const CUSTOMERS_STORE = { manifest: customersSubgraph, seeder: customersSeeder };

export async function startSeededCustomers(dialect: TestDialect, customers: number): Promise<SeededCustomers> {
  const databases = createTestDatabases(dialect);
  await seedStores({ config: databases.config, stores: [CUSTOMERS_STORE], customers, seed: DEFAULT_SEED, asOf: DEFAULT_AS_OF });
  const running = await startSubgraph(customersSubgraph, { name: 'customers', host: '127.0.0.1', port: 0, database: databases.config, maxBodyBytes: 100_000, logLevel: 'silent', security: testSubgraphSecurity() });
  await running.ready;
  const org = generateOrg(DEFAULT_SEED);
  return {
    running,
    databases,
    org,
    company: generateCompanyBatch({ seed: DEFAULT_SEED, asOf: DEFAULT_AS_OF, org, firstCustomerId: 1, lastCustomerId: customers }),
    query: async (query, variables = {}) => postGraphQL(`${running.url}/graphql`, query, variables, await assertionHeaders('customers')),
    async close() {
      await running.close();
      await databases.cleanup();
    },
  };
}
