/**
 * The two probe subgraphs of tools/src/event-probe on fresh stores, in this process or (the sender) as a
 * child process that can be killed, exchanging events over HTTP or NATS JetStream (a stream and subjects
 * of their own per suite, so parallel runs never meet).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect, type NatsConnection } from 'nats';
import {
  AUDIT_STORE,
  dropMysqlDatabase,
  embeddedEventsConfig,
  inProcessSubgraphConfig,
  startSubgraph,
  subgraphPortVariable,
  type NatsSettings,
  type RelaySettings,
  type DatabaseConfig,
  type RunningSubgraph,
  type SubgraphConfig,
} from '@icg/shared';
// Not through @icg/tools: that loads every subgraph of the registry, which the probes do not need.
import { freePort } from '../../tools/src/free-port';
import { PROBE_EVENT_TYPES, PROBE_RECEIVER, PROBE_SENDER, probeReceiverSubgraph, probeSenderSubgraph } from '../../tools/src/event-probe/event-probe';
import { reportSuiteRan } from './database-report';
import type { GraphQLResponse } from './graphql-client';
import type { TestDialect } from './test-database';
import { postToSubgraph, TEST_AUDIT_CHAIN_KEY, TEST_PSEUDONYM_SECRET, testSubgraphAssertionKey, testSubgraphSecurity } from './test-security';

export type TransportUnderTest = 'http' | 'nats';
/** SQLite always; MariaDB/MySQL when MYSQL_URL is set (as TEST_DIALECTS, without loading every subgraph of the registry). */
export const DIALECTS_UNDER_TEST: readonly TestDialect[] = process.env.MYSQL_URL ? ['sqlite', 'mysql'] : ['sqlite'];
export const NATS_URL = process.env.NATS_URL;
/** HTTP always; NATS JetStream when NATS_URL is set (CI sets it). */
export const TRANSPORTS_UNDER_TEST: readonly TransportUnderTest[] = NATS_URL ? ['http', 'nats'] : ['http'];

/** Quick retries, so a test does not wait out production backoff. */
export const TEST_RELAY: RelaySettings = { pollIntervalMs: 100, batchSize: 100, retryBaseMs: 50, retryMaxMs: 400, deliveryTimeoutMs: 3_000 };
const ROOT = join(__dirname, '..', '..');
const PROBE_MAIN = join(ROOT, 'tools', 'dist', 'event-probe', 'event-probe-main.js');

export interface ProbeWorld {
  dialect: TestDialect;
  transport: TransportUnderTest;
  database: DatabaseConfig;
  nats: NatsSettings | undefined;
  senderPort: number;
  receiverPort: number;
  startSender(): Promise<RunningSubgraph>;
  startReceiver(): Promise<RunningSubgraph>;
  /** The sender as its own process (tools/dist), on senderPort; `--crash-after-commit` makes it SIGKILL itself after each commit. */
  spawnSender(flags?: string[]): Promise<ChildProcess>;
  /** A NATS connection for the test itself (publishing duplicates and forgeries); closed with the world. */
  natsConnection(): Promise<NatsConnection>;
  close(): Promise<void>;
}

const RECORD_NOTES = 'mutation Record($key: String!, $first: Int!, $count: Int!) { recordProbeNotes(key: $key, first: $first, count: $count) }';
const RECEIVED = 'query Received($key: String!) { probeReceived(key: $key) }';

export function recordNotes(senderUrl: string, key: string, first: number, count: number): Promise<GraphQLResponse<{ recordProbeNotes: number }>> {
  return postToSubgraph(`${senderUrl}/graphql`, PROBE_SENDER, RECORD_NOTES, { key, first, count });
}

export async function receivedNotes(receiverUrl: string, key: string): Promise<number[]> {
  const response = await postToSubgraph<{ probeReceived: number[] }>(`${receiverUrl}/graphql`, PROBE_RECEIVER, RECEIVED, { key });
  if (!response.data) throw new Error(`probeReceived failed: ${JSON.stringify(response.errors)}`);
  return response.data.probeReceived;
}

/** Polls until `done` holds (the relay retries with backoff), or gives up after `limitMs` with what it last saw. */
export async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, limitMs = 30_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

export interface ProbeWorldOptions {
  /** The in-process subgraphs' audit hand-over timing (audit-handoff.ts); the production defaults otherwise. */
  auditHandoff?: { graceMs: number; sweepIntervalMs: number };
}

export async function createProbeWorld(dialect: TestDialect, transport: TransportUnderTest, options: ProbeWorldOptions = {}): Promise<ProbeWorld> {
  if (dialect === 'mysql' && !process.env.MYSQL_URL) throw new Error('MySQL tests need MYSQL_URL');
  // The probes' own stores (and the audit store beside them): a temp folder, or MySQL databases under a fresh prefix.
  const database: DatabaseConfig = {
    mysqlUrl: dialect === 'mysql' ? process.env.MYSQL_URL : undefined,
    mysqlDatabasePrefix: `icgt_${randomBytes(4).toString('hex')}_`,
    dataDir: mkdtempSync(join(tmpdir(), 'icg-events-')),
    poolMax: 5,
  };
  reportSuiteRan(dialect);
  reportSuiteRan(transport);
  const run = randomBytes(4).toString('hex');
  const nats: NatsSettings | undefined =
    transport === 'nats' ? { url: NATS_URL!, stream: `ICGT_${run}`, subjectPrefix: `icgt${run}.events`, maxAgeSeconds: 3_600 } : undefined;
  const [senderPort, receiverPort] = [await freePort(), await freePort()];
  const receiverEventsUrl = `http://127.0.0.1:${receiverPort}/events`;
  const started: RunningSubgraph[] = [];
  const children: ChildProcess[] = [];
  let connection: Promise<NatsConnection> | undefined;

  const security = testSubgraphSecurity();
  if (options.auditHandoff)
    security.audit = { ...security.audit, handoffGraceMs: options.auditHandoff.graceMs, handoffSweepIntervalMs: options.auditHandoff.sweepIntervalMs };
  const configOf = (name: string, port: number): SubgraphConfig => ({
    ...inProcessSubgraphConfig(name, database, security),
    port,
    events: { ...embeddedEventsConfig(database.dataDir, { [PROBE_RECEIVER]: receiverEventsUrl }), relay: TEST_RELAY, ...(nats ? { nats } : {}) },
  });
  const start = async (manifest: Parameters<typeof startSubgraph>[0], port: number) => {
    const running = await startSubgraph(manifest, configOf(manifest.name, port), { eventCatalog: PROBE_EVENT_TYPES });
    started.push(running);
    await running.ready;
    return running;
  };

  return {
    dialect,
    transport,
    database,
    nats,
    senderPort,
    receiverPort,
    startSender: () => start(probeSenderSubgraph(), senderPort),
    startReceiver: () => start(probeReceiverSubgraph(), receiverPort),
    async spawnSender(flags = []) {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        APOLLO_TELEMETRY_DISABLED: '1',
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        [subgraphPortVariable(PROBE_SENDER)]: String(senderPort),
        DATA_DIR: database.dataDir,
        MYSQL_DATABASE_PREFIX: database.mysqlDatabasePrefix,
        ...(database.mysqlUrl ? { MYSQL_URL: database.mysqlUrl } : {}),
        IDENTITY_ASSERTION_KEY: testSubgraphAssertionKey(PROBE_SENDER),
        PSEUDONYM_SECRET: TEST_PSEUDONYM_SECRET,
        AUDIT_PSEUDONYM_SECRET: TEST_PSEUDONYM_SECRET,
        AUDIT_CHAIN_KEY: TEST_AUDIT_CHAIN_KEY,
        PROBE_RECEIVER_EVENTS_URL: receiverEventsUrl,
        EVENT_RELAY_POLL_MS: String(TEST_RELAY.pollIntervalMs),
        EVENT_RETRY_BASE_MS: String(TEST_RELAY.retryBaseMs),
        EVENT_RETRY_MAX_MS: String(TEST_RELAY.retryMaxMs),
        ...(nats
          ? { NATS_URL: nats.url, NATS_STREAM: nats.stream, NATS_SUBJECT_PREFIX: nats.subjectPrefix, NATS_MAX_AGE_SECONDS: String(nats.maxAgeSeconds) }
          : {}),
      };
      const child = spawn(process.execPath, [PROBE_MAIN, 'sender', ...flags], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const lines = createInterface({ input: child.stdout! });
      await new Promise<void>((resolve, reject) => {
        lines.once('line', () => resolve());
        child.once('exit', (code, signal) => reject(new Error(`probe sender exited (${code ?? signal}) before listening: ${stderr.slice(0, 500)}`)));
      });
      return child;
    },
    natsConnection() {
      if (!nats) throw new Error('not a NATS world');
      connection ??= connect({ servers: nats.url });
      return connection;
    },
    async close() {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const running of started) await running.close();
      if (connection) {
        const open = await connection;
        if (nats) await (await open.jetstreamManager()).streams.delete(nats.stream).catch(() => false);
        await open.close();
      }
      if (database.mysqlUrl) for (const store of [PROBE_SENDER, PROBE_RECEIVER, AUDIT_STORE]) await dropMysqlDatabase(database, store);
      rmSync(database.dataDir, { recursive: true, force: true });
    },
  };
}
