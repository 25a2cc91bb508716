import { tableGroupLoader, tableRowLoader, type DataLoader, type Knex } from '@icg/shared';
import type { LineOfBusiness, PolicyStatus } from './domain';
import type { CoverageRow, InsuredObjectRow, ParticipantRow, PolicyRow, ReminderRow } from './records';

type Key = string | number;
type RowLoader<Row> = DataLoader<Key, Row | null, string>;
type GroupLoader<Row> = DataLoader<Key, Row[], string>;

export interface PolicyFilter {
  status?: PolicyStatus | null;
  lineOfBusiness?: LineOfBusiness | null;
}

export interface PolicyLoaders {
  policyById: RowLoader<PolicyRow>;
  policyByNo: RowLoader<PolicyRow>;
  /** The policy whose prior policy is the key (a policy number). */
  renewalOf: RowLoader<PolicyRow>;
  /** A customer's policies, newest first; one loader per distinct filter so each filter is one statement. */
  policiesOfCustomer(filter: PolicyFilter): GroupLoader<PolicyRow>;
  participantsOfPolicy: GroupLoader<ParticipantRow>;
  coveragesOfPolicy: GroupLoader<CoverageRow>;
  insuredObjectsOfPolicy: GroupLoader<InsuredObjectRow>;
  remindersOfPolicy: GroupLoader<ReminderRow>;
}

const inIdOrder = (query: Knex.QueryBuilder, table: string) => query.orderBy(`${table}.id`, 'asc');

function customerPolicyLoaders(db: Knex): (filter: PolicyFilter) => GroupLoader<PolicyRow> {
  const byFilter = new Map<string, GroupLoader<PolicyRow>>();
  return (filter) => {
    const key = `${filter.status ?? '*'}|${filter.lineOfBusiness ?? '*'}`;
    let loader = byFilter.get(key);
    if (!loader) {
      loader = tableGroupLoader<PolicyRow>(db, 'policies', 'customer_id', (query) => {
        if (filter.status) query.where('policies.status', filter.status);
        if (filter.lineOfBusiness) query.where('policies.line_of_business', filter.lineOfBusiness);
        return query.orderBy([
          { column: 'policies.effective_date', order: 'desc' },
          { column: 'policies.id', order: 'desc' },
        ]);
      });
      byFilter.set(key, loader);
    }
    return loader;
  };
}

/** One loader set per request: every reference and child list is fetched with one `WHERE … IN` per batch. */
export function createLoaders(db: Knex): PolicyLoaders {
  return {
    policyById: tableRowLoader<PolicyRow>(db, 'policies', 'id'),
    policyByNo: tableRowLoader<PolicyRow>(db, 'policies', 'policy_no'),
    renewalOf: tableRowLoader<PolicyRow>(db, 'policies', 'prior_policy_no'),
    policiesOfCustomer: customerPolicyLoaders(db),
    participantsOfPolicy: tableGroupLoader<ParticipantRow>(db, 'policy_participants', 'policy_id', (query) => inIdOrder(query, 'policy_participants')),
    coveragesOfPolicy: tableGroupLoader<CoverageRow>(db, 'policy_coverages', 'policy_id', (query) => inIdOrder(query, 'policy_coverages')),
    insuredObjectsOfPolicy: tableGroupLoader<InsuredObjectRow>(db, 'insured_objects', 'policy_id', (query) => inIdOrder(query, 'insured_objects')),
    remindersOfPolicy: tableGroupLoader<ReminderRow>(db, 'renewal_reminders', 'policy_id', (query) => inIdOrder(query, 'renewal_reminders')),
  };
}
