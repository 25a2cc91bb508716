import { badUserInput, decodeCursor, parseBusinessNumber, parseEntityId, readPageSize, sqlTimestamp } from '@icg/shared';
import type { CustomerInsightFilter, EarlyWarningFilter, Resolvers } from './generated/schema-types';
import type { CustomerInsightCriteria, EarlyWarningCriteria } from './loaders';
import { customerInsightConnection, customerInsightRecord, earlyWarningConnection, earlyWarningRecord, type EarlyWarningRow } from './records';
import { insightRules } from './rules-in-force';
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

/** A band name of one of the rules' segmentations (its bands and its other band), else BAD_USER_INPUT naming the field. */
function bandOf(segment: 'value' | 'contribution' | 'loyalty', given: string, argumentName: string): string {
  const { bands, otherBand } = insightRules.segmentation[segment];
  const names = [...bands.map((band) => band.name), otherBand];
  if (!names.includes(given)) throw badUserInput(argumentName, `must be one of the rules' ${segment} bands: ${names.join(', ')}`);
  return given;
}

function insightCriteriaFromFilter(filter: CustomerInsightFilter | null | undefined): CustomerInsightCriteria {
  const criteria: CustomerInsightCriteria = {};
  if (!filter) return criteria;
  if (filter.classification) criteria.classification = filter.classification;
  if (filter.large !== null && filter.large !== undefined) criteria.large = filter.large;
  if (filter.blacklisted !== null && filter.blacklisted !== undefined) criteria.blacklisted = filter.blacklisted;
  if (filter.valueSegment != null) criteria.valueSegment = bandOf('value', filter.valueSegment, 'filter.valueSegment');
  if (filter.contributionSegment != null) criteria.contributionSegment = bandOf('contribution', filter.contributionSegment, 'filter.contributionSegment');
  if (filter.loyaltySegment != null) criteria.loyaltySegment = bandOf('loyalty', filter.loyaltySegment, 'filter.loyaltySegment');
  if (filter.branchId !== null && filter.branchId !== undefined) criteria.branchId = parseEntityId(filter.branchId, 'filter.branchId');
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
    async customerInsights(_root, { first, after, filter }, { loaders }) {
      const pageSize = readPageSize(first, 'first');
      const afterCustomerId = decodeCursor(after, 'after');
      const criteria = insightCriteriaFromFilter(filter);
      const rows = await loaders.customerInsightSearch.page(criteria, afterCustomerId, pageSize + 1);
      return customerInsightConnection(rows, pageSize, afterCustomerId !== undefined, () => loaders.customerInsightSearch.count(criteria));
    },
  },

  CustomerInsightConnection: {
    totalCount: (connection) => connection.countTotal(),
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
