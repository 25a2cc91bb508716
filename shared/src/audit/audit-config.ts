import { resolve } from 'node:path';
import type { DatabaseConfig } from '../config';
import type { EnvReader } from '../env-reader';
import { readSecretSetting } from '../secret-files';

export const DEFAULT_AUDIT_FLUSH_INTERVAL_MS = 200;
export const DEFAULT_AUDIT_BATCH_SIZE = 500;
export const DEFAULT_AUDIT_MAX_QUEUED = 100_000;
export const DEFAULT_AUDIT_CHECKPOINT_INTERVAL_MS = 10_000;
/** A change record's hand-over row younger than this is still its own process's to deliver (audit-handoff.ts). */
export const DEFAULT_AUDIT_HANDOFF_GRACE_MS = 60_000;
export const DEFAULT_AUDIT_HANDOFF_SWEEP_MS = 30_000;

export interface AuditConfig {
  /** Keyed-hash secret for record keys in audit records. */
  pseudonymSecret: string;
  /** HMAC key of the hash chains and their checkpoints: never stored in the audit database. */
  chainKey: string;
  /** Where chain-head checkpoints are appended; unset means `<DATA_DIR>/audit-checkpoints.jsonl`. */
  checkpointPath?: string;
  /** How often a moving chain head is checkpointed. Default 10,000. */
  checkpointIntervalMs?: number;
  /**
   * MySQL: the account the serving processes write the audit store with (INSERT and SELECT only); migrations run
   * with MYSQL_URL. Unset means MYSQL_URL for both.
   */
  writerMysqlUrl?: string;
  flushIntervalMs: number;
  batchSize: number;
  /** Audit records held and not yet written, at most; a request whose records do not fit is refused its audited values. */
  maxQueued: number;
  /** A hand-over row younger than this is still its own process's to deliver (audit-handoff.ts). Default 60,000. */
  handoffGraceMs?: number;
  /** Between sweeps of left-behind hand-over rows. Default 30,000. */
  handoffSweepIntervalMs?: number;
}

export const AUDIT_SECRET_VARIABLE = 'AUDIT_PSEUDONYM_SECRET';
/** Under DATA_DIR: the generated secret used when AUDIT_PSEUDONYM_SECRET is unset. */
export const AUDIT_SECRET_FILE = 'audit-pseudonym.secret';
export const AUDIT_CHAIN_KEY_VARIABLE = 'AUDIT_CHAIN_KEY';
/** Under DATA_DIR: the generated chain key used when AUDIT_CHAIN_KEY is unset. */
export const AUDIT_CHAIN_KEY_FILE = 'audit-chain.key';
/** Under DATA_DIR: the default checkpoint file. */
export const AUDIT_CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

/**
 * AUDIT_PSEUDONYM_SECRET and AUDIT_CHAIN_KEY (else secrets generated once into `<dataDir>/audit-pseudonym.secret` and
 * `<dataDir>/audit-chain.key`, mode 0600, shared by every process on the machine; set the variables when processes
 * run on several machines), AUDIT_CHECKPOINT_PATH, AUDIT_CHECKPOINT_INTERVAL_MS, AUDIT_MYSQL_URL,
 * AUDIT_FLUSH_INTERVAL_MS, AUDIT_BATCH_SIZE, AUDIT_MAX_QUEUED, AUDIT_HANDOFF_GRACE_MS, AUDIT_HANDOFF_SWEEP_MS.
 */
export function readAuditConfig(reader: EnvReader, dataDir: string): AuditConfig {
  const writerMysqlUrl = reader.url('AUDIT_MYSQL_URL', undefined, ['mysql:', 'mariadb:']);
  return {
    pseudonymSecret: readSecretSetting(reader, AUDIT_SECRET_VARIABLE, dataDir, AUDIT_SECRET_FILE),
    chainKey: readSecretSetting(reader, AUDIT_CHAIN_KEY_VARIABLE, dataDir, AUDIT_CHAIN_KEY_FILE),
    checkpointPath: resolve(reader.string('AUDIT_CHECKPOINT_PATH', resolve(dataDir, AUDIT_CHECKPOINT_FILE))),
    checkpointIntervalMs: reader.int('AUDIT_CHECKPOINT_INTERVAL_MS', DEFAULT_AUDIT_CHECKPOINT_INTERVAL_MS, { min: 100, max: 3_600_000 }),
    ...(writerMysqlUrl === undefined ? {} : { writerMysqlUrl }),
    flushIntervalMs: reader.int('AUDIT_FLUSH_INTERVAL_MS', DEFAULT_AUDIT_FLUSH_INTERVAL_MS, { min: 10, max: 60_000 }),
    batchSize: reader.int('AUDIT_BATCH_SIZE', DEFAULT_AUDIT_BATCH_SIZE, { min: 1, max: 10_000 }),
    maxQueued: reader.int('AUDIT_MAX_QUEUED', DEFAULT_AUDIT_MAX_QUEUED, { min: 1, max: 10_000_000 }),
    handoffGraceMs: reader.int('AUDIT_HANDOFF_GRACE_MS', DEFAULT_AUDIT_HANDOFF_GRACE_MS, { min: 100, max: 86_400_000 }),
    handoffSweepIntervalMs: reader.int('AUDIT_HANDOFF_SWEEP_MS', DEFAULT_AUDIT_HANDOFF_SWEEP_MS, { min: 100, max: 3_600_000 }),
  };
}

/** The checkpoint file of this configuration. */
export function auditCheckpointPath(config: Pick<AuditConfig, 'checkpointPath'>, database: Pick<DatabaseConfig, 'dataDir'>): string {
  return config.checkpointPath ?? resolve(database.dataDir, AUDIT_CHECKPOINT_FILE);
}

/** The connection the audit writer uses: the INSERT/SELECT-only account when one is configured. */
export function auditWriterDatabase(database: DatabaseConfig, config: Pick<AuditConfig, 'writerMysqlUrl'>): DatabaseConfig {
  return database.mysqlUrl && config.writerMysqlUrl ? { ...database, mysqlUrl: config.writerMysqlUrl } : database;
}
