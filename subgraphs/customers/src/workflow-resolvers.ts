/**
 * The customer-manager and blacklist workflows' part of the resolver map: their mutations and the fields they add to
 * Customer, CustomerManager, VisitReport and the new types. Computed deadlines (visit reports, re-certification,
 * blacklist reviews) read the request's injectable clock. `withWorkflowResolvers` merges them into the base map.
 */
import { attachScope, isoDate, toIsoDate, type Scoped } from '@icg/shared';
import { blacklistMutations } from './blacklist';
import { primaryManagerStateOf, customerManagerMutations } from './customer-managers';
import type { CustomersSettings } from './customers-settings';
import type { Resolvers } from './generated/schema-types';
import type { CustomersLoaders } from './loaders';
import { certificationDueDate, certificationStatus, lastEndedMonth, visitReportDueDate, visitReportLate, visitReportOverdue } from './manager-deadlines';
import { branchRecord, customerRecord, inheritedScope, staffRecord, type CustomerRecord } from './records';
import { gradeChangeRecord, majorCustomerEventRecord, type VisitReportDueRecord } from './workflow-records';

async function loadStaff({ staffById }: CustomersLoaders, id: string | null) {
  const row = id === null ? null : await staffById.load(id);
  return row ? staffRecord(row) : null;
}

async function loadBranch({ branchById }: CustomersLoaders, id: string | null) {
  const row = id === null ? null : await branchById.load(id);
  return row ? branchRecord(row) : null;
}

function visitReportDue(settings: CustomersSettings, customer: CustomerRecord, month: string, submitted: boolean, now: Date): Scoped<VisitReportDueRecord> {
  return attachScope(
    {
      customerId: customer.id,
      month,
      dueDate: visitReportDueDate(month, settings.visitReportDueDays),
      submitted,
      overdue: visitReportOverdue(month, settings.visitReportDueDays, submitted, now),
    },
    inheritedScope(customer),
  );
}

export function workflowResolvers(settings: CustomersSettings) {
  return {
    Mutation: {
      ...customerManagerMutations(settings),
      ...blacklistMutations,
    },

    Customer: {
      primaryManagerState: async (customer, _args, { loaders }) => {
        const assignments = await loaders.managerAssignmentsByCustomer.load(customer.id);
        return primaryManagerStateOf(assignments.find((row) => row.current_primary_customer_id !== null));
      },
      largeCustomer: (customer, _args, { loaders, clock }) =>
        loaders.largeCustomer.load({ customerId: customer.id, today: clock.now(), thresholdYuan: settings.largeCustomerPremiumYuan }),
      visitReportDue: async (customer, _args, { loaders, clock }) => {
        if (customer.primaryManagerStaffId === null) return null;
        const now = clock.now();
        const month = lastEndedMonth(now);
        const report = await loaders.visitReportOfMonth.load({ customerId: customer.id, month });
        return visitReportDue(settings, customer, month, report !== null, now);
      },
      majorEvents: async (customer, _args, { loaders }) =>
        (await loaders.majorEventsByCustomer.load(customer.id)).map((row) => majorCustomerEventRecord(row, inheritedScope(customer))),
    },

    CustomerManager: {
      version: async (manager, _args, { loaders }) => Number((await loaders.staffById.load(manager.id))?.version ?? 1),
      gradeChanges: async (manager, _args, { loaders }) =>
        (await loaders.gradeChangesByStaff.load(manager.id)).map((row) => gradeChangeRecord(row, inheritedScope(manager))),
      certificationDue: async (manager, _args, { loaders }) => {
        const history = await loaders.gradeHistoryByStaff.load(manager.id);
        return certificationDueDate(toIsoDate(history.at(-1)?.approved_on ?? null));
      },
      certificationStatus: async (manager, _args, { loaders, clock }) => {
        const history = await loaders.gradeHistoryByStaff.load(manager.id);
        return certificationStatus(toIsoDate(history.at(-1)?.approved_on ?? null), settings.recertificationNoticeDays, clock.now());
      },
      overdueVisitReports: async (manager, _args, { loaders, clock }) => {
        const now = clock.now();
        const month = lastEndedMonth(now);
        // Nothing is overdue until the month's due day has passed.
        if (!visitReportOverdue(month, settings.visitReportDueDays, false, now)) return [];
        const owed = await loaders.customersWithoutVisitReport.load({ managerStaffId: manager.id, month });
        return owed.map((row) => visitReportDue(settings, customerRecord(row, now), month, false, now));
      },
    },

    GradeChange: {
      approvedBy: (change, _args, { loaders }) => loadStaff(loaders, change.approvedByStaffId),
      approvedByBranch: (change, _args, { loaders }) => loadBranch(loaders, change.approvedByBranchId),
    },

    MajorCustomerEvent: {
      reportedBy: (event, _args, { loaders }) => loadStaff(loaders, event.reportedByStaffId),
    },

    VisitReportDue: {
      customer: async (due, _args, { loaders, clock }) => {
        const row = await loaders.customerById.load(due.customerId);
        return row ? customerRecord(row, clock.now()) : null;
      },
    },

    VisitReport: {
      dueDate: (report) => visitReportDueDate(report.month, settings.visitReportDueDays),
      late: (report) => visitReportLate(report.month, settings.visitReportDueDays, new Date(report.submittedAt)),
    },

    BlacklistEntry: {
      reviewOverdue: (entry, _args, { clock }) => entry.status === 'ACTIVE' && entry.reviewDue !== null && isoDate(clock.now()) > entry.reviewDue,
      rejectedBy: (entry, _args, { loaders }) => loadStaff(loaders, entry.rejectedByStaffId),
      liftedBy: (entry, _args, { loaders }) => loadStaff(loaders, entry.liftedByStaffId),
      expiredBy: (entry, _args, { loaders }) => loadStaff(loaders, entry.expiredByStaffId),
      lastReviewedBy: (entry, _args, { loaders }) => loadStaff(loaders, entry.lastReviewedByStaffId),
    },
  } satisfies Resolvers;
}

/** The base resolver map (resolvers.ts) with the workflows' resolvers added, type by type. */
export function withWorkflowResolvers(base: Resolvers, settings: CustomersSettings): Resolvers {
  const merged: Record<string, object> = { ...(base as Record<string, object>) };
  for (const [type, fields] of Object.entries(workflowResolvers(settings))) merged[type] = { ...merged[type], ...fields };
  return merged as Resolvers;
}
