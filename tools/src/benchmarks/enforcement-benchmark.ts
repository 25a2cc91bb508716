import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startGateway, type RunningGateway } from '@icg/gateway';
import { dropMysqlDatabase, mintDevelopmentToken, inProcessSubgraphConfig, startSubgraph, type DatabaseConfig, type RunningSubgraph } from '@icg/shared';
import { DEFAULT_AS_OF, DEFAULT_SEED, findStaff, generateCompanyBatch, generateOrg, identityOfStaff, seedStores } from '@icg/synthetic';
import { composeRegisteredSubgraphs } from '../compose-subgraphs';
import { CUSTOMER_360_QUERY } from '../example-queries';
import { SUBGRAPH_REGISTRY } from '../subgraph-registry';
import { SERVER_NODE_FLAGS } from '../server-node-flags';
import { describeMachine, writeBenchmarkSection } from './benchmark-report';
import { median, pairCost, pairedRounds, pairOrder, percentile, type Better, type PairedRoundsSummary } from './paired-rounds';
import { positiveInteger } from './benchmark-options';

/**
 * `npm run bench:enforcement`: the customer-360 query for random customers through two stacks over
 * the same seeded stores, one with enforcement and audit, one without (the baseline). The machine is
 * shared and a round's throughput varies by 10–20 % with its neighbours' load, so the run is many
 * short rounds in adjacent pairs (both variants back to back, same customers, order alternating) and
 * the headline cost is the median of the per-pair costs, with their interquartile range. Records
 * throughput, pooled and per-pair latency, main-thread time and CPU per request in BENCHMARKS.md.
 */
interface Stack {
  gateway: RunningGateway;
  subgraphs: RunningSubgraph[];
}

/** The audit writers' flush interval in both stacks. */
const AUDIT_FLUSH_INTERVAL_MS = 200;
/** Pause after each round, longer than a flush interval, so the round's last audit batch is written before the next round starts. */
const SETTLE_MS = 2 * AUDIT_FLUSH_INTERVAL_MS;
const WARM_UP_REQUESTS = 200;

async function startStack(database: DatabaseConfig, enforced: boolean, assertionSecret: string, tokenSecret: string, supergraphPath: string): Promise<Stack> {
  const secret = randomBytes(24).toString('base64url');
  const audit = {
    pseudonymSecret: secret,
    chainKey: randomBytes(24).toString('base64url'),
    flushIntervalMs: AUDIT_FLUSH_INTERVAL_MS,
    batchSize: 500,
    maxQueued: 1_000_000,
  };
  const subgraphs: RunningSubgraph[] = [];
  for (const { manifest } of SUBGRAPH_REGISTRY) {
    const running = await startSubgraph(
      manifest,
      inProcessSubgraphConfig(manifest.name, database, {
        assertionKey: { gatewaySecret: assertionSecret },
        accessPolicyPath: undefined,
        pseudonymSecret: secret,
        audit,
      }),
      { unenforcedBaselineForBenchmark: !enforced },
    );
    await running.ready;
    subgraphs.push(running);
  }
  const subgraphUrls = Object.fromEntries(subgraphs.map((running) => [running.name, `${running.url}/graphql`]));
  const gateway = await startGateway(
    {
      database,
      host: '127.0.0.1',
      port: 0,
      supergraphPath,
      subgraphUrls,
      subgraphTimeoutMs: 10_000,
      maxBodyBytes: 100_000,
      logLevel: 'silent',
      security: {
        tokens: { keySource: { kind: 'secret', secret: tokenSecret }, issuer: 'icg-dev', audience: 'insurer-customer-graph' },
        assertionSecret,
        accessPolicyPath: undefined,
        audit,
      },
    },
    { unenforcedBaselineForBenchmark: !enforced },
  );
  return { gateway, subgraphs };
}

async function closeStack(stack: Stack): Promise<void> {
  await stack.gateway.close();
  for (const running of stack.subgraphs) await running.close();
}

interface Round {
  throughput: number;
  latenciesMs: number[];
  /**
   * Event-loop active time per request (`performance.eventLoopUtilization()`): the servers, the load
   * generator and (with SQLite) the database all run on this one thread, saturated during a round,
   * so this is the serving thread's work per request, the load generator's share included.
   */
  mainThreadMsPerRequest: number;
  /** Share of the request phase (settle pause excluded) in which the event loop was busy: near 1 when the thread is saturated. */
  mainThreadBusyShare: number;
  /** Process CPU (user + system) per request: libuv worker and GC threads included. */
  cpuMsPerRequest: number;
}

type Variant = 'enforced' | 'baseline';

/** Both variants' rounds of one pair, run back to back over the same customers. */
interface Pair {
  first: Variant;
  enforced: Round;
  baseline: Round;
}

/**
 * `requests` customer-360 queries with `concurrency` in flight; random customers from a seeded
 * sequence. Throughput and latency cover the requests only; main-thread time and CPU also cover a
 * pause of `settleMs` afterwards, in which the round's last audit batch is flushed, so that work is
 * counted in its own round rather than in the next one (the other variant half of the time).
 */
async function runRound(
  url: string,
  authorization: string,
  customers: number,
  requests: number,
  concurrency: number,
  seed: number,
  settleMs: number,
): Promise<Round> {
  let state = seed >>> 0;
  const nextCustomer = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return String(1 + (state % customers));
  };
  const latenciesMs: number[] = [];
  let issued = 0;
  const cpuBefore = process.cpuUsage();
  const loopBefore = performance.eventLoopUtilization();
  const started = performance.now();
  const worker = async () => {
    while (issued < requests) {
      issued++;
      const body = JSON.stringify({ query: CUSTOMER_360_QUERY, variables: { id: nextCustomer() } });
      const sent = performance.now();
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
      const result = (await response.json()) as { data?: { customer: unknown } };
      if (!response.ok || !result.data?.customer) throw new Error(`benchmark request failed with ${response.status}`);
      latenciesMs.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  const busyShare = performance.eventLoopUtilization(loopBefore).utilization;
  await delay(settleMs);
  const loop = performance.eventLoopUtilization(loopBefore);
  const cpu = process.cpuUsage(cpuBefore);
  return {
    throughput: requests / (elapsedMs / 1000),
    latenciesMs,
    mainThreadMsPerRequest: loop.active / requests,
    mainThreadBusyShare: busyShare,
    cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / requests,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string' },
      pairs: { type: 'string' },
      rounds: { type: 'string' },
      requests: { type: 'string' },
      concurrency: { type: 'string' },
    },
  });
  if (values.pairs !== undefined && values.rounds !== undefined && values.pairs !== values.rounds)
    throw new Error('--rounds is an alias of --pairs: give one of them');
  const customers = positiveInteger('customers', values.customers, 2_000);
  const pairCount = positiveInteger(values.pairs !== undefined ? 'pairs' : 'rounds', values.pairs ?? values.rounds, 30);
  const requests = positiveInteger('requests', values.requests, 400);
  const concurrency = positiveInteger('concurrency', values.concurrency, 8);
  // The servers' V8 flags (npm start, the image): `npm run bench:enforcement` passes them.
  const nodeFlags = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/).filter(Boolean)];
  const missingFlags = SERVER_NODE_FLAGS.filter((flag) => !nodeFlags.includes(flag));
  if (missingFlags.length > 0)
    process.stderr.write(`warning: not running with the servers' Node flags (${missingFlags.join(' ')}); use npm run bench:enforcement\n`);
  const dataDir = mkdtempSync(join(tmpdir(), 'icg-bench-'));
  const database: DatabaseConfig = { mysqlUrl: process.env['MYSQL_URL'] || undefined, mysqlDatabasePrefix: 'icgbench_enf_', dataDir, poolMax: 10 };
  const assertionSecret = randomBytes(32).toString('base64url');
  const tokenSecret = randomBytes(32).toString('base64url');
  const supergraphPath = join(dataDir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composeRegisteredSubgraphs());
  process.stderr.write(`seeding ${customers} customers into ${database.mysqlUrl ? 'MySQL' : 'SQLite'}\n`);
  await seedStores({ config: database, stores: SUBGRAPH_REGISTRY, customers, seed: DEFAULT_SEED, reset: true });

  // A customer manager: their own customers in clear, others masked, RESTRICTED fields masked or denied, all audited.
  const org = generateOrg(DEFAULT_SEED);
  const manager = identityOfStaff(findStaff(org, 'CUSTOMER_MANAGER'));
  const authorization = `Bearer ${await mintDevelopmentToken({ secret: tokenSecret, identity: manager, ttlSeconds: 3_600 })}`;
  const own = generateCompanyBatch({ seed: DEFAULT_SEED, asOf: DEFAULT_AS_OF, org, firstCustomerId: 1, lastCustomerId: customers }).customers.filter(
    (customer) => String(customer.primaryManagerStaffId) === manager.staffId,
  ).length;

  const enforced = await startStack(database, true, assertionSecret, tokenSecret, supergraphPath);
  const baseline = await startStack(database, false, assertionSecret, tokenSecret, supergraphPath);
  const urls: Record<Variant, string> = { enforced: `${enforced.gateway.url}/graphql`, baseline: `${baseline.gateway.url}/graphql` };
  const pairs: Pair[] = [];
  try {
    // Warm-up: plans, connections, JIT.
    await runRound(urls.enforced, authorization, customers, WARM_UP_REQUESTS, concurrency, 1, SETTLE_MS);
    await runRound(urls.baseline, authorization, customers, WARM_UP_REQUESTS, concurrency, 1, SETTLE_MS);
    for (let index = 0; index < pairCount; index++) {
      // Adjacent rounds see nearly the same machine load; alternating the order spreads what is left of a drift over both.
      const [first, second] = pairOrder<Variant>(index, 'enforced', 'baseline');
      const measure = (variant: Variant) => runRound(urls[variant], authorization, customers, requests, concurrency, 1_000 + index, SETTLE_MS);
      const firstRound = await measure(first);
      const secondRound = await measure(second);
      const pair: Pair = first === 'enforced' ? { first, enforced: firstRound, baseline: secondRound } : { first, baseline: firstRound, enforced: secondRound };
      pairs.push(pair);
      const cost = pairCost({ baseline: pair.baseline.throughput, treatment: pair.enforced.throughput }, 'higher');
      process.stderr.write(
        `pair ${index + 1}/${pairCount} (${first} first): baseline ${Math.round(pair.baseline.throughput)} req/s, enforced ${Math.round(pair.enforced.throughput)} req/s, cost ${percent(cost)}; main thread ${pair.baseline.mainThreadMsPerRequest.toFixed(2)} / ${pair.enforced.mainThreadMsPerRequest.toFixed(2)} ms per request\n`,
      );
    }
  } finally {
    await closeStack(enforced);
    await closeStack(baseline);
    if (database.mysqlUrl)
      for (const subgraph of [...SUBGRAPH_REGISTRY.map((entry) => entry.manifest.name), 'audit']) await dropMysqlDatabase(database, subgraph);
    rmSync(dataDir, { recursive: true, force: true });
  }

  const rounds = (variant: Variant) => pairs.map((pair) => pair[variant]);
  const medianOfRounds = (variant: Variant, select: (round: Round) => number) => median(rounds(variant).map(select));
  const pooled = (variant: Variant) => rounds(variant).flatMap((round) => round.latenciesMs);
  const perPair = (select: (round: Round) => number, better: Better) =>
    pairedRounds(
      pairs.map((pair) => ({ baseline: select(pair.baseline), treatment: select(pair.enforced) })),
      better,
    );
  const roundP99 = (round: Round) => percentile(round.latenciesMs, 0.99);

  const throughput = perPair((round) => round.throughput, 'higher');
  const p99OfRounds = perPair(roundP99, 'lower');
  const mainThread = perPair((round) => round.mainThreadMsPerRequest, 'lower');
  const cpu = perPair((round) => round.cpuMsPerRequest, 'lower');
  const on = {
    throughput: medianOfRounds('enforced', (round) => round.throughput),
    p50: median(pooled('enforced')),
    p99: percentile(pooled('enforced'), 0.99),
  };
  const off = {
    throughput: medianOfRounds('baseline', (round) => round.throughput),
    p50: median(pooled('baseline')),
    p99: percentile(pooled('baseline'), 0.99),
  };
  const ratioOfMedians = pairCost({ baseline: off.throughput, treatment: on.throughput }, 'higher');
  const p99Cost = pairCost({ baseline: off.p99, treatment: on.p99 }, 'lower');
  const p50Cost = pairCost({ baseline: off.p50, treatment: on.p50 }, 'lower');
  const verdict = (cost: number) => (cost <= 0.1 ? 'within' : 'OVER');
  const spread = (summary: PairedRoundsSummary) => `IQR ${percent(summary.q1)} to ${percent(summary.q3)}`;
  const ms = (value: number, digits = 1) => `${value.toFixed(digits)} ms`;
  const busy = median(pairs.flatMap((pair) => [pair.baseline.mainThreadBusyShare, pair.enforced.mainThreadBusyShare]));
  const enforcedFirst = pairs.filter((pair) => pair.first === 'enforced').length;

  // One section per dialect, so the SQLite and the MariaDB figures stand side by side.
  writeBenchmarkSection(
    database.mysqlUrl ? 'enforcement-mysql' : 'enforcement',
    `## Enforcement and audit cost on the customer-360 query, ${database.mysqlUrl ? 'MariaDB/MySQL' : 'SQLite'}

Target (issue 3): enforcement with audit costs at most 10 % of throughput and at most 10 % at p99.

| | baseline (no access layer) | enforced + audited | cost |
|---|---|---|---|
| throughput — req/s: median of ${pairCount} rounds; cost: median of ${pairCount} per-pair costs | ${off.throughput.toFixed(1)} req/s | ${on.throughput.toFixed(1)} req/s | **${percent(throughput.median)}** (${verdict(throughput.median)} 10 %; ${spread(throughput)}) |
| throughput — cost as the ratio of those medians (secondary) | | | ${percent(ratioOfMedians)} |
| latency p50, all rounds pooled | ${ms(off.p50)} | ${ms(on.p50)} | ${percent(p50Cost)} |
| latency p99 of each round — ms: median of rounds; cost: median of per-pair ratios | ${ms(medianOfRounds('baseline', roundP99))} | ${ms(medianOfRounds('enforced', roundP99))} | **${percent(p99OfRounds.median)}** (${verdict(p99OfRounds.median)} 10 %; ${spread(p99OfRounds)}) |
| latency p99, all rounds pooled (secondary: set by the few rounds that met another tenant's load spike) | ${ms(off.p99)} | ${ms(on.p99)} | ${percent(p99Cost)} |
| main-thread time per request (event loop active) — same statistics | ${ms(
      medianOfRounds('baseline', (round) => round.mainThreadMsPerRequest),
      2,
    )} | ${ms(
      medianOfRounds('enforced', (round) => round.mainThreadMsPerRequest),
      2,
    )} | ${percent(mainThread.median)} (${spread(mainThread)}) |
| process CPU per request (all threads) — same statistics | ${ms(
      medianOfRounds('baseline', (round) => round.cpuMsPerRequest),
      2,
    )} | ${ms(
      medianOfRounds('enforced', (round) => round.cpuMsPerRequest),
      2,
    )} | ${percent(cpu.median)} (${spread(cpu)}) |

- Method: ${pairCount} adjacent pairs of rounds, ${requests} requests per round, both variants back to back over the same customers, order alternating (enforced first in ${enforcedFirst} of ${pairCount} pairs), after a warm-up of ${WARM_UP_REQUESTS} requests per variant; headline = median of per-pair costs (throughput cost = 1 − enforced/baseline; p99 cost = enforced p99 / baseline p99 − 1, each round's p99 from its own ${requests} latencies), IQR = the middle half of those costs. Per-pair throughput costs in run order: ${throughput.costs.map((cost) => (cost * 100).toFixed(1)).join(', ')} %.
- Main-thread time: servers and load generator${database.mysqlUrl ? '' : " (and the subgraphs' SQLite stores)"} share one thread, busy ${(busy * 100).toFixed(0)} % of the time while requests run (median of rounds), so its event-loop active time per request is the serving work per request, load generator included (about the same in both variants)${database.mysqlUrl ? "; MariaDB's own work is in no figure" : ''}. It is wall time, so on a loaded machine it also counts time the thread waits for a core. Process CPU adds the other threads: in the enforced stack the audit worker threads (one per process, pseudonymising, hash-chaining and inserting the records), in both libuv and GC threads. Both cover each round plus a ${SETTLE_MS} ms pause in which its last audit batch is flushed; throughput and latency cover the requests only.
- Workload: \`Customer360\` (five subgraphs) for random customers among ${customers.toLocaleString('en')}, as a customer manager (staff ${manager.staffId}, ${own} own customers: mostly out-of-scope records, so masks, denials and audited decisions, recorded one record per request × field × decision), ${concurrency} requests in flight.
- Both stacks run in one Node process over the same ${database.mysqlUrl ? 'MariaDB' : 'SQLite'} stores; both authenticate the token and sign identity assertions. The baseline leaves out only the access layer (gateway removal, field decisions, masks, audit).
- Command: \`${database.mysqlUrl ? 'MYSQL_URL=… ' : ''}npm run bench:enforcement -- --customers ${customers} --pairs ${pairCount} --requests ${requests} --concurrency ${concurrency}\`
- Node flags: ${nodeFlags.length > 0 ? nodeFlags.map((flag) => `\`${flag}\``).join(' ') : 'none'} (the servers run with ${SERVER_NODE_FLAGS.map((flag) => `\`${flag}\``).join(' ')}, set by \`npm start\` and the Docker image).
- Machine: ${describeMachine()} (shared; costs from adjacent pairs in one run)
- Date: ${new Date().toISOString().slice(0, 10)}`,
  );
  process.stderr.write(
    `throughput cost ${percent(throughput.median)} (median of ${pairCount} pairs, ${spread(throughput)}; ratio of medians ${percent(ratioOfMedians)}), p99 cost ${percent(p99OfRounds.median)} (median of pairs; pooled ${percent(p99Cost)}), main-thread time per request ${percent(mainThread.median)}; recorded in BENCHMARKS.md\n`,
  );
}

/** A fraction as a signed percentage with one decimal. */
function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:enforcement failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
