/**
 * The audit store: its own database (`data/audit.sqlite`, or MySQL database `<prefix>audit`), one append-only
 * table. Rows are only ever INSERTed (on MySQL the serving processes may hold INSERT and SELECT only); the keyed
 * hash chain and the checkpoints of its heads make any later UPDATE or DELETE detectable.
 */
import type { Knex } from 'knex';
import type { DatabaseConfig } from '../config';
import { ensureMysqlDatabase, openDatabase } from '../database';
import { migrateToLatest, type Migration } from '../migrations';
import {
  CHANGE_AUDIT_FORMAT,
  CURRENT_AUDIT_FORMAT,
  LEGACY_AUDIT_FORMAT,
  type AuditChangeContent,
  type AuditRecord,
  type AuditRecordContent,
  type LegacyAuditRecordContent,
} from './audit-record';

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

/**
 * Format 2: one record lists the pseudonyms of every record a request's decision applied to (`record_pseudonyms`,
 * a JSON array; `record_pseudonym` stays empty), chained with a keyed hash. Existing rows keep format 1 and verify
 * as written.
 */
const addRecordLists: Migration = {
  name: '002_audit_record_lists',
  async up(db) {
    await db.schema.alterTable(AUDIT_TABLE, (table) => {
      table.tinyint('format').notNullable().defaultTo(LEGACY_AUDIT_FORMAT);
      // MEDIUMTEXT on MySQL (a record lists at most AUDIT_MAX_KEYS_PER_RECORD pseudonyms, about 140 kB); TEXT on SQLite.
      table.text('record_pseudonyms', 'mediumtext').nullable();
    });
  },
  async down(db) {
    await db.schema.alterTable(AUDIT_TABLE, (table) => {
      table.dropColumn('record_pseudonyms');
      table.dropColumn('format');
    });
  },
};

/** Format 3: change records (writes) keep their versions and hashed values in `change`, a JSON object. */
const addChanges: Migration = {
  name: '003_audit_changes',
  async up(db) {
    await db.schema.alterTable(AUDIT_TABLE, (table) => {
      table.text('change').nullable();
    });
  },
  async down(db) {
    await db.schema.alterTable(AUDIT_TABLE, (table) => {
      table.dropColumn('change');
    });
  },
};

/** Redelivered change records (audit-handoff.ts) are looked up by decision id before they are written again. */
const indexDecisionIds: Migration = {
  name: '004_audit_decision_ids',
  async up(db) {
    await db.schema.alterTable(AUDIT_TABLE, (table) => {
      table.index(['decision_id'], 'audit_records_decision_id_index');
    });
  },
  async down(db) {
    await db.schema.alterTable(AUDIT_TABLE, (table) => {
      table.dropIndex(['decision_id'], 'audit_records_decision_id_index');
    });
  },
};

export const AUDIT_MIGRATIONS: readonly Migration[] = [createAuditRecords, addRecordLists, addChanges, indexDecisionIds];

/** Keys one record lists at most; a request's decision on more records continues in another record. */
export const AUDIT_MAX_KEYS_PER_RECORD = 5_000;

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
  /** Format 1 only; empty in format 2. */
  record_pseudonym: string;
  /** Format 2: JSON array of pseudonyms. */
  record_pseudonyms: string | null;
  format: number;
  decision: string;
  rule: string;
  policy_version: string;
  decision_id: string | null;
  /** Format 3: the change as JSON (versions and hashed values); null otherwise. */
  change: string | null;
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
    record_pseudonym: '',
    record_pseudonyms: JSON.stringify(record.recordPseudonyms),
    format: record.change ? CHANGE_AUDIT_FORMAT : CURRENT_AUDIT_FORMAT,
    decision: record.decision,
    rule: record.rule,
    policy_version: record.policyVersion,
    decision_id: record.decisionId,
    change: record.change ? JSON.stringify(record.change) : null,
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

/** A stored row, read back as hashed content of its format (for the verifier), with its id and stored hash. */
export type StoredAuditRecord = { id: number; hash: string } & (
  | { format: typeof CURRENT_AUDIT_FORMAT | typeof CHANGE_AUDIT_FORMAT; content: AuditRecordContent }
  | { format: typeof LEGACY_AUDIT_FORMAT; content: LegacyAuditRecordContent }
  | { format: 'unknown'; content: { chain: string; sequence: number; prevHash: string } }
);

/** A list that is not a JSON array of strings comes back in a form that cannot equal what was hashed. */
function pseudonymList(stored: unknown): string[] {
  try {
    const parsed: unknown = JSON.parse(String(stored));
    if (Array.isArray(parsed) && parsed.every((entry) => typeof entry === 'string')) return parsed as string[];
  } catch {
    // Reported below as an unrecognised list.
  }
  return [`unrecognised:${String(stored)}`];
}

/** A stored change that is not the JSON the writer wrote comes back in a form that cannot equal what was hashed. */
function changeContent(stored: unknown): AuditChangeContent {
  try {
    const parsed = JSON.parse(String(stored)) as Partial<AuditChangeContent> | null;
    if (parsed !== null && typeof parsed === 'object' && typeof parsed.fields === 'object' && parsed.fields !== null) {
      return { beforeVersion: parsed.beforeVersion ?? null, afterVersion: parsed.afterVersion ?? null, fields: parsed.fields };
    }
  } catch {
    // Reported below as an unrecognised change.
  }
  return unrecognisedChange(stored);
}

function unrecognisedChange(stored: unknown): AuditChangeContent {
  return { beforeVersion: null, afterVersion: null, fields: { unrecognised: { before: String(stored), after: null } } };
}

export function auditRowToContent(row: Record<string, unknown>): StoredAuditRecord {
  const common = {
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
    decision: text(row.decision),
    rule: text(row.rule),
    policyVersion: text(row.policy_version),
    decisionId: textOrNull(row.decision_id),
    prevHash: text(row.prev_hash),
  };
  const stored = { id: Number(row.id), hash: text(row.hash) };
  // Rows written before migration 002 read back with the column's default, 1.
  const format = row.format === undefined || row.format === null ? LEGACY_AUDIT_FORMAT : Number(row.format);
  if (format === CURRENT_AUDIT_FORMAT || format === CHANGE_AUDIT_FORMAT) {
    // A format-2 record keeps record_pseudonym empty: anything there is an edit, so it goes into the hashed list.
    const extra = text(row.record_pseudonym);
    const recordPseudonyms = [...(extra === '' ? [] : [`unexpected:${extra}`]), ...pseudonymList(row.record_pseudonyms)];
    if (format === CURRENT_AUDIT_FORMAT) {
      // A change on a format-2 row is an edit: it goes into the hashed content, which then cannot match.
      const change = row.change === null || row.change === undefined ? {} : { change: unrecognisedChange(row.change) };
      return { ...stored, format, content: { ...common, recordPseudonyms, ...change } };
    }
    return { ...stored, format, content: { ...common, recordPseudonyms, change: changeContent(row.change) } };
  }
  if (format === LEGACY_AUDIT_FORMAT && (row.record_pseudonyms === null || row.record_pseudonyms === undefined)) {
    return { ...stored, format, content: { ...common, recordPseudonym: text(row.record_pseudonym) } };
  }
  return { ...stored, format: 'unknown', content: { chain: common.chain, sequence: common.sequence, prevHash: common.prevHash } };
}

/** The last record of a chain (highest sequence), or undefined for a new chain. */
export async function readChainHead(db: Knex | Knex.Transaction, chain: string): Promise<{ sequence: number; hash: string } | undefined> {
  const row = (await db(AUDIT_TABLE).where({ chain }).orderBy('sequence', 'desc').first('sequence', 'hash')) as
    { sequence: number | string; hash: string } | undefined;
  return row ? { sequence: Number(row.sequence), hash: String(row.hash) } : undefined;
}
