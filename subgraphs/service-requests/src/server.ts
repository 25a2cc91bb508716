import { join } from 'node:path';
import { loadSubgraphTypeDefs, type SubgraphModule } from '@icg/shared';
import { createLoaders, type ServiceRequestLoaders } from './loaders';
import { migrations } from './migrations';
import { resolvers } from './resolvers';

/** The service hotline's subgraph: owns ServiceRequest and adds a customer's tickets to Customer. */
export const serviceRequestsSubgraph: SubgraphModule<ServiceRequestLoaders> = {
  name: 'service-requests',
  typeDefs: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
  resolvers,
  migrations,
  createLoaders,
};
