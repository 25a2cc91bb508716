import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  AUDIT_STORE,
  dropMysqlDatabase,
  loadDatabaseConfig,
  mintDevelopmentToken,
  openDatabase,
  sqliteFileFor,
  subgraphPortVariable,
  type DatabaseConfig,
} from '@icg/shared';
import { readFieldClassifications } from '@icg/gateway';
import { DEFAULT_SEED, findStaff, generateOrg, identityOfStaff, isStoreSeeded, randomInt, SeededRandom, seedStores } from '@icg/synthetic';
import { CUSTOMER_360_QUERY } from '../example-queries';
import { freePort } from '../free-port';
import { formatProgress } from '../seed-progress';
import { REPOSITORY_ROOT, SUBGRAPH_REGISTRY } from '../subgraph-registry';
import { describeMachine, writeBenchmarkSection } from './benchmark-report';
import { percentile } from './paired-rounds';
import { AuditReconciler } from './soak/audit-reconciliation';
import { lastAuditRowId, reconcileAuditStore } from './soak/audit-rows';
import { HeapInspector } from './soak/heap-inspector';
import { runOpenLoop, type OpenLoopAnswer } from './soak/open-loop';
import { SensitiveValueCounter, readFieldTypes } from './soak/sensitive-values';
import { evaluateSoak, failureCodes, judgeAnswer, MinuteRecorder, type ProcessHeap } from './soak/soak-evaluation';
import { formatSoakReport, type SoakReport } from './soak/soak-report';
import { runLoad } from './stack/http-load';
import { answersOk, launchServer, stopServer, stopServersOnSignal, waitUntilReady, type ServerProcess } from './stack/stack-processes';

/**
 * `npm run bench:soak` (issue 12, "Staying power"): the graph as `npm start` runs it (the gateway and every subgraph
 * its own process) under a fixed arrival rate of customer-360s, 80 % of the rate it sustains, for `--minutes`. Checks
 * and writes to BENCHMARKS.md: zero errors (listed by code), the heap of every process after forced collections at the
 * end within 10 % of the start (after a warm-up), and the audit trail holding exactly the sensitive values served.
 *
 * Flags: `--customers N` (100,000), `--sqlite` (default MariaDB, needs MYSQL_URL), `--minutes` (30), `--rate R`
 * (requests/s of the soak itself; else 80 % of a closed-loop measurement), `--connections` (10, the measurement's),
 * `--rate-seconds` (20), `--warmup-minutes` (1), `--reuse` (keep stores that hold N customers), `--drop`,
 * `--heap-snapshots` (write each process's heap snapshot after the start and end collections), `--leave-empty A,B`
 * (subgraphs whose stores are not seeded, only migrated at start: for a subgraph the customer-360 does not read
 * whose seeder is broken), `--label TEXT`.
 */

/** Stores per size (`icgbench_soak_100000_customers`), so a short run at 10,000 does not reseed the 100,000 a long one `--reuse`s. */
const mysqlPrefix = (customers: number) => `icgbench_soak_${customers}_`;
const sqliteDirectory = (customers: number) => join(tmpdir(), `icg-bench-soak-sqlite-${customers}`);
const SOAK_SHARE = 0.8;
/** Caller limits stay on but never bind: one auditor sends every request. */
const UNBINDING_RATE_LIMITS = 'default=100000r/s,100000c';
/** Open loop: connections it may open, and requests in flight beyond which one is counted as an error, not sent. */
const MAX_CONNECTIONS = 100;
const MAX_IN_FLIGHT = 2_000;
const RATE_WARMUP_SECONDS = 15;

interface Options {
  customers: number;
  sqlite: boolean;
  minutes: number;
  rate: number | undefined;
  connections: number;
  rateSeconds: number;
  warmupMinutes: number;
  reuse: boolean;
  drop: boolean;
  heapSnapshots: boolean;
  leaveEmpty: string[];
  label: string | undefined;
}

function positive(name: string, value: string | undefined, fallback: number, integer = true): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!(parsed > 0) || (integer && !Number.isInteger(parsed)))
    throw new Error(`--${name} must be a positive ${integer ? 'whole ' : ''}number, not ${JSON.stringify(value)}`);
  return parsed;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string' },
      sqlite: { type: 'boolean', default: false },
      minutes: { type: 'string' },
      rate: { type: 'string' },
      connections: { type: 'string' },
      'rate-seconds': { type: 'string' },
      'warmup-minutes': { type: 'string' },
      reuse: { type: 'boolean', default: false },
      drop: { type: 'boolean', default: false },
      'heap-snapshots': { type: 'boolean', default: false },
      'leave-empty': { type: 'string' },
      label: { type: 'string' },
    },
  });
  return {
    customers: positive('customers', values.customers, 100_000),
    sqlite: values.sqlite ?? false,
    minutes: positive('minutes', values.minutes, 30),
    rate: values.rate === undefined ? undefined : positive('rate', values.rate, 0, false),
    connections: positive('connections', values.connections, 10),
    rateSeconds: positive('rate-seconds', values['rate-seconds'], 20),
    warmupMinutes: positive('warmup-minutes', values['warmup-minutes'], 1),
    reuse: values.reuse ?? false,
    drop: values.drop ?? false,
    heapSnapshots: values['heap-snapshots'] ?? false,
    leaveEmpty: values['leave-empty'] ? values['leave-empty'].split(',').map((name) => name.trim()) : [],
    label: values.label,
  };
}

function commandOf(options: Options): string {
  const flags = [
    `--customers ${options.customers}`,
    ...(options.sqlite ? ['--sqlite'] : []),
    `--minutes ${options.minutes}`,
    ...(options.rate === undefined ? [] : [`--rate ${options.rate}`]),
    ...(options.reuse ? ['--reuse'] : []),
    ...(options.leaveEmpty.length ? [`--leave-empty ${options.leaveEmpty.join(',')}`] : []),
  ];
  return `${options.sqlite ? '' : 'MYSQL_URL=mysql://root@127.0.0.1:3306 '}npm run bench:soak -- ${flags.join(' ')}`;
}

/** Random customer ids 1..customers, the same sequence every run (the synthetic data's own generator). */
function customerIds(customers: number): () => number {
  const random = SeededRandom.for('bench:soak', customers);
  return () => randomInt(random, 1, customers);
}

const customer360 = (id: number) => JSON.stringify({ query: CUSTOMER_360_QUERY, operationName: 'Customer360', variables: { id: String(id) } });

/** Seeds `customers` customers unless `--reuse` finds the stores holding exactly that many. */
async function prepareStores(config: DatabaseConfig, options: Options): Promise<void> {
  const unknown = options.leaveEmpty.filter((name) => !SUBGRAPH_REGISTRY.some((entry) => entry.manifest.name === name));
  if (unknown.length) throw new Error(`--leave-empty: no subgraph named ${unknown.join(', ')}`);
  const stores = SUBGRAPH_REGISTRY.filter((entry) => !options.leaveEmpty.includes(entry.manifest.name));
  if (options.reuse) {
    let seeded = true;
    for (const store of stores) seeded &&= await isStoreSeeded(config, store);
    const db = openDatabase(config, 'customers');
    const held = seeded ? Number(((await db.table('customers').count({ total: '*' })) as { total: number | string }[])[0]?.total ?? 0) : 0;
    await db.destroy();
    if (held === options.customers) return void process.stderr.write(`reusing the seeded stores (${held.toLocaleString('en')} customers)\n`);
  }
  const every = Math.max(1_000, Math.floor(options.customers / 10));
  await seedStores({
    config,
    stores,
    customers: options.customers,
    seed: DEFAULT_SEED,
    reset: true,
    onProgress: (progress) => {
      if (progress.customersDone % every === 0 || progress.customersDone === progress.customersTotal) process.stderr.write(`${formatProgress(progress)}\n`);
    },
  });
}

interface RunningGraph {
  servers: ServerProcess[];
  inspectors: HeapInspector[];
  url: string;
}

/** Subgraphs first (each ready), then the gateway, each with the inspector on a free port of its own. */
async function startGraph(env: NodeJS.ProcessEnv, logDirectory: string): Promise<RunningGraph> {
  const graph: RunningGraph = { servers: [], inspectors: [], url: '' };
  const ports = new Map<ServerProcess, number>();
  const launch = async (name: string, entry: string, serverEnv: NodeJS.ProcessEnv) => {
    const port = await freePort();
    const server = launchServer(name, entry, serverEnv, logDirectory, { extraFlags: [`--inspect=127.0.0.1:${port}`] });
    graph.servers.push(server);
    ports.set(server, port);
    return server;
  };
  try {
    for (const { manifest, directory } of SUBGRAPH_REGISTRY) await launch(manifest.name, `${directory}/dist/main.js`, env);
    for (const [index, { manifest }] of SUBGRAPH_REGISTRY.entries())
      await waitUntilReady(graph.servers[index]!, answersOk(`http://127.0.0.1:${env[subgraphPortVariable(manifest.name)]}/ready`), 180_000);
    const gatewayPort = await freePort();
    const gateway = await launch('gateway', 'gateway/dist/main.js', { ...env, PORT: String(gatewayPort) });
    await waitUntilReady(gateway, answersOk(`http://127.0.0.1:${gatewayPort}/ready`), 120_000);
    graph.url = `http://127.0.0.1:${gatewayPort}/graphql`;
    for (const server of graph.servers) graph.inspectors.push(await HeapInspector.connect(server.name, ports.get(server)!));
    return graph;
  } catch (error) {
    await stopGraph(graph);
    throw error;
  }
}

async function stopGraph(graph: RunningGraph): Promise<void> {
  for (const inspector of graph.inspectors) inspector.close();
  await Promise.all(graph.servers.map((server) => stopServer(server)));
}

async function heapsNow(inspectors: readonly HeapInspector[]): Promise<Record<string, number>> {
  return Object.fromEntries(await Promise.all(inspectors.map(async (inspector) => [inspector.name, await inspector.heapUsed()] as const)));
}

async function heapsAfterGc(inspectors: readonly HeapInspector[], snapshotDirectory: string | undefined, moment: string): Promise<Record<string, number>> {
  const heaps: Record<string, number> = {};
  // One at a time: a full collection of every process at once would compete for the machine's two cores.
  for (const inspector of inspectors) {
    heaps[inspector.name] = await inspector.heapAfterGc();
    if (snapshotDirectory) await inspector.writeHeapSnapshot(join(snapshotDirectory, `${inspector.name}-${moment}.heapsnapshot`));
  }
  return heaps;
}

/** Waits until the audit table stops growing for `quietMs`: the writers' queues have reached the store. */
async function auditSettled(config: DatabaseConfig, quietMs = 3_000): Promise<number> {
  let last = await lastAuditRowId(config);
  for (;;) {
    await delay(quietMs);
    const now = await lastAuditRowId(config);
    if (now === last) return now;
    last = now;
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  stopServersOnSignal();
  const base = loadDatabaseConfig();
  if (!options.sqlite && !base.mysqlUrl)
    throw new Error('bench:soak runs on MariaDB and needs MYSQL_URL (e.g. mysql://root@127.0.0.1:3306); --sqlite for SQLite');
  const prefix = mysqlPrefix(options.customers);
  const sqliteData = sqliteDirectory(options.customers);
  const database: DatabaseConfig = options.sqlite
    ? { mysqlUrl: undefined, mysqlDatabasePrefix: prefix, dataDir: sqliteData, poolMax: base.poolMax }
    : { ...base, mysqlDatabasePrefix: prefix };
  const runDirectory = mkdtempSync(join(tmpdir(), 'icg-bench-soak-'));
  const snapshotDirectory = options.heapSnapshots ? join(runDirectory, 'heap-snapshots') : undefined;
  if (snapshotDirectory) mkdirSync(snapshotDirectory);
  process.stderr.write(
    `bench:soak: ${options.customers.toLocaleString('en')} customers on ${options.sqlite ? 'SQLite' : 'MariaDB'}; server logs in ${runDirectory}\n`,
  );
  await prepareStores(database, options);
  // Each run starts with an empty audit store, so every record in it is this run's.
  if (database.mysqlUrl) await dropMysqlDatabase(database, AUDIT_STORE);
  else for (const suffix of ['', '-wal', '-shm']) rmSync(`${sqliteFileFor(database, AUDIT_STORE)}${suffix}`, { force: true });

  const assertionSecret = randomBytes(32).toString('base64url');
  const tokenSecret = randomBytes(32).toString('base64url');
  const secret = () => randomBytes(24).toString('base64url');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    APOLLO_TELEMETRY_DISABLED: '1',
    HOST: '127.0.0.1',
    DATA_DIR: options.sqlite ? sqliteData : runDirectory,
    MYSQL_DATABASE_PREFIX: prefix,
    RATE_LIMITS: UNBINDING_RATE_LIMITS,
    AUTH_HS256_SECRET: tokenSecret,
    // Given here so seven processes do not race to generate them into DATA_DIR.
    // One machine: each subgraph derives its own key from it.
    IDENTITY_ASSERTION_SECRET: assertionSecret,
    PSEUDONYM_SECRET: secret(),
    AUDIT_PSEUDONYM_SECRET: secret(),
    AUDIT_CHAIN_KEY: secret(),
    AUDIT_CHECKPOINT_PATH: join(runDirectory, 'audit-checkpoints.jsonl'),
  };
  if (options.sqlite) delete env['MYSQL_URL'];
  for (const { manifest } of SUBGRAPH_REGISTRY) env[subgraphPortVariable(manifest.name)] = String(await freePort());
  const org = generateOrg(DEFAULT_SEED);
  const token = await mintDevelopmentToken({ secret: tokenSecret, identity: identityOfStaff(findStaff(org, 'AUDITOR'), 'AUDIT'), ttlSeconds: 7 * 24 * 3_600 });
  const headers = { authorization: `Bearer ${token}` };

  const supergraph = readFileSync(join(REPOSITORY_ROOT, 'gateway', 'supergraph.graphql'), 'utf8');
  const classifications = readFieldClassifications(supergraph);
  const counter = new SensitiveValueCounter(CUSTOMER_360_QUERY, readFieldTypes(supergraph), (coordinate) => {
    const tier = classifications.get(coordinate)?.tier ?? 'RESTRICTED';
    return tier === 'CONFIDENTIAL' || tier === 'RESTRICTED';
  });
  process.stderr.write(`sensitive coordinates of the customer-360: ${counter.coordinates.join(', ')}\n`);

  const loadAverage = { start: loadavg()[0]!, end: 0, min: Number.POSITIVE_INFINITY, max: 0 };
  const graph = await startGraph(env, runDirectory);
  let passed: boolean;
  try {
    const next = customerIds(options.customers);
    const first = judgeAnswer(...(await firstAnswer(graph.url, headers, customer360(next()))));
    if (!first.ok) throw new Error(`the first customer-360 failed: ${first.codes.join(', ')}`);

    let sustainable: SoakReport['sustainable'];
    let ratePerSecond: number;
    if (options.rate === undefined) {
      // Unmeasured first: the first requests build query plans and warm the JIT, which is not the rate the graph sustains.
      const closedLoop = (seconds: number) =>
        runLoad({ url: graph.url, headers, bodyFor: () => customer360(next()), connections: options.connections, seconds });
      process.stderr.write(`closed-loop warm-up, ${RATE_WARMUP_SECONDS} s\n`);
      await closedLoop(RATE_WARMUP_SECONDS);
      process.stderr.write(`sustainable rate: closed loop, ${options.connections} connections, ${options.rateSeconds} s\n`);
      const load = await closedLoop(options.rateSeconds);
      if (load.completed === 0) throw new Error(`the rate measurement had no complete answer; the first failure: ${load.firstFailure}`);
      // Only complete answers count towards the rate; failures are reported with it (the soak's own errors are what is judged).
      sustainable = {
        requestsPerSecond: load.completed / (load.elapsedMs / 1_000),
        failed: load.failed,
        firstFailure: failureCodes(load.firstFailure),
        p50Ms: percentile(load.latenciesMs, 0.5),
        p99Ms: percentile(load.latenciesMs, 0.99),
        connections: options.connections,
        seconds: options.rateSeconds,
      };
      process.stderr.write(
        `sustainable: ${sustainable.requestsPerSecond.toFixed(1)} req/s, p50 ${sustainable.p50Ms.toFixed(1)} ms, p99 ${sustainable.p99Ms.toFixed(1)} ms, ${load.failed} failed\n`,
      );
      ratePerSecond = SOAK_SHARE * sustainable.requestsPerSecond;
    } else {
      sustainable = { given: options.rate };
      ratePerSecond = options.rate;
    }

    // Every answer of the warm-up and the soak is held against the audit trail: the rows before this id are the rate measurement's.
    const auditBaseline = await auditSettled(database);
    const served = new Map<string, Uint16Array>();
    const failed = new Set<string>();
    const errorsByCode: Record<string, number> = {};
    const minutes = new MinuteRecorder();
    const onAnswer = (answer: OpenLoopAnswer) => {
      const verdict = judgeAnswer(answer.status, answer.body, answer.transportError);
      minutes.record(answer.latencyMs, verdict.ok);
      if (verdict.ok && answer.requestId) served.set(answer.requestId, Uint16Array.from(counter.count(verdict.data)));
      else {
        if (answer.requestId) failed.add(answer.requestId);
        for (const code of verdict.ok ? ['NO x-request-id'] : verdict.codes) errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
      }
    };
    const openLoop = (durationMs: number) =>
      runOpenLoop({
        url: graph.url,
        headers,
        ratePerSecond,
        durationMs,
        bodyFor: () => customer360(next()),
        onAnswer,
        maxConnections: MAX_CONNECTIONS,
        maxInFlight: MAX_IN_FLIGHT,
      });

    process.stderr.write(`warm-up: ${options.warmupMinutes} min at ${ratePerSecond.toFixed(1)} req/s (open loop)\n`);
    await openLoop(options.warmupMinutes * 60_000);
    const warmupErrors = Object.values(errorsByCode).reduce((sum, count) => sum + count, 0);
    process.stderr.write(`warm-up done (${warmupErrors} errors); forced GC in each process\n`);
    const startHeaps = await heapsAfterGc(graph.inspectors, snapshotDirectory, 'start');
    minutes.discard();

    process.stderr.write(`soak: ${options.minutes} min at ${ratePerSecond.toFixed(1)} req/s\n`);
    const soakStart = performance.now();
    const answeredBefore = served.size;
    const ticker = (async () => {
      for (let minute = 1; minute <= options.minutes; minute++) {
        const wait = soakStart + minute * 60_000 - performance.now();
        if (wait > 0) await delay(wait);
        const heaps = await heapsNow(graph.inspectors).catch(() => ({}) as Record<string, number>);
        const load = loadavg()[0]!;
        const figures = minutes.close(heaps, load);
        loadAverage.min = Math.min(loadAverage.min, load);
        loadAverage.max = Math.max(loadAverage.max, load);
        process.stderr.write(
          `minute ${minute}/${options.minutes}: ${figures.requests} requests, ${figures.errors} errors, p50 ${figures.p50Ms.toFixed(1)} ms, p99 ${figures.p99Ms.toFixed(1)} ms, heap ${Object.entries(
            heaps,
          )
            .map(([name, bytes]) => `${name} ${(bytes / 2 ** 20).toFixed(1)}`)
            .join(', ')} MiB, load ${load.toFixed(1)}\n`,
        );
      }
    })();
    const soak = await openLoop(options.minutes * 60_000);
    await ticker;
    const answeredInSoak = served.size - answeredBefore;

    process.stderr.write('soak done; forced GC in each process\n');
    await delay(2_000);
    const endHeaps = await heapsAfterGc(graph.inspectors, snapshotDirectory, 'end');
    const heaps: ProcessHeap[] = graph.inspectors.map((inspector) => ({
      name: inspector.name,
      startBytes: startHeaps[inspector.name]!,
      endBytes: endHeaps[inspector.name]!,
    }));
    loadAverage.end = loadavg()[0]!;
    // SIGTERM flushes every writer's queue; the store then holds all the records it will ever hold of this run.
    await stopGraph(graph);
    process.stderr.write(`audit: holding ${served.size.toLocaleString('en')} answered requests against the store\n`);
    const audit = await reconcileAuditStore(database, auditBaseline, new AuditReconciler(counter.coordinates, served, failed));
    const outcome = { errorsByCode, heaps, audit };
    const criteria = evaluateSoak(outcome);
    passed = criteria.every((criterion) => criterion.passed);
    const report: SoakReport = {
      dialect: options.sqlite ? 'SQLite' : 'MariaDB',
      customers: options.customers,
      minutes: options.minutes,
      warmupMinutes: options.warmupMinutes,
      sustainable,
      ratePerSecond,
      sent: soak.sent,
      answered: answeredInSoak,
      minuteFigures: minutes.minutes,
      processes: graph.inspectors.map((inspector) => inspector.name),
      outcome,
      criteria,
      command: commandOf(options),
      machine: describeMachine(),
      database: options.sqlite ? 'SQLite (better-sqlite3)' : await mariadbVersion(database),
      emptyStores: options.leaveEmpty,
      loadAverage: { ...loadAverage, min: Math.min(loadAverage.min, loadAverage.start), max: Math.max(loadAverage.max, loadAverage.start) },
      date: new Date().toISOString().slice(0, 10),
      label: options.label,
    };
    writeBenchmarkSection(`soak-${options.sqlite ? 'sqlite' : 'mysql'}`, formatSoakReport(report));
    for (const criterion of criteria) process.stderr.write(`${criterion.passed ? 'pass' : 'FAIL'}: ${criterion.name}: ${criterion.detail}\n`);
    process.stderr.write(
      `recorded in BENCHMARKS.md${passed ? '' : `; server logs${snapshotDirectory ? ' and heap snapshots' : ''} kept in ${runDirectory}`}\n`,
    );
  } finally {
    await stopGraph(graph);
    if (options.drop) {
      if (database.mysqlUrl)
        for (const store of [...SUBGRAPH_REGISTRY.map((entry) => entry.manifest.name), AUDIT_STORE]) await dropMysqlDatabase(database, store);
      else rmSync(sqliteData, { recursive: true, force: true });
    }
  }
  if (passed) rmSync(runDirectory, { recursive: true, force: true });
  else process.exitCode = 1;
}

async function firstAnswer(url: string, headers: Record<string, string>, body: string): Promise<[number, string, undefined]> {
  const response = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
  return [response.status, await response.text(), undefined];
}

async function mariadbVersion(config: DatabaseConfig): Promise<string> {
  const db = openDatabase(config, 'customers');
  try {
    const [rows] = (await db.raw('SELECT VERSION() AS version')) as [{ version: string }[]];
    return `MariaDB ${rows[0]?.version ?? '?'}`;
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
