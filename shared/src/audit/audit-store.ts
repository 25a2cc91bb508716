/**
 * The audit store: its own database (`data/audit.sqlite`, or MySQL database `<prefix>audit`), one append-only
 * table. Rows are only ever INSERTed; the hash chain makes any later UPDATE or DELETE detectable.
 */
import type { Knex } from 'knex';
import type { DatabaseConfig } from '../config';
import { ensureMysqlDatabase, openDatabase } from '../database';
import { migrateToLatest, type Migration } from '../migrations';
import type { AuditRecord, AuditRecordContent } from './audit-record';

export const AUDIT_STORE = 'audit';
export const AUDIT_TABLE = 'audit_records';

/**
 * Column widths in characters. The writer cuts longer values to fit before hashing, so a long client-chosen
 * operation name can never make a batch unwritable (and block the chain behind it).
 */
export const AUDIT_COLUMN_LIMITS = {
  chain: 128,
  requestId: 128,
  staffId: 64,
  role: 32,
  purpose: 32,
  operationName: 256,
  operationHash: 128,
  coordinate: 256,
  recordPseudonym: 64,
  decision: 16,
  rule: 512,
  policyVersion: 128,
  decisionId: 64,
} as const;

const createAuditRecords: Migration = {
  name: '001_audit_records',
  async up(db) {
    await db.schema.createTable(AUDIT_TABLE, (table) => {
      // Auto-increment is fine here: rows are only appended, and the id only names a record in reports.
      table.bigIncrements('id').primary();
      table.string('chain', AUDIT_COLUMN_LIMITS.chain).notNullable();
      table.bigInteger('sequence').notNullable();
      table.string('request_id', AUDIT_COLUMN_LIMITS.requestId).notNullable().index();
      // UTC, milliseconds: 'YYYY-MM-DD HH:MM:SS.mmm' on both dialects.
      table.datetime('occurred_at', { precision: 3 }).notNullable().index();
      table.string('staff_id', AUDIT_COLUMN_LIMITS.staffId).notNullable();
      table.string('role', AUDIT_COLUMN_LIMITS.role).notNullable();
      table.string('purpose', AUDIT_COLUMN_LIMITS.purpose).nullable();
      table.string('operation_name', AUDIT_COLUMN_LIMITS.operationName).nullable();
      table.string('operation_hash', AUDIT_COLUMN_LIMITS.operationHash).notNullable();
      table.string('coordinate', AUDIT_COLUMN_LIMITS.coordinate).notNullable();
      table.string('record_pseudonym', AUDIT_COLUMN_LIMITS.recordPseudonym).notNullable();
      table.string('decision', AUDIT_COLUMN_LIMITS.decision).notNullable();
      table.string('rule', AUDIT_COLUMN_LIMITS.rule).notNullable();
      table.string('policy_version', AUDIT_COLUMN_LIMITS.policyVersion).notNullable();
      table.string('decision_id', AUDIT_COLUMN_LIMITS.decisionId).nullable();
      table.specificType('prev_hash', 'char(64)').notNullable();
      table.specificType('hash', 'char(64)').notNullable();
      // Forbids forks; its leading column also serves the verifier's and the writer's per-chain reads.
      table.unique(['chain', 'sequence']);
    });
  },
  async down(db) {
    await db.schema.dropTableIfExists(AUDIT_TABLE);
  },
};

export const AUDIT_MIGRATIONS: readonly Migration[] = [createAuditRecords];

/** Creates (MySQL) and migrates the audit store, then returns a knex for it; the caller destroys it. */
export async function openAuditStore(config: DatabaseConfig): Promise<Knex> {
  await ensureMysqlDatabase(config, AUDIT_STORE);
  const db = openDatabase(config, AUDIT_STORE);
  try {
    await migrateToLatest(db, AUDIT_MIGRATIONS);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

/** One row of `audit_records`, as written. */
export interface AuditRow {
  chain: string;
  sequence: number;
  request_id: string;
  occurred_at: string;
  staff_id: string;
  role: string;
  purpose: string | null;
  operation_name: string | null;
  operation_hash: string;
  coordinate: string;
  record_pseudonym: string;
  decision: string;
  rule: string;
  policy_version: string;
  decision_id: string | null;
  prev_hash: string;
  hash: string;
}

/** `2024-05-01T08:30:00.123Z` → `2024-05-01 08:30:00.123`, the DATETIME(3) form both dialects return as written. */
export function isoToDatetime(iso: string): string {
  return iso.replace('T', ' ').replace(/Z$/, '');
}

const STORED_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/;

/**
 * The inverse of `isoToDatetime`. Anything else (a Date, another format) comes back in a form that cannot
 * equal what was hashed, so an edited time shows up as altered content rather than being normalised away.
 */
export function datetimeToIso(stored: unknown): string {
  if (typeof stored === 'string' && STORED_DATETIME.test(stored)) return `${stored.replace(' ', 'T')}Z`;
  return `unrecognised:${stored instanceof Date ? stored.toISOString() : String(stored)}`;
}

export function auditRecordToRow(record: AuditRecord): AuditRow {
  return {
    chain: record.chain,
    sequence: record.sequence,
    request_id: record.requestId,
    occurred_at: isoToDatetime(record.occurredAt),
    staff_id: record.staffId,
    role: record.role,
    purpose: record.purpose,
    operation_name: record.operationName,
    operation_hash: record.operationHash,
    coordinate: record.coordinate,
    record_pseudonym: record.recordPseudonym,
    decision: record.decision,
    rule: record.rule,
    policy_version: record.policyVersion,
    decision_id: record.decisionId,
    prev_hash: record.prevHash,
    hash: record.hash,
  };
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/** A stored row, read back as hashed content (for the verifier), with its id and stored hash. */
export function auditRowToContent(row: Record<string, unknown>): { id: number; content: AuditRecordContent; hash: string } {
  return {
    id: Number(row.id),
    hash: text(row.hash),
    content: {
      chain: text(row.chain),
      sequence: Number(row.sequence),
      requestId: text(row.request_id),
      occurredAt: datetimeToIso(row.occurred_at),
      staffId: text(row.staff_id),
      role: text(row.role),
      purpose: textOrNull(row.purpose),
      operationName: textOrNull(row.operation_name),
      operationHash: text(row.operation_hash),
      coordinate: text(row.coordinate),
      recordPseudonym: text(row.record_pseudonym),
      decision: text(row.decision),
      rule: text(row.rule),
      policyVersion: text(row.policy_version),
      decisionId: textOrNull(row.decision_id),
      prevHash: text(row.prev_hash),
    },
  };
}

/** The last record of a chain (highest sequence), or undefined for a new chain. */
export async function readChainHead(db: Knex | Knex.Transaction, chain: string): Promise<{ sequence: number; hash: string } | undefined> {
  const row = (await db(AUDIT_TABLE).where({ chain }).orderBy('sequence', 'desc').first('sequence', 'hash')) as
    { sequence: number | string; hash: string } | undefined;
  return row ? { sequence: Number(row.sequence), hash: String(row.hash) } : undefined;
}
