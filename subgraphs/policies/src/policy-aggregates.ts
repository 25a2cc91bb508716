import { daysBetweenSql, runAggregate, type AggregateDefinition } from '@icg/shared';
import { entities } from './entities';
import type { QueryResolvers, ResolversTypes } from './generated/schema-types';
import { POLICY_FILTER } from './policy-connection';

/**
 * `policyAggregates` (issue "Customer insight and BI", aggregates): one GROUP BY over `policies` in the caller's
 * scope, decided and suppressed by the shared mechanism (shared/src/aggregates, docs/access-model.md "Aggregates").
 */
export const POLICY_AGGREGATES: AggregateDefinition = {
  entity: 'Policy',
  table: 'policies',
  scope: entities.Policy.scope,
  dimensions: {
    BRANCH: { kind: 'branch', pathColumn: 'branch_path', field: 'branch' },
    LINE_OF_BUSINESS: { kind: 'value', column: 'line_of_business', field: 'lineOfBusiness' },
    STATUS: { kind: 'value', column: 'status', field: 'status' },
    CHANNEL: { kind: 'value', column: 'channel', field: 'channel' },
    EFFECTIVE_MONTH: { kind: 'month', column: 'effective_date', field: 'effectiveMonth' },
  },
  measures: {
    writtenPremium: { sql: () => 'policies.written_premium' },
    termDays: { sql: (dialect) => daysBetweenSql(dialect, 'policies.effective_date', 'policies.expiry_date') },
  },
  // The root connection's PolicyFilter; the fields that select whole groups when small groups are suppressed.
  filters: {
    fields: POLICY_FILTER,
    dimensions: { branchId: 'BRANCH', lineOfBusiness: 'LINE_OF_BUSINESS', status: 'STATUS', effectiveFrom: 'EFFECTIVE_MONTH', effectiveTo: 'EFFECTIVE_MONTH' },
  },
};

export const policyAggregateResolvers = {
  policyAggregates: async (_root, args, { db, policy, caller }, info) =>
    (await runAggregate(POLICY_AGGREGATES, {
      db,
      policy,
      caller,
      schema: info.schema,
      coordinate: 'Query.policyAggregates',
      args,
    })) as unknown as ResolversTypes['PolicyAggregates'],
} satisfies Pick<QueryResolvers, 'policyAggregates'>;
