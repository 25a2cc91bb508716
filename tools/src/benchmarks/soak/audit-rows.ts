import { AUDIT_TABLE, openAuditStore, type DatabaseConfig } from '@icg/shared';
import type { AuditReconciler, AuditReconciliation } from './audit-reconciliation';

/** The audit table's highest id now (0 when empty): rows above it were written later. */
export async function lastAuditRowId(config: DatabaseConfig): Promise<number> {
  const audit = await openAuditStore(config);
  try {
    const row = (await audit(AUDIT_TABLE).max({ last: 'id' }).first()) as { last: number | string | null } | undefined;
    return Number(row?.last ?? 0);
  } finally {
    await audit.destroy();
  }
}

/** Reads the audit rows written after `afterId`, grouped by request id, into `reconciler`. */
export async function reconcileAuditStore(config: DatabaseConfig, afterId: number, reconciler: AuditReconciler): Promise<AuditReconciliation> {
  const audit = await openAuditStore(config);
  try {
    const rows = audit(AUDIT_TABLE)
      .select('request_id', 'coordinate', 'record_pseudonyms')
      .where('id', '>', afterId)
      .orderBy([{ column: 'request_id' }, { column: 'id' }])
      .stream();
    for await (const row of rows as AsyncIterable<{ request_id: string; coordinate: string; record_pseudonyms: string | null }>) {
      reconciler.add({
        requestId: row.request_id,
        coordinate: row.coordinate,
        pseudonyms: row.record_pseudonyms === null ? [] : (JSON.parse(row.record_pseudonyms) as string[]),
      });
    }
    return reconciler.result();
  } finally {
    await audit.destroy();
  }
}
