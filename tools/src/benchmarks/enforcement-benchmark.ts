import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startGateway, type RunningGateway } from '@icg/gateway';
import {
  DEFAULT_AS_OF,
  DEFAULT_SEED,
  dropMysqlDatabase,
  findStaff,
  generateCompanyBatch,
  generateOrg,
  identityOfStaff,
  mintDevelopmentToken,
  seedStores,
  startSubgraph,
  SUBGRAPHS,
  type DatabaseConfig,
  type RunningSubgraph,
  type SubgraphName,
} from '@icg/shared';
import { composeRegisteredSubgraphs } from '../compose-subgraphs';
import { CUSTOMER_360_QUERY } from '../example-queries';
import { SUBGRAPH_REGISTRY } from '../subgraph-registry';
import { describeMachine, writeBenchmarkSection } from './benchmark-report';

/**
 * `npm run bench:enforcement`: the customer-360 query for random customers through two stacks over
 * the same seeded stores, one with enforcement and audit, one without (the baseline), measured in
 * alternating rounds in one run so both see the same machine load. Records throughput and latency
 * medians, p99 and the ratios in BENCHMARKS.md.
 */
interface Stack {
  gateway: RunningGateway;
  subgraphs: RunningSubgraph[];
}

async function startStack(database: DatabaseConfig, enforced: boolean, keys: { privateKeyPem: string; publicKeyPem: string }, tokenSecret: string, supergraphPath: string): Promise<Stack> {
  const secret = randomBytes(24).toString('base64url');
  const audit = { pseudonymSecret: secret, flushIntervalMs: 200, batchSize: 500, maxQueued: 1_000_000 };
  const subgraphs: RunningSubgraph[] = [];
  for (const { module } of SUBGRAPH_REGISTRY) {
    const running = await startSubgraph(
      module,
      { name: module.name, host: '127.0.0.1', port: 0, database, maxBodyBytes: 100_000, logLevel: 'silent', security: { assertionPublicKeyPem: keys.publicKeyPem, accessPolicyPath: undefined, pseudonymSecret: secret, audit } },
      { unenforcedBaselineForBenchmark: !enforced },
    );
    await running.ready;
    subgraphs.push(running);
  }
  const subgraphUrls = Object.fromEntries(subgraphs.map((running) => [running.name, `${running.url}/graphql`])) as Record<SubgraphName, string>;
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
      security: { tokens: { keySource: { kind: 'secret', secret: tokenSecret }, issuer: 'icg-dev', audience: 'insurer-customer-graph' }, assertionPrivateKeyPem: keys.privateKeyPem, accessPolicyPath: undefined, audit },
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
  /** Process CPU (user + system) per request: less sensitive than wall time to other tenants of a shared machine. */
  cpuMsPerRequest: number;
}

/** `requests` customer-360 queries with `concurrency` in flight; random customers from a seeded sequence. */
async function runRound(url: string, authorization: string, customers: number, requests: number, concurrency: number, seed: number): Promise<Round> {
  let state = seed >>> 0;
  const nextCustomer = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return String(1 + (state % customers));
  };
  const latenciesMs: number[] = [];
  let issued = 0;
  const cpuBefore = process.cpuUsage();
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
  const cpu = process.cpuUsage(cpuBefore);
  return { throughput: requests / ((performance.now() - started) / 1000), latenciesMs, cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / requests };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: readonly number[], share: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { customers: { type: 'string' }, rounds: { type: 'string' }, requests: { type: 'string' }, concurrency: { type: 'string' } } });
  const customers = Number(values.customers ?? 2_000);
  const rounds = Number(values.rounds ?? 6);
  const requests = Number(values.requests ?? 600);
  const concurrency = Number(values.concurrency ?? 8);
  const dataDir = mkdtempSync(join(tmpdir(), 'icg-bench-'));
  const database: DatabaseConfig = { mysqlUrl: process.env['MYSQL_URL'] || undefined, mysqlDatabasePrefix: 'icgbench_enf_', dataDir, poolMax: 10 };
  const keyPair = generateKeyPairSync('ed25519');
  const keys = { privateKeyPem: keyPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeyPem: keyPair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  const tokenSecret = randomBytes(32).toString('base64url');
  const supergraphPath = join(dataDir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composeRegisteredSubgraphs());
  process.stderr.write(`seeding ${customers} customers into ${database.mysqlUrl ? 'MySQL' : 'SQLite'}\n`);
  await seedStores({ config: database, stores: SUBGRAPH_REGISTRY, customers, seed: DEFAULT_SEED, reset: true });

  // A customer manager: their own customers in clear, others masked, RESTRICTED fields masked or denied, all audited.
  const org = generateOrg(DEFAULT_SEED);
  const manager = identityOfStaff(findStaff(org, 'CUSTOMER_MANAGER'));
  const authorization = `Bearer ${await mintDevelopmentToken({ secret: tokenSecret, identity: manager, ttlSeconds: 3_600 })}`;
  const own = generateCompanyBatch({ seed: DEFAULT_SEED, asOf: DEFAULT_AS_OF, org, firstCustomerId: 1, lastCustomerId: customers }).customers.filter((customer) => String(customer.primaryManagerStaffId) === manager.staffId).length;

  const enforced = await startStack(database, true, keys, tokenSecret, supergraphPath);
  const baseline = await startStack(database, false, keys, tokenSecret, supergraphPath);
  const results: Record<'enforced' | 'baseline', Round[]> = { enforced: [], baseline: [] };
  try {
    // Warm-up: plans, connections, JIT.
    await runRound(`${enforced.gateway.url}/graphql`, authorization, customers, 200, concurrency, 1);
    await runRound(`${baseline.gateway.url}/graphql`, authorization, customers, 200, concurrency, 1);
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first so drift in machine load falls on both.
      const order: ('enforced' | 'baseline')[] = round % 2 === 0 ? ['enforced', 'baseline'] : ['baseline', 'enforced'];
      for (const variant of order) {
        const stack = variant === 'enforced' ? enforced : baseline;
        results[variant].push(await runRound(`${stack.gateway.url}/graphql`, authorization, customers, requests, concurrency, 1_000 + round));
        process.stderr.write(`round ${round + 1}/${rounds} ${variant}: ${Math.round(results[variant].at(-1)!.throughput)} req/s\n`);
      }
    }
  } finally {
    await closeStack(enforced);
    await closeStack(baseline);
    if (database.mysqlUrl) for (const subgraph of [...SUBGRAPHS.map((entry) => entry.name), 'audit']) await dropMysqlDatabase(database, subgraph);
    rmSync(dataDir, { recursive: true, force: true });
  }

  const summarise = (rounds: Round[]) => {
    const latencies = rounds.flatMap((round) => round.latenciesMs);
    return {
      throughput: median(rounds.map((round) => round.throughput)),
      p50: median(latencies),
      p99: percentile(latencies, 0.99),
      p99PerRound: median(rounds.map((round) => percentile(round.latenciesMs, 0.99))),
      cpuMsPerRequest: median(rounds.map((round) => round.cpuMsPerRequest)),
    };
  };
  const on = summarise(results.enforced);
  const off = summarise(results.baseline);
  const throughputCost = 1 - on.throughput / off.throughput;
  const p99Cost = on.p99 / off.p99 - 1;
  const verdict = (cost: number) => (cost <= 0.1 ? 'within' : 'OVER');
  const fmt = (value: number) => value.toFixed(1);
  writeBenchmarkSection('enforcement', `## Enforcement and audit cost on the customer-360 query

Target (issue 3): enforcement with audit costs at most 10 % of throughput and at most 10 % at p99.

| | baseline (no access layer) | enforced + audited | cost |
|---|---|---|---|
| throughput, median of ${rounds} rounds | ${fmt(off.throughput)} req/s | ${fmt(on.throughput)} req/s | **${(throughputCost * 100).toFixed(1)} %** (${verdict(throughputCost)} 10 %) |
| latency p50 | ${fmt(off.p50)} ms | ${fmt(on.p50)} ms | ${((on.p50 / off.p50 - 1) * 100).toFixed(1)} % |
| latency p99, all rounds pooled | ${fmt(off.p99)} ms | ${fmt(on.p99)} ms | **${(p99Cost * 100).toFixed(1)} %** (${verdict(p99Cost)} 10 %) |
| latency p99, median of rounds | ${fmt(off.p99PerRound)} ms | ${fmt(on.p99PerRound)} ms | ${((on.p99PerRound / off.p99PerRound - 1) * 100).toFixed(1)} % |
| CPU per request (process, incl. load generator), median of rounds | ${off.cpuMsPerRequest.toFixed(2)} ms | ${on.cpuMsPerRequest.toFixed(2)} ms | ${((on.cpuMsPerRequest / off.cpuMsPerRequest - 1) * 100).toFixed(1)} % |
| throughput of each round (req/s) | ${results.baseline.map((round) => Math.round(round.throughput)).join(', ')} | ${results.enforced.map((round) => Math.round(round.throughput)).join(', ')} | |

- Workload: \`Customer360\` (five subgraphs) for random customers among ${customers.toLocaleString('en')}, as a customer manager (staff ${manager.staffId}, ${own} own customers: mostly out-of-scope records, so masks, denials and an audit record per sensitive value), ${concurrency} requests in flight, ${rounds} alternating rounds of ${requests} requests per variant after a warm-up.
- Both stacks run in one Node process over the same ${database.mysqlUrl ? 'MariaDB' : 'SQLite'} stores; both authenticate the token and sign identity assertions. The baseline leaves out only the access layer (gateway removal, field decisions, masks, audit).
- Command: \`${database.mysqlUrl ? 'MYSQL_URL=… ' : ''}npm run bench:enforcement -- --customers ${customers} --rounds ${rounds} --requests ${requests} --concurrency ${concurrency}\`
- Machine: ${describeMachine()} (shared; ratios from alternating rounds in one run)
- Date: ${new Date().toISOString().slice(0, 10)}`);
  process.stderr.write(`throughput cost ${(throughputCost * 100).toFixed(1)} %, p99 cost ${(p99Cost * 100).toFixed(1)} %; recorded in BENCHMARKS.md\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:enforcement failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
