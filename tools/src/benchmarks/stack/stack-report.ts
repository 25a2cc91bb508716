import { NODE_CORE_FOR, type ProfileSummary } from './cpu-profile-summary';
import { STACK_CPU_GROUPS, type RoundMeasurement, type StackName, type StackSummary } from './stack-measurements';
import { median } from '../paired-rounds';

export const STACK_LABELS: Readonly<Record<StackName, string>> = {
  project: 'this project (gateway + five subgraphs, enforcement and audit on)',
  plain: 'plain `@apollo/gateway` over the same subgraph processes',
  reference: 'one graphql-js process reading the same five databases (no federation)',
};

export interface MachineDescription {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  database: string;
  /** 1-minute load average when the run started (other tenants' work included). */
  loadAverageAtStart: number;
}

export interface StackRunReport {
  dialect: 'mysql' | 'sqlite';
  customers: number;
  sets: number;
  seconds: number;
  connections: number;
  command: string;
  label: string | undefined;
  /** WORKERS of the project's gateway and the subgraphs. */
  workers: number;
  /** Seconds spent seeding, or undefined when the stores were reused. */
  seedSeconds: number | undefined;
  summaries: readonly StackSummary[];
  rounds: readonly RoundMeasurement[];
  projectToReference: readonly number[];
  plainToReference: readonly number[];
  cold: Readonly<Record<StackName, { firstMs: number; warmMs: number }>>;
  warmRequests: number;
  paging: { withoutMs: number; withMs: number; pairs: number } | undefined;
  /** SELECTs per second the idle subgraph processes send (MariaDB only). */
  subgraphBackgroundSelectsPerSecond: number | undefined;
  equality: { customers: number; found: number; policies: number; claims: number; serviceRequests: number; complaints: number };
  machine: MachineDescription;
  date: string;
}

const ms = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? 'n/a' : `${value.toFixed(value < 10 ? 2 : 1)} ms`);
const times = (value: number) => `${value.toFixed(value < 1 ? 3 : 2)}×`;
const count = (value: number) => Math.round(value).toLocaleString('en');
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
const plural = (value: number, one: string, many: string) => `${count(value)} ${value === 1 ? one : many}`;

/** ` (customers 3.10, policies 2.80, …)`: each subgraph process's share of the subgraphs' CPU per request. */
function eachSubgraph(summary: StackSummary): string {
  const parts = Object.entries(summary.cpuPerRequestMs)
    .filter(([group]) => group.startsWith('subgraph:'))
    .map(([group, value]) => `${group.slice('subgraph:'.length)} ${value!.toFixed(2)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function cpuCell(summary: StackSummary): string {
  const parts = STACK_CPU_GROUPS[summary.stack]
    .filter((group) => summary.cpuPerRequestMs[group] !== undefined)
    .map((group) => `${group} ${summary.cpuPerRequestMs[group]!.toFixed(2)}${group === 'subgraphs' ? eachSubgraph(summary) : ''}`);
  return `${ms(summary.totalCpuPerRequestMs)}: ${parts.join(', ')}`;
}

function sqlCell(summary: StackSummary): string {
  const exact = summary.selectsPerRequest === undefined ? 'n/a' : summary.selectsPerRequest.toFixed(2);
  return summary.serverSelectsPerRequest === undefined ? exact : `${exact} (MariaDB counted ${summary.serverSelectsPerRequest.toFixed(2)})`;
}

/** The BENCHMARKS.md section of a `bench:stack` run. */
export function formatStackReport(report: StackRunReport): string {
  const byStack = Object.fromEntries(report.summaries.map((summary) => [summary.stack, summary])) as Record<StackName, StackSummary>;
  const project = byStack.project;
  const dialect = report.dialect === 'mysql' ? 'MariaDB' : 'SQLite';
  const projectRatio = report.projectToReference.length ? median(report.projectToReference) : Number.NaN;
  const plainRatio = report.plainToReference.length ? median(report.plainToReference) : Number.NaN;
  const rows = report.summaries.map(
    (summary) =>
      `| ${STACK_LABELS[summary.stack]} | ${count(summary.requestsPerSecond)} | ${ms(summary.p50Ms)} | ${ms(summary.p99Ms)} | ${times(summary.p99Ms / summary.p50Ms)} | ${cpuCell(summary)} | ${sqlCell(summary)} | ${summary.failed} of ${count(summary.completed + summary.failed)} |`,
  );
  const coldRows = (Object.keys(report.cold) as StackName[]).map(
    (stack) =>
      `| ${STACK_LABELS[stack]} | ${ms(report.cold[stack].firstMs)} | ${ms(report.cold[stack].warmMs)} | ${times(report.cold[stack].firstMs / report.cold[stack].warmMs)} |`,
  );
  const loadGenerator = report.summaries.map((summary) => `${summary.stack} ${ms(summary.cpuPerRequestMs['load generator'])}`).join(', ');
  const busy = Math.max(0, ...report.rounds.map((round) => round.busyForeignSessions ?? 0));
  const sqlNote =
    report.dialect === 'mysql'
      ? `SQL: SELECTs counted where they are sent: in each subgraph process (mysql2's own diagnostics channel, read by a counter the benchmark preloads with \`--require\`), less what the subgraphs send while idle (outbox relays, scheduled jobs: ${report.subgraphBackgroundSelectsPerSecond?.toFixed(1) ?? 'n/a'} per second, their count during the reference's rounds); the reference counts its own. In brackets MariaDB's global \`Com_select\` per request over the same rounds, which also holds the idle subgraphs' and other tenants' statements (at most ${plural(busy, 'other session was', 'other sessions were')} seen running a statement at a round's start or end).`
      : 'SQL: the reference counts its own statements; SQLite (better-sqlite3) has no statement channel or server counter, so the federated stacks show n/a.';
  const firstFailures = report.summaries.filter((summary) => summary.firstFailure).map((summary) => `${summary.stack}: ${summary.firstFailure!.slice(0, 200)}`);
  const paging = report.paging;

  return `## Customer-360 side by side: this project, plain \`@apollo/gateway\`, a single-process reference (${dialect}, ${count(report.customers)} customers${report.workers === 1 ? '' : `, WORKERS=${report.workers}`})

${report.label ? `${report.label}\n\n` : ''}${report.workers === 1 ? '' : `The project's gateway and every subgraph run as a primary and ${report.workers} workers (the plain gateway calls the same subgraphs; it and the reference are one process each). CPU per request counts the primaries and their workers; SQL is not counted per subgraph (the counter answers over a process's own channel).\n\n`}| stack | requests/s (${report.sets > 1 ? `median of ${report.sets} sets` : 'one set'}) | p50 | p99 | p99 / p50 | CPU per request (ms, by process group) | SQL SELECTs per request | failed requests |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Per-set throughput ratios (adjacent rounds): project / reference ${report.projectToReference.map((ratio) => ratio.toFixed(3)).join(', ')}: median **${times(projectRatio)}**; plain / reference ${report.plainToReference.map((ratio) => ratio.toFixed(3)).join(', ')}: median **${times(plainRatio)}**.

Targets (issue 12), as measured here:
- Throughput at least 0.3× the reference (stretch 0.5×): **${times(projectRatio)}**, ${verdict(projectRatio >= 0.3)}.
- Whole-stack CPU per customer-360 at most 5 ms: **${ms(project.totalCpuPerRequestMs)}**, ${verdict(project.totalCpuPerRequestMs <= 5)}.
- p99 at most 3× p50 at ${report.connections} connections: **${times(project.p99Ms / project.p50Ms)}**, ${verdict(project.p99Ms / project.p50Ms <= 3)}${report.customers === 1_000_000 ? '' : ' (flatness from 10,000 to 1,000,000 customers needs runs at both sizes)'}.
- First customer-360 after \`/ready\` within 2× of a warm one: **${times(report.cold.project.firstMs / report.cold.project.warmMs)}**, ${verdict(report.cold.project.firstMs / report.cold.project.warmMs <= 2)}.
${paging ? `- \`customers(first: 200)\` with \`totalCount\` at most 2× the page without it (the target is at 1,000,000 customers): **${times(paging.withMs / paging.withoutMs)}** at ${count(report.customers)}.` : ''}

| cold start | first customer-360 after \`/ready\` | warm (median of ${report.warmRequests} one at a time) | ratio |
|---|---|---|---|
${coldRows.join('\n')}
${
  paging
    ? `
| this project, \`customers(first: 200)\` from a random cursor, one at a time (median of ${paging.pairs}) | without \`totalCount\` | with \`totalCount\` | ratio |
|---|---|---|---|
| page of 200: \`pageInfo\`, \`nodes { id customerNo name }\` | ${ms(paging.withoutMs)} | ${ms(paging.withMs)} | ${times(paging.withMs / paging.withoutMs)} |
`
    : ''
}
- Method: every server a separate Node process as \`npm start\` runs them (\`--max-semi-space-size=32\`, logs at the default level to a file, the subgraphs' schedules off); the project's gateway and the plain gateway call the same five subgraph processes, which check each call's identity assertion, decide every field and audit; the reference reads the same tables directly. ${report.sets} sets of one ${report.seconds}-second round per stack, the order rotated each set, after a warm-up round per stack; each round a closed loop of ${report.connections} keep-alive connections sending the README's \`Customer360\` query for random customers (the same sequence for each stack within a set) as AUDITOR with purpose AUDIT. Requests/s: completed requests over the round; p50/p99: of each round's latencies, median over sets. CPU: user + system time from \`/proc/<pid>/stat\` over each round and a 400 ms pause after it (the last audit batch), per process group, divided by the round's requests.
- Data check before measuring: ${report.equality.customers} random customers (${report.equality.found} found; ${plural(report.equality.policies, 'policy', 'policies')}, ${plural(report.equality.claims, 'claim', 'claims')}, ${plural(report.equality.serviceRequests, 'service request', 'service requests')}, ${plural(report.equality.complaints, 'complaint', 'complaints')} among them) gave the same data from all three stacks.
- Load generator (this benchmark's process, on the same cores) CPU per request: ${loadGenerator}.
- ${sqlNote}
${firstFailures.length ? `- First failure per stack: ${firstFailures.join('; ')}\n` : ''}- Seeding: ${report.seedSeconds === undefined ? 'stores reused from an earlier run (`--reuse`)' : `${report.seedSeconds.toFixed(0)} s for ${count(report.customers)} customers`}.
- Command: \`${report.command}\`
- Machine: ${report.machine.cpuModel}, nproc ${report.machine.nproc}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}, ${report.machine.database} on the same machine. **Shared**: other sessions were building and running tests on the same ${report.machine.nproc} cores (1-minute load average ${report.machine.loadAverageAtStart.toFixed(2)} at the start), so absolute figures move between runs; the per-set ratios of adjacent rounds are the figures to compare.
- Date: ${report.date}`;
}

/** Where issue 12 asks the time to be told apart: each family's groups, Node core done for them included. */
const PROFILE_FAMILIES: readonly { label: string; members: readonly string[] }[] = [
  {
    label: "subgraph calls through Node's fetch (undici, web streams, AbortSignal)",
    members: ["undici/fetch (Node's fetch, web streams, AbortSignal)", 'node-fetch'],
  },
  { label: 'signing assertions and checking tokens (jose, crypto)', members: ['jose/crypto'] },
  { label: '@apollo/gateway planning and plan execution', members: ['@apollo/gateway', '@apollo/federation-internals', '@apollo/query-planner'] },
  { label: 'Apollo Server', members: ['@apollo/server'] },
  { label: 'graphql-js', members: ['graphql'] },
  { label: 'project code', members: ['project code (gateway, shared)'] },
  { label: 'logs and metrics', members: ['pino', 'sonic-boom', '@pinojs/redact', 'prom-client', 'quick-format-unescaped'] },
  { label: 'GC', members: ['GC'] },
];

/** The BENCHMARKS.md section of a `--profile` run: where the project gateway's main thread spends a round. */
export function formatProfileReport(
  summary: ProfileSummary,
  details: { seconds: number; requests: number; command: string; date: string; dialect: string },
): string {
  const perRequest = (msTotal: number) => `${(msTotal / Math.max(1, details.requests)).toFixed(3)} ms`;
  const shown = summary.groups.filter((group) => group.share >= 0.005);
  const folded = summary.groups.filter((group) => group.share < 0.005);
  const foldedShare = folded.reduce((sum, group) => sum + group.share, 0);
  const foldedMs = folded.reduce((sum, group) => sum + group.ms, 0);
  const groups = [
    ...shown.map((group) => `| ${group.name} | ${(group.share * 100).toFixed(1)} % | ${perRequest(group.ms)} |`),
    ...(folded.length
      ? [
          `| ${folded.length} more, each under 0.5 % (${folded.map((group) => group.name).join(', ')}) | ${(foldedShare * 100).toFixed(1)} % | ${perRequest(foldedMs)} |`,
        ]
      : []),
  ];
  const headline = PROFILE_FAMILIES.map(({ label, members }) => {
    const share = summary.groups
      .filter((group) => members.includes(group.name.startsWith(NODE_CORE_FOR) ? group.name.slice(NODE_CORE_FOR.length) : group.name))
      .reduce((sum, group) => sum + group.share, 0);
    return `${label} ${(share * 100).toFixed(0)} %`;
  }).join('; ');
  const functions = summary.topFunctions.map((entry) => `| ${entry.name.replace(/\|/g, '\\|')} | ${(entry.share * 100).toFixed(1)} % |`);
  return `## Where the project gateway's main thread spends a customer-360 round (CPU profile, ${details.dialect})

One ${details.seconds}-second round of the customer-360 load against a separate project gateway process started under \`node --cpu-prof\` (same subgraph processes, after a warm-up round); samples ${summary.windowed ? 'cut to the measured round' : 'of the whole process life (the round could not be told apart)'}: ${summary.windowMs.toFixed(0)} ms, main thread busy ${(summary.busyShare * 100).toFixed(0)} % of it, ${details.requests.toLocaleString('en')} requests answered. Self time; shares of the busy time; a native function (a socket write, \`JSON.parse\`) counts for the JavaScript that called it, Node core for the package that called into it.

In short (each with the Node core work done for it): ${headline}.

| group | share of busy time | per request |
|---|---|---|
${groups.join('\n')}

| function (group, file:line) | self time share |
|---|---|
${functions.join('\n')}

- Only the gateway's main thread (its audit worker thread is profiled apart and not shown). The profiler itself slows the process, so this round's throughput is not a figure to compare.
- Command: \`${details.command}\`
- Date: ${details.date}`;
}
