/** Messages between a ThreadedAuditWriter (request-serving thread) and its audit worker thread. */
import type { DatabaseConfig } from '../config';
import type { AuditEvent } from './audit-record';

/** What the worker starts with (`workerData`). */
export interface AuditWorkerSettings {
  database: DatabaseConfig;
  chain: string;
  pseudonymSecret: string;
  chainKey: string;
  /** The checkpoint file the worker appends its chain's heads to. */
  checkpointPath: string;
  checkpointIntervalMs: number;
  batchSize: number;
  maxQueued: number;
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export type ToAuditWorker = { kind: 'records'; events: AuditEvent[] } | { kind: 'flush'; id: number } | { kind: 'close'; id: number; timeoutMs: number };

/** A failure as it crosses the thread boundary: the writer's error message, never a stack or statement. */
export interface AuditWorkerFailure {
  message: string;
  pendingRecords: number;
}

export type FromAuditWorker =
  /** The worker's writer after a batch arrived or a write was attempted. `received` counts every event ever posted to it. */
  | { kind: 'state'; received: number; queued: number; healthy: boolean; dropped: number }
  | { kind: 'log'; level: 'error' | 'warn'; fields: object; message: string }
  /** Change records now in the store (written, or found there when redelivered): their hand-over rows can go. */
  | { kind: 'changes-stored'; decisionIds: string[] }
  | { kind: 'flushed'; id: number; failure?: AuditWorkerFailure }
  | { kind: 'closed'; id: number; failure?: AuditWorkerFailure };
