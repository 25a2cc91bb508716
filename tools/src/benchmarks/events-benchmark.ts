/**
 * `npm run bench:events [-- --backlog-events 2000 --delay-events 400 --saturate-seconds 20 --burst-seconds 60 --workers 2]`: how fast events travel
 * between subgraphs (issue 10, "nothing lost across systems"), on each transport (direct HTTP; NATS
 * JetStream when NATS_URL is set) and each store (SQLite; MariaDB/MySQL when MYSQL_URL is set). The probe
 * subgraphs (tools/src/event-probe) run as their own processes, as subgraphs do in production; the sender
 * records notes through its GraphQL endpoint, each note with its event in one transaction; the receiver
 * stores each note it receives in one transaction with its inbox row.
 *
 * - Delivery capacity: notes recorded while the receiver is down, then the time from its start until it holds them
 *   all: events delivered per second with nothing else running (the relay's backoff is capped at 100 ms here).
 * - Delivery delay: notes recorded one at a time; for each, the receiver's commit time minus the sender's
 *   (both taken inside the transaction, just before the commit), p50 and p99.
 * - Saturation: workers record notes as fast as the sender takes them; the commit rate, and the delivery rate
 *   (notes the receiver committed per second while a backlog stood).
 * - Highest sustainable rate: the commit rate at which delivery keeps up, taken as 90 % of the lower of those
 *   two rates (the margin leaves room for the machine's noise; the burst below checks it).
 * - Burst and drain: notes recorded at that rate, paced, for the burst (60 s); then the backlog left and the
 *   time from the last commit until the receiver holds every note (the outbox backlog drained; target 5 s).
 * The claim-report step through the gateway (mutations per second) is measured with that workflow: see
 * CLAIM_REPORT_HOOK below.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { connect } from 'nats';
import {
  AUDIT_STORE,
  createAssertionSigner,
  dropMysqlDatabase,
  IDENTITY_ASSERTION_HEADER,
  openDatabase,
  subgraphPortVariable,
  type DatabaseConfig,
  type Knex,
  type StaffIdentity,
} from '@icg/shared';
import { PROBE_RECEIVER, PROBE_SENDER } from '../event-probe/event-probe';
import { freePort } from '../free-port';
import { SERVER_NODE_FLAGS } from '../server-node-flags';
import { describeMachine, writeBenchmarkSection } from './benchmark-report';
import { percentile } from './paired-rounds';
import { positiveInteger } from './benchmark-options';

/** Where the claim-report figure goes once that workflow exists: a run of `takeClaimReport` through the gateway, reported beside these. */
export const CLAIM_REPORT_HOOK = 'claim-report mutations/s through the gateway: `npm run bench:claim-report` (section "Claim report by phone")';

type Dialect = 'sqlite' | 'mysql';
type Transport = 'http' | 'nats';
const RECORD = 'mutation Record($key: String!, $first: Int!, $count: Int!) { recordProbeNotes(key: $key, first: $first, count: $count) }';
const BURST_NOTES_PER_REQUEST = 5;
const BACKLOG_NOTES_PER_REQUEST = 50;
/** The repository root (this file is at tools/dist/benchmarks); not from the registry, which would load every subgraph. */
const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');
const AUDITOR: StaffIdentity = { staffId: '1', role: 'AUDITOR', branchId: '1', branchPath: '/1/', grade: null, purpose: 'AUDIT' };

interface Scenario {
  dialect: Dialect;
  transport: Transport;
  delayP50Ms: number;
  delayP99Ms: number;
  delayEvents: number;
  backlogEvents: number;
  backlogDrainMs: number;
  saturateCommitRate: number;
  saturateDeliveredRate: number;
  sustainableRate: number;
  burstSeconds: number;
  burstNotes: number;
  burstRate: number;
  backlogAtBurstEnd: number;
  drainMs: number;
}

/** Share of the measured ceiling the burst is paced at: "keeps up" with a margin for a shared machine's noise. */
const SUSTAINABLE_SHARE = 0.9;
/** Requests in flight at most while pacing: enough to hold the rate through a slow request, not a second flat-out run. */
const PACED_IN_FLIGHT = 8;

async function waitUntilReady(url: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await delay(100);
  }
  throw new Error(`${url} did not become ready`);
}

async function runScenario(
  dialect: Dialect,
  transport: Transport,
  options: { delayEvents: number; backlogEvents: number; saturateSeconds: number; burstSeconds: number; workers: number },
): Promise<Scenario> {
  const run = randomBytes(4).toString('hex');
  const database: DatabaseConfig = {
    mysqlUrl: dialect === 'mysql' ? process.env.MYSQL_URL : undefined,
    mysqlDatabasePrefix: `icgb_${run}_`,
    dataDir: mkdtempSync(join(tmpdir(), 'icg-bench-events-')),
    poolMax: 10,
  };
  const assertionSecret = randomBytes(32).toString('base64url');
  const signer = createAssertionSigner(assertionSecret);
  const [senderPort, receiverPort] = [await freePort(), await freePort()];
  const nats = transport === 'nats' ? { NATS_URL: process.env.NATS_URL!, NATS_STREAM: `ICGB_${run}`, NATS_SUBJECT_PREFIX: `icgb${run}.events` } : {};
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    APOLLO_TELEMETRY_DISABLED: '1',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DATA_DIR: database.dataDir,
    MYSQL_DATABASE_PREFIX: database.mysqlDatabasePrefix,
    ...(database.mysqlUrl ? { MYSQL_URL: database.mysqlUrl } : {}),
    // The backlog phase starts the receiver late: the relay's next try must not wait out a long backoff.
    EVENT_RETRY_BASE_MS: '20',
    EVENT_RETRY_MAX_MS: '100',
    IDENTITY_ASSERTION_SECRET: assertionSecret,
    [subgraphPortVariable(PROBE_SENDER)]: String(senderPort),
    [subgraphPortVariable(PROBE_RECEIVER)]: String(receiverPort),
    ...nats,
  };
  const children: ChildProcess[] = [];
  const launch = async (role: 'sender' | 'receiver') => {
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, join(REPOSITORY_ROOT, 'tools', 'dist', 'event-probe', 'event-probe-main.js'), role], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', () => resolve());
      child.once('exit', (code) => reject(new Error(`probe ${role} exited with ${code}`)));
    });
  };
  const record = async (key: string, first: number, count: number) => {
    const body = JSON.stringify({ query: RECORD, variables: { key, first, count } });
    const assertion = await signer.sign(AUDITOR, { subgraph: PROBE_SENDER, requestId: `bench-${randomBytes(6).toString('hex')}`, body });
    const response = await fetch(`http://127.0.0.1:${senderPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_ASSERTION_HEADER]: assertion },
      body,
    });
    const answer = (await response.json()) as { errors?: unknown };
    if (answer.errors) throw new Error(`recordProbeNotes failed: ${JSON.stringify(answer.errors)}`);
  };
  let senderStore: Knex | undefined;
  let receiverStore: Knex | undefined;
  try {
    await launch('sender');
    await waitUntilReady(`http://127.0.0.1:${senderPort}/ready`);
    senderStore = openDatabase(database, PROBE_SENDER);
    receiverStore = openDatabase(database, PROBE_RECEIVER);
    const received = async (key: string) =>
      Number(((await receiverStore!('probe_received').where({ note_key: key }).count({ n: '*' })) as { n: number | string }[])[0]!.n);
    const waitForAll = async (key: string, total: number) => {
      while ((await received(key)) < total) await delay(5);
    };

    // Delivery capacity: a backlog recorded while the receiver is down, then the time it takes to drain once it is up.
    for (let first = 1; first <= options.backlogEvents; first += BACKLOG_NOTES_PER_REQUEST) {
      await record('backlog', first, Math.min(BACKLOG_NOTES_PER_REQUEST, options.backlogEvents - first + 1));
    }
    await launch('receiver');
    const receiverUp = Date.now();
    await waitForAll('backlog', options.backlogEvents);
    const backlogDrainMs = Date.now() - receiverUp;

    // Warm-up: connections, JIT, the stream and consumer.
    for (let note = 1; note <= 20; note++) await record('warm-up', note, 1);
    await waitForAll('warm-up', 20);

    // Delivery delay, one event at a time.
    for (let note = 1; note <= options.delayEvents; note++) await record('delay', note, 1);
    await waitForAll('delay', options.delayEvents);
    const committed = new Map(
      (
        (await senderStore('probe_notes').where({ note_key: 'delay' }).select('note', 'committed_at_ms')) as {
          note: number;
          committed_at_ms: number | string;
        }[]
      ).map((row) => [Number(row.note), Number(row.committed_at_ms)]),
    );
    const delays = (
      (await receiverStore('probe_received').where({ note_key: 'delay' }).select('note', 'committed_at_ms')) as {
        note: number;
        committed_at_ms: number | string;
      }[]
    ).map((row) => Number(row.committed_at_ms) - committed.get(Number(row.note))!);

    // Saturation: every worker records notes back to back; how fast the sender commits and the receiver keeps up.
    let saturateNotes = 0;
    const saturateStart = Date.now();
    const saturateEnd = saturateStart + options.saturateSeconds * 1000;
    await Promise.all(
      Array.from({ length: options.workers }, async (_, worker) => {
        for (let first = 1; Date.now() < saturateEnd; first += BURST_NOTES_PER_REQUEST) {
          await record('saturate', worker * 10_000_000 + first, BURST_NOTES_PER_REQUEST);
          saturateNotes += BURST_NOTES_PER_REQUEST;
        }
      }),
    );
    const saturateSeconds = (Date.now() - saturateStart) / 1000;
    const saturateDelivered = await received('saturate');
    const saturateCommitRate = saturateNotes / saturateSeconds;
    // While a backlog stood, the receiver's rate is what delivery can do (with the sender still busy beside it).
    const saturateDeliveredRate = saturateDelivered / saturateSeconds;
    await waitForAll('saturate', saturateNotes);

    // Burst at the highest sustainable rate, paced: request k starts at k × (notes per request / rate).
    const sustainableRate = Math.max(BURST_NOTES_PER_REQUEST, Math.floor(SUSTAINABLE_SHARE * Math.min(saturateCommitRate, saturateDeliveredRate)));
    const interval = (1000 * BURST_NOTES_PER_REQUEST) / sustainableRate;
    let burstNotes = 0;
    const inFlight = new Set<Promise<void>>();
    const burstStart = Date.now();
    const burstEnd = burstStart + options.burstSeconds * 1000;
    for (let request = 0; ; request++) {
      const at = burstStart + request * interval;
      if (at >= burstEnd) break;
      if (at > Date.now()) await delay(at - Date.now());
      while (inFlight.size >= PACED_IN_FLIGHT) await Promise.race(inFlight);
      const sent = record('burst', 1 + request * BURST_NOTES_PER_REQUEST, BURST_NOTES_PER_REQUEST).then(() => {
        burstNotes += BURST_NOTES_PER_REQUEST;
        inFlight.delete(sent);
      });
      inFlight.add(sent);
    }
    await Promise.all(inFlight);
    const lastCommit = Date.now();
    const backlogAtBurstEnd = burstNotes - (await received('burst'));
    await waitForAll('burst', burstNotes);
    const drainMs = Date.now() - lastCommit;
    return {
      dialect,
      transport,
      delayP50Ms: percentile(delays, 0.5),
      delayP99Ms: percentile(delays, 0.99),
      delayEvents: delays.length,
      backlogEvents: options.backlogEvents,
      backlogDrainMs,
      saturateCommitRate,
      saturateDeliveredRate,
      sustainableRate,
      burstSeconds: options.burstSeconds,
      burstNotes,
      burstRate: burstNotes / ((lastCommit - burstStart) / 1000),
      backlogAtBurstEnd,
      drainMs,
    };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
    await senderStore?.destroy();
    await receiverStore?.destroy();
    if (database.mysqlUrl) for (const store of [PROBE_SENDER, PROBE_RECEIVER, AUDIT_STORE]) await dropMysqlDatabase(database, store);
    if (transport === 'nats') {
      const connection = await connect({ servers: process.env.NATS_URL! });
      await (await connection.jetstreamManager()).streams.delete(`ICGB_${run}`).catch(() => false);
      await connection.close();
    }
    rmSync(database.dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'delay-events': { type: 'string' },
      'backlog-events': { type: 'string' },
      'saturate-seconds': { type: 'string' },
      'burst-seconds': { type: 'string' },
      workers: { type: 'string' },
    },
  });
  const options = {
    delayEvents: positiveInteger('delay-events', values['delay-events'], 400),
    backlogEvents: positiveInteger('backlog-events', values['backlog-events'], 2_000),
    saturateSeconds: positiveInteger('saturate-seconds', values['saturate-seconds'], 20),
    burstSeconds: positiveInteger('burst-seconds', values['burst-seconds'], 60),
    workers: positiveInteger('workers', values.workers, 2),
  };
  const dialects: Dialect[] = process.env.MYSQL_URL ? ['sqlite', 'mysql'] : ['sqlite'];
  const transports: Transport[] = process.env.NATS_URL ? ['http', 'nats'] : ['http'];
  const results: Scenario[] = [];
  const loadBefore = loadavg()[0]!;
  for (const dialect of dialects) {
    for (const transport of transports) {
      process.stderr.write(`events: ${dialect} over ${transport}…\n`);
      const result = await runScenario(dialect, transport, options);
      process.stderr.write(`${JSON.stringify(result)}\n`);
      results.push(result);
    }
  }
  const load = `load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end`;
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const met = results.filter((result) => result.drainMs <= 5_000).map((result) => `${result.dialect}/${result.transport}`);
  const missed = results.filter((result) => result.drainMs > 5_000).map((result) => `${result.dialect}/${result.transport}`);
  const verdict = `Met (drained within 5 s): ${met.length > 0 ? met.join(', ') : 'in no configuration'}; not met: ${missed.length > 0 ? missed.join(', ') : 'none'}.`;
  const rows = results.map(
    (result) =>
      `| ${result.dialect === 'sqlite' ? 'SQLite' : 'MariaDB'} | ${result.transport === 'http' ? 'HTTP' : 'NATS JetStream'} | ${(result.backlogEvents / (result.backlogDrainMs / 1000)).toFixed(0)} | ${ms(result.delayP50Ms)} | ${ms(result.delayP99Ms)} | ${result.saturateCommitRate.toFixed(0)} | ${result.saturateDeliveredRate.toFixed(0)} | ${result.sustainableRate} | ${result.burstRate.toFixed(0)} | ${result.backlogAtBurstEnd} | ${(result.drainMs / 1000).toFixed(2)} s |`,
  );
  writeBenchmarkSection(
    'events',
    `## Events between subgraphs: delivery delay and outbox drain

\`npm run bench:events\` (${options.backlogEvents} events recorded while the receiver is down; ${options.delayEvents} events one at a time; ${options.saturateSeconds} s flat out from ${options.workers} workers; then a ${options.burstSeconds}-second burst paced at the highest sustainable rate; ${BURST_NOTES_PER_REQUEST} notes per request), ${new Date().toISOString().slice(0, 10)}, ${describeMachine()}, ${load}.
The probe subgraphs (tools/src/event-probe) in their own processes: each note is committed with its outbox event and its audit record's hand-over row (since 7c961d1; the record is written by the audit worker); the receiver commits the note with its inbox row. The relay sends each
consumer's events in batches (up to EVENT_RELAY_BATCH = 100 events, 64 kB), one request or JetStream message per batch, applied by the receiver in one transaction with a savepoint per event.
Backlog delivered/s: the backlog divided by the time from the receiver's start until it held every note (delivery alone, the sender idle). Delay: the receiver's commit time
minus the sender's, per event, while events are sent one at a time. Flat out: notes committed per second while the workers write back to back, and notes
the receiver committed per second meanwhile (as high as the commit rate: delivery kept up, or lower: the delivery rate under a standing backlog). Highest sustainable rate: ${SUSTAINABLE_SHARE * 100} % of the lower of those two, the commit rate at which delivery
keeps up; the burst records notes at that rate for ${options.burstSeconds} s; backlog at its end (committed, not yet at the receiver), and the time from the last commit until the receiver held every note.

| Store | Transport | Backlog delivered/s | Delay p50 | Delay p99 | Flat-out commits/s | Delivered/s meanwhile | Sustainable rate (notes/s) | Burst commits/s achieved | Backlog at burst end | Drain after burst |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Target (issue 10): after a 60-second burst at the highest sustainable rate, the backlog drains within 5 s. ${verdict} ${CLAIM_REPORT_HOOK}.`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:events failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
