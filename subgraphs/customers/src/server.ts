import { join } from 'node:path';
import { defineSubgraph, loadSubgraphTypeDefs } from '@icg/shared';
import { blacklistExpiryJob } from './blacklist';
import { DEFAULT_CUSTOMERS_SETTINGS, type CustomersSettings } from './customers-settings';
import { entities } from './entities';
import { premiumLedgerEventHandlers } from './large-customers';
import { createLoaders } from './loaders';
import { migrations } from './migrations';
import { resolvers } from './resolvers';
import { withWorkflowResolvers } from './workflow-resolvers';

/**
 * The CRM subgraph: customers, the org tree, staff and customer managers. It keeps the premium ledger from the
 * policy events (large customers) and runs its schedule (blacklist entries nobody reviewed expire) every
 * `scheduleIntervalSeconds`.
 */
export function createCustomersSubgraph(settings: CustomersSettings) {
  return defineSubgraph({
    name: 'customers',
    defaultPort: 4001,
    schema: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
    resolvers: withWorkflowResolvers(resolvers, settings),
    migrations,
    createLoaders,
    entities,
    eventHandlers: premiumLedgerEventHandlers,
    scheduledJobs: [blacklistExpiryJob(settings.scheduleIntervalSeconds)],
  });
}

/**
 * The manifest the registry lists (tests, benchmarks, composition): in-process, the schedule runs only when asked
 * (`jobs.runNow`), so nothing moves behind a test's back; `npm start` runs main.ts, which reads the settings.
 */
export const customersSubgraph = createCustomersSubgraph({ ...DEFAULT_CUSTOMERS_SETTINGS, scheduleIntervalSeconds: 0 });
