/**
 * The audit trail's record (docs/access-model.md section 7): what a caller hands over, what is stored, and the
 * canonical serialisation the hash chain is computed over.
 */
import { createHash } from 'node:crypto';
import type { Decision, Role } from '../access/access-policy';
import type { Purpose } from '../identity/staff-identity';

/** `prevHash` of a chain's first record. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** One decision on a CONFIDENTIAL or RESTRICTED field, as a caller hands it to the audit writer. */
export interface AuditEvent {
  requestId: string;
  /** A Date or an ISO-8601 string; stored in UTC with millisecond precision. */
  occurredAt: Date | string;
  staffId: string;
  role: Role;
  purpose: Purpose | null;
  operationName: string | null;
  operationHash: string;
  /** The field, `Type.field` (e.g. `Customer.mobile`). */
  coordinate: string;
  /** The raw entity key (`Customer:123`); the writer stores only its keyed-hash pseudonym. Never a field value. */
  recordKey: string;
  decision: Decision;
  /** The policy rule that decided, e.g. `CUSTOMER_SERVICE:RESTRICTED`. */
  rule: string;
  policyVersion: string;
  /** Optional id that links a field error shown to the caller to this record. */
  decisionId?: string | null;
}

/**
 * The hashed content of a stored record: everything but `hash`. Typed as plain strings (not the enums) because
 * the verifier hashes whatever a row holds, tampered or not.
 */
export interface AuditRecordContent {
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
  /** `pseudonymise(secret, recordKey)`: never the raw key. */
  recordPseudonym: string;
  decision: string;
  rule: string;
  policyVersion: string;
  decisionId: string | null;
  /** The chain's previous record's hash, or AUDIT_GENESIS_HASH. */
  prevHash: string;
}

/** A record as written to the store. */
export interface AuditRecord extends AuditRecordContent {
  role: Role;
  purpose: Purpose | null;
  decision: Decision;
  /** SHA-256(prevHash ‖ canonicalAuditRecord(content)), lowercase hex. */
  hash: string;
}

/**
 * JSON object with a fixed key order, so the same content always gives the same bytes and anyone can re-implement
 * the check. Built field by field (not by spreading the input) so an extra property can never slip into the hash.
 */
export function canonicalAuditRecord(content: AuditRecordContent): string {
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

export function hashAuditRecord(content: AuditRecordContent): string {
  return createHash('sha256').update(content.prevHash, 'utf8').update(canonicalAuditRecord(content), 'utf8').digest('hex');
}
