import { daysBetweenSql, runAggregate, type AggregateDefinition } from '@icg/shared';
import { CLAIM_FILTER } from './claim-connection';
import { entities } from './entities';
import type { QueryResolvers, ResolversTypes } from './generated/schema-types';

/**
 * `claimAggregates` (issue "Customer insight and BI", aggregates): one GROUP BY over `claims` in the caller's scope,
 * decided and suppressed by the shared mechanism (shared/src/aggregates, docs/access-model.md "Aggregates"). CAUSE
 * shows Claim.cause, a HEALTH fact, so that dimension is decided under its classification as well.
 */
export const CLAIM_AGGREGATES: AggregateDefinition = {
  entity: 'Claim',
  table: 'claims',
  scope: entities.Claim.scope,
  dimensions: {
    BRANCH: { kind: 'branch', pathColumn: 'branch_path', field: 'branch' },
    STATUS: { kind: 'value', column: 'status', field: 'status' },
    REPORTED_MONTH: { kind: 'month', column: 'reported_at', field: 'reportedMonth' },
    CLOSED_MONTH: { kind: 'month', column: 'closed_at', field: 'closedMonth' },
    CHANNEL: { kind: 'value', column: 'report_channel', field: 'channel' },
    CAUSE: { kind: 'value', column: 'cause', field: 'cause', reveals: 'Claim.cause' },
  },
  measures: {
    paid: { sql: () => 'claims.paid' },
    incurred: { sql: () => '(claims.paid + claims.outstanding_reserve - claims.recoveries)' },
    settlementDays: { sql: (dialect) => daysBetweenSql(dialect, 'claims.reported_at', 'claims.closed_at') },
  },
  // The root connection's ClaimFilter; the fields that select whole groups when small groups are suppressed.
  filters: {
    fields: CLAIM_FILTER,
    dimensions: {
      branchId: 'BRANCH',
      status: 'STATUS',
      reportedFrom: 'REPORTED_MONTH',
      reportedTo: 'REPORTED_MONTH',
      closedFrom: 'CLOSED_MONTH',
      closedTo: 'CLOSED_MONTH',
    },
  },
};

export const claimAggregateResolvers = {
  claimAggregates: async (_root, args, { db, policy, caller }, info) =>
    (await runAggregate(CLAIM_AGGREGATES, {
      db,
      policy,
      caller,
      schema: info.schema,
      coordinate: 'Query.claimAggregates',
      args,
    })) as unknown as ResolversTypes['ClaimAggregates'],
} satisfies Pick<QueryResolvers, 'claimAggregates'>;
