import type { Criterion, MinuteFigures, SoakOutcome } from './soak-evaluation';
import { heapChange } from './soak-evaluation';

export interface SoakReport {
  dialect: 'MariaDB' | 'SQLite';
  customers: number;
  minutes: number;
  warmupMinutes: number;
  /** How the rate was found: measured by the closed loop, or given with `--rate`. */
  sustainable:
    | { requestsPerSecond: number; p50Ms: number; p99Ms: number; connections: number; seconds: number; failed: number; firstFailure: string | undefined }
    | { given: number };
  ratePerSecond: number;
  /** Requests the soak (after the warm-up) sent, and how many were answered in full. */
  sent: number;
  answered: number;
  minuteFigures: readonly MinuteFigures[];
  /** Process names in column order. */
  processes: readonly string[];
  outcome: SoakOutcome;
  criteria: readonly Criterion[];
  command: string;
  machine: string;
  database: string;
  /** Subgraphs whose stores were left unseeded (`--leave-empty`). */
  emptyStores: readonly string[];
  /** One-minute load average at the start, the end, and the lowest and highest seen at the minute marks. */
  loadAverage: { start: number; end: number; min: number; max: number };
  date: string;
  label: string | undefined;
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');
const mib = (bytes: number | undefined) => (bytes === undefined ? '–' : (bytes / 2 ** 20).toFixed(1));
const whole = (value: number) => Math.round(value).toLocaleString('en');

/** The "Soak" section of BENCHMARKS.md. */
export function formatSoakReport(report: SoakReport): string {
  const passed = report.criteria.every((criterion) => criterion.passed);
  const rate =
    'given' in report.sustainable
      ? `not measured: the soak rate was given with \`--rate\``
      : `closed loop, ${report.sustainable.connections} connections, ${report.sustainable.seconds} s after an unmeasured warm-up: ${report.sustainable.requestsPerSecond.toFixed(1)} requests/s (p50 ${ms(report.sustainable.p50Ms)} ms, p99 ${ms(report.sustainable.p99Ms)} ms)${report.sustainable.failed ? `, complete answers only: ${report.sustainable.failed} requests failed, the first with ${report.sustainable.firstFailure ?? '?'}` : ''}`;
  const minuteRows = report.minuteFigures.map(
    (minute) =>
      `| ${minute.minute} | ${whole(minute.requests)} | ${minute.errors} | ${ms(minute.p50Ms)} | ${ms(minute.p99Ms)} | ${minute.loadAverage.toFixed(1)} | ${report.processes.map((name) => mib(minute.heapBytes[name])).join(' | ')} |`,
  );
  const heapRows = report.outcome.heaps.map(
    (heap) => `| ${heap.name} | ${mib(heap.startBytes)} | ${mib(heap.endBytes)} | ${(heapChange(heap) * 100).toFixed(1)} % |`,
  );
  const auditRows = report.outcome.audit.coordinates.map(
    (totals) => `| \`${totals.coordinate}\` | ${whole(totals.served)} | ${whole(totals.audited)} |${totals.served === totals.audited ? '' : ' **differs**'}`,
  );
  const { audit } = report.outcome;
  return `## Soak: ${report.minutes} minute${report.minutes === 1 ? '' : 's'} at ${'given' in report.sustainable ? 'a given rate' : '80 % of the sustainable rate'}, ${report.dialect}, ${report.customers.toLocaleString('en')} customers

**${passed ? 'Passed' : 'Failed'}**: ${report.criteria.map((criterion) => `${criterion.name} ${criterion.passed ? 'yes' : '**no**'}`).join('; ')}.

| criterion | result | what decided it |
|---|---|---|
${report.criteria.map((criterion) => `| ${criterion.name} | ${criterion.passed ? 'pass' : '**fail**'} | ${criterion.detail} |`).join('\n')}

- Load: the README's customer-360 (\`tools/src/example-queries.ts\`) for random customers as one AUDITOR (purpose AUDIT: every field readable, every sensitive read audited), open loop (requests leave on a fixed schedule whatever the answers; latency counted from when each was due).
- Sustainable rate: ${rate}; soak rate ${report.ratePerSecond.toFixed(1)} requests/s, after a ${report.warmupMinutes}-minute warm-up at the same rate.
- Soak: ${whole(report.sent)} requests sent, ${whole(report.answered)} answered in full.
- Graph: the gateway and every subgraph (${report.processes.filter((name) => name !== 'gateway').join(', ')}) each its own process, as \`npm start\` runs them, over seeded ${report.database} stores${report.emptyStores.length ? ` (but ${report.emptyStores.join(', ')}: migrated, not seeded; the customer-360 does not read ${report.emptyStores.length === 1 ? 'it' : 'them'})` : ''}, each started with \`--inspect=127.0.0.1:<port>\` so the benchmark can force a collection and read the heap over the DevTools protocol.

Per minute (heap: JavaScript heap in use at the minute's end, not collected first, MiB):

| minute | requests | errors | p50 ms | p99 ms | load average | ${report.processes.join(' | ')} |
|---|---|---|---|---|---|${report.processes.map(() => '---').join('|')}|
${minuteRows.join('\n')}

Heap after forced collections (three \`HeapProfiler.collectGarbage\`, then \`Runtime.getHeapUsage\`), the load stopped and drained each time:

| process | after the warm-up, MiB | at the end, MiB | change |
|---|---|---|---|
${heapRows.join('\n')}

Audit trail against the answers (every request of the warm-up and the soak; per request and coordinate, the distinct records audited against the distinct records the answer holds a value of): ${audit.matching.toLocaleString('en')} of ${audit.answered.toLocaleString('en')} requests match; ${audit.withoutRecords} answered requests without a record; ${audit.strangers} request ids with records the soak did not send; ${audit.failedWithRecords} requests answered with an error have records.

| coordinate | values served | records audited |
|---|---|---|
${auditRows.join('\n')}
${audit.mismatches.length ? `\nFirst requests that differ:\n${audit.mismatches.map((mismatch) => `- ${mismatch}`).join('\n')}\n` : ''}
- Command: \`${report.command}\`${report.label ? `\n- Measured: ${report.label}` : ''}
- Machine: ${report.machine}; load average (1 min) ${report.loadAverage.start.toFixed(1)} at the start, ${report.loadAverage.end.toFixed(1)} at the end, ${report.loadAverage.min.toFixed(1)}–${report.loadAverage.max.toFixed(1)} during the soak: the machine is shared with other helpers' builds and tests, so latency varies with them
- Database: ${report.database}
- Date: ${report.date}`;
}
