/**
 * `npm run bench:claim-report [-- --seconds 20 --workers 4 --customers 300 --single 50]`: the claim-report step of
 * issue 10 through the gateway, with the whole graph as its own processes (as `npm start` runs it), on each store
 * (SQLite; MariaDB/MySQL when MYSQL_URL is set) and each transport (direct HTTP; NATS JetStream when NATS_URL is set).
 *
 * - Mutations per second: `workers` hotline agents, each sending `reportClaimByPhone` one after another for `seconds`
 *   (each answer is the CLAIM_REPORT ticket committed with its outbox event), with the answer's p50 and p99.
 * - Delivery delay: for each report, the claims system's commit of the claim (its inbox row's `applied_at_ms`) minus
 *   the hotline's commit (the outbox row's `recorded_at_ms`), p50 and p99: for `single` reports sent one at a time,
 *   and for the reports of the load.
 * - Drain: from the last report of the load until the claims system has filed a claim for every ticket (the outbox
 *   backlog delivered; the target after a burst is 5 s).
 * The figures go to BENCHMARKS.md (section claim-report).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { connect } from 'nats';
import { AUDIT_STORE, dropMysqlDatabase, INBOX_TABLE, openDatabase, OUTBOX_TABLE, type DatabaseConfig, type Knex } from '@icg/shared';
import { DEFAULT_SEED, generateOrg, seedStores } from '@icg/synthetic';
import { SUBGRAPH_REGISTRY } from '../subgraph-registry';
import { describeMachine, writeBenchmarkSection } from './benchmark-report';
import { percentile } from './paired-rounds';
import { startGraphProcesses, type GraphProcesses } from './stack/graph-processes';
import { stopServersOnSignal } from './stack/stack-processes';
import { positiveInteger } from './benchmark-options';

type Dialect = 'sqlite' | 'mysql';
type Transport = 'http' | 'nats';

const REPORT = `mutation Report($input: ReportClaimByPhoneInput!) { reportClaimByPhone(input: $input) { ticketNo } }`;
/** The load must measure the step, not the per-caller limits (README "Per-caller limits"). */
const UNBINDING_RATE_LIMITS = 'default=100000r/s,1000c';
const EVENT_TYPE = 'service-request.claim-reported';

interface Options {
  seconds: number;
  workers: number;
  customers: number;
  single: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: { seconds: { type: 'string' }, workers: { type: 'string' }, customers: { type: 'string' }, single: { type: 'string' } },
  });
  return {
    seconds: positiveInteger('seconds', values.seconds, 20),
    workers: positiveInteger('workers', values.workers, 4),
    customers: positiveInteger('customers', values.customers, 300),
    single: positiveInteger('single', values.single, 50),
  };
}

interface Caller {
  customerId: string;
  policyNo: string;
}

interface RunResult {
  dialect: Dialect;
  transport: Transport;
  reports: number;
  seconds: number;
  perSecond: number;
  answerP50: number;
  answerP99: number;
  singleDelayP50: number;
  singleDelayP99: number;
  loadDelayP50: number;
  loadDelayP99: number;
  drainMs: number;
  loadAverage: string;
}

/** Customers with a policy, from the hotline's own directory (the callers an agent could take a report from). */
async function callersOf(hotline: Knex): Promise<Caller[]> {
  const rows = (await hotline('policy_directory').select('customer_id', 'policy_no').orderBy('policy_no')) as {
    customer_id: number | string;
    policy_no: string;
  }[];
  return rows.map((row) => ({ customerId: String(row.customer_id), policyNo: row.policy_no }));
}

/** Commit-to-commit delays (ms) of the reports whose claims are filed, by event id. */
async function deliveryDelays(hotline: Knex, claims: Knex, eventIds?: ReadonlySet<string>): Promise<{ delays: number[]; pending: number }> {
  const recorded = (await hotline(OUTBOX_TABLE).where('type', EVENT_TYPE).select('event_id', 'recorded_at_ms')) as {
    event_id: string;
    recorded_at_ms: number | string;
  }[];
  const applied = (await claims(INBOX_TABLE).where('type', EVENT_TYPE).select('event_id', 'applied_at_ms')) as {
    event_id: string;
    applied_at_ms: number | string;
  }[];
  const appliedAt = new Map(applied.map((row) => [row.event_id, Number(row.applied_at_ms)]));
  const delays: number[] = [];
  let pending = 0;
  for (const row of recorded) {
    if (eventIds && !eventIds.has(row.event_id)) continue;
    const at = appliedAt.get(row.event_id);
    if (at === undefined) pending++;
    else delays.push(at - Number(row.recorded_at_ms));
  }
  return { delays, pending };
}

async function eventIdsOf(hotline: Knex): Promise<Set<string>> {
  return new Set(((await hotline(OUTBOX_TABLE).where('type', EVENT_TYPE).select('event_id')) as { event_id: string }[]).map((row) => row.event_id));
}

async function post(url: string, headers: Record<string, string>, caller: Caller): Promise<void> {
  const input = {
    idempotencyKey: randomUUID(),
    customerId: caller.customerId,
    policyNo: caller.policyNo,
    lossDate: '2026-11-01',
    cause: 'COLLISION',
    priority: 'HIGH',
  };
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: REPORT, variables: { input } }),
  });
  const body = (await response.json()) as { data?: { reportClaimByPhone?: { ticketNo: string } | null }; errors?: unknown[] };
  if (!body.data?.reportClaimByPhone) throw new Error(`reportClaimByPhone failed (${response.status}): ${JSON.stringify(body.errors).slice(0, 300)}`);
}

async function runOnce(dialect: Dialect, transport: Transport, options: Options): Promise<RunResult> {
  const runDirectory = mkdtempSync(join(tmpdir(), 'icg-bench-claim-report-'));
  const prefix = `icgb_${randomBytes(3).toString('hex')}_`;
  const database: DatabaseConfig = {
    mysqlUrl: dialect === 'mysql' ? process.env['MYSQL_URL'] : undefined,
    mysqlDatabasePrefix: prefix,
    dataDir: runDirectory,
    poolMax: 10,
  };
  const stream = `ICGB_${randomBytes(4).toString('hex')}`;
  let graph: GraphProcesses | undefined;
  let hotline: Knex | undefined;
  let claims: Knex | undefined;
  try {
    process.stderr.write(`${dialect} over ${transport}: seeding ${options.customers} customers into ${runDirectory}\n`);
    await seedStores({ config: database, stores: SUBGRAPH_REGISTRY, customers: options.customers, seed: DEFAULT_SEED });
    graph = await startGraphProcesses({
      database,
      runDirectory,
      env: {
        RATE_LIMITS: UNBINDING_RATE_LIMITS,
        ...(transport === 'nats' ? { NATS_URL: process.env['NATS_URL'], NATS_STREAM: stream, NATS_SUBJECT_PREFIX: `icgb${stream.slice(5)}.events` } : {}),
      },
    });
    const url = graph.url;
    const running = graph;

    hotline = openDatabase(database, 'service-requests');
    claims = openDatabase(database, 'claims');
    const callers = await callersOf(hotline);
    const agents = generateOrg(DEFAULT_SEED).staff.filter((member) => member.role === 'HOTLINE_AGENT');
    const headersOf = async (index: number) => ({
      authorization: `Bearer ${await running.token('HOTLINE_AGENT', 'CUSTOMER_SERVICE', String(agents[index % agents.length]!.id))}`,
    });

    // One at a time: each report's claim filed before the next is sent.
    const singleHeaders = await headersOf(0);
    for (let index = 0; index < options.single; index++) {
      await post(url, singleHeaders, callers[index % callers.length]!);
      const target = index + 1;
      while ((await deliveryDelays(hotline, claims)).delays.length < target) await delay(2);
    }
    const single = (await deliveryDelays(hotline, claims)).delays;
    const beforeLoad = await eventIdsOf(hotline);

    // The load: every worker a different agent, sending reports back to back.
    const answers: number[] = [];
    const started = Date.now();
    const until = started + options.seconds * 1_000;
    let next = options.single;
    await Promise.all(
      Array.from({ length: options.workers }, async (_, worker) => {
        const headers = await headersOf(worker + 1);
        while (Date.now() < until) {
          const caller = callers[next++ % callers.length]!;
          const sent = performance.now();
          await post(url, headers, caller);
          answers.push(performance.now() - sent);
        }
      }),
    );
    const loadEnded = Date.now();
    const elapsed = (loadEnded - started) / 1_000;
    let load = await deliveryDelays(hotline, claims);
    while (load.pending > 0 && Date.now() - loadEnded < 300_000) {
      await delay(20);
      load = await deliveryDelays(hotline, claims);
    }
    if (load.pending > 0) throw new Error(`${load.pending} claim reports were not filed within 300 s of the load`);
    const allIds = await eventIdsOf(hotline);
    const loadIds = new Set([...allIds].filter((id) => !beforeLoad.has(id)));
    const loadDelays = (await deliveryDelays(hotline, claims, loadIds)).delays;
    // The last claim's commit after the last report: the drain.
    const appliedTimes = (await claims(INBOX_TABLE).where('type', EVENT_TYPE).max({ last: 'applied_at_ms' })) as { last: number | string }[];
    const drainMs = Math.max(0, Number(appliedTimes[0]!.last) - loadEnded);
    return {
      dialect,
      transport,
      reports: answers.length,
      seconds: elapsed,
      perSecond: answers.length / elapsed,
      answerP50: percentile(answers, 0.5),
      answerP99: percentile(answers, 0.99),
      singleDelayP50: percentile(single, 0.5),
      singleDelayP99: percentile(single, 0.99),
      loadDelayP50: percentile(loadDelays, 0.5),
      loadDelayP99: percentile(loadDelays, 0.99),
      drainMs,
      loadAverage: loadavg()
        .map((value) => value.toFixed(1))
        .join(' / '),
    };
  } finally {
    await hotline?.destroy();
    await claims?.destroy();
    await graph?.stop();
    if (transport === 'nats') {
      const connection = await connect({ servers: process.env['NATS_URL'] });
      await (await connection.jetstreamManager()).streams.delete(stream).catch(() => false);
      await connection.close();
    }
    if (database.mysqlUrl) for (const { manifest } of SUBGRAPH_REGISTRY) await dropMysqlDatabase(database, manifest.name);
    if (database.mysqlUrl) await dropMysqlDatabase(database, AUDIT_STORE);
    rmSync(runDirectory, { recursive: true, force: true });
  }
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

async function main(): Promise<void> {
  stopServersOnSignal();
  const options = readOptions();
  const dialects: Dialect[] = process.env['MYSQL_URL'] ? ['sqlite', 'mysql'] : ['sqlite'];
  const transports: Transport[] = process.env['NATS_URL'] ? ['http', 'nats'] : ['http'];
  const results: RunResult[] = [];
  for (const dialect of dialects) for (const transport of transports) results.push(await runOnce(dialect, transport, options));
  const rows = results.map(
    (run) =>
      `| ${run.dialect} | ${run.transport} | ${run.perSecond.toFixed(1)} (${run.reports} in ${run.seconds.toFixed(1)} s) | ${ms(run.answerP50)} / ${ms(run.answerP99)} | ${ms(run.singleDelayP50)} / ${ms(run.singleDelayP99)} | ${ms(run.loadDelayP50)} / ${ms(run.loadDelayP99)} | ${ms(run.drainMs)} | ${run.loadAverage} |`,
  );
  const markdown = `## Claim report by phone (issue 10): mutations per second and delivery to the claims system

\`npm run bench:claim-report -- --seconds ${options.seconds} --workers ${options.workers} --customers ${options.customers} --single ${options.single}\`, ${new Date().toISOString().slice(0, 10)}, ${describeMachine()}.
The whole graph runs as its own processes; ${options.workers} hotline agents send \`reportClaimByPhone\` back to back through the gateway for ${options.seconds} s
(each answer: the ticket committed with its outbox event). Delivery delay: the claims system's commit of the claim and its survey task
minus the hotline's commit, from the two stores' outbox and inbox times; one at a time (${options.single} reports, each filed before the
next is sent) and under the load. Drain: from the load's last report until every claim is filed (target after a burst: 5 s).

| Store | Transport | Reports/s through the gateway | Answer p50 / p99 | Delay one at a time p50 / p99 | Delay under load p50 / p99 | Drain after the load | Load average (1/5/15 min) |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
  writeBenchmarkSection('claim-report', markdown);
  process.stdout.write(markdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:claim-report failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
