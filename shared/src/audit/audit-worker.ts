/**
 * The audit worker thread: runs an AuditWriter (pseudonymising, hash-chaining and inserting) on its own connection
 * to the audit store, so none of that work takes time from the thread serving requests. Started by
 * ThreadedAuditWriter; everything it logs goes back to that thread's logger.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../database';
import { driverErrorMessage } from '../errors';
import { AuditCheckpointer } from './audit-checkpoints';
import { AUDIT_STORE } from './audit-store';
import { AuditStoreUnavailableError, AuditWriter } from './audit-writer';
import type { AuditWorkerFailure, AuditWorkerSettings, FromAuditWorker, ToAuditWorker } from './audit-worker-protocol';

/** Batches arrive already gathered by the serving thread: write each as soon as it comes (back-off still applies). */
const WRITE_PROMPTLY_MS = 1;

function runAuditWorker(): void {
  const port = parentPort;
  if (port === null) throw new Error('audit-worker must run as a worker thread');
  const settings = workerData as AuditWorkerSettings;
  const post = (message: FromAuditWorker) => port.postMessage(message);
  const db = openDatabase(settings.database, AUDIT_STORE);
  let received = 0;
  const reportState = () => post({ kind: 'state', received, queued: writer.queuedCount, healthy: writer.healthy(), dropped: writer.droppedCount });
  const checkpoints = new AuditCheckpointer({
    path: settings.checkpointPath,
    chainKey: settings.chainKey,
    intervalMs: settings.checkpointIntervalMs,
    // The error's code only: a path is configuration, not personal data, but a message could name more.
    onError: (error) =>
      post({
        kind: 'log',
        level: 'error',
        fields: { chain: settings.chain, code: (error as NodeJS.ErrnoException).code },
        message: 'audit checkpoint not written',
      }),
  });
  const writer = new AuditWriter({
    db,
    chain: settings.chain,
    pseudonymSecret: settings.pseudonymSecret,
    chainKey: settings.chainKey,
    checkpoints,
    batchSize: settings.batchSize,
    maxQueued: settings.maxQueued,
    retryDelayMs: settings.retryDelayMs,
    maxRetryDelayMs: settings.maxRetryDelayMs,
    flushIntervalMs: WRITE_PROMPTLY_MS,
    log: {
      error: (fields, message) => post({ kind: 'log', level: 'error', fields, message }),
      warn: (fields, message) => post({ kind: 'log', level: 'warn', fields, message }),
    },
    onWriteAttempt: reportState,
    onChangesStored: (decisionIds) => post({ kind: 'changes-stored', decisionIds }),
  });

  port.on('message', (message: ToAuditWorker) => {
    switch (message.kind) {
      case 'records':
        for (const event of message.events) writer.record(event);
        received += message.events.length;
        reportState();
        return;
      case 'flush':
        writer.flush().then(
          () => post({ kind: 'flushed', id: message.id }),
          (error: unknown) => post({ kind: 'flushed', id: message.id, failure: failureOf(error, writer) }),
        );
        return;
      case 'close':
        writer
          .close({ timeoutMs: message.timeoutMs })
          .then(
            () => undefined,
            (error: unknown) => failureOf(error, writer),
          )
          .then(async (failure) => {
            await db.destroy();
            reportState();
            post({ kind: 'closed', id: message.id, ...(failure ? { failure } : {}) });
            port.close();
          });
        return;
    }
  });
}

function failureOf(error: unknown, writer: AuditWriter): AuditWorkerFailure {
  // The driver's message only (no statement); the serving thread wraps it in its own AuditStoreUnavailableError.
  if (error instanceof AuditStoreUnavailableError) return { message: driverErrorMessage(error.cause), pendingRecords: error.pendingRecords };
  return { message: driverErrorMessage(error), pendingRecords: writer.queuedCount };
}

runAuditWorker();
