import { join } from 'node:path';
import { loadSubgraphTypeDefs, type SubgraphModule } from '@icg/shared';
import { createLoaders, type PolicyLoaders } from './loaders';
import { migrations } from './migrations';
import { resolvers } from './resolvers';

/** The policy admin system as a subgraph: owns Policy and adds Customer.policies. */
export const policiesSubgraph: SubgraphModule<PolicyLoaders> = {
  name: 'policies',
  typeDefs: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
  resolvers,
  migrations,
  createLoaders,
};
