import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  AUDIT_STORE,
  dropMysqlDatabase,
  encodeCursor,
  loadDatabaseConfig,
  mintDevelopmentToken,
  openDatabase,
  sqliteFileFor,
  subgraphPortVariable,
  type DatabaseConfig,
} from '@icg/shared';
import { DEFAULT_SEED, findStaff, generateOrg, identityOfStaff, isStoreSeeded, seedStores } from '@icg/synthetic';
import { CUSTOMER_360_QUERY } from '../example-queries';
import { freePort } from '../free-port';
import { formatProgress } from '../seed-progress';
import { SUBGRAPH_REGISTRY } from '../subgraph-registry';
import { writeBenchmarkSection } from './benchmark-report';
import { median } from './paired-rounds';
import { answerDifferences, type GraphQLAnswer } from './stack/answer-differences';
import { summariseCpuProfile, type CpuProfile } from './stack/cpu-profile-summary';
import { runLoad, SequentialClient } from './stack/http-load';
import { MariadbStatus } from './stack/mariadb-status';
import { pidsNamed, ProcessGroupsCpu, withDescendants } from './stack/process-groups-cpu';
import {
  subgraphBackgroundSelectsPerSecond,
  perSetThroughputRatios,
  roundMeasurement,
  STACK_CPU_GROUPS,
  STACK_NAMES,
  stackOrder,
  summariseStack,
  subgraphCpuGroup,
  type CpuGroup,
  type RoundMeasurement,
  type StackName,
} from './stack/stack-measurements';
import { answersOk, launchServer, sqlStatementCount, stopServer, stopServersOnSignal, waitUntilReady, type ServerProcess } from './stack/stack-processes';
import { formatProfileReport, formatStackReport, type StackRunReport } from './stack/stack-report';
import { positiveInteger } from './benchmark-options';

/**
 * `npm run bench:stack` (issue 12): the customer-360 on the project's stack, on plain `@apollo/gateway` over the
 * same subgraph processes, and on a single-process reference reading the same databases; every server its own
 * process. Seeds (or reuses) the stores, checks that the three give the same data, then runs alternating rounds
 * and writes requests/s, latency, CPU per process group, SQL per request, cold start and paging figures to
 * BENCHMARKS.md (with `--profile`, also where the project gateway's main thread spends a round).
 *
 * Flags: `--customers N` (100,000), `--dialect mysql|sqlite` (mysql, needs MYSQL_URL), `--reuse` (keep stores that
 * already hold N customers), `--drop` (remove the stores afterwards), `--rounds` (sets, 6), `--seconds` (per round,
 * 20), `--connections` (10), `--sample` (customers compared, 50), `--warmup-seconds` (5), `--page-pairs` (20),
 * `--profile`, `--label TEXT` (a line in the report, e.g. the commit measured), `--workers N` (WORKERS of the project's gateway
 * and of the subgraphs, 1; above 1 SQL statements are not counted: the counter answers over the primary's channel).
 */

const INSIGHTS_RECOMPUTE_VARIABLE = 'INSIGHTS_RECOMPUTE_INTERVAL_SECONDS';
const POLICIES_SCHEDULE_VARIABLE = 'POLICIES_SCHEDULE_INTERVAL_SECONDS';
const CUSTOMERS_SCHEDULE_VARIABLE = 'CUSTOMERS_SCHEDULE_INTERVAL_SECONDS';

/** The seeded stores outlive a run (under this prefix, or this folder for SQLite) so `--reuse` can skip seeding. */
const MYSQL_PREFIX = 'icgbench_stack_';
const SQLITE_DIRECTORY = join(tmpdir(), 'icg-bench-stack-sqlite');
/** Caller limits stay on (their cost is part of the stack) but never bind: one auditor sends every request. */
const UNBINDING_RATE_LIMITS = 'default=100000r/s,100000c';
const WARM_REQUESTS = 50;
const SETTLE_MS = 400;

const PAGE_QUERY = (withTotal: boolean) =>
  `query Page($after: String) { customers(first: 200, after: $after) { ${withTotal ? 'totalCount ' : ''}pageInfo { hasNextPage endCursor } nodes { id customerNo name } } }`;

interface Options {
  customers: number;
  dialect: 'mysql' | 'sqlite';
  reuse: boolean;
  drop: boolean;
  sets: number;
  seconds: number;
  connections: number;
  sample: number;
  warmupSeconds: number;
  pagePairs: number;
  profile: boolean;
  label: string | undefined;
  /** WORKERS of the project's gateway and of the subgraphs (which the plain gateway shares). */
  workers: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string' },
      dialect: { type: 'string' },
      reuse: { type: 'boolean', default: false },
      drop: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      connections: { type: 'string' },
      sample: { type: 'string' },
      'warmup-seconds': { type: 'string' },
      'page-pairs': { type: 'string' },
      profile: { type: 'boolean', default: false },
      label: { type: 'string' },
      workers: { type: 'string' },
    },
  });
  const dialect = values.dialect ?? 'mysql';
  if (dialect !== 'mysql' && dialect !== 'sqlite') throw new Error(`--dialect must be mysql or sqlite, not ${JSON.stringify(dialect)}`);
  return {
    customers: positiveInteger('customers', values.customers, 100_000),
    dialect,
    reuse: values.reuse ?? false,
    drop: values.drop ?? false,
    sets: positiveInteger('rounds', values.rounds, 6, 1_000),
    seconds: positiveInteger('seconds', values.seconds, 20, 3_600),
    connections: positiveInteger('connections', values.connections, 10, 1_000),
    sample: positiveInteger('sample', values.sample, 50, 10_000),
    warmupSeconds: positiveInteger('warmup-seconds', values['warmup-seconds'], 5, 600),
    pagePairs: positiveInteger('page-pairs', values['page-pairs'], 20, 10_000),
    profile: values.profile ?? false,
    label: values.label,
    workers: positiveInteger('workers', values.workers, 1, 32),
  };
}

/** The command line that reproduces this run, for the report. */
function commandOf(options: Options): string {
  const flags = [
    `--customers ${options.customers}`,
    `--dialect ${options.dialect}`,
    `--rounds ${options.sets}`,
    `--seconds ${options.seconds}`,
    `--connections ${options.connections}`,
    ...(options.reuse ? ['--reuse'] : []),
    ...(options.profile ? ['--profile'] : []),
    ...(options.workers !== 1 ? [`--workers ${options.workers}`] : []),
  ];
  return `${options.dialect === 'mysql' ? 'MYSQL_URL=mysql://root@127.0.0.1:3306 ' : ''}npm run bench:stack -- ${flags.join(' ')}`;
}

/** Deterministic customer ids 1..customers (a linear congruential generator), so every stack of a set gets the same sequence. */
function customerSequence(seed: number, customers: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return 1 + (state % customers);
  };
}

const CUSTOMER_360_PREFIX = `${JSON.stringify({ query: CUSTOMER_360_QUERY, operationName: 'Customer360' }).slice(0, -1)},"variables":{"id":"`;
const customer360Body = (id: number) => `${CUSTOMER_360_PREFIX}${id}"}}`;

function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown CPU';
  } catch {
    return 'unknown CPU';
  }
}

async function customerCount(config: DatabaseConfig): Promise<number> {
  const db = openDatabase(config, 'customers');
  try {
    const [row] = (await db.table('customers').count({ total: '*' })) as { total: number | string }[];
    return Number(row?.total ?? 0);
  } finally {
    await db.destroy();
  }
}

/** Seeds `customers` customers, or keeps the stores when `--reuse` finds exactly that many; the seconds spent, or undefined when reused. */
async function prepareStores(config: DatabaseConfig, options: Options): Promise<number | undefined> {
  if (options.reuse) {
    let seeded = true;
    for (const store of SUBGRAPH_REGISTRY) seeded &&= await isStoreSeeded(config, store);
    const held = seeded ? await customerCount(config) : 0;
    if (held === options.customers) {
      process.stderr.write(`reusing the seeded stores (${held.toLocaleString('en')} customers)\n`);
      return undefined;
    }
    process.stderr.write(`--reuse: the stores hold ${held.toLocaleString('en')} customers, not ${options.customers.toLocaleString('en')}; seeding afresh\n`);
  }
  const every = options.customers >= 100_000 ? 10_000 : 1_000;
  const summary = await seedStores({
    config,
    stores: SUBGRAPH_REGISTRY,
    customers: options.customers,
    seed: DEFAULT_SEED,
    reset: true,
    onProgress: (progress) => {
      if (progress.customersDone % every === 0 || progress.customersDone === progress.customersTotal) process.stderr.write(`${formatProgress(progress)}\n`);
    },
  });
  return summary.elapsedMs / 1_000;
}

/** Each run starts its audit store empty: the benchmark's audit records are not kept. */
async function clearAuditStore(config: DatabaseConfig): Promise<void> {
  if (config.mysqlUrl) await dropMysqlDatabase(config, AUDIT_STORE);
  else for (const suffix of ['', '-wal', '-shm']) rmSync(`${sqliteFileFor(config, AUDIT_STORE)}${suffix}`, { force: true });
}

interface RunningStacks {
  servers: ServerProcess[];
  urls: Record<StackName, string>;
  subgraphs: ServerProcess[];
  gateway: ServerProcess;
  plainGateway: ServerProcess;
  reference: ServerProcess;
  cold: Record<StackName, number>;
}

/** One request as the load sends it; fails the run when the answer is not a complete one. */
async function firstAnswer(stack: StackName, url: string, headers: Record<string, string>, id: number): Promise<number> {
  const client = new SequentialClient(url, headers);
  try {
    const { answer, ms, status } = await client.postJson<GraphQLAnswer>(customer360Body(id));
    if (status !== 200 || answer.errors?.length)
      throw new Error(`${stack}: the first customer-360 failed (HTTP ${status}): ${JSON.stringify(answer).slice(0, 300)}`);
    return ms;
  } finally {
    client.close();
  }
}

async function startStacks(
  env: NodeJS.ProcessEnv,
  ports: Record<'gateway' | 'plain' | 'reference', number>,
  logDirectory: string,
  headers: Record<string, string>,
  firstIds: () => number,
  /** The statement counter answers over the server's own IPC channel, which a primary with workers does not pass on. */
  countSql: boolean,
): Promise<RunningStacks> {
  const servers: ServerProcess[] = [];
  try {
    const serverEnv = { ...env };
    const subgraphs: ServerProcess[] = [];
    for (const { manifest, directory } of SUBGRAPH_REGISTRY) {
      // On MariaDB each subgraph counts its SQL statements (mysql2's diagnostics channel); SQLite has no such channel.
      const server = launchServer(manifest.name, `${directory}/dist/main.js`, serverEnv, logDirectory, { countSql: countSql && Boolean(env['MYSQL_URL']) });
      servers.push(server);
      subgraphs.push(server);
    }
    for (const [index, { manifest }] of SUBGRAPH_REGISTRY.entries()) {
      await waitUntilReady(subgraphs[index]!, answersOk(`http://127.0.0.1:${env[subgraphPortVariable(manifest.name)]}/ready`), 180_000);
    }
    const urls: Record<StackName, string> = {
      project: `http://127.0.0.1:${ports.gateway}/graphql`,
      plain: `http://127.0.0.1:${ports.plain}/graphql`,
      reference: `http://127.0.0.1:${ports.reference}/graphql`,
    };
    const cold = {} as Record<StackName, number>;

    // Started one after another, each asked once as soon as it is ready: the project's first answer is the whole graph's cold start.
    const gateway = launchServer('gateway', 'gateway/dist/main.js', { ...env, PORT: String(ports.gateway) }, logDirectory);
    servers.push(gateway);
    await waitUntilReady(gateway, answersOk(`http://127.0.0.1:${ports.gateway}/ready`), 60_000);
    cold.project = await firstAnswer('project', urls.project, headers, firstIds());

    const plainGateway = launchServer('plain-gateway', 'tools/dist/benchmarks/plain-gateway/main.js', { ...env, PORT: String(ports.plain) }, logDirectory);
    servers.push(plainGateway);
    // No readiness route: Apollo's standalone server listens once the gateway has loaded the supergraph.
    await waitUntilReady(
      plainGateway,
      async () => {
        const client = new SequentialClient(urls.plain, headers);
        try {
          return (await client.post('{"query":"{ __typename }"}')).status === 200;
        } finally {
          client.close();
        }
      },
      60_000,
    );
    cold.plain = await firstAnswer('plain', urls.plain, headers, firstIds());

    const reference = launchServer(
      'reference',
      'tools/dist/benchmarks/reference-server/main.js',
      { ...serverEnv, PORT: String(ports.reference) },
      logDirectory,
    );
    servers.push(reference);
    await waitUntilReady(reference, answersOk(`http://127.0.0.1:${ports.reference}/ready`), 60_000);
    cold.reference = await firstAnswer('reference', urls.reference, headers, firstIds());
    return { servers, urls, subgraphs, gateway, plainGateway, reference, cold };
  } catch (error) {
    await Promise.all(servers.map((server) => stopServer(server)));
    throw error;
  }
}

interface CustomerView {
  customer: {
    policies: unknown[];
    claims: unknown[];
    serviceRequests: unknown[];
    complaints: unknown[];
  } | null;
}

/** The three stacks' answers for `sample` random customers must hold the same data; throws listing the differences. */
async function checkSameData(
  urls: Record<StackName, string>,
  headers: Record<string, string>,
  customers: number,
  sample: number,
): Promise<StackRunReport['equality']> {
  const clients = Object.fromEntries(STACK_NAMES.map((stack) => [stack, new SequentialClient(urls[stack], headers)])) as Record<StackName, SequentialClient>;
  const next = customerSequence(7, customers);
  const ids = new Set<number>();
  while (ids.size < Math.min(sample, customers)) ids.add(next());
  const tally = { customers: ids.size, found: 0, policies: 0, claims: 0, serviceRequests: 0, complaints: 0 };
  const problems: string[] = [];
  try {
    for (const id of ids) {
      const body = customer360Body(id);
      const reference = (await clients.reference.postJson<GraphQLAnswer>(body)).answer;
      for (const stack of ['project', 'plain'] as const) {
        const differences = answerDifferences(reference, (await clients[stack].postJson<GraphQLAnswer>(body)).answer);
        if (differences.length) problems.push(`customer ${id}, ${stack} vs reference:\n    ${differences.join('\n    ')}`);
      }
      const view = (reference.data as CustomerView | undefined)?.customer;
      if (view) {
        tally.found++;
        tally.policies += view.policies.length;
        tally.claims += view.claims.length;
        tally.serviceRequests += view.serviceRequests.length;
        tally.complaints += view.complaints.length;
      }
    }
  } finally {
    for (const client of Object.values(clients)) client.close();
  }
  if (problems.length) throw new Error(`the stacks do not give the same data:\n  ${problems.slice(0, 10).join('\n  ')}`);
  if (tally.found === 0 || tally.policies === 0 || tally.claims === 0 || tally.serviceRequests === 0) {
    throw new Error(`the data check compared too little (${JSON.stringify(tally)}): seed more customers or raise --sample`);
  }
  return tally;
}

/** Median latency of `count` customer-360s sent one at a time, after 20 unmeasured ones. */
async function warmLatency(url: string, headers: Record<string, string>, customers: number, count: number): Promise<number> {
  const client = new SequentialClient(url, headers);
  const next = customerSequence(11, customers);
  try {
    for (let index = 0; index < 20; index++) await client.post(customer360Body(next()));
    const latencies: number[] = [];
    for (let index = 0; index < count; index++) latencies.push((await client.post(customer360Body(next()))).ms);
    return median(latencies);
  } finally {
    client.close();
  }
}

/** Pages of 200 from random cursors, with and without totalCount, alternating which goes first; medians. */
async function pagingLatency(
  url: string,
  headers: Record<string, string>,
  customers: number,
  pairs: number,
): Promise<{ withoutMs: number; withMs: number; pairs: number }> {
  const client = new SequentialClient(url, headers);
  const next = customerSequence(13, Math.max(1, customers - 200));
  const body = (withTotal: boolean, after: number) => JSON.stringify({ query: PAGE_QUERY(withTotal), variables: { after: encodeCursor(after) } });
  const ask = async (withTotal: boolean, after: number) => {
    const answer = await client.post(body(withTotal, after));
    if (answer.status !== 200 || answer.body.includes('"errors"')) throw new Error(`customers(first: 200) failed: ${answer.body.slice(0, 300)}`);
    return answer.ms;
  };
  try {
    for (let index = 0; index < 3; index++) for (const withTotal of [false, true]) await ask(withTotal, next());
    const without: number[] = [];
    const withTotal: number[] = [];
    for (let pair = 0; pair < pairs; pair++) {
      const after = next();
      const order = pair % 2 === 0 ? [false, true] : [true, false];
      for (const total of order) (total ? withTotal : without).push(await ask(total, after));
    }
    return { withoutMs: median(without), withMs: median(withTotal), pairs };
  } finally {
    client.close();
  }
}

interface RoundContext {
  cpu: ProcessGroupsCpu;
  mariadb: MariadbStatus | undefined;
  headers: Record<string, string>;
  customers: number;
  connections: number;
  referenceStatements: () => Promise<number>;
  /** SELECTs the subgraph processes have sent so far, or undefined when they do not count (SQLite). */
  subgraphSelects: () => Promise<number | undefined>;
}

async function measureRound(context: RoundContext, set: number, stack: StackName, url: string, seconds: number): Promise<RoundMeasurement> {
  const referenceBefore = stack === 'reference' ? await context.referenceStatements() : undefined;
  const busyBefore = await context.mariadb?.busyForeignSessions(MYSQL_PREFIX);
  const subgraphSelectsBefore = await context.subgraphSelects();
  const selectsBefore = await context.mariadb?.selects();
  const cpuBefore = context.cpu.sample();
  const next = customerSequence(1_000 + set, context.customers);
  const load = await runLoad({ url, headers: context.headers, bodyFor: () => customer360Body(next()), connections: context.connections, seconds });
  await delay(SETTLE_MS);
  const cpuAfter = context.cpu.sample();
  const selectsAfter = await context.mariadb?.selects();
  const subgraphSelectsAfter = await context.subgraphSelects();
  const busyAfter = await context.mariadb?.busyForeignSessions(MYSQL_PREFIX);
  const referenceAfter = stack === 'reference' ? await context.referenceStatements() : undefined;
  const cpuDelta = ProcessGroupsCpu.delta(cpuBefore, cpuAfter) as Record<CpuGroup, number>;
  const ownGroups: CpuGroup[] = [
    ...STACK_CPU_GROUPS[stack],
    'load generator',
    ...(STACK_CPU_GROUPS[stack].includes('subgraphs') ? SUBGRAPH_REGISTRY.map(({ manifest }) => subgraphCpuGroup(manifest.name)) : []),
  ];
  return roundMeasurement(
    {
      set,
      stack,
      completed: load.completed,
      failed: load.failed,
      firstFailure: load.firstFailure,
      seconds: load.elapsedMs / 1_000,
      cpuMs: Object.fromEntries(ownGroups.filter((group) => cpuDelta[group] !== undefined).map((group) => [group, cpuDelta[group]])),
      serverSelects: selectsBefore === undefined || selectsAfter === undefined ? undefined : selectsAfter - selectsBefore,
      subgraphSelects: subgraphSelectsBefore === undefined || subgraphSelectsAfter === undefined ? undefined : subgraphSelectsAfter - subgraphSelectsBefore,
      referenceStatements: referenceBefore === undefined || referenceAfter === undefined ? undefined : referenceAfter - referenceBefore,
      busyForeignSessions: busyBefore === undefined ? undefined : Math.max(busyBefore, busyAfter ?? 0),
    },
    load.latenciesMs,
  );
}

/** The main thread's profile among those `--cpu-prof` wrote (file names end in `.<pid>.<thread>.<n>.cpuprofile`, the main thread is 0). */
function mainThreadProfile(directory: string): CpuProfile {
  const file = readdirSync(directory).find((name) => /\.\d+\.0\.\d+\.cpuprofile$/.test(name));
  if (!file) throw new Error(`no main-thread CPU profile in ${directory}`);
  return JSON.parse(readFileSync(join(directory, file), 'utf8')) as CpuProfile;
}

async function profileProjectGateway(
  env: NodeJS.ProcessEnv,
  runDirectory: string,
  context: RoundContext,
  options: Options,
): Promise<{ summary: ReturnType<typeof summariseCpuProfile>; requests: number }> {
  const port = await freePort();
  const profileDirectory = join(runDirectory, 'profile');
  mkdirSync(profileDirectory, { recursive: true });
  const server = launchServer('gateway-profiled', 'gateway/dist/main.js', { ...env, PORT: String(port) }, runDirectory, {
    extraFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  let requests: number;
  let window: { fromUs: number; toUs: number };
  try {
    await waitUntilReady(server, answersOk(`http://127.0.0.1:${port}/ready`), 60_000);
    const next = customerSequence(99, options.customers);
    await runLoad({ url, headers: context.headers, bodyFor: () => customer360Body(next()), connections: options.connections, seconds: options.warmupSeconds });
    // process.hrtime reads the monotonic clock V8's profiler stamps its samples with.
    const fromUs = Number(process.hrtime.bigint() / 1_000n);
    const load = await runLoad({
      url,
      headers: context.headers,
      bodyFor: () => customer360Body(next()),
      connections: options.connections,
      seconds: options.seconds,
    });
    window = { fromUs, toUs: Number(process.hrtime.bigint() / 1_000n) };
    requests = load.completed;
  } finally {
    await stopServer(server);
  }
  return { summary: summariseCpuProfile(mainThreadProfile(profileDirectory), window), requests };
}

async function main(): Promise<void> {
  const options = readOptions();
  stopServersOnSignal();
  const base = loadDatabaseConfig();
  if (options.dialect === 'mysql' && !base.mysqlUrl)
    throw new Error('--dialect mysql needs MYSQL_URL (e.g. mysql://root@127.0.0.1:3306); use --dialect sqlite for a run without a server');
  const database: DatabaseConfig =
    options.dialect === 'mysql'
      ? { ...base, mysqlDatabasePrefix: MYSQL_PREFIX }
      : { mysqlUrl: undefined, mysqlDatabasePrefix: MYSQL_PREFIX, dataDir: SQLITE_DIRECTORY, poolMax: base.poolMax };
  const loadAverageAtStart = loadavg()[0]!;
  const runDirectory = mkdtempSync(join(tmpdir(), 'icg-bench-stack-'));
  process.stderr.write(`bench:stack: ${options.customers.toLocaleString('en')} customers on ${options.dialect}; server logs in ${runDirectory}\n`);
  const seedSeconds = await prepareStores(database, options);
  await clearAuditStore(database);

  const assertionSecret = randomBytes(32).toString('base64url');
  const tokenSecret = randomBytes(32).toString('base64url');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    APOLLO_TELEMETRY_DISABLED: '1',
    HOST: '127.0.0.1',
    DATA_DIR: options.dialect === 'mysql' ? runDirectory : SQLITE_DIRECTORY,
    MYSQL_DATABASE_PREFIX: MYSQL_PREFIX,
    RATE_LIMITS: UNBINDING_RATE_LIMITS,
    // The subgraphs' schedules off: run at start, the insights recomputation over every customer and the policy
    // clock over every policy would take the cores from the first rounds (each runs hourly or daily in service).
    [INSIGHTS_RECOMPUTE_VARIABLE]: '0',
    [POLICIES_SCHEDULE_VARIABLE]: '0',
    [CUSTOMERS_SCHEDULE_VARIABLE]: '0',
    WORKERS: String(options.workers),
    // Every stack as the image runs it (graphql-js's development-only checks off), the reference included.
    NODE_ENV: 'production',
    AUTH_HS256_SECRET: tokenSecret,
    // Set here so six processes do not race to generate them into DATA_DIR.
    // One machine: each subgraph derives its own key from it.
    IDENTITY_ASSERTION_SECRET: assertionSecret,
    PSEUDONYM_SECRET: randomBytes(24).toString('base64url'),
    AUDIT_PSEUDONYM_SECRET: randomBytes(24).toString('base64url'),
    AUDIT_CHAIN_KEY: randomBytes(24).toString('base64url'),
    AUDIT_CHECKPOINT_PATH: join(runDirectory, 'audit-checkpoints.jsonl'),
  };
  if (options.dialect === 'sqlite') delete env['MYSQL_URL'];
  for (const { manifest } of SUBGRAPH_REGISTRY) env[subgraphPortVariable(manifest.name)] = String(await freePort());
  const ports = { gateway: await freePort(), plain: await freePort(), reference: await freePort() };

  const org = generateOrg(DEFAULT_SEED);
  const token = await mintDevelopmentToken({ secret: tokenSecret, identity: identityOfStaff(findStaff(org, 'AUDITOR'), 'AUDIT'), ttlSeconds: 7 * 24 * 3_600 });
  const headers = { authorization: `Bearer ${token}` };

  const mariadb = database.mysqlUrl ? await MariadbStatus.connect(database.mysqlUrl) : undefined;
  let stacks: RunningStacks | undefined;
  try {
    const databaseVersion = mariadb ? await mariadb.version() : 'SQLite (better-sqlite3)';
    stacks = await startStacks(env, ports, runDirectory, headers, customerSequence(3, options.customers), options.workers === 1);
    const running = stacks;
    process.stderr.write(`cold: ${STACK_NAMES.map((stack) => `${stack} ${running.cold[stack].toFixed(1)} ms`).join(', ')}\n`);

    const equality = await checkSameData(running.urls, headers, options.customers, options.sample);
    process.stderr.write(`same data from all three stacks for ${equality.customers} customers\n`);

    const cold = {} as Record<StackName, { firstMs: number; warmMs: number }>;
    for (const stack of STACK_NAMES)
      cold[stack] = { firstMs: running.cold[stack], warmMs: await warmLatency(running.urls[stack], headers, options.customers, WARM_REQUESTS) };

    // A server with workers is its primary and their processes.
    const groups: Partial<Record<CpuGroup, number[]>> = {
      ...Object.fromEntries(running.subgraphs.map((server) => [subgraphCpuGroup(server.name), withDescendants([server.pid])])),
      gateway: withDescendants([running.gateway.pid]),
      'plain gateway': [running.plainGateway.pid],
      subgraphs: withDescendants(running.subgraphs.map((server) => server.pid)),
      reference: [running.reference.pid],
      MariaDB: mariadb ? pidsNamed(['mariadbd', 'mysqld']) : [],
      'load generator': [process.pid],
    };
    if (!mariadb) delete groups.MariaDB;
    const context: RoundContext = {
      cpu: new ProcessGroupsCpu(groups),
      mariadb,
      headers,
      customers: options.customers,
      connections: options.connections,
      referenceStatements: async () => ((await (await fetch(`http://127.0.0.1:${ports.reference}/stats`)).json()) as { statements: number }).statements,
      subgraphSelects: async () =>
        mariadb && options.workers === 1
          ? (await Promise.all(running.subgraphs.map((server) => sqlStatementCount(server)))).reduce((sum, count) => sum + count.selects, 0)
          : undefined,
    };
    for (const stack of STACK_NAMES) {
      process.stderr.write(`warm-up: ${stack}, ${options.warmupSeconds} s\n`);
      const next = customerSequence(500, options.customers);
      await runLoad({
        url: running.urls[stack],
        headers,
        bodyFor: () => customer360Body(next()),
        connections: options.connections,
        seconds: options.warmupSeconds,
      });
    }
    const rounds: RoundMeasurement[] = [];
    for (let set = 1; set <= options.sets; set++) {
      for (const stack of stackOrder(set)) {
        const round = await measureRound(context, set, stack, running.urls[stack], options.seconds);
        rounds.push(round);
        process.stderr.write(
          `set ${set}/${options.sets} ${stack}: ${(round.completed / round.seconds).toFixed(1)} req/s, p50 ${round.p50Ms.toFixed(1)} ms, p99 ${round.p99Ms.toFixed(1)} ms${round.failed ? `, ${round.failed} failed` : ''}\n`,
        );
      }
    }
    process.stderr.write(`paging: customers(first: 200) with and without totalCount, ${options.pagePairs} pairs\n`);
    const paging = await pagingLatency(running.urls.project, headers, options.customers, options.pagePairs);

    const background = subgraphBackgroundSelectsPerSecond(rounds);
    const report: StackRunReport = {
      dialect: options.dialect,
      customers: options.customers,
      sets: options.sets,
      seconds: options.seconds,
      connections: options.connections,
      command: commandOf(options),
      label: options.label,
      workers: options.workers,
      seedSeconds,
      summaries: STACK_NAMES.map((stack) =>
        summariseStack(
          rounds,
          stack,
          STACK_CPU_GROUPS[stack].filter((group) => group in groups),
          background,
        ),
      ),
      subgraphBackgroundSelectsPerSecond: background,
      rounds,
      projectToReference: perSetThroughputRatios(rounds, 'project', 'reference'),
      plainToReference: perSetThroughputRatios(rounds, 'plain', 'reference'),
      cold,
      warmRequests: WARM_REQUESTS,
      paging,
      equality,
      machine: {
        nproc: availableParallelism(),
        cpuModel: cpuModel(),
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        database: databaseVersion,
        loadAverageAtStart,
      },
      date: new Date().toISOString().slice(0, 10),
    };
    // One section per dialect and size, so runs at 10,000 and 1,000,000 customers stand side by side (the p99 flatness target).
    writeBenchmarkSection(
      `stack-${options.dialect}-${options.customers}${options.workers === 1 ? '' : `-workers-${options.workers}`}`,
      formatStackReport(report),
    );
    process.stderr.write(`recorded in BENCHMARKS.md; project / reference ${median(report.projectToReference).toFixed(3)}×\n`);

    if (options.profile) {
      process.stderr.write(`profile: a project gateway under --cpu-prof, ${options.seconds} s round\n`);
      const { summary, requests } = await profileProjectGateway(env, runDirectory, context, options);
      writeBenchmarkSection(
        'stack-profile',
        formatProfileReport(summary, {
          seconds: options.seconds,
          requests,
          command: commandOf(options),
          date: report.date,
          dialect: options.dialect === 'mysql' ? 'MariaDB' : 'SQLite',
        }),
      );
      process.stderr.write(`profile summary recorded in BENCHMARKS.md\n`);
    }
  } finally {
    if (stacks) await Promise.all(stacks.servers.map((server) => stopServer(server)));
    await mariadb?.close();
    if (options.drop) {
      if (database.mysqlUrl)
        for (const store of [...SUBGRAPH_REGISTRY.map((entry) => entry.manifest.name), AUDIT_STORE]) await dropMysqlDatabase(database, store);
      else rmSync(SQLITE_DIRECTORY, { recursive: true, force: true });
    }
  }
  // The logs are only of use when something failed.
  rmSync(runDirectory, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:stack failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
