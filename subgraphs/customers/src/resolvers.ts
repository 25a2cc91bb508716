import { attachScope, badUserInput, BUSINESS_NUMBERS, decodeCursor, parseBusinessNumber, parseEntityId, readPageSize, scopeOf, type Scoped } from '@icg/shared';
import type { CustomerFilter, Resolvers } from './generated/schema-types';
import type { CustomerCriteria, CustomersLoaders } from './loaders';
import {
  addressRecord,
  blacklistEntryRecord,
  branchRecord,
  businessProfileRecord,
  changeRequestRecord,
  customerConnection,
  customerDetailsRecord,
  customerManagerRecord,
  customerRecord,
  customerVersionRecord,
  gradeCertificationRecord,
  householdRecord,
  inheritedScope,
  managerAssignmentRecord,
  staffRecord,
  visitReportRecord,
  type BranchRecord,
  type ChangeRequestRecord,
  type CustomerManagerRecord,
  type CustomerRecord,
  type StaffRecord,
} from './records';
import { recordMaintenanceMutations } from './record-maintenance';

/** Representations carry ids other systems hold; a malformed one is reported like an argument. */
const REPRESENTATION_ARGUMENT = 'representations';

async function loadCustomer({ customerById }: CustomersLoaders, id: string | null): Promise<Scoped<CustomerRecord> | null> {
  const row = id === null ? null : await customerById.load(id);
  return row ? customerRecord(row) : null;
}

async function loadBranch({ branchById }: CustomersLoaders, id: string | null): Promise<Scoped<BranchRecord> | null> {
  const row = id === null ? null : await branchById.load(id);
  return row ? branchRecord(row) : null;
}

async function loadStaff({ staffById }: CustomersLoaders, id: string | null): Promise<Scoped<StaffRecord> | null> {
  const row = id === null ? null : await staffById.load(id);
  return row ? staffRecord(row) : null;
}

/** A change request in its customer's scope; null when either is missing. */
async function loadChangeRequest(loaders: CustomersLoaders, id: string): Promise<Scoped<ChangeRequestRecord> | null> {
  const row = await loaders.changeRequestById.load(id);
  const customer = row ? await loaders.customerById.load(String(row.customer_id)) : null;
  return row && customer ? changeRequestRecord(row, scopeOf(customerRecord(customer))!) : null;
}

async function loadManager({ staffById }: CustomersLoaders, id: string | null): Promise<Scoped<CustomerManagerRecord> | null> {
  return id === null ? null : customerManagerRecord(await staffById.load(id));
}

/** YYYY-MM-DD naming a real calendar day. */
function parseDateArgument(value: unknown, argumentName: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  const invalid = () => badUserInput(argumentName, 'must be a date, YYYY-MM-DD');
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw invalid();
  // Checked before it is formatted: toISOString throws on an impossible date such as 2020-13-45.
  const time = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(time) || !new Date(time).toISOString().startsWith(value)) throw invalid();
  return value;
}

/** The filter as search criteria; null when it names a branch that does not exist, so nothing matches. */
async function criteriaFromFilter(filter: CustomerFilter | null | undefined, loaders: CustomersLoaders): Promise<CustomerCriteria | null> {
  const criteria: CustomerCriteria = {};
  if (!filter) return criteria;
  if (filter.kind) criteria.kind = filter.kind;
  if (filter.blacklisted !== null && filter.blacklisted !== undefined) criteria.blacklisted = filter.blacklisted;
  if (filter.primaryManagerId !== null && filter.primaryManagerId !== undefined)
    criteria.primaryManagerStaffId = parseEntityId(filter.primaryManagerId, 'filter.primaryManagerId');
  const from = parseDateArgument(filter.customerSinceFrom, 'filter.customerSinceFrom');
  if (from !== undefined) criteria.customerSinceFrom = from;
  const to = parseDateArgument(filter.customerSinceTo, 'filter.customerSinceTo');
  if (to !== undefined) criteria.customerSinceTo = to;
  if (filter.branchId !== null && filter.branchId !== undefined) {
    const branch = await loaders.branchById.load(parseEntityId(filter.branchId, 'filter.branchId'));
    if (!branch) return null;
    criteria.branchPath = branch.path;
  }
  return criteria;
}

// Checked against the types generated from schema.graphql (parents are the records records.ts builds).
export const resolvers = {
  Query: {
    customer: (_root, { id }, { loaders }) => loadCustomer(loaders, parseEntityId(id, 'id')),
    customerByNo: async (_root, { customerNo }, { loaders }) => {
      const row = await loaders.customerByNo.load(parseBusinessNumber(customerNo, 'customerNo', BUSINESS_NUMBERS.customerNo));
      return row ? customerRecord(row) : null;
    },
    customers: async (_root, { first, after, filter }, { loaders }) => {
      const pageSize = readPageSize(first, 'first');
      const afterId = decodeCursor(after, 'after');
      const criteria = await criteriaFromFilter(filter, loaders);
      if (!criteria) return customerConnection([], pageSize, afterId !== undefined, async () => 0);
      const rows = await loaders.customerSearch.page(criteria, afterId, pageSize + 1);
      return customerConnection(rows, pageSize, afterId !== undefined, () => loaders.customerSearch.count(criteria));
    },
    branch: (_root, { id }, { loaders }) => loadBranch(loaders, parseEntityId(id, 'id')),
    branches: async (_root, _args, { loaders }) => (await loaders.allBranches()).map(branchRecord),
    staff: (_root, { id }, { loaders }) => loadStaff(loaders, parseEntityId(id, 'id')),
    customerManager: (_root, { id }, { loaders }) => loadManager(loaders, parseEntityId(id, 'id')),
    customerChangeRequest: (_root, { id }, { loaders }) => loadChangeRequest(loaders, parseEntityId(id, 'id')),
  },

  // One spread per workflow (README "Mutations").
  Mutation: {
    ...recordMaintenanceMutations,
  },

  CustomerConnection: {
    totalCount: (connection) => connection.countTotal(),
  },

  Customer: {
    __resolveReference: (reference, { loaders }) => loadCustomer(loaders, parseEntityId(reference.id, REPRESENTATION_ARGUMENT)),
    addresses: async (customer, _args, { loaders }) => {
      const rows = await loaders.addressesByCustomer.load(customer.id);
      return rows.map((row) => addressRecord(row, inheritedScope(customer)));
    },
    household: async (customer, _args, { loaders }) => householdRecord(await loaders.householdMembersByCustomer.load(customer.id), inheritedScope(customer)),
    businessProfile: async (customer, _args, { loaders }) => {
      if (customer.kind !== 'ORGANISATION') return null;
      const row = await loaders.businessProfileByCustomer.load(customer.id);
      return row ? businessProfileRecord(row, inheritedScope(customer)) : null;
    },
    branch: (customer, _args, { loaders }) => loadBranch(loaders, customer.branchId),
    primaryManager: (customer, _args, { loaders }) => loadManager(loaders, customer.primaryManagerStaffId),
    managerAssignments: async (customer, _args, { loaders }) => {
      const rows = await loaders.managerAssignmentsByCustomer.load(customer.id);
      return rows.map((row) => managerAssignmentRecord(row, inheritedScope(customer)));
    },
    blacklistEntries: async (customer, _args, { loaders }) => {
      const rows = await loaders.blacklistEntriesByCustomer.load(customer.id);
      return rows.map((row) => blacklistEntryRecord(row, inheritedScope(customer)));
    },
    visitReports: async (customer, _args, { loaders }) => {
      const rows = await loaders.visitReportsByCustomer.load(customer.id);
      return rows.map((row) => visitReportRecord(row, inheritedScope(customer)));
    },
    pendingChangeRequests: async (customer, _args, { loaders }) => {
      const rows = await loaders.pendingChangeRequestsByCustomer.load(customer.id);
      return rows.map((row) => changeRequestRecord(row, inheritedScope(customer)));
    },
    versions: async (customer, _args, { loaders }) => {
      const rows = await loaders.versionsByCustomer.load(customer.id);
      if (rows.length > 0) return rows.map((row) => customerVersionRecord(row, inheritedScope(customer)));
      // Never changed since before versions were kept: the record as it stands is its one version.
      const addresses = await loaders.addressesByCustomer.load(customer.id);
      const scope = inheritedScope(customer);
      return [
        attachScope(
          {
            version: customer.version,
            reason: 'BEFORE_VERSIONING' as const,
            changedByStaffId: null,
            changedAt: customer.updatedAt,
            changeRequestId: null,
            details: customerDetailsRecord(
              {
                ...customer,
                addresses: addresses.map((address) => ({ kind: address.kind, province: address.province, city: address.city, line: address.line })),
              },
              scope,
            ),
          },
          scope,
        ),
      ];
    },
  },

  BusinessProfile: {
    groupParent: (profile, _args, { loaders }) => loadCustomer(loaders, profile.groupParentCustomerId),
  },

  Branch: {
    __resolveReference: (reference, { loaders }) => loadBranch(loaders, parseEntityId(reference.id, REPRESENTATION_ARGUMENT)),
    parent: (branch, _args, { loaders }) => loadBranch(loaders, branch.parentId),
    children: async (branch, _args, { loaders }) => (await loaders.branchChildren.load(branch.id)).map(branchRecord),
  },

  Staff: {
    __resolveReference: (reference, { loaders }) => loadStaff(loaders, parseEntityId(reference.id, REPRESENTATION_ARGUMENT)),
    branch: (staff, _args, { loaders }) => loadBranch(loaders, staff.branchId),
  },

  CustomerManager: {
    __resolveReference: (reference, { loaders }) => loadManager(loaders, parseEntityId(reference.id, REPRESENTATION_ARGUMENT)),
    gradeHistory: async (manager, _args, { loaders }) => {
      const rows = await loaders.gradeHistoryByStaff.load(manager.id);
      return rows.map((row) => gradeCertificationRecord(row, inheritedScope(manager)));
    },
    portfolio: async (manager, { first, after }, { loaders }) => {
      const pageSize = readPageSize(first, 'first');
      const afterId = decodeCursor(after, 'after');
      const rows = await loaders.portfolioPage.load({ managerStaffId: manager.id, afterId, limit: pageSize + 1 });
      return customerConnection(rows, pageSize, afterId !== undefined, () => loaders.portfolioSize.load(manager.id));
    },
  },

  GradeCertification: {
    approvedByBranch: (certification, _args, { loaders }) => loadBranch(loaders, certification.approvedByBranchId),
  },

  ManagerAssignment: {
    manager: (assignment, _args, { loaders }) => loadManager(loaders, assignment.managerStaffId),
  },

  VisitReport: {
    manager: (report, _args, { loaders }) => loadManager(loaders, report.managerStaffId),
  },

  BlacklistEntry: {
    proposedBy: (entry, _args, { loaders }) => loadStaff(loaders, entry.proposedByStaffId),
    approvedBy: (entry, _args, { loaders }) => loadStaff(loaders, entry.approvedByStaffId),
  },

  CustomerChangeRequest: {
    customer: (request, _args, { loaders }) => loadCustomer(loaders, request.customerId),
    submittedBy: (request, _args, { loaders }) => loadStaff(loaders, request.submittedByStaffId),
    reviewedBy: (request, _args, { loaders }) => loadStaff(loaders, request.reviewedByStaffId),
    completedBy: (request, _args, { loaders }) => loadStaff(loaders, request.completedByStaffId),
  },

  CustomerVersion: {
    changedBy: (version, _args, { loaders }) => loadStaff(loaders, version.changedByStaffId),
    changeRequest: async (version, _args, { loaders }) => {
      const row = version.changeRequestId === null ? null : await loaders.changeRequestById.load(version.changeRequestId);
      return row ? changeRequestRecord(row, inheritedScope(version)) : null;
    },
  },
} satisfies Resolvers;
