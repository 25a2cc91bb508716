/**
 * Re-computes every chain's hashes, page by page (a large store never sits in memory), and names the first
 * record that does not check out.
 */
import type { Knex } from 'knex';
import { AUDIT_GENESIS_HASH, hashAuditRecord } from './audit-record';
import { AUDIT_TABLE, auditRowToContent } from './audit-store';

/**
 * - `altered`: the record's content no longer matches its own hash (a column was edited);
 * - `broken-link`: its prevHash is not the previous record's hash (a record before it was removed or replaced);
 * - `sequence-gap`: the link holds but the sequence skips (a record was forged with a consistent hash).
 */
export type AuditChainBreakReason = 'altered' | 'broken-link' | 'sequence-gap';

export interface AuditChainBreak {
  /** The row's id in `audit_records`. */
  id: number;
  chain: string;
  sequence: number;
  reason: AuditChainBreakReason;
  /** One line for people, e.g. `altered content: stored hash does not match the record`. */
  detail: string;
}

export interface AuditVerification {
  ok: boolean;
  chains: number;
  records: number;
  /** The earliest written (lowest id) broken record over all chains. */
  firstBroken?: AuditChainBreak;
}

export interface VerifyAuditOptions {
  /** Rows read per query. Default 1,000. */
  pageSize?: number;
}

const DEFAULT_PAGE_SIZE = 1_000;

export async function verifyAuditChains(db: Knex, options: VerifyAuditOptions = {}): Promise<AuditVerification> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  let chains = 0;
  let records = 0;
  let firstBroken: AuditChainBreak | undefined;
  for await (const chain of chainNames(db, pageSize)) {
    chains++;
    const result = await verifyChain(db, chain, pageSize);
    records += result.records;
    if (result.broken && (firstBroken === undefined || result.broken.id < firstBroken.id)) firstBroken = result.broken;
  }
  return firstBroken ? { ok: false, chains, records, firstBroken } : { ok: true, chains, records };
}

/** Chain names in order, a page at a time (there is one chain per process start, so they add up). */
async function* chainNames(db: Knex, pageSize: number): AsyncGenerator<string> {
  let after: string | undefined;
  for (;;) {
    const query = db(AUDIT_TABLE).distinct('chain').orderBy('chain').limit(pageSize);
    if (after !== undefined) query.where('chain', '>', after);
    const rows = (await query) as { chain: string }[];
    for (const row of rows) yield row.chain;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.chain;
  }
}

/**
 * Walks one chain in sequence order and checks every record. Reports the broken record written first (lowest
 * id): an edited sequence number moves a row in the walk, so the first break met is not always the edited row.
 * Records after an altered one still link (they chain onto its stored hash), so one edit gives one break.
 */
async function verifyChain(db: Knex, chain: string, pageSize: number): Promise<{ records: number; broken?: AuditChainBreak }> {
  let records = 0;
  let previous = { sequence: 0, hash: AUDIT_GENESIS_HASH };
  let broken: AuditChainBreak | undefined;
  for (;;) {
    const rows = (await db(AUDIT_TABLE).where('chain', chain).andWhere('sequence', '>', previous.sequence).orderBy('sequence').limit(pageSize)) as Record<
      string,
      unknown
    >[];
    for (const row of rows) {
      const { id, content, hash } = auditRowToContent(row);
      records++;
      if (broken === undefined || id < broken.id) {
        const at = { id, chain, sequence: content.sequence };
        if (hashAuditRecord(content) !== hash) {
          broken = { ...at, reason: 'altered', detail: 'altered content: the stored hash does not match the record' };
        } else if (content.prevHash !== previous.hash) {
          const expected = previous.sequence === 0 ? 'the genesis hash' : `the hash of the chain's previous record (sequence ${previous.sequence})`;
          broken = { ...at, reason: 'broken-link', detail: `broken link: prevHash is not ${expected}` };
        } else if (content.sequence !== previous.sequence + 1) {
          broken = { ...at, reason: 'sequence-gap', detail: `sequence gap: expected sequence ${previous.sequence + 1}, found ${content.sequence}` };
        }
      }
      previous = { sequence: content.sequence, hash };
    }
    if (rows.length < pageSize) return broken ? { records, broken } : { records };
  }
}
