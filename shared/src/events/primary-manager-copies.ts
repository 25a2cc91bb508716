/**
 * The customer's primary manager is row scope (OWN) wherever a system keeps the customer's records, and each keeps
 * its own copy beside the records. When the customers system assigns, transfers or releases the primary manager it
 * sends `customer.manager-changed`; each consumer moves its copies with this handler, in the receiver's transaction
 * (once per event, in the customer's order), so the new manager sees the records and the one before no longer does.
 */
import type { EventOf, ProductionEventCatalog } from './event-types';
import type { EventHandler } from './event-receiver';

/** One table holding copies: keyed by `customerColumn` (default `customer_id`), the copy in `managerColumn` (default `customer_manager_staff_id`). */
export interface PrimaryManagerCopy {
  table: string;
  customerColumn?: string;
  managerColumn?: string;
  /** The audit trail's name for a row (`Claim`, with `keyColumn` `report_no`): each copy moved is audited as the system's change. */
  entity: string;
  /** The column naming the row in the audit trail; `id` by default. */
  keyColumn?: string;
}

export type ManagerChanged = EventOf<ProductionEventCatalog, 'customer.manager-changed'>;

export function primaryManagerCopiesHandler(copies: readonly PrimaryManagerCopy[]): EventHandler<ManagerChanged> {
  return async (trx, event, context) => {
    const { customerId, primaryManagerStaffId } = event.payload;
    for (const copy of copies) {
      const customerColumn = copy.customerColumn ?? 'customer_id';
      const managerColumn = copy.managerColumn ?? 'customer_manager_staff_id';
      const keyColumn = copy.keyColumn ?? 'id';
      // The rows whose copy changes, read in the transaction that moves them: one change record each.
      const moving = (await trx(copy.table)
        .where(customerColumn, customerId)
        .where((differs) =>
          primaryManagerStaffId === null
            ? differs.whereNotNull(managerColumn)
            : differs.whereNull(managerColumn).orWhereNot(managerColumn, primaryManagerStaffId),
        )
        .select(keyColumn, managerColumn)) as Record<string, unknown>[];
      if (moving.length === 0) continue;
      await trx(copy.table)
        .where(customerColumn, customerId)
        .update({ [managerColumn]: primaryManagerStaffId });
      for (const row of moving)
        context.changes.record({
          recordKey: `${copy.entity}:${String(row[keyColumn])}`,
          beforeVersion: null,
          afterVersion: null,
          fields: { [managerColumn]: { before: row[managerColumn] ?? null, after: primaryManagerStaffId } },
        });
    }
  };
}
