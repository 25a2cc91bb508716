/**
 * `npm run bench:blacklist [-- --rounds 40 --customers 200]`: how old the policy admin system's view of the blacklist
 * is (issue 10: "from the customers system's state at most a few seconds old"), with the whole graph as its own
 * processes (as `npm start` runs it), on each store (SQLite; MariaDB/MySQL when MYSQL_URL is set) and each transport
 * (direct HTTP; NATS JetStream when NATS_URL is set).
 *
 * Each round a customer manager proposes a customer and the branch's service centre approves it through the gateway.
 * - Commit to commit: policies' commit of the change (its inbox row's `applied_at_ms`) minus the customers system's
 *   commit of the approval (the outbox row's `recorded_at_ms`, written just before that commit, so the figure errs
 *   long): from then on quote, bind and renew read the refusal.
 * - Seen by a client: from the approval's answer until policies' store refuses the customer (polled every 2 ms).
 * Every round ends with a quote through the gateway, which must answer CUSTOMER_BLACKLISTED. The figures go to
 * BENCHMARKS.md (section blacklist-staleness).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { connect } from 'nats';
import { AUDIT_STORE, dropMysqlDatabase, INBOX_TABLE, openDatabase, OUTBOX_TABLE, toBoolean, type DatabaseConfig, type Knex } from '@icg/shared';
import { DEFAULT_SEED, generateOrg, seedStores, type OrgFacts, type StaffFact } from '@icg/synthetic';
import { SUBGRAPH_REGISTRY } from '../subgraph-registry';
import { describeMachine, writeBenchmarkSection } from './benchmark-report';
import { percentile } from './paired-rounds';
import { startGraphProcesses, type GraphProcesses } from './stack/graph-processes';
import { stopServersOnSignal } from './stack/stack-processes';
import { positiveInteger } from './benchmark-options';

type Dialect = 'sqlite' | 'mysql';
type Transport = 'http' | 'nats';

const PROPOSE = `mutation Propose($customerId: ID!, $key: String!) {
  proposeBlacklistEntry(customerId: $customerId, reason: "多次恶意拖欠保费", idempotencyKey: $key) { id version } }`;
const APPROVE = `mutation Approve($id: ID!, $key: String!) { approveBlacklistEntry(entryId: $id, expectedVersion: 1, idempotencyKey: $key) { status } }`;
const QUOTE = `mutation Quote($input: QuotePolicyInput!) { quotePolicy(input: $input) { policyNo } }`;
/** The load must measure the step, not the per-caller limits (README "Per-caller limits"). */
const UNBINDING_RATE_LIMITS = 'default=100000r/s,1000c';
const EVENT_TYPE = 'customer.blacklist-changed';

interface Options {
  rounds: number;
  customers: number;
}

function readOptions(): Options {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, customers: { type: 'string' } } });
  return { rounds: positiveInteger('rounds', values.rounds, 40), customers: positiveInteger('customers', values.customers, 200) };
}

interface Round {
  customerId: string;
  manager: StaffFact;
  serviceCentre: StaffFact;
}

/** Customers with a primary manager whose policies name that manager (so the manager may quote), and their city's service centre. */
async function roundsOf(crm: Knex, policies: Knex, org: OrgFacts, count: number): Promise<Round[]> {
  const quotable = new Set(
    (
      (await policies('policies').select('customer_id', 'customer_manager_staff_id')) as {
        customer_id: number | string;
        customer_manager_staff_id: number | string | null;
      }[]
    ).map((row) => `${row.customer_id}|${row.customer_manager_staff_id}`),
  );
  const customers = (await crm('customers')
    .whereNotNull('customer_manager_staff_id')
    .where('blacklisted', false)
    .whereNotExists(crm('blacklist_entries').whereRaw('blacklist_entries.customer_id = customers.id').whereNotNull('open_customer_id').select('id'))
    .orderBy('id')
    .select('id', 'branch_path', 'customer_manager_staff_id')) as { id: number | string; branch_path: string; customer_manager_staff_id: number | string }[];
  const rounds: Round[] = [];
  for (const customer of customers) {
    if (!quotable.has(`${customer.id}|${customer.customer_manager_staff_id}`)) continue;
    const manager = org.staff.find((staff) => String(staff.id) === String(customer.customer_manager_staff_id));
    const serviceCentre = org.staff.find((staff) => staff.role === 'SERVICE_CENTER_MANAGER' && staff.branchPath === customer.branch_path);
    if (manager && serviceCentre) rounds.push({ customerId: String(customer.id), manager, serviceCentre });
    if (rounds.length === count) return rounds;
  }
  throw new Error(`only ${rounds.length} of ${count} customers fit a round; seed more (--customers)`);
}

async function post<TData>(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ data?: TData | null; errors?: { extensions?: { code?: string } }[] }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: TData | null; errors?: { extensions?: { code?: string } }[] };
}

async function refuses(policies: Knex, customerId: string): Promise<boolean> {
  const row = (await policies('blacklist_refusals').where('customer_id', customerId).first('blacklisted')) as { blacklisted: number | boolean } | undefined;
  return row !== undefined && toBoolean(row.blacklisted);
}

interface RunResult {
  dialect: Dialect;
  transport: Transport;
  rounds: number;
  commitP50: number;
  commitP99: number;
  commitMax: number;
  clientP50: number;
  clientP99: number;
  loadAverage: string;
}

async function runOnce(dialect: Dialect, transport: Transport, options: Options): Promise<RunResult> {
  const runDirectory = mkdtempSync(join(tmpdir(), 'icg-bench-blacklist-'));
  const prefix = `icgb_${randomBytes(3).toString('hex')}_`;
  const database: DatabaseConfig = {
    mysqlUrl: dialect === 'mysql' ? process.env['MYSQL_URL'] : undefined,
    mysqlDatabasePrefix: prefix,
    dataDir: runDirectory,
    poolMax: 10,
  };
  const stream = `ICGB_${randomBytes(4).toString('hex')}`;
  let graph: GraphProcesses | undefined;
  let crm: Knex | undefined;
  let policies: Knex | undefined;
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
    const running = graph;
    const url = graph.url;

    crm = openDatabase(database, 'customers');
    policies = openDatabase(database, 'policies');
    const org = generateOrg(DEFAULT_SEED);
    const tokenOf = (staff: StaffFact) => running.token(staff.role, null, String(staff.id));
    const today = new Date().toISOString().slice(0, 10);

    const clientDelays: number[] = [];
    for (const round of await roundsOf(crm, policies, org, options.rounds)) {
      const managerToken = await tokenOf(round.manager);
      const proposed = await post<{ proposeBlacklistEntry: { id: string } | null }>(url, managerToken, PROPOSE, {
        customerId: round.customerId,
        key: randomUUID(),
      });
      const entryId = proposed.data?.proposeBlacklistEntry?.id;
      if (!entryId) throw new Error(`proposeBlacklistEntry failed: ${JSON.stringify(proposed.errors).slice(0, 300)}`);
      // Policies applies the proposal (not refusing yet) before the approval is sent, so each round times the approval alone.
      const inboxed = async () =>
        Number(
          (
            (await policies!(INBOX_TABLE)
              .where({ type: EVENT_TYPE, aggregate: `Customer:${round.customerId}` })
              .count({ n: '*' })) as { n: number | string }[]
          )[0]!.n,
        );
      while ((await inboxed()) === 0) await delay(2);
      const approved = await post<{ approveBlacklistEntry: { status: string } | null }>(url, await tokenOf(round.serviceCentre), APPROVE, {
        id: entryId,
        key: randomUUID(),
      });
      const answeredAt = performance.now();
      if (approved.data?.approveBlacklistEntry?.status !== 'ACTIVE')
        throw new Error(`approveBlacklistEntry failed: ${JSON.stringify(approved.errors).slice(0, 300)}`);
      while (!(await refuses(policies, round.customerId))) {
        if (performance.now() - answeredAt > 120_000) throw new Error(`policies did not refuse customer ${round.customerId} within 120 s`);
        await delay(2);
      }
      clientDelays.push(performance.now() - answeredAt);
      const quote = await post(url, managerToken, QUOTE, {
        input: {
          idempotencyKey: randomUUID(),
          customerId: round.customerId,
          productCode: 'PRO-HOM',
          channel: 'DIRECT',
          effectiveDate: today,
          sumInsured: 300_000,
          writtenPremium: 600,
        },
      });
      if (quote.errors?.[0]?.extensions?.code !== 'CUSTOMER_BLACKLISTED') throw new Error(`the quote was not refused: ${JSON.stringify(quote).slice(0, 300)}`);
    }

    // Commit to commit, from the two stores' own times, for the approvals (the ACTIVE changes).
    const recorded = (await crm(OUTBOX_TABLE).where('type', EVENT_TYPE).select('event_id', 'payload', 'recorded_at_ms')) as {
      event_id: string;
      payload: string;
      recorded_at_ms: number | string;
    }[];
    const applied = new Map(
      (
        (await policies(INBOX_TABLE).where('type', EVENT_TYPE).select('event_id', 'applied_at_ms')) as { event_id: string; applied_at_ms: number | string }[]
      ).map((row) => [row.event_id, Number(row.applied_at_ms)]),
    );
    const commitDelays = recorded
      .filter((row) => (JSON.parse(row.payload) as { status: string }).status === 'ACTIVE')
      .map((row) => applied.get(row.event_id)! - Number(row.recorded_at_ms));
    return {
      dialect,
      transport,
      rounds: commitDelays.length,
      commitP50: percentile(commitDelays, 0.5),
      commitP99: percentile(commitDelays, 0.99),
      commitMax: Math.max(...commitDelays),
      clientP50: percentile(clientDelays, 0.5),
      clientP99: percentile(clientDelays, 0.99),
      loadAverage: loadavg()
        .map((value) => value.toFixed(1))
        .join(' / '),
    };
  } finally {
    await crm?.destroy();
    await policies?.destroy();
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
      `| ${run.dialect} | ${run.transport} | ${run.rounds} | ${ms(run.commitP50)} / ${ms(run.commitP99)} (max ${ms(run.commitMax)}) | ${ms(run.clientP50)} / ${ms(run.clientP99)} | ${run.loadAverage} |`,
  );
  const markdown = `## Blacklist staleness (issue 10): from the approval's commit to policies refusing the customer

\`npm run bench:blacklist -- --rounds ${options.rounds} --customers ${options.customers}\`, ${new Date().toISOString().slice(0, 10)}, ${describeMachine()}.
The whole graph runs as its own processes with the default relay settings. Each round a customer manager proposes a customer
for the blacklist and the city's service-centre manager approves it through the gateway; the \`customer.blacklist-changed\`
event goes from the customers outbox to the policies refusal state. Commit to commit: policies' commit of the change minus the
customers system's commit of the approval (from the stores' own times; the outbox time is taken just before the commit, so it
errs long). Seen by a client: from the approval's answer until policies' store refuses the customer (polled every 2 ms). Every
round ends with a quote through the gateway answered CUSTOMER_BLACKLISTED. The issue asks for "at most a few seconds".
One approval at a time on an otherwise idle graph: under a burst the bound grows with the relay's backlog (bench:claim-report and
bench:events measure delivery under load), and while policies is down it is the outage (the changes wait and are applied when it is back).

| Store | Transport | Approvals | Commit to commit p50 / p99 | Seen by a client p50 / p99 | Load average (1/5/15 min) |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
  writeBenchmarkSection('blacklist-staleness', markdown);
  process.stdout.write(markdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:blacklist failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
