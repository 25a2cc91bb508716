import { tableGroupLoader, tableRowLoader, type DataLoader, type Knex } from '@icg/shared';
import type { CustomerInsightRow, EarlyWarningRow, EarlyWarningStatus } from './read-model';

type Key = string | number;

/** What the root connection filters on, already validated. */
export interface EarlyWarningCriteria {
  status?: EarlyWarningStatus;
  kind?: string;
  level?: string;
  /** A branch's id: its warnings and those of every branch below it. */
  branchId?: string;
  /** `YYYY-MM-DD HH:MM:SS` UTC. */
  raisedSince?: string;
}

/** What the customer insights connection filters on, already validated (band names are the rules'). */
export interface CustomerInsightCriteria {
  classification?: string;
  large?: boolean;
  blacklisted?: boolean;
  valueSegment?: string;
  contributionSegment?: string;
  loyaltySegment?: string;
  /** A branch's id: insights of customers of it and of every branch below it. */
  branchId?: string;
}

/** One set per request: every lookup is batched into one `WHERE … IN (…)` per table and tick. */
export interface InsightsLoaders {
  earlyWarningByNumber: DataLoader<Key, EarlyWarningRow | null, string>;
  earlyWarningsByCustomerId: DataLoader<Key, EarlyWarningRow[], string>;
  insightByCustomerId: DataLoader<Key, CustomerInsightRow | null, string>;
  earlyWarningSearch: {
    page(criteria: EarlyWarningCriteria, afterId: string | undefined, limit: number): Promise<EarlyWarningRow[]>;
    count(criteria: EarlyWarningCriteria): Promise<number>;
  };
  customerInsightSearch: {
    page(criteria: CustomerInsightCriteria, afterCustomerId: string | undefined, limit: number): Promise<CustomerInsightRow[]>;
    count(criteria: CustomerInsightCriteria): Promise<number>;
  };
}

const newestFirst = (query: Knex.QueryBuilder): Knex.QueryBuilder =>
  query.orderBy([
    { column: 'raised_at', order: 'desc' },
    { column: 'id', order: 'desc' },
  ]);

/**
 * The subtree of a branch known by its id: branch paths are ids joined by slashes, so the branch's own path is the
 * prefix up to its id in any path that holds it; every path under it sorts in [path, path with its final "/" raised
 * to "0"), a range an index serves on both dialects. Undefined when no warning lies under that branch.
 */
async function subtreeOf(db: Knex, table: 'early_warnings' | 'customer_insights', branchId: string): Promise<string | undefined> {
  const segment = `/${branchId}/`;
  const row = (await db(table).where('branch_path', 'like', `%${segment}%`).first('branch_path')) as { branch_path: string } | undefined;
  if (row === undefined) return undefined;
  return row.branch_path.slice(0, row.branch_path.indexOf(segment) + segment.length);
}

/**
 * The criteria applied to a query (`subtree`: the branch filter's path, resolved before). Synchronous on purpose: a
 * query builder is thenable, so an async function returning one would run it.
 */
function applyCriteria(query: Knex.QueryBuilder, criteria: EarlyWarningCriteria, subtree: string | undefined): Knex.QueryBuilder {
  if (criteria.status !== undefined) query.where('status', criteria.status);
  if (criteria.kind !== undefined) query.where('kind', criteria.kind);
  if (criteria.level !== undefined) query.where('level', criteria.level);
  if (criteria.raisedSince !== undefined) query.where('raised_at', '>=', criteria.raisedSince);
  return inSubtree(query, subtree);
}

function inSubtree(query: Knex.QueryBuilder, subtree: string | undefined): Knex.QueryBuilder {
  if (subtree !== undefined) query.where('branch_path', '>=', subtree).andWhere('branch_path', '<', `${subtree.slice(0, -1)}0`);
  return query;
}

/** The customer insights connection's criteria applied to a query (synchronous, as applyCriteria). */
function applyInsightCriteria(query: Knex.QueryBuilder, criteria: CustomerInsightCriteria, subtree: string | undefined): Knex.QueryBuilder {
  if (criteria.classification !== undefined) query.where('classification', criteria.classification);
  if (criteria.large !== undefined) query.where('large', criteria.large);
  if (criteria.blacklisted !== undefined) query.where('blacklisted', criteria.blacklisted);
  if (criteria.valueSegment !== undefined) query.where('value_segment', criteria.valueSegment);
  if (criteria.contributionSegment !== undefined) query.where('contribution_segment', criteria.contributionSegment);
  if (criteria.loyaltySegment !== undefined) query.where('loyalty_segment', criteria.loyaltySegment);
  return inSubtree(query, subtree);
}

/** The branch filter's subtree path; null when the filter names a branch no row of the table lies under (nothing matches). */
async function subtreeFor(db: Knex, table: 'early_warnings' | 'customer_insights', branchId: string | undefined): Promise<string | undefined | null> {
  if (branchId === undefined) return undefined;
  return (await subtreeOf(db, table, branchId)) ?? null;
}

export function createLoaders(db: Knex): InsightsLoaders {
  return {
    earlyWarningByNumber: tableRowLoader<EarlyWarningRow>(db, 'early_warnings', 'early_warning_no'),
    earlyWarningsByCustomerId: tableGroupLoader<EarlyWarningRow>(db, 'early_warnings', 'customer_id', newestFirst),
    insightByCustomerId: tableRowLoader<CustomerInsightRow>(db, 'customer_insights', 'customer_id'),
    earlyWarningSearch: {
      // Keyset on the id: a page after any cursor is one index range, whichever page it is.
      page: async (criteria, afterId, limit) => {
        const subtree = await subtreeFor(db, 'early_warnings', criteria.branchId);
        if (subtree === null) return [];
        const query = applyCriteria(db.table('early_warnings').select('*'), criteria, subtree);
        if (afterId !== undefined) query.where('id', '>', afterId);
        return (await query.orderBy('id').limit(limit)) as EarlyWarningRow[];
      },
      count: async (criteria) => {
        const subtree = await subtreeFor(db, 'early_warnings', criteria.branchId);
        if (subtree === null) return 0;
        const [row] = (await applyCriteria(db.table('early_warnings').count({ total: '*' }), criteria, subtree)) as { total: number | string }[];
        return Number(row?.total ?? 0);
      },
    },
    customerInsightSearch: {
      // Keyset on the customer id (the primary key): any page is one index range, whichever page it is.
      page: async (criteria, afterCustomerId, limit) => {
        const subtree = await subtreeFor(db, 'customer_insights', criteria.branchId);
        if (subtree === null) return [];
        const query = applyInsightCriteria(db.table('customer_insights').select('*'), criteria, subtree);
        if (afterCustomerId !== undefined) query.where('customer_id', '>', afterCustomerId);
        return (await query.orderBy('customer_id').limit(limit)) as CustomerInsightRow[];
      },
      count: async (criteria) => {
        const subtree = await subtreeFor(db, 'customer_insights', criteria.branchId);
        if (subtree === null) return 0;
        const [row] = (await applyInsightCriteria(db.table('customer_insights').count({ total: '*' }), criteria, subtree)) as {
          total: number | string;
        }[];
        return Number(row?.total ?? 0);
      },
    },
  };
}
