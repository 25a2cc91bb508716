import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { BUSINESS_NUMBERS, parseBusinessNumber, parseEntityId, type Scoped, type SubgraphContext } from '@icg/shared';
import type { ClaimsLoaders } from './loaders';
import {
  claimRecord,
  customerRecord,
  lossAssessmentRecord,
  participantRecord,
  paymentRecord,
  policyRecord,
  surveyTaskRecord,
  type ClaimObject,
  type ClaimRow,
  type CustomerObject,
  type PolicyObject,
} from './records';

type Context = SubgraphContext<ClaimsLoaders>;
type NoArguments = Record<string, never>;
type Claim = Scoped<ClaimObject>;

function claimOrNull(row: ClaimRow | null): Claim | null {
  return row ? claimRecord(row) : null;
}

export const resolvers: GraphQLResolverMap<Context> = {
  Query: {
    async claim(_root: unknown, args: { reportNo: string }, { loaders }: Context): Promise<Claim | null> {
      const reportNo = parseBusinessNumber(args.reportNo, 'reportNo', BUSINESS_NUMBERS.reportNo);
      return claimOrNull(await loaders.claimByReportNo.load(reportNo));
    },
    async claimById(_root: unknown, args: { id: string }, { loaders }: Context): Promise<Claim | null> {
      return claimOrNull(await loaders.claimById.load(parseEntityId(args.id, 'id')));
    },
  },

  Claim: {
    // @apollo/subgraph calls this as (representation, context, info).
    async __resolveReference(reference: { reportNo: unknown }, { loaders }: Context): Promise<Claim | null> {
      const reportNo = parseBusinessNumber(reference.reportNo, 'reportNo', BUSINESS_NUMBERS.reportNo);
      return claimOrNull(await loaders.claimByReportNo.load(reportNo));
    },
    async participants(claim: Claim, _args: NoArguments, { loaders }: Context) {
      return (await loaders.participantsByClaimId.load(claim.id)).map((row) => participantRecord(row, claim));
    },
    async surveyTasks(claim: Claim, _args: NoArguments, { loaders }: Context) {
      return (await loaders.surveyTasksByClaimId.load(claim.id)).map((row) => surveyTaskRecord(row, claim));
    },
    async lossAssessments(claim: Claim, _args: NoArguments, { loaders }: Context) {
      return (await loaders.lossAssessmentsByClaimId.load(claim.id)).map((row) => lossAssessmentRecord(row, claim));
    },
    async payments(claim: Claim, _args: NoArguments, { loaders }: Context) {
      return (await loaders.paymentsByClaimId.load(claim.id)).map((row) => paymentRecord(row, claim));
    },
  },

  // Every customer and policy resolves (with no claims here, an empty list): null would drop the
  // entity's fields from this subgraph, and `claims` is non-null.
  Customer: {
    async __resolveReference(reference: { id: unknown }, { loaders }: Context) {
      const customerId = parseEntityId(reference.id, 'id');
      return customerRecord(customerId, await loaders.claimsByCustomerId.load(customerId));
    },
    async claims(customer: CustomerObject, _args: NoArguments, { loaders }: Context): Promise<Claim[]> {
      return (await loaders.claimsByCustomerId.load(customer.id)).map(claimRecord);
    },
  },

  Policy: {
    async __resolveReference(reference: { policyNo: unknown }, { loaders }: Context) {
      const policyNo = parseBusinessNumber(reference.policyNo, 'policyNo', BUSINESS_NUMBERS.policyNo);
      return policyRecord(policyNo, await loaders.claimsByPolicyNo.load(policyNo));
    },
    async claims(policy: PolicyObject, _args: NoArguments, { loaders }: Context): Promise<Claim[]> {
      return (await loaders.claimsByPolicyNo.load(policy.policyNo)).map(claimRecord);
    },
  },
};
