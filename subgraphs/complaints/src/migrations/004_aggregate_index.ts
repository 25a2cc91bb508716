import { aggregateIndexMigration } from '@icg/shared';

/** complaintAggregates (issue "Customer insight and BI"): the scope, its dimensions and figures in one covering index. */
export const aggregateIndex = aggregateIndexMigration('004_aggregate_index', 'complaints', [
  'branch_path',
  'category',
  'source',
  'status',
  'line_of_business',
  'registered_at',
  'accepted_at',
  'feedback_at',
]);
