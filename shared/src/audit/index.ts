// Public API of the audit trail (docs/access-model.md section 7).
export {
  ACTION_COORDINATE_PREFIX,
  AUDIT_GENESIS_HASH,
  SYSTEM_ACTOR_ROLE,
  CHANGE_AUDIT_FORMAT,
  CURRENT_AUDIT_FORMAT,
  LEGACY_AUDIT_FORMAT,
  canonicalAuditRecord,
  canonicalLegacyAuditRecord,
  hashAuditRecord,
  hashLegacyAuditRecord,
} from './audit-record';
export type { AuditActorRole, AuditChange, AuditChangeContent, AuditEvent, AuditRecord, AuditRecordContent, LegacyAuditRecordContent } from './audit-record';
export {
  AUDIT_COLUMN_LIMITS,
  AUDIT_MAX_KEYS_PER_RECORD,
  AUDIT_MIGRATIONS,
  AUDIT_STORE,
  AUDIT_TABLE,
  auditRowToContent,
  openAuditStore,
  readChainHead,
} from './audit-store';
export type { StoredAuditRecord } from './audit-store';
export type { AuditRow } from './audit-store';
export { AuditCheckpointer, appendCheckpoint, readCheckpoints, signCheckpoint } from './audit-checkpoints';
export type { AuditChainHead, AuditCheckpoint, CheckpointReading } from './audit-checkpoints';
export { AuditStoreUnavailableError, AuditWriter, hashAuditChange, newAuditChainId } from './audit-writer';
export type { AuditLog, AuditWriterOptions } from './audit-writer';
export { ThreadedAuditWriter } from './threaded-audit-writer';
export type { ThreadedAuditWriterOptions } from './threaded-audit-writer';
export { RequestAuditTrail } from './request-audit-trail';
export { AUDIT_HANDOFF_TABLE, AuditHandoff, auditHandoffMigration, handOverChanges } from './audit-handoff';
export type { AuditHandoffOptions, HandoffWriter } from './audit-handoff';
export { openCommandAudit } from './command-audit';
export type { CommandAudit } from './command-audit';
export type { AuditAdmission, AuditedChange, AuditedDecision, ChangeAuditSink } from './request-audit-trail';
export {
  SYSTEM_CHANGE_RULE,
  SystemAuditUnavailableError,
  SystemChanges,
  changedFields,
  sameStoredValue,
  eventAction,
  inAuditedSystemTransaction,
  jobAction,
  systemActorOf,
} from './system-changes';
export type { SystemChange, SystemChangeSink, SystemWork } from './system-changes';
export {
  AUDIT_CHAIN_KEY_FILE,
  AUDIT_CHAIN_KEY_VARIABLE,
  AUDIT_CHECKPOINT_FILE,
  AUDIT_SECRET_FILE,
  AUDIT_SECRET_VARIABLE,
  DEFAULT_AUDIT_BATCH_SIZE,
  DEFAULT_AUDIT_CHECKPOINT_INTERVAL_MS,
  DEFAULT_AUDIT_FLUSH_INTERVAL_MS,
  DEFAULT_AUDIT_HANDOFF_GRACE_MS,
  DEFAULT_AUDIT_HANDOFF_SWEEP_MS,
  DEFAULT_AUDIT_MAX_QUEUED,
  auditCheckpointPath,
  auditWriterDatabase,
  readAuditConfig,
} from './audit-config';
export type { AuditConfig } from './audit-config';
export { verifyAuditChains } from './verify-audit-chain';
export type {
  AuditChainBreak,
  AuditChainBreakReason,
  AuditCheckpointProblem,
  AuditCheckpointProblemReason,
  AuditVerification,
  VerifyAuditOptions,
} from './verify-audit-chain';
