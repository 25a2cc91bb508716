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
}

export type ManagerChanged = EventOf<ProductionEventCatalog, 'customer.manager-changed'>;

export function primaryManagerCopiesHandler(copies: readonly PrimaryManagerCopy[]): EventHandler<ManagerChanged> {
  return async (trx, event) => {
    const { customerId, primaryManagerStaffId } = event.payload;
    for (const copy of copies) {
      await trx(copy.table)
        .where(copy.customerColumn ?? 'customer_id', customerId)
        .update({ [copy.managerColumn ?? 'customer_manager_staff_id']: primaryManagerStaffId });
    }
  };
}
