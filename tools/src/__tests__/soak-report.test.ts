import { evaluateSoak, type SoakOutcome } from '../benchmarks/soak/soak-evaluation';
import { formatSoakReport, type SoakReport } from '../benchmarks/soak/soak-report';

const outcome: SoakOutcome = {
  errorsByCode: { FORBIDDEN_FIELD: 2 },
  heaps: [
    { name: 'customers', startBytes: 40 * 2 ** 20, endBytes: 41 * 2 ** 20 },
    { name: 'gateway', startBytes: 60 * 2 ** 20, endBytes: 75 * 2 ** 20 },
  ],
  audit: {
    answered: 1_200,
    matching: 1_199,
    withoutRecords: 1,
    strangers: 0,
    failedWithRecords: 2,
    coordinates: [
      { coordinate: 'Customer.name', served: 1_200, audited: 1_199 },
      { coordinate: 'Policy.writtenPremium', served: 3_300, audited: 3_300 },
    ],
    mismatches: ['request r9: no audit record (served 4 values)'],
  },
};

const report: SoakReport = {
  dialect: 'MariaDB',
  customers: 100_000,
  minutes: 2,
  warmupMinutes: 1,
  sustainable: { requestsPerSecond: 50, p50Ms: 150.04, p99Ms: 400, connections: 10, seconds: 20, failed: 0, firstFailure: undefined },
  ratePerSecond: 40,
  sent: 4_800,
  answered: 4_798,
  minuteFigures: [
    { minute: 1, requests: 2_400, errors: 0, p50Ms: 31.25, p99Ms: 88, heapBytes: { customers: 50 * 2 ** 20, gateway: 70 * 2 ** 20 }, loadAverage: 6 },
    { minute: 2, requests: 2_400, errors: 2, p50Ms: 32, p99Ms: 120, heapBytes: { gateway: 71 * 2 ** 20 }, loadAverage: 9.25 },
  ],
  processes: ['customers', 'gateway'],
  outcome,
  criteria: evaluateSoak(outcome),
  command: 'npm run bench:soak -- --customers 100000 --minutes 2',
  machine: '2 × AMD EPYC, 24 GiB, Node v20.20.2, linux',
  database: 'MariaDB 10.11.19',
  emptyStores: [],
  loadAverage: { start: 6.5, end: 8.25, min: 5, max: 11 },
  date: '2026-12-06',
  label: 'commit eb674f2',
};

describe('bench:soak report (the Soak section of BENCHMARKS.md)', () => {
  const text = formatSoakReport(report);

  it('says up front whether the soak passed, criterion by criterion, with what decided each', () => {
    expect(text).toContain('## Soak: 2 minutes at 80 % of the sustainable rate, MariaDB, 100,000 customers');
    expect(text).toContain('**Failed**: zero errors **no**; heap after forced GC at the end within 10 % of the start, every process **no**;');
    expect(text).toContain('| zero errors | **fail** | 2 errors: FORBIDDEN_FIELD × 2 |');
    expect(text).toContain('gateway 60.0 MiB → 75.0 MiB (25.0 %)');
    expect(text).toContain('1,199 of 1,200 answered requests match value for value; 1 without any record; Customer.name: served 1200, audited 1199');
  });

  it('gives the rate found and the rate run, and one row per minute with each process heap (– where not read)', () => {
    expect(text).toContain(
      '10 connections, 20 s after an unmeasured warm-up: 50.0 requests/s (p50 150.0 ms, p99 400.0 ms); soak rate 40.0 requests/s, after a 1-minute warm-up',
    );
    expect(text).toContain('| minute | requests | errors | p50 ms | p99 ms | load average | customers | gateway |');
    expect(text).toContain('| 1 | 2,400 | 0 | 31.3 | 88.0 | 6.0 | 50.0 | 70.0 |');
    expect(text).toContain('| 2 | 2,400 | 2 | 32.0 | 120.0 | 9.3 | – | 71.0 |');
  });

  it('lists heap start and end per process, the audit per coordinate, and the command, machine, load and date', () => {
    expect(text).toContain('| customers | 40.0 | 41.0 | 2.5 % |');
    expect(text).toContain('| `Customer.name` | 1,200 | 1,199 | **differs**');
    expect(text).toContain('| `Policy.writtenPremium` | 3,300 | 3,300 |\n');
    expect(text).toContain('- request r9: no audit record (served 4 values)');
    expect(text).toContain('- Command: `npm run bench:soak -- --customers 100000 --minutes 2`');
    expect(text).toContain('load average (1 min) 6.5 at the start, 8.3 at the end, 5.0–11.0 during the soak');
    expect(text).toContain('- Date: 2026-12-06');
  });

  it('says when the rate was given rather than measured', () => {
    const given = formatSoakReport({ ...report, sustainable: { given: 30 } });
    expect(given).toContain('## Soak: 2 minutes at a given rate');
    expect(given).toContain('not measured: the soak rate was given with `--rate`');
  });
});
