import { aggregateIndexMigration } from '@icg/shared';

/** claimAggregates (issue "Customer insight and BI"): the scope, its dimensions and figures in one covering index. */
export const aggregateIndex = aggregateIndexMigration('007_aggregate_index', 'claims', [
  'branch_path',
  'status',
  'cause',
  'report_channel',
  'reported_at',
  'closed_at',
  'paid',
  'outstanding_reserve',
  'recoveries',
]);
