import { DataLoader, selectWhereIn, tableGroupLoader, tableRowLoader, type Knex } from '@icg/shared';
import { countsServe, CUSTOMER_COUNTS_TABLE } from './customer-counts';
import {
  PENDING_CHANGE_REQUEST_STATUSES,
  type AddressRow,
  type BlacklistEntryRow,
  type BranchRow,
  type BusinessProfileRow,
  type ChangeRequestRow,
  type CustomerKind,
  type CustomerRow,
  type CustomerVersionRow,
  type GradeHistoryRow,
  type HouseholdMemberRow,
  type ManagerAssignmentRow,
  type StaffRow,
  type VisitReportRow,
} from './records';
import { createWorkflowLoaders, type WorkflowLoaders } from './workflow-loaders';

type Key = string | number;

/** What a customer search may filter on: business facts only (the INTERNAL fields). */
export interface CustomerCriteria {
  kind?: CustomerKind;
  /** The branch's own path: the branch and its whole subtree match. */
  branchPath?: string;
  primaryManagerStaffId?: string;
  blacklisted?: boolean;
  customerSinceFrom?: string;
  customerSinceTo?: string;
}

/** One page of one manager's portfolio: keyset after `afterId`, `limit` rows. */
export interface PortfolioPageKey {
  managerStaffId: string;
  afterId: string | undefined;
  limit: number;
}

/** The manager and blacklist workflows' loaders are part of the set (workflow-loaders.ts). */
export interface CustomersLoaders extends WorkflowLoaders {
  customerById: DataLoader<Key, CustomerRow | null, string>;
  customerByNo: DataLoader<Key, CustomerRow | null, string>;
  branchById: DataLoader<Key, BranchRow | null, string>;
  branchChildren: DataLoader<Key, BranchRow[], string>;
  staffById: DataLoader<Key, StaffRow | null, string>;
  gradeHistoryByStaff: DataLoader<Key, GradeHistoryRow[], string>;
  addressesByCustomer: DataLoader<Key, AddressRow[], string>;
  householdMembersByCustomer: DataLoader<Key, HouseholdMemberRow[], string>;
  businessProfileByCustomer: DataLoader<Key, BusinessProfileRow | null, string>;
  managerAssignmentsByCustomer: DataLoader<Key, ManagerAssignmentRow[], string>;
  visitReportsByCustomer: DataLoader<Key, VisitReportRow[], string>;
  blacklistEntriesByCustomer: DataLoader<Key, BlacklistEntryRow[], string>;
  pendingChangeRequestsByCustomer: DataLoader<Key, ChangeRequestRow[], string>;
  changeRequestById: DataLoader<Key, ChangeRequestRow | null, string>;
  versionsByCustomer: DataLoader<Key, CustomerVersionRow[], string>;
  portfolioPage: DataLoader<PortfolioPageKey, CustomerRow[], string>;
  portfolioSize: DataLoader<Key, number, string>;
  /** The root customer search; one statement per call, never per customer. */
  customerSearch: {
    page(criteria: CustomerCriteria, afterId: string | undefined, limit: number): Promise<CustomerRow[]>;
    count(criteria: CustomerCriteria): Promise<number>;
  };
  allBranches(): Promise<BranchRow[]>;
}

/**
 * Every path under `path` sorts in [path, path with its final "/" raised to "0"): a range an index
 * serves on both dialects, where SQLite would not use one for LIKE 'prefix%'.
 */
function whereInSubtree(query: Knex.QueryBuilder, column: string, path: string): Knex.QueryBuilder {
  return query.where(column, '>=', path).andWhere(column, '<', `${path.slice(0, -1)}0`);
}

/** The criteria on `table`: the customers, or their counts (customer-counts.ts), which share the columns it serves. */
function applyCriteria(query: Knex.QueryBuilder, criteria: CustomerCriteria, table = 'customers'): Knex.QueryBuilder {
  if (criteria.kind !== undefined) query.where(`${table}.kind`, criteria.kind);
  if (criteria.branchPath !== undefined) whereInSubtree(query, `${table}.branch_path`, criteria.branchPath);
  if (criteria.primaryManagerStaffId !== undefined) query.where(`${table}.customer_manager_staff_id`, criteria.primaryManagerStaffId);
  if (criteria.blacklisted !== undefined) query.where(`${table}.blacklisted`, criteria.blacklisted ? 1 : 0);
  if (criteria.customerSinceFrom !== undefined) query.where(`${table}.customer_since`, '>=', criteria.customerSinceFrom);
  if (criteria.customerSinceTo !== undefined) query.where(`${table}.customer_since`, '<=', criteria.customerSinceTo);
  return query;
}

/**
 * Pages of several managers' portfolios in one statement per distinct (after, limit): rows are
 * numbered per manager with a window function (SQLite ≥ 3.25, MySQL 8, MariaDB 10.2) and cut at the limit.
 */
function portfolioPageLoader(db: Knex): DataLoader<PortfolioPageKey, CustomerRow[], string> {
  const pageOf = (managerStaffId: Key, afterId: string | undefined, limit: number) => `${managerStaffId}|${afterId ?? ''}|${limit}`;
  return new DataLoader<PortfolioPageKey, CustomerRow[], string>(
    async (keys) => {
      const pages = new Map<string, CustomerRow[]>();
      const managersByPageShape = new Map<string, { afterId: string | undefined; limit: number; managerStaffIds: string[] }>();
      for (const { managerStaffId, afterId, limit } of keys) {
        const shape = pageOf('', afterId, limit);
        const group = managersByPageShape.get(shape) ?? { afterId, limit, managerStaffIds: [] };
        group.managerStaffIds.push(managerStaffId);
        managersByPageShape.set(shape, group);
      }
      for (const { afterId, limit, managerStaffIds } of managersByPageShape.values()) {
        const rows = await selectWhereIn<CustomerRow & { portfolio_rank: number }>(db, 'customers', 'customer_manager_staff_id', managerStaffIds, (query) => {
          const ranked = query.rowNumber('portfolio_rank', 'customers.id', 'customers.customer_manager_staff_id');
          if (afterId !== undefined) ranked.where('customers.id', '>', afterId);
          return db
            .from(ranked.as('ranked'))
            .select('*')
            .where('portfolio_rank', '<=', limit)
            .orderBy([{ column: 'customer_manager_staff_id' }, { column: 'id' }]);
        });
        for (const { portfolio_rank: _rank, ...row } of rows) {
          const page = pageOf(row.customer_manager_staff_id!, afterId, limit);
          const pageRows = pages.get(page);
          if (pageRows) pageRows.push(row);
          else pages.set(page, [row]);
        }
      }
      return keys.map((key) => pages.get(pageOf(key.managerStaffId, key.afterId, key.limit)) ?? []);
    },
    { cacheKeyFn: (key) => pageOf(key.managerStaffId, key.afterId, key.limit), maxBatchSize: 5_000 },
  );
}

/** Portfolio sizes, one grouped count for all the managers asked about. */
function portfolioSizeLoader(db: Knex): DataLoader<Key, number, string> {
  return new DataLoader<Key, number, string>(
    async (keys) => {
      const rows = await selectWhereIn<{ customer_manager_staff_id: Key; portfolio_size: number | string }>(
        db,
        'customers',
        'customer_manager_staff_id',
        keys,
        (query) =>
          query.clearSelect().select('customers.customer_manager_staff_id').count({ portfolio_size: '*' }).groupBy('customers.customer_manager_staff_id'),
      );
      const sizes = new Map(rows.map((row) => [String(row.customer_manager_staff_id), Number(row.portfolio_size)]));
      return keys.map((key) => sizes.get(String(key)) ?? 0);
    },
    { cacheKeyFn: (key) => String(key), maxBatchSize: 5_000 },
  );
}

/** One loader set per request, so batching and caching never cross requests. */
export function createLoaders(db: Knex): CustomersLoaders {
  return {
    ...createWorkflowLoaders(db),
    customerById: tableRowLoader<CustomerRow>(db, 'customers', 'id'),
    customerByNo: tableRowLoader<CustomerRow>(db, 'customers', 'customer_no'),
    branchById: tableRowLoader<BranchRow>(db, 'branches', 'id'),
    branchChildren: tableGroupLoader<BranchRow>(db, 'branches', 'parent_id', (query) => query.orderBy('branches.id')),
    staffById: tableRowLoader<StaffRow>(db, 'staff', 'id'),
    gradeHistoryByStaff: tableGroupLoader<GradeHistoryRow>(db, 'manager_grade_history', 'staff_id', (query) => query.orderBy('manager_grade_history.year')),
    addressesByCustomer: tableGroupLoader<AddressRow>(db, 'customer_addresses', 'customer_id', (query) => query.orderBy('customer_addresses.kind')),
    householdMembersByCustomer: tableGroupLoader<HouseholdMemberRow>(db, 'household_members', 'customer_id', (query) =>
      query.orderBy('household_members.member_no'),
    ),
    businessProfileByCustomer: tableRowLoader<BusinessProfileRow>(db, 'business_profiles', 'customer_id'),
    managerAssignmentsByCustomer: tableGroupLoader<ManagerAssignmentRow>(db, 'manager_assignments', 'customer_id', (query) =>
      query.orderBy([{ column: 'manager_assignments.assigned_from' }, { column: 'manager_assignments.id' }]),
    ),
    visitReportsByCustomer: tableGroupLoader<VisitReportRow>(db, 'visit_reports', 'customer_id', (query) => query.orderBy('visit_reports.month', 'desc')),
    blacklistEntriesByCustomer: tableGroupLoader<BlacklistEntryRow>(db, 'blacklist_entries', 'customer_id', (query) =>
      query.orderBy([{ column: 'blacklist_entries.proposed_at' }, { column: 'blacklist_entries.id' }]),
    ),
    pendingChangeRequestsByCustomer: tableGroupLoader<ChangeRequestRow>(db, 'customer_change_requests', 'customer_id', (query) =>
      query
        .whereIn('customer_change_requests.status', PENDING_CHANGE_REQUEST_STATUSES as string[])
        .orderBy([{ column: 'customer_change_requests.submitted_at' }, { column: 'customer_change_requests.id' }]),
    ),
    changeRequestById: tableRowLoader<ChangeRequestRow>(db, 'customer_change_requests', 'id'),
    versionsByCustomer: tableGroupLoader<CustomerVersionRow>(db, 'customer_versions', 'customer_id', (query) => query.orderBy('customer_versions.version')),
    portfolioPage: portfolioPageLoader(db),
    portfolioSize: portfolioSizeLoader(db),
    customerSearch: {
      page: async (criteria, afterId, limit) => {
        const query = applyCriteria(db.table('customers').select('customers.*'), criteria).orderBy('customers.id').limit(limit);
        if (afterId !== undefined) query.where('customers.id', '>', afterId);
        return (await query) as CustomerRow[];
      },
      count: async (criteria) => {
        const query = countsServe(criteria)
          ? applyCriteria(db.table(CUSTOMER_COUNTS_TABLE).sum({ total: 'customers' }), criteria, CUSTOMER_COUNTS_TABLE)
          : applyCriteria(db.table('customers').count({ total: '*' }), criteria);
        const [row] = (await query) as { total: number | string | null }[];
        return Number(row?.total ?? 0);
      },
    },
    allBranches: async () => (await db.table('branches').select('*').orderBy('id')) as BranchRow[],
  };
}
