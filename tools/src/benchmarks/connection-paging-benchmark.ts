/**
 * `npm run bench:paging [-- --rounds 30 --customers 500 --rows 210000]`: what a late page of the root `policies`
 * connection costs against the first (issue 11: "page 1,000 of 200 rows costs the same as page 1", median of 30,
 * within 20 %), with the whole graph as its own processes (as `npm start` runs it), on each store (SQLite;
 * MariaDB/MySQL when MYSQL_URL is set).
 *
 * The seeded company is small; its policies are copied (new ids and numbers, the same facts) until the table holds
 * `--rows` policies, so page 1,000 of 200 exists. A BI analyst asks, through the gateway, alternately for page 1 and
 * for page 1,000: the latter after the sealed cursor of row 199,800, the cursor paging would have handed out. The
 * figures go to BENCHMARKS.md (section connection-paging).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AUDIT_STORE, dropMysqlDatabase, encodeCursor, insertInChunks, openDatabase, sealIdentifier, type DatabaseConfig, type Knex } from '@icg/shared';
import { DEFAULT_SEED, seedStores } from '@icg/synthetic';
import { SUBGRAPH_REGISTRY } from '../subgraph-registry';
import { describeMachine, writeBenchmarkSection } from './benchmark-report';
import { percentile } from './paired-rounds';
import { startGraphProcesses, type GraphProcesses } from './stack/graph-processes';
import { stopServersOnSignal } from './stack/stack-processes';
import { positiveInteger } from './benchmark-options';

type Dialect = 'sqlite' | 'mysql';

const PAGE_SIZE = 200;
const LATE_PAGE = 1_000;
const PAGE = `query Page($after: String) { policies(first: ${PAGE_SIZE}, after: $after) {
  pageInfo { hasNextPage endCursor } edges { cursor node { id policyNo lineOfBusiness status effectiveDate expiryDate } } } }`;
/** The load must measure the page, not the per-caller limits (README "Per-caller limits"). */
const UNBINDING_RATE_LIMITS = 'default=100000r/s,1000c';

interface Options {
  rounds: number;
  customers: number;
  rows: number;
}

interface RunResult {
  dialect: Dialect;
  rows: number;
  firstMedian: number;
  lateMedian: number;
  firstP90: number;
  lateP90: number;
  loadAverage: string;
}

function readOptions(): Options {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, customers: { type: 'string' }, rows: { type: 'string' } } });
  const options = {
    rounds: positiveInteger('rounds', values.rounds, 30),
    customers: positiveInteger('customers', values.customers, 500),
    rows: positiveInteger('rows', values.rows, PAGE_SIZE * LATE_PAGE + PAGE_SIZE * 50),
  };
  if (options.rows <= PAGE_SIZE * LATE_PAGE) throw new Error(`--rows must be above ${PAGE_SIZE * LATE_PAGE}, for page ${LATE_PAGE} of ${PAGE_SIZE} to exist`);
  return options;
}

/** Copies of the seeded policies, with ids and policy numbers of their own, until the table holds `rows`. */
async function fillPolicies(policies: Knex, rows: number): Promise<void> {
  const seeded = (await policies('policies').orderBy('id', 'asc')) as Record<string, unknown>[];
  let id = Math.max(...seeded.map((row) => Number(row['id'])));
  for (let count = seeded.length; count < rows;) {
    const batch: Record<string, unknown>[] = [];
    for (; batch.length < 5_000 && count < rows; count++) {
      id += 1;
      batch.push({ ...seeded[count % seeded.length]!, id, policy_no: `PZZ${String(id).padStart(12, '0')}`, prior_policy_no: null });
    }
    // In a transaction: SQLite then inserts through one prepared statement (shared/src/database.ts).
    await policies.transaction((trx) => insertInChunks(trx, 'policies', batch));
    process.stderr.write(`\rpolicies: ${count} / ${rows}`);
  }
  process.stderr.write('\n');
}

async function page(url: string, token: string, after: string | null): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: PAGE, variables: { after } }),
  });
  const body = (await response.json()) as { data?: { policies?: { edges: unknown[] } } | null; errors?: unknown[] };
  const elapsed = performance.now() - started;
  if (body.errors || body.data?.policies?.edges.length !== PAGE_SIZE) throw new Error(`a page did not come back whole: ${JSON.stringify(body).slice(0, 300)}`);
  return elapsed;
}

async function runOnce(dialect: Dialect, options: Options): Promise<RunResult> {
  const runDirectory = mkdtempSync(join(tmpdir(), 'icg-bench-paging-'));
  const prefix = `icgp_${randomBytes(3).toString('hex')}_`;
  const database: DatabaseConfig = {
    mysqlUrl: dialect === 'mysql' ? process.env['MYSQL_URL'] : undefined,
    mysqlDatabasePrefix: prefix,
    dataDir: runDirectory,
    poolMax: 10,
  };
  let graph: GraphProcesses | undefined;
  let policies: Knex | undefined;
  try {
    process.stderr.write(`${dialect}: seeding ${options.customers} customers into ${runDirectory}\n`);
    await seedStores({ config: database, stores: SUBGRAPH_REGISTRY, customers: options.customers, seed: DEFAULT_SEED });
    policies = openDatabase(database, 'policies');
    await fillPolicies(policies, options.rows);
    const ids = (await policies('policies')
      .orderBy('id', 'asc')
      .offset(PAGE_SIZE * (LATE_PAGE - 1) - 1)
      .limit(1)
      .pluck('id')) as (number | string)[];
    graph = await startGraphProcesses({
      database,
      runDirectory,
      // A loaded shared machine can hold a subgraph's answer past the default 3 s; a timeout would end the run, not measure it.
      env: { RATE_LIMITS: UNBINDING_RATE_LIMITS, SUBGRAPH_TIMEOUT_MS: '30000' },
    });
    // The cursor paging hands out after row 199,800, sealed as BI gets it.
    const lateCursor = sealIdentifier(graph.pseudonymSecret, encodeCursor(String(ids[0])));
    const url = graph.url;
    const token = await graph.token('BI_ANALYST');

    // Warm-up (query plans, pools, caches), then the two pages alternately, so drift on a shared machine hits both alike.
    for (let warm = 0; warm < 5; warm++) {
      await page(url, token, null);
      await page(url, token, lateCursor);
    }
    const first: number[] = [];
    const late: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      first.push(await page(url, token, null));
      late.push(await page(url, token, lateCursor));
    }
    return {
      dialect,
      rows: options.rows,
      firstMedian: percentile(first, 0.5),
      lateMedian: percentile(late, 0.5),
      firstP90: percentile(first, 0.9),
      lateP90: percentile(late, 0.9),
      loadAverage: loadavg()
        .map((value) => value.toFixed(1))
        .join(' / '),
    };
  } finally {
    await policies?.destroy();
    await graph?.stop();
    if (database.mysqlUrl) for (const { manifest } of SUBGRAPH_REGISTRY) await dropMysqlDatabase(database, manifest.name);
    if (database.mysqlUrl) await dropMysqlDatabase(database, AUDIT_STORE);
    rmSync(runDirectory, { recursive: true, force: true });
  }
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

async function main(): Promise<void> {
  stopServersOnSignal();
  const options = readOptions();
  const dialects: Dialect[] = process.env['MYSQL_URL'] ? ['sqlite', 'mysql'] : ['sqlite'];
  const results: RunResult[] = [];
  for (const dialect of dialects) results.push(await runOnce(dialect, options));
  const rows = results.map((run) => {
    const ratio = run.lateMedian / run.firstMedian;
    return `| ${run.dialect} | ${run.rows} | ${ms(run.firstMedian)} (p90 ${ms(run.firstP90)}) | ${ms(run.lateMedian)} (p90 ${ms(run.lateP90)}) | ${ratio.toFixed(2)} ${Math.abs(ratio - 1) <= 0.2 ? '(within 20 %)' : '(NOT within 20 %)'} | ${run.loadAverage} |`;
  });
  const markdown = `## Connection paging (issue 11): page ${LATE_PAGE} of ${PAGE_SIZE} policies against page 1

\`npm run bench:paging -- --rounds ${options.rounds} --customers ${options.customers} --rows ${options.rows}\`, ${new Date().toISOString().slice(0, 10)}, ${describeMachine()}.
The whole graph runs as its own processes. The seeded company's policies are copied (new ids and numbers) until the table holds
the rows shown, so page ${LATE_PAGE} exists. A BI analyst (sealed ids and cursors) asks through the gateway for \`policies(first: ${PAGE_SIZE})\`
and for the same page after the sealed cursor of row ${PAGE_SIZE * (LATE_PAGE - 1)}, alternately, ${options.rounds} times each after a warm-up;
the figures are the medians (and p90) of the answer time at the client. The issue asks for page ${LATE_PAGE} within 20 % of page 1: the
keyset (\`WHERE id > cursor ORDER BY id LIMIT ${PAGE_SIZE + 1}\`) reads the same number of index entries at any depth.

| Store | Policies | Page 1 median | Page ${LATE_PAGE} median | Ratio | Load average (1/5/15 min) |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
  writeBenchmarkSection('connection-paging', markdown);
  process.stdout.write(markdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:paging failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
