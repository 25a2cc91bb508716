import { join } from 'node:path';
import { defineSubgraph, loadSubgraphTypeDefs } from '@icg/shared';
import { blacklistEventHandlers } from './blacklist-state';
import { entities } from './entities';
import { createLoaders } from './loaders';
import { migrations } from './migrations';
import { resolvers } from './resolvers';

/** The policy admin system as a subgraph: owns Policy and adds Customer.policies. */
export const policiesSubgraph = defineSubgraph({
  name: 'policies',
  defaultPort: 4002,
  schema: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
  resolvers,
  migrations,
  createLoaders,
  entities,
  eventHandlers: blacklistEventHandlers,
});
