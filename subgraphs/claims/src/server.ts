import { join } from 'node:path';
import { defineSubgraph, loadSubgraphTypeDefs } from '@icg/shared';
import { claimsEventHandlers } from './claims-event-handlers';
import { entities } from './entities';
import { createLoaders } from './loaders';
import { migrations } from './migrations';
import { resolvers } from './resolvers';

/** The claims system as a subgraph; owns Claim and adds `claims` to Customer and Policy. */
export const claimsSubgraph = defineSubgraph({
  name: 'claims',
  defaultPort: 4003,
  schema: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
  resolvers,
  migrations,
  createLoaders,
  entities,
  eventHandlers: claimsEventHandlers,
});
