import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type RunningGateway } from '@icg/gateway';
import { inProcessSubgraphConfig, startSubgraph, type AuditConfig, type GatewayConfig, type Logger, type RunningSubgraph } from '@icg/shared';
import { DEFAULT_SEED, seedStores } from '@icg/synthetic';
import { composeRegisteredSubgraphs, SUBGRAPH_REGISTRY } from '@icg/tools';
import { postGraphQL, type GraphQLResponse } from './graphql-client';
import { createTestDatabases, type TestDatabases, type TestDialect } from './test-database';
import { AUDITOR, bearerHeaders, testGatewaySecurity, testSubgraphSecurity, type ActingAs } from './test-security';

export interface GraphUnderTest {
  gatewayUrl: string;
  graphqlUrl: string;
  subgraphs: Record<string, RunningSubgraph>;
  databases: TestDatabases;
  gateway: RunningGateway;
  /** One operation through the gateway as a seeded staff member (the auditor, with a purpose, by default). */
  query<TData = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    acting?: ActingAs,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<TData>>;
  close(): Promise<void>;
}

export interface GraphOptions {
  dialect?: TestDialect;
  customers?: number;
  seed?: number;
  subgraphTimeoutMs?: number;
  /** Point a subgraph at another URL (e.g. a deliberately slow server). */
  subgraphUrlOverrides?: Partial<Record<string, string>>;
  /** Called for each field the subgraph layer kept from its resolver. */
  onSkippedResolver?: (coordinate: string) => void;
  /** Audit settings of every subgraph, over the test defaults (e.g. a small queue). */
  subgraphAudit?: Partial<AuditConfig>;
  /** Each server's logger (`gateway`, `subgraph-<name>`), e.g. to read the log lines; silent by default. */
  loggerFor?: (server: string) => Logger;
}

/**
 * The whole graph in one test process, over real HTTP on free loopback ports: five subgraphs on
 * fresh seeded stores and the gateway on a supergraph composed from the current schemas.
 */
export async function startGraph(options: GraphOptions = {}): Promise<GraphUnderTest> {
  const databases = createTestDatabases(options.dialect);
  const started: RunningSubgraph[] = [];
  try {
    await seedStores({ config: databases.config, stores: SUBGRAPH_REGISTRY, customers: options.customers ?? 60, seed: options.seed ?? DEFAULT_SEED });
    for (const { manifest } of SUBGRAPH_REGISTRY) {
      const security = options.subgraphAudit
        ? testSubgraphSecurity({ audit: { ...testSubgraphSecurity().audit, ...options.subgraphAudit } })
        : testSubgraphSecurity();
      const running = await startSubgraph(manifest, inProcessSubgraphConfig(manifest.name, databases.config, security), {
        ...(options.onSkippedResolver ? { onSkippedResolver: options.onSkippedResolver } : {}),
        ...(options.loggerFor ? { logger: options.loggerFor(`subgraph-${manifest.name}`) } : {}),
      });
      started.push(running);
      await running.ready;
    }
    const subgraphs = Object.fromEntries(started.map((running) => [running.name, running])) as Record<string, RunningSubgraph>;
    const supergraphPath = join(mkdtempSync(join(tmpdir(), 'icg-supergraph-')), 'supergraph.graphql');
    writeFileSync(supergraphPath, composeRegisteredSubgraphs());
    const subgraphUrls = Object.fromEntries(started.map(({ name, url }) => [name, options.subgraphUrlOverrides?.[name] ?? `${url}/graphql`]));
    const config: GatewayConfig = {
      database: databases.config,
      host: '127.0.0.1',
      port: 0,
      supergraphPath,
      subgraphUrls,
      subgraphTimeoutMs: options.subgraphTimeoutMs ?? 5_000,
      maxBodyBytes: 100_000,
      logLevel: 'silent',
      security: testGatewaySecurity(),
    };
    const gateway = await startGateway(config, options.loggerFor ? { logger: options.loggerFor('gateway') } : {});
    return {
      gatewayUrl: gateway.url,
      graphqlUrl: `${gateway.url}/graphql`,
      subgraphs,
      databases,
      gateway,
      query: async (query, variables = {}, acting = AUDITOR, headers = {}) =>
        postGraphQL(`${gateway.url}/graphql`, query, variables, { ...(await bearerHeaders(acting)), ...headers }),
      async close() {
        await gateway.close();
        for (const running of started) await running.close();
        await databases.cleanup();
      },
    };
  } catch (error) {
    for (const running of started) await running.close();
    await databases.cleanup();
    throw error;
  }
}
