import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { BUSINESS_NUMBERS, isoDate, parseBusinessNumber, parseEntityId, ROW_SCOPE, type Scoped, type SubgraphContext } from '@icg/shared';
import type { LineOfBusiness, PolicyStatus } from './domain';
import { earnedPremium, parseDateArgument } from './earned-premium';
import type { PolicyLoaders } from './loaders';
import {
  toCoverage,
  toCustomer,
  toEntityStub,
  toInsuredObject,
  toParticipant,
  toPolicy,
  toReminder,
  type EntityStub,
  type ParticipantRecord,
  type PolicyRecord,
  type PolicyRow,
} from './records';

type Context = SubgraphContext<PolicyLoaders>;
type ScopedPolicy = Scoped<PolicyRecord>;

const policyOrNull = (row: PolicyRow | null): ScopedPolicy | null => (row ? toPolicy(row) : null);

export const resolvers: GraphQLResolverMap<Context> = {
  Query: {
    async policy(_root: unknown, args: { policyNo: string }, { loaders }: Context) {
      const policyNo = parseBusinessNumber(args.policyNo, 'policyNo', BUSINESS_NUMBERS.policyNo);
      return policyOrNull(await loaders.policyByNo.load(policyNo));
    },
    async policyById(_root: unknown, args: { id: string }, { loaders }: Context) {
      return policyOrNull(await loaders.policyById.load(parseEntityId(args.id, 'id')));
    },
  },

  Policy: {
    async __resolveReference(reference: { policyNo: string }, { loaders }: Context) {
      return policyOrNull(await loaders.policyByNo.load(reference.policyNo));
    },
    earnedPremium(policy: ScopedPolicy, args: { asOf?: string | null }) {
      const asOf = args.asOf === undefined || args.asOf === null ? isoDate(new Date()) : parseDateArgument(args.asOf, 'asOf');
      return earnedPremium(policy, asOf);
    },
    async priorPolicy(policy: ScopedPolicy, _args: unknown, { loaders }: Context) {
      return policy.priorPolicyNo ? policyOrNull(await loaders.policyByNo.load(policy.priorPolicyNo)) : null;
    },
    async renewalPolicy(policy: ScopedPolicy, _args: unknown, { loaders }: Context) {
      return policyOrNull(await loaders.renewalOf.load(policy.policyNo));
    },
    issuingBranch(policy: ScopedPolicy) {
      return toEntityStub(policy.issuingBranchId, policy[ROW_SCOPE]);
    },
    servicingManager(policy: ScopedPolicy) {
      return policy.servicingManagerStaffId ? toEntityStub(policy.servicingManagerStaffId, policy[ROW_SCOPE]) : null;
    },
    customer(policy: ScopedPolicy) {
      return toEntityStub(policy.customerId, policy[ROW_SCOPE]);
    },
    async participants(policy: ScopedPolicy, _args: unknown, { loaders }: Context) {
      return (await loaders.participantsOfPolicy.load(policy.id)).map((row) => toParticipant(row, policy[ROW_SCOPE]));
    },
    async coverages(policy: ScopedPolicy, _args: unknown, { loaders }: Context) {
      return (await loaders.coveragesOfPolicy.load(policy.id)).map((row) => toCoverage(row, policy[ROW_SCOPE]));
    },
    async insuredObjects(policy: ScopedPolicy, _args: unknown, { loaders }: Context) {
      return (await loaders.insuredObjectsOfPolicy.load(policy.id)).map((row) => toInsuredObject(row, policy[ROW_SCOPE]));
    },
    async renewalReminders(policy: ScopedPolicy, _args: unknown, { loaders }: Context) {
      return (await loaders.remindersOfPolicy.load(policy.id)).map((row) => toReminder(row, policy[ROW_SCOPE]));
    },
  },

  PolicyParticipant: {
    customer(participant: Scoped<ParticipantRecord>) {
      return participant.customerId ? toEntityStub(participant.customerId, participant[ROW_SCOPE]) : null;
    },
  },

  Customer: {
    async __resolveReference(reference: { id: string }, { loaders }: Context) {
      return toCustomer(reference.id, await loaders.policiesOfCustomer({}).load(reference.id));
    },
    async policies(customer: Scoped<EntityStub>, args: { status?: PolicyStatus | null; lineOfBusiness?: LineOfBusiness | null }, { loaders }: Context) {
      return (await loaders.policiesOfCustomer(args).load(customer.id)).map(toPolicy);
    },
  },
};
