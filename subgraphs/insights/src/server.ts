import { join } from 'node:path';
import { defineSubgraph, loadSubgraphTypeDefs } from '@icg/shared';
import { entities } from './entities';
import { createLoaders } from './loaders';
import { migrations } from './migrations';
import { resolvers } from './resolvers';

/** The insights system as a subgraph; owns EarlyWarning and adds `earlyWarnings` to Customer. */
export const insightsSubgraph = defineSubgraph({
  name: 'insights',
  defaultPort: 4006,
  schema: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
  resolvers,
  migrations,
  createLoaders,
  entities,
});
