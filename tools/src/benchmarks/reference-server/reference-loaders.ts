import DataLoader from 'dataloader';
import type { ReferenceStore, ReferenceStoreName, SqlValue } from './reference-store';

/**
 * Rows as the five systems store them, only the columns the customer-360 shows (the reference reads what it
 * answers; the subgraphs read whole rows).
 */
export interface CustomerRow {
  id: number | string;
  customer_no: string;
  kind: string;
  name: string;
  mobile: string;
  branch_id: number | string;
  customer_manager_staff_id: number | string | null;
}
export interface BranchRow {
  id: number | string;
  name: string;
}
export interface StaffRow {
  id: number | string;
  name: string;
  role: string;
  grade: string | null;
}
export interface PolicyRow {
  customer_id: number | string;
  policy_no: string;
  line_of_business: string;
  status: string;
  effective_date: string;
  expiry_date: string;
  written_premium: number | string;
}
export interface ClaimRow {
  customer_id: number | string;
  policy_no: string;
  report_no: string;
  status: string;
  reported_at: string;
  paid: number | string;
  outstanding_reserve: number | string;
  recoveries: number | string;
}
export interface ServiceRequestRow {
  customer_id: number | string;
  ticket_no: string;
  type: string;
  status: string;
  opened_at: string;
}
export interface ComplaintRow {
  customer_id: number | string;
  complaint_no: string;
  status: string;
  category: string;
  due_date: string;
}

type Key = string;

/** The bound-parameter ceiling the subgraphs' loaders keep to (shared/src/loaders.ts). */
const MAX_KEYS_PER_STATEMENT = 1_000;

interface TableRead {
  store: ReferenceStoreName;
  table: string;
  columns: readonly string[];
  keyColumn: string;
  /** The order each key's rows come in: the order the owning subgraph gives its lists. */
  orderBy?: string;
}

async function rowsWhereIn<Row>(db: ReferenceStore, read: TableRead, keys: readonly Key[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (let start = 0; start < keys.length; start += MAX_KEYS_PER_STATEMENT) {
    const chunk = keys.slice(start, start + MAX_KEYS_PER_STATEMENT);
    const sql =
      `SELECT ${read.columns.join(', ')} FROM ${read.table} WHERE ${read.keyColumn} IN (${chunk.map(() => '?').join(', ')})` +
      (read.orderBy ? ` ORDER BY ${read.orderBy}` : '');
    rows.push(...(await db.select<Row>(read.store, sql, chunk as SqlValue[])));
  }
  return rows;
}

function keyOf(row: object, column: string): string {
  return String((row as Record<string, unknown>)[column]);
}

function rowLoader<Row extends object>(db: ReferenceStore, read: TableRead): DataLoader<Key, Row | null> {
  return new DataLoader<Key, Row | null>(async (keys) => {
    const byKey = new Map<string, Row>();
    for (const row of await rowsWhereIn<Row>(db, read, keys)) byKey.set(keyOf(row, read.keyColumn), row);
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

function groupLoader<Row extends object>(db: ReferenceStore, read: TableRead): DataLoader<Key, Row[]> {
  return new DataLoader<Key, Row[]>(async (keys) => {
    const groups = new Map<string, Row[]>();
    for (const row of await rowsWhereIn<Row>(db, read, keys)) {
      const key = keyOf(row, read.keyColumn);
      const group = groups.get(key);
      if (group) group.push(row);
      else groups.set(key, [row]);
    }
    return keys.map((key) => groups.get(key) ?? []);
  });
}

export interface ReferenceLoaders {
  customerById: DataLoader<Key, CustomerRow | null>;
  branchById: DataLoader<Key, BranchRow | null>;
  staffById: DataLoader<Key, StaffRow | null>;
  policiesByCustomer: DataLoader<Key, PolicyRow[]>;
  claimsByPolicyNo: DataLoader<Key, ClaimRow[]>;
  claimsByCustomer: DataLoader<Key, ClaimRow[]>;
  serviceRequestsByCustomer: DataLoader<Key, ServiceRequestRow[]>;
  complaintsByCustomer: DataLoader<Key, ComplaintRow[]>;
}

const CLAIM_COLUMNS = ['customer_id', 'policy_no', 'report_no', 'status', 'reported_at', 'paid', 'outstanding_reserve', 'recoveries'];
const NEWEST_CLAIM_FIRST = 'reported_at DESC, id DESC';

/** A fresh set per request, so batching and caching never cross requests (as in the subgraphs). */
export function createReferenceLoaders(db: ReferenceStore): ReferenceLoaders {
  return {
    customerById: rowLoader(db, {
      store: 'customers',
      table: 'customers',
      columns: ['id', 'customer_no', 'kind', 'name', 'mobile', 'branch_id', 'customer_manager_staff_id'],
      keyColumn: 'id',
    }),
    branchById: rowLoader(db, { store: 'customers', table: 'branches', columns: ['id', 'name'], keyColumn: 'id' }),
    staffById: rowLoader(db, { store: 'customers', table: 'staff', columns: ['id', 'name', 'role', 'grade'], keyColumn: 'id' }),
    policiesByCustomer: groupLoader(db, {
      store: 'policies',
      table: 'policies',
      columns: ['customer_id', 'policy_no', 'line_of_business', 'status', 'effective_date', 'expiry_date', 'written_premium'],
      keyColumn: 'customer_id',
      orderBy: 'effective_date DESC, id DESC',
    }),
    claimsByPolicyNo: groupLoader(db, { store: 'claims', table: 'claims', columns: CLAIM_COLUMNS, keyColumn: 'policy_no', orderBy: NEWEST_CLAIM_FIRST }),
    claimsByCustomer: groupLoader(db, { store: 'claims', table: 'claims', columns: CLAIM_COLUMNS, keyColumn: 'customer_id', orderBy: NEWEST_CLAIM_FIRST }),
    serviceRequestsByCustomer: groupLoader(db, {
      store: 'service-requests',
      table: 'service_requests',
      columns: ['customer_id', 'ticket_no', 'type', 'status', 'opened_at'],
      keyColumn: 'customer_id',
      orderBy: 'opened_at DESC, id DESC',
    }),
    complaintsByCustomer: groupLoader(db, {
      store: 'complaints',
      table: 'complaints',
      columns: ['customer_id', 'complaint_no', 'status', 'category', 'due_date'],
      keyColumn: 'customer_id',
      orderBy: 'accepted_at DESC, id DESC',
    }),
  };
}
