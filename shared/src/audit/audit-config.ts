import type { EnvReader } from '../env-reader';
import { readSecretSetting } from '../secret-files';

export const DEFAULT_AUDIT_FLUSH_INTERVAL_MS = 200;
export const DEFAULT_AUDIT_BATCH_SIZE = 500;
export const DEFAULT_AUDIT_MAX_QUEUED = 100_000;

export interface AuditConfig {
  /** Keyed-hash secret for record keys in audit records. */
  pseudonymSecret: string;
  flushIntervalMs: number;
  batchSize: number;
  maxQueued: number;
}

export const AUDIT_SECRET_VARIABLE = 'AUDIT_PSEUDONYM_SECRET';
/** Under DATA_DIR: the generated secret used when AUDIT_PSEUDONYM_SECRET is unset. */
export const AUDIT_SECRET_FILE = 'audit-pseudonym.secret';

/**
 * AUDIT_PSEUDONYM_SECRET (else a secret generated once into `<dataDir>/audit-pseudonym.secret`, mode 0600, shared
 * by every process on the machine; set the variable when processes run on several machines),
 * AUDIT_FLUSH_INTERVAL_MS, AUDIT_BATCH_SIZE, AUDIT_MAX_QUEUED.
 */
export function readAuditConfig(reader: EnvReader, dataDir: string): AuditConfig {
  return {
    pseudonymSecret: readSecretSetting(reader, AUDIT_SECRET_VARIABLE, dataDir, AUDIT_SECRET_FILE),
    flushIntervalMs: reader.int('AUDIT_FLUSH_INTERVAL_MS', DEFAULT_AUDIT_FLUSH_INTERVAL_MS, { min: 10, max: 60_000 }),
    batchSize: reader.int('AUDIT_BATCH_SIZE', DEFAULT_AUDIT_BATCH_SIZE, { min: 1, max: 10_000 }),
    maxQueued: reader.int('AUDIT_MAX_QUEUED', DEFAULT_AUDIT_MAX_QUEUED, { min: 1, max: 10_000_000 }),
  };
}
