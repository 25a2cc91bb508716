import { join } from 'node:path';
import { defineSubgraph, loadSubgraphTypeDefs } from '@icg/shared';
import { entities } from './entities';
import { insightsEventHandlers } from './insights-event-handlers';
import { createLoaders } from './loaders';
import { migrations } from './migrations';
import { resolvers } from './resolvers';
import { loadInsightRules } from './rules';

/**
 * The insights system as a subgraph: owns EarlyWarning and adds `insight` and `earlyWarnings` to Customer. Its
 * rules file is read and validated when the module loads, so a bad entry stops the process at start, named.
 */
export const insightRules = loadInsightRules();

export const insightsSubgraph = defineSubgraph({
  name: 'insights',
  defaultPort: 4006,
  schema: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
  resolvers,
  migrations,
  createLoaders,
  entities,
  eventHandlers: insightsEventHandlers(insightRules),
});
