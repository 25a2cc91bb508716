/**
 * The audit trail's record (docs/access-model.md section 7): what a caller hands over, what is stored, and the
 * canonical serialisation the keyed hash chain is computed over.
 *
 * Format 2 (current): one record per request × field coordinate × decision × rule, listing the pseudonymised keys
 * of every record the decision applied to, chained with HMAC-SHA-256 under a key the database does not hold.
 * Format 3: a change (a write, docs/access-model.md "Actions"): a format-2 record whose coordinate names the action
 * (`action:customer.create`), listing the changed record's key, with the versions before and after and a keyed hash
 * of each changed field's value before and after; never a value in clear. Same chain, same key.
 * Format 1 (records written before): one record per value, chained with plain SHA-256; still verified as written.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Decision, Role } from '../access/access-policy';
import type { Purpose } from '../identity/staff-identity';

/**
 * The role of the actor that writes when no person does: a subgraph applying an event it received, or running a
 * scheduled job (system-changes.ts). Its staff id is `system:<subgraph>`.
 */
export const SYSTEM_ACTOR_ROLE = 'SYSTEM';
/** Who an audit record names: a staff role, or the system. */
export type AuditActorRole = Role | typeof SYSTEM_ACTOR_ROLE;

/** `prevHash` of a chain's first record. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

export const CURRENT_AUDIT_FORMAT = 2;
export const LEGACY_AUDIT_FORMAT = 1;
/** A change record: format 2 plus the change (versions and hashed values). */
export const CHANGE_AUDIT_FORMAT = 3;

/** The coordinate of a change record names the action: `action:customer.create`. */
export const ACTION_COORDINATE_PREFIX = 'action:';

/** What a write changed, as a caller hands it over: raw values, which the writer replaces with keyed hashes. */
export interface AuditChange {
  /** The record's version before the change; null for a record created by it (or refused before any change). */
  beforeVersion: number | null;
  /** The record's version after the change; null when nothing was written (a refusal). */
  afterVersion: number | null;
  /** Each changed field's value before and after (null or absent: no value). Hashed before it is stored. */
  fields: Readonly<Record<string, { before: unknown; after: unknown }>>;
}

/** A change as stored and hashed: each value replaced by its keyed hash (`ps_…`), null for no value. */
export interface AuditChangeContent {
  beforeVersion: number | null;
  afterVersion: number | null;
  fields: Record<string, { before: string | null; after: string | null }>;
}

/** One audited decision of a request, applied to one or more records, as a caller hands it to the audit writer. */
export interface AuditEvent {
  requestId: string;
  /** When the request first made this decision: a Date or an ISO-8601 string; stored in UTC with millisecond precision. */
  occurredAt: Date | string;
  staffId: string;
  role: AuditActorRole;
  purpose: Purpose | null;
  operationName: string | null;
  operationHash: string;
  /** The field, `Type.field` (e.g. `Customer.mobile`). */
  coordinate: string;
  /** The raw entity keys (`Customer:123`); the writer stores only their keyed-hash pseudonyms. Never a field value. */
  recordKeys: readonly string[];
  decision: Decision;
  /** The policy rule that decided, e.g. `CUSTOMER_SERVICE:RESTRICTED`. */
  rule: string;
  policyVersion: string;
  /** Optional id that links a field error shown to the caller to this record. */
  decisionId?: string | null;
  /** A write's change (format 3); absent for reads. */
  change?: AuditChange | null;
  /**
   * A write's change with its values already hashed (hashAuditChange), instead of `change`: the serving thread hashes
   * a change before its hand-over row is written (audit-handoff.ts), so no value is kept in clear on the way.
   */
  hashedChange?: AuditChangeContent | null;
  /** Sent again from a hand-over row: written unless a record with its decision id is stored already. */
  redelivered?: boolean;
}

/** What every stored record shares, whatever its format. Plain strings (not the enums): the verifier hashes whatever a row holds. */
interface AuditRecordCommon {
  /** The writing process's chain; each chain is hashed on its own. */
  chain: string;
  /** 1, 2, 3, … within the chain. */
  sequence: number;
  requestId: string;
  /** ISO-8601 UTC with milliseconds: `2024-05-01T08:30:00.000Z`. */
  occurredAt: string;
  staffId: string;
  role: string;
  purpose: string | null;
  operationName: string | null;
  operationHash: string;
  coordinate: string;
  decision: string;
  rule: string;
  policyVersion: string;
  decisionId: string | null;
  /** The chain's previous record's hash, or AUDIT_GENESIS_HASH. */
  prevHash: string;
}

/** The hashed content of a current (format 2) record: everything but `hash`. */
export interface AuditRecordContent extends AuditRecordCommon {
  /** `pseudonymise(secret, key)` of each record key, in the order first decided: never a raw key. */
  recordPseudonyms: string[];
  /** Present on change records (format 3) only. */
  change?: AuditChangeContent | null;
}

/** The hashed content of a format-1 record (one value per record), as written before format 2. */
export interface LegacyAuditRecordContent extends AuditRecordCommon {
  recordPseudonym: string;
}

/** A record as written to the store. */
export interface AuditRecord extends AuditRecordContent {
  role: AuditActorRole;
  purpose: Purpose | null;
  decision: Decision;
  /** HMAC-SHA-256(chain key, prevHash ‖ canonicalAuditRecord(content)), lowercase hex. */
  hash: string;
}

/**
 * JSON object with a fixed key order, so the same content always gives the same bytes and anyone holding the key can
 * re-implement the check. Built field by field (not by spreading the input) so an extra property can never slip in.
 */
export function canonicalAuditRecord(content: AuditRecordContent): string {
  const change = content.change ?? null;
  return JSON.stringify({
    format: change === null ? CURRENT_AUDIT_FORMAT : CHANGE_AUDIT_FORMAT,
    chain: content.chain,
    sequence: content.sequence,
    requestId: content.requestId,
    occurredAt: content.occurredAt,
    staffId: content.staffId,
    role: content.role,
    purpose: content.purpose,
    operationName: content.operationName,
    operationHash: content.operationHash,
    coordinate: content.coordinate,
    recordPseudonyms: content.recordPseudonyms.map(String),
    decision: content.decision,
    rule: content.rule,
    policyVersion: content.policyVersion,
    decisionId: content.decisionId,
    prevHash: content.prevHash,
    // Format 2 records have no `change` key at all, so their bytes are exactly as before format 3.
    ...(change === null ? {} : { change: canonicalChange(change) }),
  });
}

/** Fields in name order, so the same change always gives the same bytes whatever order it was built in. */
function canonicalChange(change: AuditChangeContent): AuditChangeContent {
  const fields: AuditChangeContent['fields'] = {};
  for (const name of Object.keys(change.fields).sort()) {
    const field = change.fields[name]!;
    fields[name] = { before: field.before, after: field.after };
  }
  return { beforeVersion: change.beforeVersion, afterVersion: change.afterVersion, fields };
}

/** Keyed: without the chain key, nobody who can write the database can recompute a chain after editing it. */
export function hashAuditRecord(chainKey: string, content: AuditRecordContent): string {
  return createHmac('sha256', chainKey).update(content.prevHash, 'utf8').update(canonicalAuditRecord(content), 'utf8').digest('hex');
}

/** Format 1's serialisation, unchanged, so records written before format 2 still verify. */
export function canonicalLegacyAuditRecord(content: LegacyAuditRecordContent): string {
  return JSON.stringify({
    chain: content.chain,
    sequence: content.sequence,
    requestId: content.requestId,
    occurredAt: content.occurredAt,
    staffId: content.staffId,
    role: content.role,
    purpose: content.purpose,
    operationName: content.operationName,
    operationHash: content.operationHash,
    coordinate: content.coordinate,
    recordPseudonym: content.recordPseudonym,
    decision: content.decision,
    rule: content.rule,
    policyVersion: content.policyVersion,
    decisionId: content.decisionId,
    prevHash: content.prevHash,
  });
}

/** Format 1's hash: SHA-256(prevHash ‖ canonical record), unkeyed. */
export function hashLegacyAuditRecord(content: LegacyAuditRecordContent): string {
  return createHash('sha256').update(content.prevHash, 'utf8').update(canonicalLegacyAuditRecord(content), 'utf8').digest('hex');
}
