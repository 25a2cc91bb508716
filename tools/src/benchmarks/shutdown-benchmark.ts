import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  AUDIT_TABLE,
  DEFAULT_SHUTDOWN_DRAIN_MS,
  dropMysqlDatabase,
  mintDevelopmentToken,
  openAuditStore,
  subgraphPortVariable,
  type DatabaseConfig,
} from '@icg/shared';
import { DEFAULT_SEED, findStaff, generateOrg, identityOfStaff, seedStores } from '@icg/synthetic';
import { CUSTOMER_360_QUERY } from '../example-queries';
import { freePort } from '../free-port';
import { SERVER_NODE_FLAGS } from '../server-node-flags';
import { SUBGRAPH_REGISTRY } from '../subgraph-registry';
import { describeMachine, writeBenchmarkSection } from './benchmark-report';
import { answersOk, launchServer, stopServer, stopServersOnSignal, waitUntilReady, type ServerProcess } from './stack/stack-processes';
import { positiveInteger } from './benchmark-options';

/**
 * `npm run bench:shutdown`: what a client sees when a process of the graph is stopped under load (issue
 * "Hardening", item 12). The graph runs as `npm start` runs it, one process per subgraph and one for the
 * gateway. Several clients, each on its own keep-alive connection, send customer-360 queries back to back;
 * mid-load the gateway (first rounds) or the customers subgraph (later rounds) gets SIGTERM. Recorded: the
 * requests in flight at the signal and how they ended, what later requests on open connections got, how
 * many new connections were refused, what /ready answered on connections already open, the time from the
 * signal to the exit, and whether the answered requests' audit records are in the audit store once the
 * process has exited (the flush at shutdown). Measures only; tests/graceful-shutdown.test.ts proves it.
 */
const CUSTOMERS_SUBGRAPH = 'customers';
/** Coordinates only the customers subgraph resolves and audits, so their records prove its own flush. */
const CUSTOMERS_SUBGRAPH_COORDINATES = ['Customer.name', 'Customer.mobile'];
const PROBE_INTERVAL_MS = 25;

type Target = 'gateway' | typeof CUSTOMERS_SUBGRAPH;

interface HttpAnswer {
  status: number;
  body: string;
  requestId: string | undefined;
}

/** One request over `agent` (false: a new connection); rejects with the socket error's code. */
function send(url: string, agent: Agent | false, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { agent, method: init.method, headers: init.headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => {
        const requestId = response.headers['x-request-id'];
        resolve({ status: response.statusCode ?? 0, body, requestId: typeof requestId === 'string' ? requestId : undefined });
      });
      response.on('error', reject);
    });
    request.once('error', reject);
    request.end(init.body);
  });
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : 'unknown';
}

type Outcome = 'full' | 'partial' | 'refused' | 'reset' | `http ${number}`;

/** Error codes seen in partial answers, printed at the end of a round so a surprise can be told apart. */
const partialErrorCodes = new Map<string, number>();

function classify(answer: HttpAnswer): Outcome {
  if (answer.status !== 200) return `http ${answer.status}`;
  const result = JSON.parse(answer.body) as { data?: { customer?: unknown }; errors?: { extensions?: { code?: unknown } }[] };
  if (result.data?.customer && !result.errors) return 'full';
  for (const error of result.errors ?? []) {
    const code = String(error.extensions?.code ?? 'no code');
    partialErrorCodes.set(code, (partialErrorCodes.get(code) ?? 0) + 1);
  }
  return 'partial';
}

function tally(outcomes: readonly Outcome[]): string {
  if (!outcomes.length) return 'none';
  const counts = new Map<string, number>();
  for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  const order = ['full', 'partial', 'reset', 'refused'];
  return [...counts]
    .sort(([a], [b]) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99))
    .map(([outcome, count]) => `${count} ${outcome}`)
    .join(', ');
}

interface RoundResult {
  target: Target;
  drainMs: number;
  inFlightAtSignal: number;
  inFlightOutcomes: Outcome[];
  afterSignalOutcomes: Outcome[];
  newConnectionsRefused: number;
  newConnectionsAnswered: number;
  readyOnOpenConnections: Outcome[];
  exitMs: number;
  exitCode: number | null;
  answeredFull: number;
  auditedOfAnsweredFull: number;
  loadAverage: number;
}

interface Round {
  target: Target;
  drainMs: number;
  env: NodeJS.ProcessEnv;
  authorization: string;
  customers: number;
  clients: number;
  loadSeconds: number;
  database: DatabaseConfig;
  /** Where each server's output goes (`<name>.log`). */
  logDirectory: string;
}

async function runRound(round: Round): Promise<RoundResult> {
  // Fresh ports each round: the machine is shared, and a port of the last round may have been taken since.
  const gatewayPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...round.env, PORT: String(gatewayPort), SHUTDOWN_DRAIN_MS: String(round.drainMs) };
  for (const { manifest } of SUBGRAPH_REGISTRY) env[subgraphPortVariable(manifest.name)] = String(await freePort());
  const servers = new Map<string, ServerProcess>();
  try {
    for (const { manifest, directory } of SUBGRAPH_REGISTRY)
      servers.set(manifest.name, launchServer(manifest.name, `${directory}/dist/main.js`, env, round.logDirectory));
    for (const { manifest } of SUBGRAPH_REGISTRY)
      await waitUntilReady(servers.get(manifest.name)!, answersOk(`http://127.0.0.1:${env[subgraphPortVariable(manifest.name)]}/ready`), 60_000);
    const gateway = launchServer('gateway', 'gateway/dist/main.js', env, round.logDirectory);
    servers.set('gateway', gateway);
    await waitUntilReady(gateway, answersOk(`http://127.0.0.1:${gatewayPort}/ready`), 30_000);
    const stopped = servers.get(round.target)!;
    const stoppedExit = new Promise<{ code: number | null; at: number }>((resolve) =>
      stopped.child.once('exit', (code) => resolve({ code, at: performance.now() })),
    );
    const stoppedPort = round.target === 'gateway' ? gatewayPort : Number(env[subgraphPortVariable(CUSTOMERS_SUBGRAPH)]);
    const graphqlUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
    const readyUrl = `http://127.0.0.1:${stoppedPort}/ready`;

    // Set once, when the signal goes out; the clients and probers read it to tell before from after.
    const signal: { at?: number } = {};
    let exitedAt: number | undefined;
    void stoppedExit.then(({ at }) => (exitedAt = at));
    const inFlight = new Set<number>();
    let inFlightAtSignal: number[] = [];
    const inFlightOutcomes: Outcome[] = [];
    const afterSignalOutcomes: Outcome[] = [];
    const answeredFullIds: string[] = [];
    let nextRequest = 0;
    let random = DEFAULT_SEED >>> 0;

    // Each client on its own keep-alive connection (a portal's backend, a load balancer's pool).
    const client = async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      while (exitedAt === undefined) {
        random = (Math.imul(random, 1_664_525) + 1_013_904_223) >>> 0;
        const body = JSON.stringify({ query: CUSTOMER_360_QUERY, variables: { id: String(1 + (random % round.customers)) } });
        const id = nextRequest++;
        const sentAfterSignal = signal.at !== undefined;
        inFlight.add(id);
        let outcome: Outcome;
        try {
          const answer = await send(graphqlUrl, agent, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: round.authorization },
            body,
          });
          outcome = classify(answer);
          if (outcome === 'full' && answer.requestId) answeredFullIds.push(answer.requestId);
        } catch (error) {
          outcome = errorCode(error) === 'ECONNREFUSED' ? 'refused' : 'reset';
        }
        inFlight.delete(id);
        if (inFlightAtSignal.includes(id)) inFlightOutcomes.push(outcome);
        else if (sentAfterSignal) afterSignalOutcomes.push(outcome);
        // A client whose target went away retries at a person's pace, not in a tight loop.
        if (outcome === 'refused' || outcome === 'reset') await delay(PROBE_INTERVAL_MS);
      }
      agent.destroy();
    };

    // /ready polled all along over one kept-alive connection each (a load balancer's health check, which
    // also keeps the connection from idling out); after the signal, what it answered until it went.
    const readyOnOpenConnections: Outcome[] = [];
    const readyProber = async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      while (exitedAt === undefined) {
        const afterSignal = signal.at !== undefined;
        try {
          const answer = await send(readyUrl, agent, { method: 'GET' });
          if (afterSignal) readyOnOpenConnections.push(`http ${answer.status}`);
          // After `connection: close` the agent would open a new connection: the next prober's question.
          if (answer.status !== 200) break;
        } catch (error) {
          if (afterSignal) readyOnOpenConnections.push(errorCode(error) === 'ECONNREFUSED' ? 'refused' : 'reset');
          break;
        }
        await delay(PROBE_INTERVAL_MS);
      }
      agent.destroy();
    };

    // New connections to the stopped process after the signal: refused or answered.
    let newConnectionsRefused = 0;
    let newConnectionsAnswered = 0;
    const connectionProber = async () => {
      while (signal.at === undefined) await delay(PROBE_INTERVAL_MS);
      while (exitedAt === undefined) {
        try {
          await send(readyUrl, false, { method: 'GET' });
          newConnectionsAnswered++;
        } catch {
          newConnectionsRefused++;
        }
        await delay(PROBE_INTERVAL_MS);
      }
    };

    const probes = [readyProber(), readyProber(), connectionProber()];
    const load = Promise.all(Array.from({ length: round.clients }, client));
    await delay(round.loadSeconds * 1_000);
    // Signal while requests are in flight (with clients back to back, there nearly always are).
    while (inFlight.size === 0) await delay(1);
    inFlightAtSignal = [...inFlight];
    const loadAverage = loadavg()[0] ?? 0;
    const signalledAt = performance.now();
    signal.at = signalledAt;
    stopped.child.kill('SIGTERM');
    const { code, at } = await stoppedExit;
    await Promise.all([load, ...probes]);

    // The audit as it stands the moment the stopped process is gone: its shutdown flush is in or lost.
    const audit = await openAuditStore(round.database);
    let audited = new Set<string>();
    try {
      for (let from = 0; from < answeredFullIds.length; from += 500) {
        let query = audit(AUDIT_TABLE)
          .distinct('request_id')
          .whereIn('request_id', answeredFullIds.slice(from, from + 500));
        if (round.target === CUSTOMERS_SUBGRAPH) query = query.whereIn('coordinate', CUSTOMERS_SUBGRAPH_COORDINATES);
        const rows = (await query) as { request_id: string }[];
        audited = new Set([...audited, ...rows.map((row) => row.request_id)]);
      }
    } finally {
      await audit.destroy();
    }
    return {
      target: round.target,
      drainMs: round.drainMs,
      inFlightAtSignal: inFlightAtSignal.length,
      inFlightOutcomes,
      afterSignalOutcomes,
      newConnectionsRefused,
      newConnectionsAnswered,
      readyOnOpenConnections,
      exitMs: at - signalledAt,
      exitCode: code,
      answeredFull: answeredFullIds.length,
      auditedOfAnsweredFull: audited.size,
      loadAverage,
    };
  } finally {
    await Promise.all([...servers.values()].map((server) => stopServer(server)));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string' },
      clients: { type: 'string' },
      'load-seconds': { type: 'string' },
      'short-drain-ms': { type: 'string' },
    },
  });
  const customers = positiveInteger('customers', values.customers, 500);
  const clients = positiveInteger('clients', values.clients, 8);
  const loadSeconds = positiveInteger('load-seconds', values['load-seconds'], 5);
  const shortDrainMs = positiveInteger('short-drain-ms', values['short-drain-ms'], 100);
  const loadAtStart = loadavg()[0] ?? 0;
  stopServersOnSignal();

  const dataDir = mkdtempSync(join(tmpdir(), 'icg-bench-shutdown-'));
  const database: DatabaseConfig = { mysqlUrl: process.env['MYSQL_URL'] || undefined, mysqlDatabasePrefix: 'icgbench_stop_', dataDir, poolMax: 10 };
  const assertionSecret = randomBytes(32).toString('base64url');
  const tokenSecret = randomBytes(32).toString('base64url');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    APOLLO_TELEMETRY_DISABLED: '1',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    MYSQL_DATABASE_PREFIX: database.mysqlDatabasePrefix,
    LOG_LEVEL: 'warn',
    // The clients are one staff member: per-caller limits would answer 429 and measure the limiter, not the drain.
    RATE_LIMITS: 'default=10000r/s,1000c',
    AUTH_HS256_SECRET: tokenSecret,
    // Set here so six processes do not race to generate them into DATA_DIR.
    // One machine: each subgraph derives its own key from it.
    IDENTITY_ASSERTION_SECRET: assertionSecret,
    PSEUDONYM_SECRET: randomBytes(24).toString('base64url'),
    AUDIT_PSEUDONYM_SECRET: randomBytes(24).toString('base64url'),
    AUDIT_CHAIN_KEY: randomBytes(24).toString('base64url'),
    AUDIT_CHECKPOINT_PATH: join(dataDir, 'audit-checkpoints.jsonl'),
  };
  const dialect = database.mysqlUrl ? 'MariaDB' : 'SQLite';
  process.stderr.write(`seeding ${customers} customers into ${dialect}\n`);
  await seedStores({ config: database, stores: SUBGRAPH_REGISTRY, customers, seed: DEFAULT_SEED, reset: true });
  const org = generateOrg(DEFAULT_SEED);
  const authorization = `Bearer ${await mintDevelopmentToken({ secret: tokenSecret, identity: identityOfStaff(findStaff(org, 'AUDITOR'), 'AUDIT'), ttlSeconds: 3_600 })}`;

  const results: RoundResult[] = [];
  try {
    for (const target of ['gateway', CUSTOMERS_SUBGRAPH] as const)
      for (const drainMs of [DEFAULT_SHUTDOWN_DRAIN_MS, shortDrainMs]) {
        process.stderr.write(`round: SIGTERM to ${target}, SHUTDOWN_DRAIN_MS=${drainMs}\n`);
        const result = await runRound({ target, drainMs, env, authorization, customers, clients, loadSeconds, database, logDirectory: dataDir });
        process.stderr.write(`${JSON.stringify({ ...result, partialErrorCodes: Object.fromEntries(partialErrorCodes) })}\n`);
        partialErrorCodes.clear();
        results.push(result);
      }
  } finally {
    if (database.mysqlUrl)
      for (const subgraph of [...SUBGRAPH_REGISTRY.map((entry) => entry.manifest.name), 'audit']) await dropMysqlDatabase(database, subgraph);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const loadAtEnd = loadavg()[0] ?? 0;

  const row = (result: RoundResult) =>
    `| ${result.target === 'gateway' ? 'gateway' : 'customers subgraph'} | ${result.drainMs.toLocaleString('en')} ms | ${result.inFlightAtSignal}: ${tally(result.inFlightOutcomes)} | ${tally(result.afterSignalOutcomes)} | ${result.newConnectionsRefused} refused, ${result.newConnectionsAnswered} answered | ${tally(result.readyOnOpenConnections)} | ${result.exitMs.toFixed(0)} ms (exit ${result.exitCode}) | ${result.auditedOfAnsweredFull} of ${result.answeredFull} | ${result.loadAverage.toFixed(1)} |`;
  writeBenchmarkSection(
    database.mysqlUrl ? 'graceful-shutdown-mysql' : 'graceful-shutdown',
    `## Graceful shutdown under load, ${dialect}

${clients} clients, each on its own keep-alive connection, send the customer-360 query (\`tools/src/example-queries.ts\`) back to back for ${loadSeconds} s as one AUDITOR (purpose AUDIT: every field readable, every read audited); then SIGTERM goes to the gateway or to the customers subgraph, and the clients carry on until that process has exited. A fresh graph per round.

| SIGTERM to | SHUTDOWN_DRAIN_MS | client requests in flight at the signal: how they ended | client requests sent after the signal (on connections already open, then new ones) | new connections to the stopped process after the signal | /ready polled every 25 ms on connections opened before the signal, after the signal | SIGTERM to exit | answered in full with audit records in the store at exit | load average (1 min) at the signal |
|---|---|---|---|---|---|---|---|---|
${results.map(row).join('\n')}

- full: HTTP 200 with the whole customer and no error; http 200 on /ready after the signal: answered before the process had handled the signal; partial: HTTP 200 with errors (a subgraph was gone); reset: the connection closed without an answer; refused: connection refused.
- Audit column: of the requests answered in full during the round, how many have audit records in the store read right after the stopped process exited; for the customers subgraph only records of \`${CUSTOMERS_SUBGRAPH_COORDINATES.join('`, `')}\`, which only that process writes, so they show its flush at shutdown. When the gateway is stopped the records come from the subgraphs, which keep running (the gateway audits only denials, none here).
- Graph: one process per subgraph and one for the gateway (the entries \`npm start\` runs, with ${SERVER_NODE_FLAGS.map((flag) => `\`${flag}\``).join(' ')}), ${customers.toLocaleString('en')} customers on ${dialect}; the load generator is this process.
- Command: \`${database.mysqlUrl ? 'MYSQL_URL=… ' : ''}npm run bench:shutdown -- --customers ${customers} --clients ${clients} --load-seconds ${loadSeconds} --short-drain-ms ${shortDrainMs}\`
- Machine: ${describeMachine()}; load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end (shared with other helpers' test runs, so times vary between runs)
- Date: ${new Date().toISOString().slice(0, 10)}`,
  );
  process.stderr.write('recorded in BENCHMARKS.md\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
