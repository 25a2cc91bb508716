import { join } from 'node:path';
import { defineSubgraph, loadSubgraphTypeDefs } from '@icg/shared';
import { entities } from './entities';
import { createLoaders } from './loaders';
import { migrations } from './migrations';
import { resolvers } from './resolvers';

/** The service hotline's subgraph: owns ServiceRequest and adds a customer's tickets to Customer. */
export const serviceRequestsSubgraph = defineSubgraph({
  name: 'service-requests',
  defaultPort: 4004,
  schema: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
  resolvers,
  migrations,
  createLoaders,
  entities,
});
