import { parseBusinessNumber, parseEntityId, type BusinessNumberFormat } from '@icg/shared';
import type { Resolvers } from './generated/schema-types';
import { earlyWarningRecord, type EarlyWarningRow } from './records';

export const EARLYWARNING_NUMBER: BusinessNumberFormat = {
  pattern: /^EW\d{12}$/,
  description: 'early warning number (EW + 12 digits)',
  example: 'EW000000000101',
};

const recordOrNull = (row: EarlyWarningRow | null) => (row ? earlyWarningRecord(row) : null);

// Checked against the types generated from schema.graphql (parents are the records records.ts builds).
export const resolvers = {
  Query: {
    async earlyWarning(_root, args, { loaders }) {
      return recordOrNull(await loaders.earlyWarningByNumber.load(parseBusinessNumber(args.earlyWarningNo, 'earlyWarningNo', EARLYWARNING_NUMBER)));
    },
  },

  EarlyWarning: {
    async __resolveReference(reference, { loaders }) {
      return recordOrNull(await loaders.earlyWarningByNumber.load(parseBusinessNumber(reference.earlyWarningNo, 'earlyWarningNo', EARLYWARNING_NUMBER)));
    },
  },

  // Every customer resolves (with none here, an empty list): null would drop this subgraph's fields of it.
  Customer: {
    __resolveReference(reference) {
      return { id: parseEntityId(reference.id, 'id') };
    },
    async earlyWarnings(customer, _args, { loaders }) {
      return (await loaders.earlyWarningsByCustomerId.load(customer.id)).map(earlyWarningRecord);
    },
  },
} satisfies Resolvers;
