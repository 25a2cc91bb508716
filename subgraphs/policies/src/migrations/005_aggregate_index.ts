import { aggregateIndexMigration } from '@icg/shared';

/** policyAggregates (issue "Customer insight and BI"): the scope, its dimensions and figures in one covering index. */
export const aggregateIndex = aggregateIndexMigration('005_aggregate_index', 'policies', [
  'branch_path',
  'line_of_business',
  'status',
  'channel',
  'effective_date',
  'expiry_date',
  'written_premium',
]);
