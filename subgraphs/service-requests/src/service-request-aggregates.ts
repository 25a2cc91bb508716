import { daysBetweenSql, runAggregate, type AggregateDefinition } from '@icg/shared';
import { entities } from './entities';
import type { QueryResolvers, ResolversTypes } from './generated/schema-types';
import { SERVICE_REQUEST_FILTER } from './service-request-connection';

/**
 * `serviceRequestAggregates` (issue "Customer insight and BI", aggregates): one GROUP BY over `service_requests` in
 * the caller's scope, by the shared mechanism (shared/src/aggregates, docs/access-model.md "Aggregates").
 */
export const SERVICE_REQUEST_AGGREGATES: AggregateDefinition = {
  entity: 'ServiceRequest',
  table: 'service_requests',
  scope: entities.ServiceRequest.scope,
  dimensions: {
    BRANCH: { kind: 'branch', pathColumn: 'branch_path', field: 'branch' },
    TYPE: { kind: 'value', column: 'type', field: 'type' },
    CHANNEL: { kind: 'value', column: 'channel', field: 'channel' },
    STATUS: { kind: 'value', column: 'status', field: 'status' },
    MONTH: { kind: 'month', column: 'opened_at', field: 'month' },
  },
  measures: {
    handlingDays: { sql: (dialect) => daysBetweenSql(dialect, 'service_requests.opened_at', 'service_requests.resolved_at') },
  },
  // The root connection's ServiceRequestFilter; the fields that select whole groups when small groups are suppressed.
  filters: {
    fields: SERVICE_REQUEST_FILTER,
    dimensions: { branchId: 'BRANCH', type: 'TYPE', channel: 'CHANNEL', status: 'STATUS', openedFrom: 'MONTH', openedTo: 'MONTH' },
  },
};

export const serviceRequestAggregateResolvers = {
  serviceRequestAggregates: async (_root, args, { db, policy, caller }, info) =>
    (await runAggregate(SERVICE_REQUEST_AGGREGATES, {
      db,
      policy,
      caller,
      schema: info.schema,
      coordinate: 'Query.serviceRequestAggregates',
      args,
    })) as unknown as ResolversTypes['ServiceRequestAggregates'],
} satisfies Pick<QueryResolvers, 'serviceRequestAggregates'>;
