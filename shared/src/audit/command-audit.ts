/**
 * The audit trail of a command that writes a subgraph's store as the system outside the subgraph's process (`npm run
 * policies:schedule`, `npm run insights:refresh`): the subgraph's own writer, a chain of the command's own, and the
 * hand-over of change records (audit-handoff.ts). The command sweeps nothing (the subgraph's singleton does); `close()`
 * writes every record and clears their hand-over rows before the command ends.
 */
import type { Knex } from 'knex';
import type { DatabaseConfig } from '../config';
import { auditWriterDatabase, type AuditConfig } from './audit-config';
import { AuditHandoff } from './audit-handoff';
import { openAuditStore } from './audit-store';
import { newAuditChainId, type AuditLog } from './audit-writer';
import { RequestAuditTrail } from './request-audit-trail';
import { ThreadedAuditWriter } from './threaded-audit-writer';

export interface CommandAudit {
  /** Where the command's audited transactions note their changes (inAuditedSystemTransaction, ScheduledJobRunner). */
  trail: RequestAuditTrail;
  /** Writes every record (the worker retries for up to 10 s) and clears their hand-over rows. */
  close(): Promise<void>;
}

export async function openCommandAudit(options: {
  /** The subgraph whose store the command writes; names the chain. */
  subgraph: string;
  database: DatabaseConfig;
  audit: AuditConfig;
  /** The subgraph's store (its hand-over rows are cleared there). */
  db: Knex;
  log: AuditLog & { info(fields: object, message: string): void };
}): Promise<CommandAudit> {
  // Migrated here: the command may run before the subgraph ever started against this store.
  const auditStore = await openAuditStore(options.database);
  await auditStore.destroy();
  let handoff: AuditHandoff | undefined = undefined;
  const writer = new ThreadedAuditWriter({
    ...options.audit,
    database: auditWriterDatabase(options.database, options.audit),
    chain: newAuditChainId(options.subgraph),
    log: options.log,
    onChangesStored: (decisionIds) => handoff?.stored(decisionIds),
  });
  handoff = new AuditHandoff({ db: options.db, writer, log: options.log });
  return {
    trail: new RequestAuditTrail(writer),
    async close() {
      try {
        await writer.close();
      } finally {
        await handoff.drain();
      }
    },
  };
}
