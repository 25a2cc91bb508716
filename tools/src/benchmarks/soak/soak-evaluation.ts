import { percentile } from '../paired-rounds';
import type { AuditReconciliation } from './audit-reconciliation';

/** How an answer counts: complete, or the codes of what went wrong (one answer may carry several GraphQL errors). */
export type AnswerVerdict = { ok: true; data: unknown } | { ok: false; codes: string[] };

/**
 * Any non-200, an answer that is not JSON, a transport failure or any GraphQL error is an error, named by its code
 * (and the subgraph, for the gateway's SUBGRAPH_* errors, so a failure can be traced to a process).
 */
export function judgeAnswer(status: number | undefined, body: string, transportError: string | undefined): AnswerVerdict {
  if (transportError !== undefined) return { ok: false, codes: [`TRANSPORT ${transportError}`] };
  if (status !== 200) return { ok: false, codes: [`HTTP ${status ?? '?'}`] };
  let answer: { data?: unknown; errors?: { extensions?: { code?: unknown; subgraph?: unknown } }[] };
  try {
    answer = JSON.parse(body) as typeof answer;
  } catch {
    return { ok: false, codes: ['BODY NOT JSON'] };
  }
  if (answer.errors?.length) {
    const codes = answer.errors.map(({ extensions }) => {
      const code = String(extensions?.code ?? 'NO CODE');
      return typeof extensions?.subgraph === 'string' ? `${code} (${extensions.subgraph})` : code;
    });
    return { ok: false, codes };
  }
  return { ok: true, data: answer.data };
}

/**
 * The codes in bench:stack's closed-loop failure description (`HTTP 503: <body>`, `errors in the answer: <body>`, or a
 * socket error's message), for the report: never the answer's body, which holds the customer's data.
 */
export function failureCodes(failure: string | undefined): string | undefined {
  if (failure === undefined) return undefined;
  const status = /^HTTP \d+/.exec(failure)?.[0];
  if (status) return status;
  if (failure.startsWith('errors in the answer')) {
    const codes = [...failure.matchAll(/"code":"([A-Z_]+)"(?:,"subgraph":"([a-z-]+)")?/g)].map(([, code, subgraph]) =>
      subgraph ? `${code} (${subgraph})` : code,
    );
    return codes.length ? [...new Set(codes)].join(', ') : 'a GraphQL error without a code';
  }
  return `transport: ${failure.slice(0, 60)}`;
}

/** One minute of the soak, as printed and reported. */
export interface MinuteFigures {
  minute: number;
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  /** Heap in use (not collected first) of each process at the minute's end, bytes, by process name. */
  heapBytes: Record<string, number>;
  /** The machine's one-minute load average at the minute's end: other work competing for the cores. */
  loadAverage: number;
}

/** Gathers answers into the minute they completed in. */
export class MinuteRecorder {
  private latencies: number[] = [];
  private requests = 0;
  private errors = 0;
  readonly minutes: MinuteFigures[] = [];

  record(latencyMs: number, ok: boolean): void {
    this.requests++;
    if (ok) this.latencies.push(latencyMs);
    else this.errors++;
  }

  /** Forgets everything so far (the warm-up's answers, which count for errors and the audit but not per minute). */
  discard(): void {
    this.latencies = [];
    this.requests = 0;
    this.errors = 0;
    this.minutes.length = 0;
  }

  /** Closes the current minute (latency percentiles of its complete answers) and starts the next. */
  close(heapBytes: Record<string, number>, loadAverage: number): MinuteFigures {
    const figures: MinuteFigures = {
      minute: this.minutes.length + 1,
      requests: this.requests,
      errors: this.errors,
      p50Ms: this.latencies.length ? percentile(this.latencies, 0.5) : Number.NaN,
      p99Ms: this.latencies.length ? percentile(this.latencies, 0.99) : Number.NaN,
      heapBytes,
      loadAverage,
    };
    this.minutes.push(figures);
    this.latencies = [];
    this.requests = 0;
    this.errors = 0;
    return figures;
  }
}

export interface ProcessHeap {
  name: string;
  /** After forced collections once the warm-up minute is over. */
  startBytes: number;
  /** After forced collections at the end of the soak, the load stopped as at the start. */
  endBytes: number;
}

export interface SoakOutcome {
  /** Errors over the warm-up and the soak, by code. */
  errorsByCode: Readonly<Record<string, number>>;
  heaps: readonly ProcessHeap[];
  audit: AuditReconciliation;
}

export interface Criterion {
  name: string;
  passed: boolean;
  detail: string;
}

/** The heap after forced collections at the end may differ from the start by at most this share, either way. */
export const HEAP_TOLERANCE = 0.1;

const mebibytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Heap change from start to end as a signed share of the start. */
export const heapChange = (heap: ProcessHeap): number => (heap.endBytes - heap.startBytes) / heap.startBytes;

/** The issue's three criteria, each with what decided it. */
export function evaluateSoak(outcome: SoakOutcome): Criterion[] {
  const errorCodes = Object.entries(outcome.errorsByCode).sort(([, a], [, b]) => b - a);
  const errors = errorCodes.reduce((sum, [, count]) => sum + count, 0);
  const heapsOut = outcome.heaps.filter((heap) => !(Math.abs(heapChange(heap)) <= HEAP_TOLERANCE));
  const { audit } = outcome;
  const totalsDiffer = audit.coordinates.filter((totals) => totals.served !== totals.audited);
  const auditPassed =
    audit.answered > 0 && audit.matching === audit.answered && audit.withoutRecords === 0 && audit.strangers === 0 && totalsDiffer.length === 0;
  return [
    {
      name: 'zero errors',
      passed: errors === 0,
      detail: errors === 0 ? 'no error' : `${errors} errors: ${errorCodes.map(([code, count]) => `${code} × ${count}`).join(', ')}`,
    },
    {
      name: `heap after forced GC at the end within ${HEAP_TOLERANCE * 100} % of the start, every process`,
      passed: outcome.heaps.length > 0 && heapsOut.length === 0,
      detail: outcome.heaps
        .map((heap) => `${heap.name} ${mebibytes(heap.startBytes)} → ${mebibytes(heap.endBytes)} (${(heapChange(heap) * 100).toFixed(1)} %)`)
        .join(', '),
    },
    {
      name: 'audit records equal to the sensitive values served',
      passed: auditPassed,
      detail: [
        `${audit.matching.toLocaleString('en')} of ${audit.answered.toLocaleString('en')} answered requests match value for value`,
        ...(audit.withoutRecords ? [`${audit.withoutRecords} without any record`] : []),
        ...(audit.strangers ? [`${audit.strangers} request ids with records the soak did not send`] : []),
        ...totalsDiffer.map((totals) => `${totals.coordinate}: served ${totals.served}, audited ${totals.audited}`),
      ].join('; '),
    },
  ];
}
