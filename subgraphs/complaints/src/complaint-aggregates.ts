import { daysBetweenSql, runAggregate, type AggregateDefinition } from '@icg/shared';
import { COMPLAINT_FILTER } from './complaint-connection';
import { entities } from './entities';
import type { QueryResolvers, ResolversTypes } from './generated/schema-types';

/**
 * `complaintAggregates` (issue "Customer insight and BI", aggregates): one GROUP BY over `complaints` in the caller's
 * scope, by the shared mechanism (shared/src/aggregates, docs/access-model.md "Aggregates").
 */
export const COMPLAINT_AGGREGATES: AggregateDefinition = {
  entity: 'Complaint',
  table: 'complaints',
  scope: entities.Complaint.scope,
  dimensions: {
    BRANCH: { kind: 'branch', pathColumn: 'branch_path', field: 'branch' },
    CATEGORY: { kind: 'value', column: 'category', field: 'category' },
    SOURCE: { kind: 'value', column: 'source', field: 'source' },
    STATUS: { kind: 'value', column: 'status', field: 'status' },
    LINE_OF_BUSINESS: { kind: 'value', column: 'line_of_business', field: 'lineOfBusiness' },
    MONTH: { kind: 'month', column: 'registered_at', field: 'month' },
  },
  measures: {
    resolutionDays: { sql: (dialect) => daysBetweenSql(dialect, 'complaints.accepted_at', 'complaints.feedback_at') },
  },
  // The root connection's ComplaintFilter; the fields that select whole groups when small groups are suppressed.
  filters: {
    fields: COMPLAINT_FILTER,
    dimensions: {
      branchId: 'BRANCH',
      category: 'CATEGORY',
      source: 'SOURCE',
      status: 'STATUS',
      lineOfBusiness: 'LINE_OF_BUSINESS',
      registeredFrom: 'MONTH',
      registeredTo: 'MONTH',
    },
  },
};

export const complaintAggregateResolvers = {
  complaintAggregates: async (_root, args, { db, policy, caller }, info) =>
    (await runAggregate(COMPLAINT_AGGREGATES, {
      db,
      policy,
      caller,
      schema: info.schema,
      coordinate: 'Query.complaintAggregates',
      args,
    })) as unknown as ResolversTypes['ComplaintAggregates'],
} satisfies Pick<QueryResolvers, 'complaintAggregates'>;
