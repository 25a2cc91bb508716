/**
 * A request's audit records, gathered while it is answered: one record per request × field coordinate × decision
 * × rule × policy version, listing the keys of every record that decision applied to, handed to the writer when
 * the request is answered. A customer page that reads one field of 2,000 participants makes one record, not 2,000.
 *
 * Why gathered per request here rather than by the writer: the request knows when it is over (the subgraph's
 * `willSendResponse`), so each record is complete when it is written and nothing waits on a timer; and room in the
 * writer's queue is reserved when a record is opened, before its first value is resolved, so a request whose
 * records cannot be taken is refused its audited values instead of being served unrecorded.
 */
import { randomUUID } from 'node:crypto';
import { ACTION_COORDINATE_PREFIX, type AuditChange, type AuditChangeContent, type AuditEvent } from './audit-record';
import { AUDIT_MAX_KEYS_PER_RECORD } from './audit-store';

/** One audited decision on one record, as enforcement makes it. */
export type AuditedDecision = Omit<AuditEvent, 'recordKeys' | 'decisionId' | 'occurredAt'> & { recordKey: string };

/**
 * One decision on one write (docs/access-model.md "Actions"): the action, the record's key, the decision and rule, and
 * what changed (nothing for a refusal). Raw values; the writer stores their keyed hashes only.
 */
export type AuditedChange = Omit<AuditEvent, 'recordKeys' | 'decisionId' | 'coordinate' | 'change'> & {
  action: string;
  recordKey: string;
  change: AuditChange;
};

/** The audit trail as the write side uses it (a RequestAuditTrail). */
export interface ChangeAuditSink {
  /**
   * Reserves room for the change's record and notes it for the request; returns the record's decision id, or undefined
   * when the queue cannot take it (the write must then not happen). Called inside the write's transaction, before
   * it commits.
   */
  recordChange(request: object, change: AuditedChange): string | undefined;
  /** The write did not commit after all: its record is dropped and its room given back. */
  withdrawChange(request: object, decisionId: string): void;
  /**
   * The records of `decisionIds` as they will go to the writer (values already hashed), for their hand-over rows
   * (audit-handoff.ts), written in the write's transaction.
   */
  handOverEvents(request: object, decisionIds: readonly string[]): AuditEvent[];
}

/** What the trail needs of the writer (a ThreadedAuditWriter). */
export interface AuditAdmission {
  /** A change's values as the store keeps them (keyed hashes). */
  hashChange(change: AuditChange): AuditChangeContent;
  tryReserve(records: number): boolean;
  commitReserved(events: readonly AuditEvent[], reserved: number): void;
  releaseReserved(records: number): void;
  healthy(): boolean;
}

interface OpenRecord {
  event: Omit<AuditEvent, 'recordKeys'>;
  keys: Set<string>;
}

interface RequestRecords {
  open: Map<string, OpenRecord>;
  /** Change records (writes) by decision id: one record each, never merged. */
  changes: Map<string, AuditEvent>;
  /** Records that reached AUDIT_MAX_KEYS_PER_RECORD keys; the decision continues in a new one. */
  full: OpenRecord[];
  reserved: number;
  finished: boolean;
}

export class RequestAuditTrail implements ChangeAuditSink {
  /** Keyed by the request's context object: gone with the request, whatever happens to it. */
  private readonly requests = new WeakMap<object, RequestRecords>();
  /** A request dropped without being answered (no response was sent) gives its reserved room back when collected. */
  private readonly abandoned = new FinalizationRegistry<RequestRecords>((records) => {
    if (!records.finished) this.writer.releaseReserved(records.reserved);
  });

  constructor(private readonly writer: AuditAdmission) {}

  /** False while the audit store cannot take writes or the queue is full. */
  healthy(): boolean {
    return this.writer.healthy();
  }

  /**
   * Notes one decision of the request. Returns the decision id of the record it is listed in (a denial's error
   * carries it), or undefined when the writer has no room for a new record: the caller then refuses the value.
   */
  record(request: object, decision: AuditedDecision): string | undefined {
    const records = this.recordsOf(request);
    const group = `${decision.coordinate}\n${decision.decision}\n${decision.rule}\n${decision.policyVersion}`;
    let open = records.open.get(group);
    if (open !== undefined && open.keys.size >= AUDIT_MAX_KEYS_PER_RECORD && !open.keys.has(decision.recordKey)) {
      records.full.push(open);
      records.open.delete(group);
      open = undefined;
    }
    if (open === undefined) {
      if (!this.writer.tryReserve(1)) return undefined;
      records.reserved++;
      const { recordKey: _recordKey, ...shared } = decision;
      open = { event: { ...shared, occurredAt: new Date(), decisionId: randomUUID() }, keys: new Set() };
      records.open.set(group, open);
    }
    open.keys.add(decision.recordKey);
    return open.event.decisionId ?? undefined;
  }

  recordChange(request: object, change: AuditedChange): string | undefined {
    const records = this.recordsOf(request);
    if (!this.writer.tryReserve(1)) return undefined;
    records.reserved++;
    const { action, recordKey, change: changed, ...shared } = change;
    const decisionId = randomUUID();
    // Hashed now: the record may be written into a hand-over row before it reaches the writer.
    records.changes.set(decisionId, {
      ...shared,
      coordinate: `${ACTION_COORDINATE_PREFIX}${action}`,
      recordKeys: [recordKey],
      decisionId,
      hashedChange: this.writer.hashChange(changed),
    });
    return decisionId;
  }

  handOverEvents(request: object, decisionIds: readonly string[]): AuditEvent[] {
    const changes = this.requests.get(request)?.changes;
    return decisionIds.flatMap((id) => {
      const event = changes?.get(id);
      return event === undefined ? [] : [{ ...event, occurredAt: event.occurredAt instanceof Date ? event.occurredAt.toISOString() : event.occurredAt }];
    });
  }

  withdrawChange(request: object, decisionId: string): void {
    const records = this.requests.get(request);
    if (records === undefined || !records.changes.delete(decisionId)) return;
    records.reserved--;
    this.writer.releaseReserved(1);
  }

  private recordsOf(request: object): RequestRecords {
    let records = this.requests.get(request);
    if (records === undefined) {
      records = { open: new Map(), changes: new Map(), full: [], reserved: 0, finished: false };
      this.requests.set(request, records);
      this.abandoned.register(request, records);
    }
    return records;
  }

  /** The request is answered: its records go to the writer, into the room reserved for them. */
  finish(request: object): void {
    const records = this.requests.get(request);
    if (records === undefined) return;
    this.requests.delete(request);
    records.finished = true;
    const events = [...records.full, ...records.open.values()].map((open): AuditEvent => ({ ...open.event, recordKeys: [...open.keys] }));
    events.push(...records.changes.values());
    this.writer.commitReserved(events, records.reserved);
  }
}
