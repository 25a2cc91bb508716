import { freePort } from '../free-port';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { dropMysqlDatabase, mintDevelopmentToken, parseRateLimits, subgraphPortVariable, type DatabaseConfig, type StaffRole } from '@icg/shared';
import { DEFAULT_SEED, findStaff, generateOrg, identityOfStaff, seedStores } from '@icg/synthetic';
import { SERVER_NODE_FLAGS } from '../server-node-flags';
import { REPOSITORY_ROOT, SUBGRAPH_REGISTRY } from '../subgraph-registry';
import { writeBenchmarkSection } from './benchmark-report';
import { median, percentile } from './paired-rounds';
import { positiveInteger } from './benchmark-options';

/**
 * `npm run bench:limits`: does one caller's flood leave another caller's latency alone? The graph runs as in
 * production, one process per subgraph and one for the gateway (`npm start`'s entries), with RATE_LIMITS set.
 * A light caller (a customer manager) sends a small customer query, one at a time, first on an idle graph,
 * then while a heavy caller (an operator, another staff id) keeps 100 workers sending a page of 200 customers
 * with every policy's participants. Target (issue "Hardening", item 8): the light caller's p99 under load within
 * 2× its unloaded p99, while the heavy caller is held to its own limit (429 with Retry-After, which its
 * workers honour, as a client library would).
 */
const LIGHT_QUERY = 'query Light($id: ID!) { customer(id: $id) { customerNo name } }';
const HEAVY_QUERY = 'query Heavy { customers(first: 200) { nodes { policies { participants { name } } } } }';
const LIGHT_ROLE: StaffRole = 'CUSTOMER_MANAGER';
const HEAVY_ROLE: StaffRole = 'OPERATOR';
const DEFAULT_LIMITS = 'default=20r/s,10c;BI_ANALYST=5r/s,2c;OPERATOR=1r/s,1c';
const WARM_UP_REQUESTS = 50;

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await delay(200);
  }
  throw new Error(`${url} did not become ready within ${timeoutMs / 1000} s`);
}

function launch(entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, join(REPOSITORY_ROOT, entry)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

interface LightRun {
  latenciesMs: number[];
  failures: number;
}

/**
 * One request at a time, `count` of them, for random customers, starting one every `intervalMs` (a person
 * at a portal, within the default limit); latency of complete answers only.
 */
async function runLightCaller(url: string, authorization: string, customers: number, count: number, seed: number, intervalMs: number): Promise<LightRun> {
  let state = seed >>> 0;
  const latenciesMs: number[] = [];
  let failures = 0;
  const firstAt = performance.now();
  for (let index = 0; index < count; index++) {
    const wait = firstAt + index * intervalMs - performance.now();
    if (wait > 0) await delay(wait);
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    const body = JSON.stringify({ query: LIGHT_QUERY, variables: { id: String(1 + (state % customers)) } });
    const sent = performance.now();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
    const result = (await response.json()) as { data?: { customer: unknown }; errors?: unknown[] };
    if (response.status !== 200 || !result.data?.customer || result.errors) failures++;
    else latenciesMs.push(performance.now() - sent);
  }
  return { latenciesMs, failures };
}

interface HeavyCounts {
  sent: number;
  complete: number;
  partial: number;
  limited: number;
  other: number;
}

/** `workers` loops sending the heavy query until `stop` resolves, each waiting out a 429's Retry-After. */
function startHeavyCaller(url: string, authorization: string, workers: number): { counts: HeavyCounts; stop: () => Promise<void> } {
  const counts: HeavyCounts = { sent: 0, complete: 0, partial: 0, limited: 0, other: 0 };
  let stopping = false;
  const body = JSON.stringify({ query: HEAVY_QUERY });
  const worker = async () => {
    while (!stopping) {
      counts.sent++;
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
        const result = (await response.json()) as { data?: unknown; errors?: unknown[] };
        if (response.status === 429) {
          counts.limited++;
          await delay(1_000 * Number(response.headers.get('retry-after') ?? '1'));
        } else if (response.status === 200 && result.data && !result.errors) counts.complete++;
        else if (response.status === 200 && result.data) counts.partial++;
        else counts.other++;
      } catch {
        counts.other++;
      }
    }
  };
  const running = Promise.all(Array.from({ length: workers }, worker));
  return {
    counts,
    stop: async () => {
      stopping = true;
      await running;
    },
  };
}

function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown CPU';
  } catch {
    return 'unknown CPU';
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string' },
      requests: { type: 'string' },
      workers: { type: 'string' },
      limits: { type: 'string' },
      'max-seconds': { type: 'string' },
      'light-rate': { type: 'string' },
    },
  });
  const customers = positiveInteger('customers', values.customers, 500);
  const requests = positiveInteger('requests', values.requests, 300);
  const workers = positiveInteger('workers', values.workers, 100);
  const maxSeconds = positiveInteger('max-seconds', values['max-seconds'], 240);
  const lightRate = positiveInteger('light-rate', values['light-rate'], 10);
  const intervalMs = 1_000 / lightRate;
  const limitsSpec = values.limits ?? DEFAULT_LIMITS;
  const limits = parseRateLimits(limitsSpec, '--limits');
  const heavyLimit = limits.roles[HEAVY_ROLE] ?? limits.default;

  // The machine is shared: the 1-minute load average at start and end says how much of a ratio is noise.
  const loadAtStart = loadavg()[0] ?? 0;
  const dataDir = mkdtempSync(join(tmpdir(), 'icg-bench-limits-'));
  const database: DatabaseConfig = { mysqlUrl: process.env['MYSQL_URL'] || undefined, mysqlDatabasePrefix: 'icgbench_lim_', dataDir, poolMax: 10 };
  const assertionSecret = randomBytes(32).toString('base64url');
  const tokenSecret = randomBytes(32).toString('base64url');
  const gatewayPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    APOLLO_TELEMETRY_DISABLED: '1',
    HOST: '127.0.0.1',
    PORT: String(gatewayPort),
    DATA_DIR: dataDir,
    MYSQL_DATABASE_PREFIX: database.mysqlDatabasePrefix,
    LOG_LEVEL: 'warn',
    RATE_LIMITS: limitsSpec,
    AUTH_HS256_SECRET: tokenSecret,
    // Set here so six processes do not race to generate them into DATA_DIR.
    // One machine: each subgraph derives its own key from it.
    IDENTITY_ASSERTION_SECRET: assertionSecret,
    PSEUDONYM_SECRET: randomBytes(24).toString('base64url'),
    AUDIT_PSEUDONYM_SECRET: randomBytes(24).toString('base64url'),
    AUDIT_CHAIN_KEY: randomBytes(24).toString('base64url'),
    AUDIT_CHECKPOINT_PATH: join(dataDir, 'audit-checkpoints.jsonl'),
  };
  for (const { manifest } of SUBGRAPH_REGISTRY) env[subgraphPortVariable(manifest.name)] = String(await freePort());

  process.stderr.write(`seeding ${customers} customers into ${database.mysqlUrl ? 'MySQL' : 'SQLite'}\n`);
  await seedStores({ config: database, stores: SUBGRAPH_REGISTRY, customers, seed: DEFAULT_SEED, reset: true });
  const org = generateOrg(DEFAULT_SEED);
  const bearer = async (role: StaffRole) =>
    `Bearer ${await mintDevelopmentToken({ secret: tokenSecret, identity: identityOfStaff(findStaff(org, role)), ttlSeconds: 3_600 })}`;
  const light = await bearer(LIGHT_ROLE);
  const heavy = await bearer(HEAVY_ROLE);

  const children: ChildProcess[] = [];
  const url = `http://127.0.0.1:${gatewayPort}/graphql`;
  let unloaded: LightRun;
  let loaded: LightRun;
  let counts: HeavyCounts;
  let loadedSeconds: number;
  try {
    for (const { directory } of SUBGRAPH_REGISTRY) children.push(launch(`${directory}/dist/main.js`, env));
    for (const { manifest } of SUBGRAPH_REGISTRY) await waitUntilReady(`http://127.0.0.1:${env[subgraphPortVariable(manifest.name)]}/ready`, 60_000);
    children.push(launch('gateway/dist/main.js', env));
    await waitUntilReady(`http://127.0.0.1:${gatewayPort}/ready`, 30_000);

    await runLightCaller(url, light, customers, WARM_UP_REQUESTS, 1, intervalMs);
    process.stderr.write(`light caller, idle graph: ${requests} requests\n`);
    unloaded = await runLightCaller(url, light, customers, requests, 2, intervalMs);
    process.stderr.write(`light caller while ${workers} heavy workers run (at most ${maxSeconds} s)\n`);
    const flood = startHeavyCaller(url, heavy, workers);
    // Let the heavy caller reach its limit before measuring.
    await delay(3_000);
    const startedAt = performance.now();
    loaded = await Promise.race([
      runLightCaller(url, light, customers, requests, 3, intervalMs),
      // Unreferenced: a run that finished in time exits at once instead of waiting out the limit.
      delay(maxSeconds * 1_000, undefined, { ref: false }).then(() => {
        throw new Error(`the loaded phase took longer than ${maxSeconds} s`);
      }),
    ]);
    loadedSeconds = (performance.now() - startedAt) / 1_000;
    await flood.stop();
    counts = flood.counts;
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
    if (database.mysqlUrl)
      for (const subgraph of [...SUBGRAPH_REGISTRY.map((entry) => entry.manifest.name), 'audit']) await dropMysqlDatabase(database, subgraph);
    rmSync(dataDir, { recursive: true, force: true });
  }

  const loadAtEnd = loadavg()[0] ?? 0;
  const p = (run: LightRun, share: number) => percentile(run.latenciesMs, share);
  const ratio = p(loaded, 0.99) / p(unloaded, 0.99);
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const share = (part: number) => `${((part / Math.max(1, counts.sent)) * 100).toFixed(1)} %`;
  const dialect = database.mysqlUrl ? 'MariaDB/MySQL' : 'SQLite';
  writeBenchmarkSection(
    database.mysqlUrl ? 'caller-limits-mysql' : 'caller-limits',
    `## Per-caller limits: a light caller beside a flooding one, ${dialect}

Target (hardening item 8): the light caller's p99 while another caller floods the gateway stays within 2× its p99 on an idle graph.

| light caller (\`customer(id) { customerNo name }\`, ${lightRate} per second, one at a time) | p50 | p99 | failed |
|---|---|---|---|
| idle graph | ${ms(median(unloaded.latenciesMs))} | ${ms(p(unloaded, 0.99))} | ${unloaded.failures} of ${requests} |
| while the heavy caller floods | ${ms(median(loaded.latenciesMs))} | ${ms(p(loaded, 0.99))} | ${loaded.failures} of ${requests} |
| ratio loaded / idle | ${(median(loaded.latenciesMs) / median(unloaded.latenciesMs)).toFixed(2)}× | **${ratio.toFixed(2)}×** (${ratio <= 2 ? 'within' : 'OVER'} 2×) | |

Heavy caller (${HEAVY_ROLE}, its own staff id, limit ${heavyLimit.ratePerSecond} r/s, burst ${heavyLimit.burst}, ${heavyLimit.concurrent} concurrent): ${workers} workers sending \`customers(first: 200) { nodes { policies { participants { name } } } }\` for the whole measured phase (${loadedSeconds.toFixed(0)} s, after 3 s to reach its limit), each waiting out a 429's \`Retry-After\`: ${counts.sent} requests, **${share(counts.limited)} answered 429**, ${share(counts.complete)} complete, ${share(counts.partial)} partial (a subgraph error or timeout), ${share(counts.other)} other.

- Graph: one process per subgraph and one for the gateway (the entries \`npm start\` runs, with ${SERVER_NODE_FLAGS.map((flag) => `\`${flag}\``).join(' ')}), ${customers.toLocaleString('en')} customers on ${dialect}, \`RATE_LIMITS=${limitsSpec}\`, default subgraph timeout; the load generator is this process. Light caller: ${LIGHT_ROLE}, random customers, ${WARM_UP_REQUESTS} warm-up requests first, latency of complete answers only.
- Command: \`${database.mysqlUrl ? 'MYSQL_URL=… ' : ''}npm run bench:limits -- --customers ${customers} --requests ${requests} --workers ${workers} --light-rate ${lightRate}${values.limits ? ` --limits '${limitsSpec}'` : ''}\`
- Machine: ${cpuModel()}, nproc ${availableParallelism()}, Node ${process.version}, load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end (shared with other work, so figures vary between runs)
- Date: ${new Date().toISOString().slice(0, 10)}`,
  );
  process.stderr.write(
    `light p99 ${ms(p(unloaded, 0.99))} idle, ${ms(p(loaded, 0.99))} loaded (${ratio.toFixed(2)}×); heavy caller ${share(counts.limited)} 429; recorded in BENCHMARKS.md\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:limits failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
