/**
 * Re-computes every chain's hashes, page by page (a large store never sits in memory), names the first record that
 * does not check out, and compares each chain with its newest checkpoint (kept outside the database), so removed
 * newest records, removed chains and chains rewritten from an edited record onwards are reported too.
 */
import type { Knex } from 'knex';
import { readCheckpoints, type AuditCheckpoint } from './audit-checkpoints';
import { AUDIT_GENESIS_HASH, CHANGE_AUDIT_FORMAT, CURRENT_AUDIT_FORMAT, LEGACY_AUDIT_FORMAT, hashAuditRecord, hashLegacyAuditRecord } from './audit-record';
import { AUDIT_TABLE, auditRowToContent, type StoredAuditRecord } from './audit-store';

/**
 * - `altered`: the record's content no longer matches its own hash (a column was edited, or the chain was
 *   recomputed without the chain key);
 * - `broken-link`: its prevHash is not the previous record's hash (a record before it was removed or replaced);
 * - `sequence-gap`: the link holds but the sequence skips (a record was forged with a consistent hash);
 * - `downgraded`: an unkeyed (format 1) record after keyed ones in the same chain.
 */
export type AuditChainBreakReason = 'altered' | 'broken-link' | 'sequence-gap' | 'downgraded';

export interface AuditChainBreak {
  /** The row's id in `audit_records`. */
  id: number;
  chain: string;
  sequence: number;
  reason: AuditChainBreakReason;
  /** One line for people, e.g. `altered content: stored hash does not match the record`. */
  detail: string;
}

/**
 * A chain that disagrees with the checkpoints:
 * - `missing-chain`: a checkpointed chain has no records left;
 * - `truncated`: the chain ends before its checkpointed head (its newest records were removed);
 * - `head-mismatch`: the record at the checkpointed sequence has another hash (the chain was rewritten);
 * - `unchecked-chain`: a keyed chain no checkpoint names (checkpoints removed, or a chain inserted);
 * - `invalid-checkpoint`: a line of the checkpoint file that is not a checkpoint signed with the chain key.
 */
export type AuditCheckpointProblemReason = 'missing-chain' | 'truncated' | 'head-mismatch' | 'unchecked-chain' | 'invalid-checkpoint';

export interface AuditCheckpointProblem {
  chain: string;
  reason: AuditCheckpointProblemReason;
  detail: string;
}

export interface AuditVerification {
  ok: boolean;
  chains: number;
  records: number;
  /** Records of format 1 (unkeyed SHA-256 chain, one value per record), written before format 2: verified as written. */
  legacyRecords: number;
  /** The earliest written (lowest id) broken record over all chains. */
  firstBroken?: AuditChainBreak;
  /** Set when checkpoints were given: every disagreement, chain by chain. */
  checkpointProblems?: AuditCheckpointProblem[];
}

export interface VerifyAuditOptions {
  /** The HMAC key of the chains (AUDIT_CHAIN_KEY); without it no keyed record can check out. */
  chainKey: string;
  /** The checkpoint file; checked when given (a missing file then counts as no checkpoints). */
  checkpointPath?: string;
  /** Rows read per query. Default 1,000. */
  pageSize?: number;
}

const DEFAULT_PAGE_SIZE = 1_000;

interface ChainResult {
  records: number;
  legacyRecords: number;
  keyed: boolean;
  /** The chain's last record as stored. */
  head: { sequence: number; hash: string };
  /** The stored hash at the checkpointed sequence, if the chain reaches it. */
  hashAtCheckpoint?: string;
  broken?: AuditChainBreak;
}

export async function verifyAuditChains(db: Knex, options: VerifyAuditOptions): Promise<AuditVerification> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const checkpoints = options.checkpointPath === undefined ? undefined : readCheckpoints(options.checkpointPath, options.chainKey);
  const problems: AuditCheckpointProblem[] = [];
  for (const line of checkpoints?.invalidLines ?? []) {
    problems.push({ chain: '', reason: 'invalid-checkpoint', detail: `checkpoint file line ${line} is not a checkpoint signed with the chain key` });
  }
  let chains = 0;
  let records = 0;
  let legacyRecords = 0;
  let firstBroken: AuditChainBreak | undefined;
  const seen = new Set<string>();
  for await (const chain of chainNames(db, pageSize)) {
    chains++;
    seen.add(chain);
    const checkpoint = checkpoints?.latest.get(chain);
    const result = await verifyChain(db, chain, options.chainKey, pageSize, checkpoint?.sequence);
    records += result.records;
    legacyRecords += result.legacyRecords;
    if (result.broken && (firstBroken === undefined || result.broken.id < firstBroken.id)) firstBroken = result.broken;
    if (checkpoints !== undefined) {
      const problem = compareWithCheckpoint(chain, result, checkpoint);
      if (problem) problems.push(problem);
    }
  }
  for (const [chain, checkpoint] of checkpoints?.latest ?? []) {
    if (!seen.has(chain)) {
      problems.push({
        chain,
        reason: 'missing-chain',
        detail: `chain ${chain} has no records, but was checkpointed at sequence ${checkpoint.sequence} (${checkpoint.at})`,
      });
    }
  }
  const verification: AuditVerification = { ok: firstBroken === undefined && problems.length === 0, chains, records, legacyRecords };
  if (firstBroken) verification.firstBroken = firstBroken;
  if (checkpoints !== undefined) verification.checkpointProblems = problems;
  return verification;
}

function compareWithCheckpoint(chain: string, result: ChainResult, checkpoint: AuditCheckpoint | undefined): AuditCheckpointProblem | undefined {
  if (checkpoint === undefined) {
    // Chains written before checkpoints existed (format 1 only) have none.
    if (!result.keyed) return undefined;
    return { chain, reason: 'unchecked-chain', detail: `chain ${chain} (${result.records} records) is named by no checkpoint` };
  }
  if (result.head.sequence < checkpoint.sequence) {
    return {
      chain,
      reason: 'truncated',
      detail: `chain ${chain} ends at sequence ${result.head.sequence}, but was checkpointed at sequence ${checkpoint.sequence} (${checkpoint.at})`,
    };
  }
  if (result.hashAtCheckpoint !== checkpoint.hash) {
    return {
      chain,
      reason: 'head-mismatch',
      detail: `chain ${chain}: the record at sequence ${checkpoint.sequence} is not the one checkpointed at ${checkpoint.at}`,
    };
  }
  return undefined;
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

function contentMatchesHash(stored: StoredAuditRecord, chainKey: string): boolean {
  if (stored.format === CURRENT_AUDIT_FORMAT || stored.format === CHANGE_AUDIT_FORMAT) return hashAuditRecord(chainKey, stored.content) === stored.hash;
  if (stored.format === LEGACY_AUDIT_FORMAT) return hashLegacyAuditRecord(stored.content) === stored.hash;
  return false;
}

/**
 * Walks one chain in sequence order and checks every record. Reports the broken record written first (lowest
 * id): an edited sequence number moves a row in the walk, so the first break met is not always the edited row.
 * Records after an altered one still link (they chain onto its stored hash), so one edit gives one break.
 */
async function verifyChain(db: Knex, chain: string, chainKey: string, pageSize: number, checkpointSequence: number | undefined): Promise<ChainResult> {
  const result: ChainResult = { records: 0, legacyRecords: 0, keyed: false, head: { sequence: 0, hash: AUDIT_GENESIS_HASH } };
  let previous = { sequence: 0, hash: AUDIT_GENESIS_HASH };
  for (;;) {
    const rows = (await db(AUDIT_TABLE).where('chain', chain).andWhere('sequence', '>', previous.sequence).orderBy('sequence').limit(pageSize)) as Record<
      string,
      unknown
    >[];
    for (const row of rows) {
      const stored = auditRowToContent(row);
      const { id, content, hash } = stored;
      result.records++;
      if (stored.format === LEGACY_AUDIT_FORMAT) result.legacyRecords++;
      const downgraded = stored.format === LEGACY_AUDIT_FORMAT && result.keyed;
      if (stored.format === CURRENT_AUDIT_FORMAT || stored.format === CHANGE_AUDIT_FORMAT) result.keyed = true;
      if (result.broken === undefined || id < result.broken.id) {
        const at = { id, chain, sequence: content.sequence };
        if (!contentMatchesHash(stored, chainKey)) {
          result.broken = { ...at, reason: 'altered', detail: 'altered content: the stored hash does not match the record' };
        } else if (downgraded) {
          result.broken = { ...at, reason: 'downgraded', detail: 'downgraded: an unkeyed (format 1) record after keyed records' };
        } else if (content.prevHash !== previous.hash) {
          const expected = previous.sequence === 0 ? 'the genesis hash' : `the hash of the chain's previous record (sequence ${previous.sequence})`;
          result.broken = { ...at, reason: 'broken-link', detail: `broken link: prevHash is not ${expected}` };
        } else if (content.sequence !== previous.sequence + 1) {
          result.broken = { ...at, reason: 'sequence-gap', detail: `sequence gap: expected sequence ${previous.sequence + 1}, found ${content.sequence}` };
        }
      }
      if (content.sequence === checkpointSequence) result.hashAtCheckpoint = hash;
      previous = { sequence: content.sequence, hash };
    }
    if (rows.length < pageSize) {
      result.head = previous;
      return result;
    }
  }
}
