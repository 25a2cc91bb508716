import { join } from 'node:path';
import { defineSubgraph, loadSubgraphTypeDefs, primaryManagerCopiesHandler } from '@icg/shared';
import { blacklistedAmong, blacklistEventHandlers } from './blacklist-state';
import { entities } from './entities';
import { createLoaders } from './loaders';
import { migrations } from './migrations';
import { policySchedule } from './policy-schedule';
import { DEFAULT_POLICY_SETTINGS, type PolicySettings } from './policy-settings';
import { createResolvers } from './resolvers';

/**
 * The policy admin system as a subgraph: owns Policy and adds Customer.policies. Its process runs the
 * policy schedule (time-driven transitions, renewal reminders) every `scheduleIntervalSeconds`.
 */
export function createPoliciesSubgraph(settings: PolicySettings) {
  const schedule = policySchedule(settings, blacklistedAmong);
  return defineSubgraph({
    name: 'policies',
    defaultPort: 4002,
    schema: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
    resolvers: createResolvers(schedule),
    migrations,
    createLoaders,
    entities,
    scheduledJobs: [schedule.job],
    eventHandlers: {
      ...blacklistEventHandlers,
      // Row scope: the customer's policies follow their new primary manager (the servicing manager stays).
      'customer.manager-changed': primaryManagerCopiesHandler([{ table: 'policies', entity: 'Policy', keyColumn: 'policy_no' }]),
    },
  });
}

/**
 * The manifest the registry lists (tests, benchmarks, composition): in-process, the schedule runs only when
 * asked (`jobs.runNow`), so nothing moves behind a test's back; `npm start` runs main.ts, which reads the interval.
 */
export const policiesSubgraph = createPoliciesSubgraph({ ...DEFAULT_POLICY_SETTINGS, scheduleIntervalSeconds: 0 });
