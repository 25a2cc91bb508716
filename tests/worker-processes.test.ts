import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { openDatabase, subgraphUrlVariable } from '@icg/shared';
import { SCHEDULE_INTERVAL_VARIABLE } from '@icg/subgraph-customers';
import { freePort } from '@icg/tools';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { createTestDatabases, TEST_DIALECTS, type TestDatabases } from './support/test-database';
import { bearerHeaders, TEST_ASSERTION_SECRET, TEST_TOKEN_SECRET, type ActingAs } from './support/test-security';

const ROOT = join(__dirname, '..');
const QUERY = '{ customer(id: "1") { customerNo name } }';
/** The caller whose limits are under test: six requests, then none (the bucket refills once in 1,000 s). */
const LIMITED: ActingAs = { role: 'HOTLINE_AGENT' };
const LIMITED_BURST = 6;
const RATE_LIMITS = `default=1000r/s,100c;HOTLINE_AGENT=0.001r/s,100c,${LIMITED_BURST}b`;

interface LogLine {
  pid: number;
  worker?: number;
  msg?: string;
  requestId?: string;
  [field: string]: unknown;
}

/** A server process started from its compiled entry with WORKERS=2, its JSON log lines collected. */
interface ServerProcess {
  child: ChildProcess;
  url: string;
  lines: LogLine[];
  exited: Promise<number | null>;
  /** Resolves with the first log line (new since `after`) that matches. */
  waitForLine(match: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
}

function spawnServer(entry: string, env: NodeJS.ProcessEnv, port: number): ServerProcess {
  const child = spawn(process.execPath, [join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...env, WORKERS: '2', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: LogLine[] = [];
  let rest = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString('utf8');
    const complete = text.split('\n');
    rest = complete.pop() ?? '';
    for (const line of complete) {
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        lines.push({ pid: 0, msg: line });
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    lines,
    exited,
    async waitForLine(match, what, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find(match);
        if (found) return found;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no log line for ${what}; last lines: ${JSON.stringify(lines.slice(-5)).slice(0, 1500)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** One request on a connection of its own (no keep-alive): the primary hands each new connection to the next worker. */
function requestOnNewConnection(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; requestId: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => {
        const requestId = response.headers['x-request-id'];
        resolve({ status: response.statusCode ?? 0, requestId: typeof requestId === 'string' ? requestId : undefined, body });
      });
    });
    request.once('error', reject);
    request.end(options.body);
  });
}

async function queryOnNewConnection(gateway: ServerProcess, acting?: ActingAs) {
  return requestOnNewConnection(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await bearerHeaders(acting)) },
    body: JSON.stringify({ query: QUERY }),
  });
}

/** The worker whose request log line carries this request id. */
async function workerThatAnswered(server: ServerProcess, requestId: string | undefined): Promise<number | undefined> {
  const line = await server.waitForLine((entry) => entry.requestId === requestId && typeof entry['status'] === 'number', `request ${requestId}`, 10_000);
  return line.worker;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The sum of a counter's or histogram count's samples in a Prometheus text. */
function sampleSum(metricsText: string, sample: string): number {
  return metricsText
    .split('\n')
    .filter((line) => line.startsWith(`${sample}{`) || line.startsWith(`${sample} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe.each(TEST_DIALECTS)('a gateway with WORKERS=2 on %s', (dialect) => {
  let graph: GraphUnderTest;
  let gateway: ServerProcess;
  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: 5 });
    const port = await freePort();
    const { config } = graph.databases;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: config.dataDir,
      MYSQL_DATABASE_PREFIX: config.mysqlDatabasePrefix,
      AUTH_HS256_SECRET: TEST_TOKEN_SECRET,
      IDENTITY_ASSERTION_SECRET: TEST_ASSERTION_SECRET,
      RATE_LIMITS,
      PLAN_WARM_UP: 'false',
      APOLLO_TELEMETRY_DISABLED: '1',
    };
    if (config.mysqlUrl) env['MYSQL_URL'] = config.mysqlUrl;
    else delete env['MYSQL_URL'];
    for (const subgraph of Object.values(graph.subgraphs)) env[subgraphUrlVariable(subgraph.name)] = `${subgraph.url}/graphql`;
    gateway = spawnServer('gateway/dist/main.js', env, port);
    await gateway.waitForLine((line) => line.msg === 'gateway: every worker is listening', 'both gateway workers listening');
  }, 120_000);
  afterAll(async () => {
    if (gateway?.child.exitCode === null) {
      gateway.child.kill('SIGKILL');
      await gateway.exited;
    }
    await graph?.close();
  });

  it('hands new connections to both gateway workers, each answering the same', async () => {
    const answers = [];
    for (let attempt = 0; attempt < 6; attempt += 1) answers.push(await queryOnNewConnection(gateway));
    expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(200));
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
    expect(JSON.parse(answers[0]!.body)).toMatchObject({ data: { customer: { customerNo: expect.any(String) } } });
    const workers = await Promise.all(answers.map((answer) => workerThatAnswered(gateway, answer.requestId)));
    expect(new Set(workers)).toEqual(new Set([0, 1]));
  });

  it('holds a caller to its limits once across the workers, not once per worker', async () => {
    const answers = [];
    for (let attempt = 0; attempt < LIMITED_BURST * 2; attempt += 1) answers.push(await queryOnNewConnection(gateway, LIMITED));
    const admitted = answers.filter((answer) => answer.status === 200);
    expect(admitted).toHaveLength(LIMITED_BURST);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(LIMITED_BURST);
    // The admitted requests were served by both workers: the limit held across them.
    const workers = await Promise.all(admitted.map((answer) => workerThatAnswered(gateway, answer.requestId)));
    expect(new Set(workers)).toEqual(new Set([0, 1]));
  });

  it('answers /metrics for every worker, whichever worker the scrape reaches', async () => {
    const served = [];
    for (let attempt = 0; attempt < 4; attempt += 1) served.push((await queryOnNewConnection(gateway)).status);
    expect(served).toEqual([200, 200, 200, 200]);
    const scrapes = [];
    for (let attempt = 0; attempt < 2; attempt += 1) scrapes.push(await requestOnNewConnection(`${gateway.url}/metrics`));
    expect(scrapes.map((scrape) => scrape.status)).toEqual([200, 200]);
    const answeredAt200 = scrapes.map((scrape) => {
      const text = scrape.body;
      return text
        .split('\n')
        .filter((line) => line.startsWith('icg_http_request_duration_seconds_count{') && line.includes('status="200"'))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    });
    // Every 200 this suite has had so far (6 + 6 + 4), whichever worker answered it and whichever answers the scrape.
    expect(answeredAt200[0]).toBe(16);
    expect(answeredAt200[1]).toBe(16);
    expect(sampleSum(scrapes[0]!.body, 'icg_http_request_duration_seconds_count')).toBeGreaterThanOrEqual(16 + LIMITED_BURST);
  });

  it('replaces a worker that dies and keeps serving meanwhile', async () => {
    const listening = gateway.lines.filter((line) => line.msg === 'gateway listening');
    const victim = listening.find((line) => line.worker === 1)!;
    const survivor = listening.find((line) => line.worker === 0)!;
    process.kill(victim.pid, 'SIGKILL');
    await gateway.waitForLine((line) => line.worker === 1 && /replacing it/.test(line.msg ?? ''), 'the primary replacing worker 1');
    const meanwhile = [];
    for (let attempt = 0; attempt < 3; attempt += 1) meanwhile.push((await queryOnNewConnection(gateway)).status);
    expect(meanwhile).toEqual([200, 200, 200]);
    const replacement = await gateway.waitForLine(
      (line) => line.msg === 'gateway listening' && line.worker === 1 && line.pid !== victim.pid,
      'a new worker 1 listening',
    );
    expect(isRunning(replacement.pid)).toBe(true);
    expect(isRunning(survivor.pid)).toBe(true);
    const after = [];
    for (let attempt = 0; attempt < 4; attempt += 1) after.push(await queryOnNewConnection(gateway));
    expect(after.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
  });

  it('stops every worker on SIGTERM and exits 0', async () => {
    const workerPids = [...new Set(gateway.lines.filter((line) => line.msg === 'gateway listening').map((line) => line.pid))];
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    for (const pid of workerPids) expect(isRunning(pid)).toBe(false);
  });
});

describe.each(TEST_DIALECTS)('a subgraph with WORKERS=2 on a fresh %s store', (dialect) => {
  let databases: TestDatabases;
  let customers: ServerProcess;
  beforeAll(async () => {
    databases = createTestDatabases(dialect);
    const port = await freePort();
    const { config } = databases;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOST: '127.0.0.1',
      CUSTOMERS_PORT: String(port),
      DATA_DIR: config.dataDir,
      MYSQL_DATABASE_PREFIX: config.mysqlDatabasePrefix,
      IDENTITY_ASSERTION_SECRET: TEST_ASSERTION_SECRET,
      [SCHEDULE_INTERVAL_VARIABLE]: '10',
      APOLLO_TELEMETRY_DISABLED: '1',
    };
    if (config.mysqlUrl) env['MYSQL_URL'] = config.mysqlUrl;
    else delete env['MYSQL_URL'];
    customers = spawnServer('subgraphs/customers/dist/main.js', env, port);
  }, 30_000);
  afterAll(async () => {
    if (customers?.child.exitCode === null) {
      customers.child.kill('SIGTERM');
      await customers.exited;
    }
    await databases?.cleanup();
  });

  it('migrates the store once while both workers start, and both become ready', async () => {
    for (const worker of [0, 1]) {
      await customers.waitForLine((line) => line.worker === worker && line.msg === 'database ready', `worker ${worker}'s store ready`);
    }
    const db = openDatabase(databases.config, 'customers');
    try {
      const migrations = await db('knex_migrations').select<{ name: string }[]>('name');
      expect(migrations.length).toBeGreaterThan(0);
      expect(new Set(migrations.map((row) => row.name)).size).toBe(migrations.length);
    } finally {
      await db.destroy();
    }
    // Ready once each has also run its request path (shared/src/subgraph-warm-up.ts), which follows the store.
    for (const worker of [0, 1]) {
      await customers.waitForLine((line) => line.worker === worker && String(line.msg).startsWith('request path warmed up'), `worker ${worker}'s warm-up`);
    }
    const readiness = [];
    for (let attempt = 0; attempt < 4; attempt += 1) readiness.push((await requestOnNewConnection(`${customers.url}/ready`)).status);
    expect(readiness).toEqual([200, 200, 200, 200]);
  });

  it('runs its scheduled jobs in one worker only', async () => {
    // Two runs of the 10-second schedule: each worker would have run the job at least twice by then if both did.
    await customers.waitForLine(
      (line) => line.msg === 'scheduled job ran' && customers.lines.filter((entry) => entry.msg === 'scheduled job ran').length >= 2,
      'two scheduled runs',
      40_000,
    );
    const runs = customers.lines.filter((line) => line.msg === 'scheduled job ran');
    expect(new Set(runs.map((line) => line.worker))).toEqual(new Set([0]));
  }, 60_000);
});
