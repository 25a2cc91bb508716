import { attachScope, scopeOfRow, toId, toIsoTimestamp, toNumberOrNull, type Scoped } from '@icg/shared';
import { entities } from './entities';
import type { EarlyWarning, EarlyWarningStatus } from './generated/schema-types';

/** BIGINT comes back as a number or a string; DATETIME as a UTC string (or a Date); DECIMAL as a number or a string. */
export interface EarlyWarningRow {
  id: number | string;
  early_warning_no: string;
  customer_id: number | string;
  status: EarlyWarningStatus;
  opened_at: string | Date;
  amount: number | string | null;
  contact_name: string | null;
  branch_id: number | string;
  branch_path: string;
  customer_manager_staff_id: number | string | null;
}

/** A customer as this system knows it: a stub by its key. It owns no customers, so the stub carries no row scope. */
export interface CustomerStub {
  id: string;
}

export type EarlyWarningRecord = Scoped<Omit<EarlyWarning, 'customer'> & { customer: CustomerStub }>;

export function earlyWarningRecord(row: EarlyWarningRow): EarlyWarningRecord {
  return attachScope(
    {
      id: toId(row.id),
      earlyWarningNo: row.early_warning_no,
      status: row.status,
      openedAt: toIsoTimestamp(row.opened_at)!,
      amount: toNumberOrNull(row.amount),
      contactName: row.contact_name,
      customer: { id: toId(row.customer_id) },
    },
    scopeOfRow('EarlyWarning', entities.EarlyWarning, row),
  );
}
