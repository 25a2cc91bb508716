import { join } from 'node:path';
import { defineSubgraph, loadSubgraphTypeDefs } from '@icg/shared';
import { entities } from './entities';
import { hotlineEventHandlers } from './hotline-event-handlers';
import { createLoaders } from './loaders';
import { migrations } from './migrations';
import { resolvers } from './resolvers';

/**
 * The service hotline's subgraph: owns ServiceRequest and adds a customer's tickets to Customer; files claim reports
 * and complaint calls with the claims and complaints systems through events, and opens return visits when claims close.
 */
export const serviceRequestsSubgraph = defineSubgraph({
  name: 'service-requests',
  defaultPort: 4004,
  schema: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
  resolvers,
  migrations,
  createLoaders,
  entities,
  eventHandlers: hotlineEventHandlers,
});
