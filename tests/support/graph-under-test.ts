import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { startGateway, type RunningGateway } from '@icg/gateway';
import {
  ensureMysqlDatabase,
  EVENTS_PATH,
  inProcessSubgraphConfig,
  migrateToLatest,
  openDatabase,
  startSubgraph,
  type AuditConfig,
  type Clock,
  type DatabaseConfig,
  type CircuitBreakerConfig,
  type GatewayConfig,
  type Logger,
  type NatsSettings,
  type RunningSubgraph,
  type SubgraphConfig,
  type SubgraphManifest,
} from '@icg/shared';
import { DEFAULT_SEED, seedStores } from '@icg/synthetic';
import { SUBGRAPH_REGISTRY } from '@icg/tools';
import { composedSupergraph } from './composed-supergraph';
import { NATS_URL, TEST_RELAY, type TransportUnderTest } from './event-probes';
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
  /** Stops one subgraph, as an outage would: the gateway reports it unavailable, its events wait at their producers. */
  stopSubgraph(name: string): Promise<void>;
  /** Starts a stopped subgraph again on its port and its store; `subgraphs[name]` is the new one. */
  restartSubgraph(name: string): Promise<RunningSubgraph>;
  close(): Promise<void>;
}

export interface GraphOptions {
  dialect?: TestDialect;
  customers?: number;
  seed?: number;
  subgraphTimeoutMs?: number;
  /** The gateway builds the known operations' plans and warms their subgraph fetches before it is ready (as `npm start`). */
  planWarmUp?: boolean;
  /** Point a subgraph at another URL (e.g. a deliberately slow server). */
  subgraphUrlOverrides?: Partial<Record<string, string>>;
  /** The gateway's circuit breaker settings; unset, it never opens (OUT_OF_THE_WAY_BREAKER). */
  circuitBreaker?: CircuitBreakerConfig;
  /** Called for each field the subgraph layer kept from its resolver. */
  onSkippedResolver?: (coordinate: string) => void;
  /** Audit settings of every subgraph, over the test defaults (e.g. a small queue). */
  subgraphAudit?: Partial<AuditConfig>;
  /** Each server's logger (`gateway`, `subgraph-<name>`), e.g. to read the log lines; silent by default. */
  loggerFor?: (server: string) => Logger;
  /** The one clock every subgraph reads (deadlines, SLA timers, jobs): tests move a SettableClock. System time by default. */
  clock?: Clock;
  /** How events travel between the subgraphs: direct HTTP (the default) or NATS JetStream, on a stream of this graph's own. */
  eventTransport?: TransportUnderTest;
}

/**
 * A breaker that never opens, for the suites not about it (tests/circuit-breaker.test.ts sets its own): on a loaded
 * machine one slow subgraph call should fail one assertion, not open the circuit for the rest of the file.
 */
const OUT_OF_THE_WAY_BREAKER: CircuitBreakerConfig = { failureRateThreshold: 1, minimumCalls: 100_000, windowMs: 10_000, openMs: 1_000 };

/**
 * The whole graph in one test process, over real HTTP on free loopback ports: five subgraphs on
 * fresh seeded stores and the gateway on a supergraph composed from the current schemas.
 */
export async function startGraph(options: GraphOptions = {}): Promise<GraphUnderTest> {
  const databases = createTestDatabases(options.dialect);
  const started: RunningSubgraph[] = [];
  const running = new Map<string, RunningSubgraph>();
  const configs = new Map<string, SubgraphConfig>();
  const nats: NatsSettings | undefined = options.eventTransport === 'nats' ? natsSettings() : undefined;
  // Over HTTP, each producer's relay finds its consumers where they listen now.
  const eventConsumerUrl = (consumer: string) => {
    const subgraph = running.get(consumer);
    return subgraph ? `${subgraph.url}${EVENTS_PATH}` : undefined;
  };
  const startOne = async (manifest: SubgraphManifest, port?: number): Promise<RunningSubgraph> => {
    const config = configs.get(manifest.name)!;
    const subgraph = await startSubgraph(manifest, port === undefined ? config : { ...config, port }, {
      ...(options.onSkippedResolver ? { onSkippedResolver: options.onSkippedResolver } : {}),
      ...(options.loggerFor ? { logger: options.loggerFor(`subgraph-${manifest.name}`) } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      eventConsumerUrl,
    });
    started.push(subgraph);
    running.set(manifest.name, subgraph);
    return subgraph;
  };
  try {
    await migrateStoresAtOnce(databases.config);
    await seedStores({ config: databases.config, stores: SUBGRAPH_REGISTRY, customers: options.customers ?? 60, seed: options.seed ?? DEFAULT_SEED });
    for (const { manifest } of SUBGRAPH_REGISTRY) {
      const security = options.subgraphAudit
        ? testSubgraphSecurity({ audit: { ...testSubgraphSecurity().audit, ...options.subgraphAudit } })
        : testSubgraphSecurity();
      const config: SubgraphConfig = inProcessSubgraphConfig(manifest.name, databases.config, security);
      // Quick retries, so a delivery waits out no production backoff; NATS on a stream of this graph's own.
      configs.set(manifest.name, { ...config, events: { ...config.events!, relay: TEST_RELAY, ...(nats ? { nats } : {}) } });
      const subgraph = await startOne(manifest);
      await subgraph.ready;
    }
    const subgraphs = Object.fromEntries(started.map((subgraph) => [subgraph.name, subgraph])) as Record<string, RunningSubgraph>;
    const supergraphPath = join(mkdtempSync(join(tmpdir(), 'icg-supergraph-')), 'supergraph.graphql');
    writeFileSync(supergraphPath, composedSupergraph());
    const subgraphUrls = Object.fromEntries(started.map(({ name, url }) => [name, options.subgraphUrlOverrides?.[name] ?? `${url}/graphql`]));
    const stopSubgraph = async (name: string) => {
      const subgraph = running.get(name);
      if (!subgraph) throw new Error(`subgraph ${name} is not running`);
      running.delete(name);
      await subgraph.close();
    };
    const config: GatewayConfig = {
      database: databases.config,
      host: '127.0.0.1',
      port: 0,
      supergraphPath,
      subgraphUrls,
      subgraphTimeoutMs: options.subgraphTimeoutMs ?? 5_000,
      circuitBreaker: options.circuitBreaker ?? OUT_OF_THE_WAY_BREAKER,
      maxBodyBytes: 100_000,
      logLevel: 'silent',
      security: testGatewaySecurity(),
      ...(options.planWarmUp ? { planWarmUp: true } : {}),
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
      stopSubgraph,
      async restartSubgraph(name) {
        if (running.has(name)) await stopSubgraph(name);
        const entry = SUBGRAPH_REGISTRY.find(({ manifest }) => manifest.name === name);
        if (!entry) throw new Error(`no subgraph ${name}`);
        // Same port: the gateway and the other subgraphs' relays know it there.
        const subgraph = await startOne(entry.manifest, subgraphs[name]!.port);
        await subgraph.ready;
        subgraphs[name] = subgraph;
        return subgraph;
      },
      async close() {
        await gateway.close();
        for (const subgraph of started) await subgraph.close();
        await dropNatsStream(nats);
        await databases.cleanup();
      },
    };
  } catch (error) {
    for (const subgraph of started) await subgraph.close();
    await dropNatsStream(nats);
    await databases.cleanup();
    throw error;
  }
}

/**
 * Every subgraph's store migrated at once, each on its own connection, before the seeder walks them one after the
 * other (it then finds them current): on MariaDB a migration is a run of DDL statements that each wait on the
 * server, and the stores do not wait on each other. The same migrations the seeder runs; the audit store is still
 * migrated by the subgraphs as they start.
 */
async function migrateStoresAtOnce(config: DatabaseConfig): Promise<void> {
  await Promise.all(
    SUBGRAPH_REGISTRY.map(async ({ manifest }) => {
      await ensureMysqlDatabase(config, manifest.name);
      const db = openDatabase(config, manifest.name);
      try {
        await migrateToLatest(db, manifest.migrations);
      } finally {
        await db.destroy();
      }
    }),
  );
}

/** A stream and subjects of this graph's own, so parallel suites never meet on the NATS server. */
function natsSettings(): NatsSettings {
  if (!NATS_URL) throw new Error('NATS tests need NATS_URL');
  const run = randomBytes(4).toString('hex');
  return { url: NATS_URL, stream: `ICGG_${run}`, subjectPrefix: `icgg${run}.events`, maxAgeSeconds: 3_600 };
}

async function dropNatsStream(nats: NatsSettings | undefined): Promise<void> {
  if (!nats) return;
  const connection = await connect({ servers: nats.url });
  try {
    await (await connection.jetstreamManager()).streams.delete(nats.stream).catch(() => false);
  } finally {
    await connection.close();
  }
}
