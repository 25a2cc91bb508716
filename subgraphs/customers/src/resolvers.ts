import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { badUserInput, BUSINESS_NUMBERS, decodeCursor, parseBusinessNumber, parseEntityId, readPageSize, type Scoped, type SubgraphContext } from '@icg/shared';
import type { CustomerCriteria, CustomersLoaders } from './loaders';
import {
  addressRecord,
  blacklistEntryRecord,
  branchRecord,
  businessProfileRecord,
  changeRequestRecord,
  customerConnection,
  customerManagerRecord,
  customerRecord,
  gradeCertificationRecord,
  householdRecord,
  inheritedScope,
  managerAssignmentRecord,
  staffRecord,
  visitReportRecord,
  type AddressRecord,
  type BlacklistEntryRecord,
  type BranchRecord,
  type BusinessProfileRecord,
  type ChangeRequestRecord,
  type CustomerConnectionRecord,
  type CustomerKind,
  type CustomerManagerRecord,
  type CustomerRecord,
  type GradeCertificationRecord,
  type HouseholdRecord,
  type ManagerAssignmentRecord,
  type StaffRecord,
  type VisitReportRecord,
} from './records';

type Context = SubgraphContext<CustomersLoaders>;
type NoArgs = Record<string, never>;

interface IdArgs {
  id: unknown;
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

interface CustomerFilterInput {
  kind?: CustomerKind | null;
  branchId?: unknown;
  primaryManagerId?: unknown;
  blacklisted?: boolean | null;
  customerSinceFrom?: unknown;
  customerSinceTo?: unknown;
}

interface CustomersArgs extends PageArgs {
  filter?: CustomerFilterInput | null;
}

/** A representation's key, as another subgraph or the gateway sends it. */
interface EntityReference {
  id: unknown;
}

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

async function loadManager({ staffById }: CustomersLoaders, id: string | null): Promise<Scoped<CustomerManagerRecord> | null> {
  return id === null ? null : customerManagerRecord(await staffById.load(id));
}

/** YYYY-MM-DD naming a real calendar day. */
function parseDateArgument(value: unknown, argumentName: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  const valid = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
  if (!valid) throw badUserInput(argumentName, 'must be a date, YYYY-MM-DD');
  return value;
}

/** The filter as search criteria; null when it names a branch that does not exist, so nothing matches. */
async function criteriaFromFilter(filter: CustomerFilterInput | null | undefined, loaders: CustomersLoaders): Promise<CustomerCriteria | null> {
  const criteria: CustomerCriteria = {};
  if (!filter) return criteria;
  if (filter.kind) criteria.kind = filter.kind;
  if (filter.blacklisted !== null && filter.blacklisted !== undefined) criteria.blacklisted = filter.blacklisted;
  if (filter.primaryManagerId !== null && filter.primaryManagerId !== undefined) criteria.primaryManagerStaffId = parseEntityId(filter.primaryManagerId, 'filter.primaryManagerId');
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

export const resolvers: GraphQLResolverMap<Context> = {
  Query: {
    customer: (_root: unknown, { id }: IdArgs, { loaders }: Context) => loadCustomer(loaders, parseEntityId(id, 'id')),
    customerByNo: async (_root: unknown, { customerNo }: { customerNo: unknown }, { loaders }: Context) => {
      const row = await loaders.customerByNo.load(parseBusinessNumber(customerNo, 'customerNo', BUSINESS_NUMBERS.customerNo));
      return row ? customerRecord(row) : null;
    },
    customers: async (_root: unknown, { first, after, filter }: CustomersArgs, { loaders }: Context): Promise<CustomerConnectionRecord> => {
      const pageSize = readPageSize(first, 'first');
      const afterId = decodeCursor(after, 'after');
      const criteria = await criteriaFromFilter(filter, loaders);
      if (!criteria) return customerConnection([], pageSize, afterId !== undefined, async () => 0);
      const rows = await loaders.customerSearch.page(criteria, afterId, pageSize + 1);
      return customerConnection(rows, pageSize, afterId !== undefined, () => loaders.customerSearch.count(criteria));
    },
    branch: (_root: unknown, { id }: IdArgs, { loaders }: Context) => loadBranch(loaders, parseEntityId(id, 'id')),
    branches: async (_root: unknown, _args: NoArgs, { loaders }: Context) => (await loaders.allBranches()).map(branchRecord),
    staff: (_root: unknown, { id }: IdArgs, { loaders }: Context) => loadStaff(loaders, parseEntityId(id, 'id')),
    customerManager: (_root: unknown, { id }: IdArgs, { loaders }: Context) => loadManager(loaders, parseEntityId(id, 'id')),
  },

  CustomerConnection: {
    totalCount: (connection: CustomerConnectionRecord) => connection.countTotal(),
  },

  Customer: {
    __resolveReference: (reference: EntityReference, { loaders }: Context) => loadCustomer(loaders, parseEntityId(reference.id, REPRESENTATION_ARGUMENT)),
    addresses: async (customer: Scoped<CustomerRecord>, _args: NoArgs, { loaders }: Context): Promise<Scoped<AddressRecord>[]> => {
      const rows = await loaders.addressesByCustomer.load(customer.id);
      return rows.map((row) => addressRecord(row, inheritedScope(customer)));
    },
    household: async (customer: Scoped<CustomerRecord>, _args: NoArgs, { loaders }: Context): Promise<Scoped<HouseholdRecord> | null> =>
      householdRecord(await loaders.householdMembersByCustomer.load(customer.id), inheritedScope(customer)),
    businessProfile: async (customer: Scoped<CustomerRecord>, _args: NoArgs, { loaders }: Context): Promise<Scoped<BusinessProfileRecord> | null> => {
      if (customer.kind !== 'ORGANISATION') return null;
      const row = await loaders.businessProfileByCustomer.load(customer.id);
      return row ? businessProfileRecord(row, inheritedScope(customer)) : null;
    },
    branch: (customer: Scoped<CustomerRecord>, _args: NoArgs, { loaders }: Context) => loadBranch(loaders, customer.branchId),
    primaryManager: (customer: Scoped<CustomerRecord>, _args: NoArgs, { loaders }: Context) => loadManager(loaders, customer.primaryManagerStaffId),
    managerAssignments: async (customer: Scoped<CustomerRecord>, _args: NoArgs, { loaders }: Context): Promise<Scoped<ManagerAssignmentRecord>[]> => {
      const rows = await loaders.managerAssignmentsByCustomer.load(customer.id);
      return rows.map((row) => managerAssignmentRecord(row, inheritedScope(customer)));
    },
    blacklistEntries: async (customer: Scoped<CustomerRecord>, _args: NoArgs, { loaders }: Context): Promise<Scoped<BlacklistEntryRecord>[]> => {
      const rows = await loaders.blacklistEntriesByCustomer.load(customer.id);
      return rows.map((row) => blacklistEntryRecord(row, inheritedScope(customer)));
    },
    visitReports: async (customer: Scoped<CustomerRecord>, _args: NoArgs, { loaders }: Context): Promise<Scoped<VisitReportRecord>[]> => {
      const rows = await loaders.visitReportsByCustomer.load(customer.id);
      return rows.map((row) => visitReportRecord(row, inheritedScope(customer)));
    },
    pendingChangeRequests: async (customer: Scoped<CustomerRecord>, _args: NoArgs, { loaders }: Context): Promise<Scoped<ChangeRequestRecord>[]> => {
      const rows = await loaders.pendingChangeRequestsByCustomer.load(customer.id);
      return rows.map((row) => changeRequestRecord(row, inheritedScope(customer)));
    },
  },

  BusinessProfile: {
    groupParent: (profile: Scoped<BusinessProfileRecord>, _args: NoArgs, { loaders }: Context) => loadCustomer(loaders, profile.groupParentCustomerId),
  },

  Branch: {
    __resolveReference: (reference: EntityReference, { loaders }: Context) => loadBranch(loaders, parseEntityId(reference.id, REPRESENTATION_ARGUMENT)),
    parent: (branch: Scoped<BranchRecord>, _args: NoArgs, { loaders }: Context) => loadBranch(loaders, branch.parentId),
    children: async (branch: Scoped<BranchRecord>, _args: NoArgs, { loaders }: Context) => (await loaders.branchChildren.load(branch.id)).map(branchRecord),
  },

  Staff: {
    __resolveReference: (reference: EntityReference, { loaders }: Context) => loadStaff(loaders, parseEntityId(reference.id, REPRESENTATION_ARGUMENT)),
    branch: (staff: Scoped<StaffRecord>, _args: NoArgs, { loaders }: Context) => loadBranch(loaders, staff.branchId),
  },

  CustomerManager: {
    __resolveReference: (reference: EntityReference, { loaders }: Context) => loadManager(loaders, parseEntityId(reference.id, REPRESENTATION_ARGUMENT)),
    gradeHistory: async (manager: Scoped<CustomerManagerRecord>, _args: NoArgs, { loaders }: Context): Promise<Scoped<GradeCertificationRecord>[]> => {
      const rows = await loaders.gradeHistoryByStaff.load(manager.id);
      return rows.map((row) => gradeCertificationRecord(row, inheritedScope(manager)));
    },
    portfolio: async (manager: Scoped<CustomerManagerRecord>, { first, after }: PageArgs, { loaders }: Context): Promise<CustomerConnectionRecord> => {
      const pageSize = readPageSize(first, 'first');
      const afterId = decodeCursor(after, 'after');
      const rows = await loaders.portfolioPage.load({ managerStaffId: manager.id, afterId, limit: pageSize + 1 });
      return customerConnection(rows, pageSize, afterId !== undefined, () => loaders.portfolioSize.load(manager.id));
    },
  },

  GradeCertification: {
    approvedByBranch: (certification: Scoped<GradeCertificationRecord>, _args: NoArgs, { loaders }: Context) => loadBranch(loaders, certification.approvedByBranchId),
  },

  ManagerAssignment: {
    manager: (assignment: Scoped<ManagerAssignmentRecord>, _args: NoArgs, { loaders }: Context) => loadManager(loaders, assignment.managerStaffId),
  },

  VisitReport: {
    manager: (report: Scoped<VisitReportRecord>, _args: NoArgs, { loaders }: Context) => loadManager(loaders, report.managerStaffId),
  },

  BlacklistEntry: {
    proposedBy: (entry: Scoped<BlacklistEntryRecord>, _args: NoArgs, { loaders }: Context) => loadStaff(loaders, entry.proposedByStaffId),
    approvedBy: (entry: Scoped<BlacklistEntryRecord>, _args: NoArgs, { loaders }: Context) => loadStaff(loaders, entry.approvedByStaffId),
  },

  CustomerChangeRequest: {
    submittedBy: (request: Scoped<ChangeRequestRecord>, _args: NoArgs, { loaders }: Context) => loadStaff(loaders, request.submittedByStaffId),
    reviewedBy: (request: Scoped<ChangeRequestRecord>, _args: NoArgs, { loaders }: Context) => loadStaff(loaders, request.reviewedByStaffId),
  },
};
