// Public API of the audit trail (docs/access-model.md section 7).
export { AUDIT_GENESIS_HASH, canonicalAuditRecord, hashAuditRecord } from './audit-record';
export type { AuditEvent, AuditRecord, AuditRecordContent } from './audit-record';
export { AUDIT_COLUMN_LIMITS, AUDIT_MIGRATIONS, AUDIT_STORE, AUDIT_TABLE, openAuditStore, readChainHead } from './audit-store';
export type { AuditRow } from './audit-store';
export { AuditStoreUnavailableError, AuditWriter, newAuditChainId } from './audit-writer';
export type { AuditLog, AuditWriterOptions } from './audit-writer';
export { ThreadedAuditWriter } from './threaded-audit-writer';
export type { ThreadedAuditWriterOptions } from './threaded-audit-writer';
export {
  AUDIT_SECRET_FILE,
  AUDIT_SECRET_VARIABLE,
  DEFAULT_AUDIT_BATCH_SIZE,
  DEFAULT_AUDIT_FLUSH_INTERVAL_MS,
  DEFAULT_AUDIT_MAX_QUEUED,
  readAuditConfig,
} from './audit-config';
export type { AuditConfig } from './audit-config';
export { verifyAuditChains } from './verify-audit-chain';
export type { AuditChainBreak, AuditChainBreakReason, AuditVerification, VerifyAuditOptions } from './verify-audit-chain';
