import { BUSINESS_NUMBERS, isoDate, parseBusinessNumber, parseEntityId, ROW_SCOPE } from '@icg/shared';
import { earnedPremium, parseDateArgument } from './earned-premium';
import type { Resolvers } from './generated/schema-types';
import { arrearsDaysOf } from './arrears';
import { policyConnectionResolvers } from './policy-connection';
import { policyAggregateResolvers } from './policy-aggregates';
import { policyMutations } from './policy-mutations';
import type { PolicySchedule } from './policy-schedule';
import { policyScheduleMutation } from './policy-schedule-mutation';
import {
  coverageRecord,
  customerStub,
  entityStub,
  insuredObjectRecord,
  participantRecord,
  policyRecord,
  reminderRecord,
  type PolicyRow,
  type ScopedPolicyRecord,
} from './records';

const policyOrNull = (row: PolicyRow | null): ScopedPolicyRecord | null => (row ? policyRecord(row) : null);

/**
 * The resolvers, with the policy schedule the subgraph runs (its settings decide the grace period). Checked
 * against the types generated from schema.graphql (parents are the records records.ts builds).
 */
export const createResolvers = (schedule: PolicySchedule) =>
  ({
    PolicyConnection: policyConnectionResolvers.PolicyConnection,
    Query: {
      ...policyConnectionResolvers.Query,
      ...policyAggregateResolvers,
      async policy(_root, args, { loaders }) {
        const policyNo = parseBusinessNumber(args.policyNo, 'policyNo', BUSINESS_NUMBERS.policyNo);
        return policyOrNull(await loaders.policyByNo.load(policyNo));
      },
      async policyById(_root, args, { loaders }) {
        return policyOrNull(await loaders.policyById.load(parseEntityId(args.id, 'id')));
      },
    },

    Mutation: { ...policyMutations, runPolicySchedule: policyScheduleMutation(schedule) },

    Policy: {
      async __resolveReference(reference, { loaders }) {
        return policyOrNull(await loaders.policyByNo.load(reference.policyNo));
      },
      earnedPremium(policy, args, { clock }) {
        const asOf = args.asOf === undefined || args.asOf === null ? isoDate(clock.now()) : parseDateArgument(args.asOf, 'asOf');
        return earnedPremium(policy, asOf);
      },
      arrearsDays(policy, _args, { clock }) {
        return arrearsDaysOf(policy, isoDate(clock.now()));
      },
      async priorPolicy(policy, _args, { loaders }) {
        return policy.priorPolicyNo ? policyOrNull(await loaders.policyByNo.load(policy.priorPolicyNo)) : null;
      },
      async renewalPolicy(policy, _args, { loaders }) {
        return policyOrNull(await loaders.renewalOf.load(policy.policyNo));
      },
      issuingBranch(policy) {
        return entityStub(policy.issuingBranchId, policy[ROW_SCOPE]);
      },
      servicingManager(policy) {
        return policy.servicingManagerStaffId ? entityStub(policy.servicingManagerStaffId, policy[ROW_SCOPE]) : null;
      },
      customer(policy) {
        return entityStub(policy.customerId, policy[ROW_SCOPE]);
      },
      async participants(policy, _args, { loaders }) {
        return (await loaders.participantsOfPolicy.load(policy.id)).map((row) => participantRecord(row, policy[ROW_SCOPE]));
      },
      async coverages(policy, _args, { loaders }) {
        return (await loaders.coveragesOfPolicy.load(policy.id)).map((row) => coverageRecord(row, policy[ROW_SCOPE]));
      },
      async insuredObjects(policy, _args, { loaders }) {
        return (await loaders.insuredObjectsOfPolicy.load(policy.id)).map((row) => insuredObjectRecord(row, policy[ROW_SCOPE]));
      },
      async renewalReminders(policy, _args, { loaders }) {
        return (await loaders.remindersOfPolicy.load(policy.id)).map((row) => reminderRecord(row, policy[ROW_SCOPE]));
      },
    },

    PolicyParticipant: {
      customer(participant) {
        return participant.customerId ? entityStub(participant.customerId, participant[ROW_SCOPE]) : null;
      },
    },

    Customer: {
      __resolveReference(reference: { id: unknown }) {
        return customerStub(parseEntityId(reference.id, 'id'));
      },
      async policies(customer, args, { loaders }) {
        return (await loaders.policiesOfCustomer(args).load(customer.id)).map(policyRecord);
      },
    },
  }) satisfies Resolvers;
