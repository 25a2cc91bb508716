import { tableGroupLoader, tableRowLoader, type DataLoader, type Knex } from '@icg/shared';
import type { EarlyWarningRow } from './records';

type Key = string | number;

/** One set per request: every lookup is batched into one `WHERE … IN (…)` per table and tick. */
export interface InsightsLoaders {
  earlyWarningByNumber: DataLoader<Key, EarlyWarningRow | null, string>;
  earlyWarningsByCustomerId: DataLoader<Key, EarlyWarningRow[], string>;
}

const newestFirst = (query: Knex.QueryBuilder): Knex.QueryBuilder =>
  query.orderBy([
    { column: 'opened_at', order: 'desc' },
    { column: 'id', order: 'desc' },
  ]);

export function createLoaders(db: Knex): InsightsLoaders {
  return {
    earlyWarningByNumber: tableRowLoader<EarlyWarningRow>(db, 'early_warnings', 'early_warning_no'),
    earlyWarningsByCustomerId: tableGroupLoader<EarlyWarningRow>(db, 'early_warnings', 'customer_id', newestFirst),
  };
}
