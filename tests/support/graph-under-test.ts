import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type RunningGateway } from '@icg/gateway';
import { DEFAULT_SEED, seedStores, startSubgraph, SUBGRAPHS, type GatewayConfig, type RunningSubgraph, type SubgraphName } from '@icg/shared';
import { composeRegisteredSubgraphs, SUBGRAPH_REGISTRY } from '@icg/tools';
import { createTestDatabases, type TestDatabases, type TestDialect } from './test-database';

export interface GraphUnderTest {
  gatewayUrl: string;
  graphqlUrl: string;
  subgraphs: Record<SubgraphName, RunningSubgraph>;
  databases: TestDatabases;
  gateway: RunningGateway;
  close(): Promise<void>;
}

export interface GraphOptions {
  dialect?: TestDialect;
  customers?: number;
  seed?: number;
  subgraphTimeoutMs?: number;
  /** Point a subgraph at another URL (e.g. a deliberately slow server). */
  subgraphUrlOverrides?: Partial<Record<SubgraphName, string>>;
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
    for (const { module } of SUBGRAPH_REGISTRY) {
      const running = await startSubgraph(module, { name: module.name, host: '127.0.0.1', port: 0, database: databases.config, maxBodyBytes: 100_000, logLevel: 'silent' });
      started.push(running);
      await running.ready;
    }
    const subgraphs = Object.fromEntries(started.map((running) => [running.name, running])) as Record<SubgraphName, RunningSubgraph>;
    const supergraphPath = join(mkdtempSync(join(tmpdir(), 'icg-supergraph-')), 'supergraph.graphql');
    writeFileSync(supergraphPath, composeRegisteredSubgraphs());
    const subgraphUrls = Object.fromEntries(SUBGRAPHS.map(({ name }) => [name, options.subgraphUrlOverrides?.[name] ?? `${subgraphs[name].url}/graphql`])) as Record<SubgraphName, string>;
    const config: GatewayConfig = {
      host: '127.0.0.1',
      port: 0,
      supergraphPath,
      subgraphUrls,
      subgraphTimeoutMs: options.subgraphTimeoutMs ?? 5_000,
      maxBodyBytes: 100_000,
      logLevel: 'silent',
    };
    const gateway = await startGateway(config);
    return {
      gatewayUrl: gateway.url,
      graphqlUrl: `${gateway.url}/graphql`,
      subgraphs,
      databases,
      gateway,
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
