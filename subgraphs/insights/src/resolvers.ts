import { badUserInput, decodeCursor, parseBusinessNumber, parseEntityId, readPageSize, sqlTimestamp } from '@icg/shared';
import type { EarlyWarningFilter, Resolvers } from './generated/schema-types';
import type { EarlyWarningCriteria } from './loaders';
import { customerInsightRecord, earlyWarningConnection, earlyWarningRecord, type EarlyWarningRow } from './records';
import { EARLY_WARNING_NUMBER } from './warning-numbers';
import { warningMutations } from './warning-mutations';
import { metricsQueryResolvers } from './metrics-query';

export { EARLY_WARNING_NUMBER } from './warning-numbers';

const recordOrNull = (row: EarlyWarningRow | null) => (row ? earlyWarningRecord(row) : null);

/** An ISO 8601 instant (with a zone: Z or ±hh:mm) as the store's UTC DATETIME text. */
function parseInstant(value: string, argumentName: string): string {
  const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw badUserInput(argumentName, 'must be an ISO 8601 instant such as 2026-12-01T00:00:00Z');
  return sqlTimestamp(new Date(time));
}

function criteriaFromFilter(filter: EarlyWarningFilter | null | undefined): EarlyWarningCriteria {
  const criteria: EarlyWarningCriteria = {};
  if (!filter) return criteria;
  if (filter.status) criteria.status = filter.status;
  if (filter.kind) criteria.kind = filter.kind;
  if (filter.level) criteria.level = filter.level;
  if (filter.branchId !== null && filter.branchId !== undefined) criteria.branchId = parseEntityId(filter.branchId, 'filter.branchId');
  if (filter.raisedSince !== null && filter.raisedSince !== undefined) criteria.raisedSince = parseInstant(filter.raisedSince, 'filter.raisedSince');
  return criteria;
}

// Checked against the types generated from schema.graphql (parents are the records records.ts builds).
export const resolvers = {
  Query: {
    ...metricsQueryResolvers,
    async earlyWarning(_root, args, { loaders }) {
      return recordOrNull(await loaders.earlyWarningByNumber.load(parseBusinessNumber(args.earlyWarningNo, 'earlyWarningNo', EARLY_WARNING_NUMBER)));
    },
    async earlyWarnings(_root, { first, after, filter }, { loaders }) {
      const pageSize = readPageSize(first, 'first');
      const afterId = decodeCursor(after, 'after');
      const criteria = criteriaFromFilter(filter);
      const rows = await loaders.earlyWarningSearch.page(criteria, afterId, pageSize + 1);
      return earlyWarningConnection(rows, pageSize, afterId !== undefined, () => loaders.earlyWarningSearch.count(criteria));
    },
  },

  Mutation: {
    ...warningMutations,
  },

  EarlyWarningConnection: {
    totalCount: (connection) => connection.countTotal(),
  },

  EarlyWarning: {
    async __resolveReference(reference, { loaders }) {
      return recordOrNull(await loaders.earlyWarningByNumber.load(parseBusinessNumber(reference.earlyWarningNo, 'earlyWarningNo', EARLY_WARNING_NUMBER)));
    },
  },

  CustomerInsight: {
    async __resolveReference(reference, { loaders }) {
      const row = await loaders.insightByCustomerId.load(parseEntityId(reference.customerId, 'representations'));
      return row ? customerInsightRecord(row) : null;
    },
  },

  // Every customer resolves (with no insight, null; with no warnings, an empty list): null would drop this
  // subgraph's fields of it.
  Customer: {
    __resolveReference(reference) {
      return { id: parseEntityId(reference.id, 'representations') };
    },
    async insight(customer, _args, { loaders }) {
      const row = await loaders.insightByCustomerId.load(customer.id);
      return row ? customerInsightRecord(row) : null;
    },
    async earlyWarnings(customer, { status }, { loaders }) {
      const rows = await loaders.earlyWarningsByCustomerId.load(customer.id);
      return rows.filter((row) => !status || row.status === status).map(earlyWarningRecord);
    },
  },
} satisfies Resolvers;
