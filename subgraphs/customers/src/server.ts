import { join } from 'node:path';
import { loadSubgraphTypeDefs, type SubgraphModule } from '@icg/shared';
import { createLoaders, type CustomersLoaders } from './loaders';
import { migrations } from './migrations';
import { resolvers } from './resolvers';

/** The CRM subgraph: customers, the org tree, staff and customer managers. */
export const customersSubgraph: SubgraphModule<CustomersLoaders> = {
  name: 'customers',
  typeDefs: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
  resolvers,
  migrations,
  createLoaders,
};
