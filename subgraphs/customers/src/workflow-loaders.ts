/**
 * Batched reads of the customer-manager and blacklist workflows, one set per request like the other loaders
 * (loaders.ts spreads them in): whatever a page of customers asks, each loader sends one statement per batch.
 */
import { DataLoader, selectWhereIn, tableGroupLoader, tableRowLoader, type Knex } from '@icg/shared';
import { largeCustomersAmong } from './large-customers';
import type { BlacklistEntryRow, CustomerRow, VisitReportRow } from './records';
import type { GradeChangeRow, MajorCustomerEventRow } from './workflow-records';

type Key = string | number;

/** A customer's large-customer question: on which day, against which threshold (settings). */
export interface LargeCustomerKey {
  customerId: string;
  today: Date;
  thresholdYuan: number;
}

/** A customer's visit report of one month (`YYYY-MM`). */
export interface CustomerMonthKey {
  customerId: string;
  month: string;
}

/** A manager's portfolio customers without a visit report for one month. */
export interface ManagerMonthKey {
  managerStaffId: string;
  month: string;
}

export interface WorkflowLoaders {
  blacklistEntryById: DataLoader<Key, BlacklistEntryRow | null, string>;
  gradeChangesByStaff: DataLoader<Key, GradeChangeRow[], string>;
  majorEventsByCustomer: DataLoader<Key, MajorCustomerEventRow[], string>;
  largeCustomer: DataLoader<LargeCustomerKey, boolean, string>;
  visitReportOfMonth: DataLoader<CustomerMonthKey, VisitReportRow | null, string>;
  customersWithoutVisitReport: DataLoader<ManagerMonthKey, CustomerRow[], string>;
}

const dayOf = (date: Date): string => date.toISOString().slice(0, 10);

/** Keys grouped by what they share besides their own id, so each group is one statement. */
function groupedBy<K, G>(keys: readonly K[], groupOf: (key: K) => string, shared: (key: K) => G): Map<string, { shared: G; keys: K[] }> {
  const groups = new Map<string, { shared: G; keys: K[] }>();
  for (const key of keys) {
    const name = groupOf(key);
    const group = groups.get(name) ?? { shared: shared(key), keys: [] };
    group.keys.push(key);
    groups.set(name, group);
  }
  return groups;
}

export function createWorkflowLoaders(db: Knex): WorkflowLoaders {
  return {
    blacklistEntryById: tableRowLoader<BlacklistEntryRow>(db, 'blacklist_entries', 'id'),
    gradeChangesByStaff: tableGroupLoader<GradeChangeRow>(db, 'manager_grade_changes', 'staff_id', (query) =>
      query.orderBy([{ column: 'manager_grade_changes.approved_at' }, { column: 'manager_grade_changes.id' }]),
    ),
    majorEventsByCustomer: tableGroupLoader<MajorCustomerEventRow>(db, 'major_customer_events', 'customer_id', (query) =>
      query.orderBy([
        { column: 'major_customer_events.occurred_on', order: 'desc' },
        { column: 'major_customer_events.id', order: 'desc' },
      ]),
    ),
    largeCustomer: new DataLoader<LargeCustomerKey, boolean, string>(
      async (keys) => {
        const answers = new Map<string, boolean>();
        const groups = groupedBy(
          keys,
          (key) => `${dayOf(key.today)}|${key.thresholdYuan}`,
          (key) => ({ today: key.today, thresholdYuan: key.thresholdYuan }),
        );
        for (const [name, group] of groups) {
          const large = await largeCustomersAmong(
            db,
            group.keys.map((key) => key.customerId),
            group.shared.today,
            group.shared.thresholdYuan,
          );
          for (const key of group.keys) answers.set(`${key.customerId}|${name}`, large.has(key.customerId));
        }
        return keys.map((key) => answers.get(`${key.customerId}|${dayOf(key.today)}|${key.thresholdYuan}`) ?? false);
      },
      { cacheKeyFn: (key) => `${key.customerId}|${dayOf(key.today)}|${key.thresholdYuan}`, maxBatchSize: 5_000 },
    ),
    visitReportOfMonth: new DataLoader<CustomerMonthKey, VisitReportRow | null, string>(
      async (keys) => {
        const reports = new Map<string, VisitReportRow>();
        for (const [month, group] of groupedBy(
          keys,
          (key) => key.month,
          (key) => key.month,
        )) {
          const rows = await selectWhereIn<VisitReportRow>(
            db,
            'visit_reports',
            'customer_id',
            group.keys.map((key) => key.customerId),
            (query) => query.where('visit_reports.month', month),
          );
          for (const row of rows) reports.set(`${row.customer_id}|${month}`, row);
        }
        return keys.map((key) => reports.get(`${key.customerId}|${key.month}`) ?? null);
      },
      { cacheKeyFn: (key) => `${key.customerId}|${key.month}`, maxBatchSize: 5_000 },
    ),
    customersWithoutVisitReport: new DataLoader<ManagerMonthKey, CustomerRow[], string>(
      async (keys) => {
        const owed = new Map<string, CustomerRow[]>();
        for (const [month, group] of groupedBy(
          keys,
          (key) => key.month,
          (key) => key.month,
        )) {
          const rows = await selectWhereIn<CustomerRow>(
            db,
            'customers',
            'customer_manager_staff_id',
            group.keys.map((key) => key.managerStaffId),
            (query) =>
              query
                .whereNotExists(
                  db('visit_reports')
                    .select('visit_reports.customer_id')
                    .whereRaw('visit_reports.customer_id = customers.id')
                    .andWhere('visit_reports.month', month),
                )
                .orderBy('customers.id'),
          );
          for (const row of rows) {
            const key = `${row.customer_manager_staff_id}|${month}`;
            owed.set(key, [...(owed.get(key) ?? []), row]);
          }
        }
        return keys.map((key) => owed.get(`${key.managerStaffId}|${key.month}`) ?? []);
      },
      { cacheKeyFn: (key) => `${key.managerStaffId}|${key.month}`, maxBatchSize: 5_000 },
    ),
  };
}
