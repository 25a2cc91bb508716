import { BUSINESS_NUMBERS, parseBusinessNumber, parseEntityId } from '@icg/shared';
import type { Resolvers } from './generated/schema-types';
import { claimConnectionResolvers } from './claim-connection';
import { claimAggregateResolvers } from './claim-aggregates';
import { claimMutations } from './claim-mutations';
import {
  claimRecord,
  customerStub,
  lossAssessmentRecord,
  participantRecord,
  paymentRecord,
  policyStub,
  surveyTaskRecord,
  type ClaimRecord,
  type ClaimRow,
} from './records';

function claimOrNull(row: ClaimRow | null): ClaimRecord | null {
  return row ? claimRecord(row) : null;
}

// Checked against the types generated from schema.graphql (parents are the records records.ts builds).
export const resolvers = {
  ClaimConnection: claimConnectionResolvers.ClaimConnection,
  Query: {
    ...claimConnectionResolvers.Query,
    ...claimAggregateResolvers,
    async claim(_root, args, { loaders }) {
      const reportNo = parseBusinessNumber(args.reportNo, 'reportNo', BUSINESS_NUMBERS.reportNo);
      return claimOrNull(await loaders.claimByReportNo.load(reportNo));
    },
    async claimById(_root, args, { loaders }) {
      return claimOrNull(await loaders.claimById.load(parseEntityId(args.id, 'id')));
    },
  },

  Mutation: claimMutations,

  Claim: {
    // @apollo/subgraph calls this as (representation, context, info).
    async __resolveReference(reference, { loaders }) {
      const reportNo = parseBusinessNumber(reference.reportNo, 'reportNo', BUSINESS_NUMBERS.reportNo);
      return claimOrNull(await loaders.claimByReportNo.load(reportNo));
    },
    async participants(claim, _args, { loaders }) {
      return (await loaders.participantsByClaimId.load(claim.id)).map((row) => participantRecord(row, claim));
    },
    async surveyTasks(claim, _args, { loaders }) {
      return (await loaders.surveyTasksByClaimId.load(claim.id)).map((row) => surveyTaskRecord(row, claim));
    },
    async lossAssessments(claim, _args, { loaders }) {
      return (await loaders.lossAssessmentsByClaimId.load(claim.id)).map((row) => lossAssessmentRecord(row, claim));
    },
    async payments(claim, _args, { loaders }) {
      return (await loaders.paymentsByClaimId.load(claim.id)).map((row) => paymentRecord(row, claim));
    },
  },

  // Every customer and policy resolves (with no claims here, an empty list): null would drop the
  // entity's fields from this subgraph, and `claims` is non-null.
  Customer: {
    __resolveReference(reference) {
      return customerStub(parseEntityId(reference.id, 'id'));
    },
    async claims(customer, _args, { loaders }) {
      return (await loaders.claimsByCustomerId.load(customer.id)).map(claimRecord);
    },
  },

  Policy: {
    __resolveReference(reference) {
      return policyStub(parseBusinessNumber(reference.policyNo, 'policyNo', BUSINESS_NUMBERS.policyNo));
    },
    async claims(policy, _args, { loaders }) {
      return (await loaders.claimsByPolicyNo.load(policy.policyNo)).map(claimRecord);
    },
  },
} satisfies Resolvers;
