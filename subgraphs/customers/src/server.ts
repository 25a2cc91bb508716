import { join } from 'node:path';
import { defineSubgraph, loadSubgraphTypeDefs } from '@icg/shared';
import { entities } from './entities';
import { createLoaders } from './loaders';
import { migrations } from './migrations';
import { resolvers } from './resolvers';

/** The CRM subgraph: customers, the org tree, staff and customer managers. */
export const customersSubgraph = defineSubgraph({
  name: 'customers',
  defaultPort: 4001,
  schema: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
  resolvers,
  migrations,
  createLoaders,
  entities,
});
