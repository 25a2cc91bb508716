/**
 * The audit trail held against what was served, request by request: for every request answered in full, each
 * sensitive coordinate must list as many distinct records (pseudonymised keys, taken together over the records of the
 * processes and subgraph calls that decided it) as the answer holds values of that coordinate; no request the soak
 * did not send may have records; and the totals per coordinate must agree. Like bench:shutdown's check that every
 * answered request has records in the store, but over every request of the run and down to each value.
 */

export interface CoordinateTotals {
  coordinate: string;
  /** Sensitive values served: distinct records per request, summed over the answered requests. */
  served: number;
  /** Distinct pseudonymised records in the audit trail for the answered requests, summed likewise. */
  audited: number;
}

export interface AuditReconciliation {
  /** Requests answered in full (200, no error) and counted. */
  answered: number;
  /** Of those, requests whose audit records list, for every coordinate, exactly the number of records served. */
  matching: number;
  /** Answered requests without a single audit record. */
  withoutRecords: number;
  /** Request ids with audit records that the soak did not see answered in full nor with an error. */
  strangers: number;
  /** Request ids answered with an error that have audit records (recorded, not compared). */
  failedWithRecords: number;
  coordinates: CoordinateTotals[];
  /** The first few requests that do not match, described without any value. */
  mismatches: string[];
}

/** One audit row as the comparison needs it. */
export interface AuditRow {
  requestId: string;
  coordinate: string;
  pseudonyms: readonly string[];
}

const MISMATCHES_SHOWN = 10;

/**
 * Folds audit rows, which must arrive grouped by request id (the store is read ordered by it), against the answers:
 * `served` maps each answered request id to its counts per coordinate of `coordinates`.
 */
export class AuditReconciler {
  private readonly totals = new Map<string, CoordinateTotals>();
  private readonly seen = new Set<string>();
  private current: { requestId: string; records: Map<string, Set<string>> } | undefined;
  private matching = 0;
  private strangers = 0;
  private failedWithRecords = 0;
  private readonly mismatches: string[] = [];

  constructor(
    private readonly coordinates: readonly string[],
    private readonly served: ReadonlyMap<string, ArrayLike<number>>,
    private readonly failed: ReadonlySet<string>,
  ) {
    for (const coordinate of coordinates) this.totals.set(coordinate, { coordinate, served: 0, audited: 0 });
    for (const counts of served.values()) coordinates.forEach((coordinate, column) => (this.totals.get(coordinate)!.served += counts[column]!));
  }

  add(row: AuditRow): void {
    if (this.current?.requestId !== row.requestId) {
      this.finishRequest();
      if (this.seen.has(row.requestId)) throw new Error('audit rows must arrive grouped by request id');
      this.seen.add(row.requestId);
      this.current = { requestId: row.requestId, records: new Map() };
    }
    const records = this.current.records.get(row.coordinate) ?? new Set<string>();
    for (const pseudonym of row.pseudonyms) records.add(pseudonym);
    this.current.records.set(row.coordinate, records);
  }

  private finishRequest(): void {
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    const counts = this.served.get(current.requestId);
    if (!counts) {
      if (this.failed.has(current.requestId)) this.failedWithRecords++;
      else this.strangers++;
      return;
    }
    const differences: string[] = [];
    for (const [coordinate, records] of current.records) {
      const totals = this.totals.get(coordinate) ?? { coordinate, served: 0, audited: 0 };
      totals.audited += records.size;
      this.totals.set(coordinate, totals);
      const column = this.coordinates.indexOf(coordinate);
      const served = column >= 0 ? counts[column]! : 0;
      if (records.size !== served) differences.push(`${coordinate} served ${served}, audited ${records.size}`);
    }
    this.coordinates.forEach((coordinate, column) => {
      if (counts[column]! > 0 && !current.records.has(coordinate)) differences.push(`${coordinate} served ${counts[column]}, audited 0`);
    });
    if (differences.length === 0) this.matching++;
    else if (this.mismatches.length < MISMATCHES_SHOWN) this.mismatches.push(`request ${current.requestId}: ${differences.join('; ')}`);
  }

  result(): AuditReconciliation {
    this.finishRequest();
    let withoutRecords = 0;
    for (const requestId of this.served.keys()) {
      if (this.seen.has(requestId)) continue;
      withoutRecords++;
      const counts = this.served.get(requestId)!;
      if (this.mismatches.length < MISMATCHES_SHOWN)
        this.mismatches.push(`request ${requestId}: no audit record (served ${Array.from(counts).reduce((sum, count) => sum + count, 0)} values)`);
    }
    return {
      answered: this.served.size,
      matching: this.matching,
      withoutRecords,
      strangers: this.strangers,
      failedWithRecords: this.failedWithRecords,
      coordinates: [...this.totals.values()],
      mismatches: [...this.mismatches],
    };
  }
}
