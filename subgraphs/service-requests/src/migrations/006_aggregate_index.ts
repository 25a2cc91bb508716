import { aggregateIndexMigration } from '@icg/shared';

/** serviceRequestAggregates (issue "Customer insight and BI"): the scope, its dimensions and figures in one covering index. */
export const aggregateIndex = aggregateIndexMigration('006_aggregate_index', 'service_requests', [
  'branch_path',
  'type',
  'channel',
  'status',
  'opened_at',
  'resolved_at',
]);
