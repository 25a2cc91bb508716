import { join } from 'node:path';
import { loadSubgraphTypeDefs, type SubgraphModule } from '@icg/shared';
import { createLoaders, type ClaimsLoaders } from './loaders';
import { migrations } from './migrations';
import { resolvers } from './resolvers';

/** The claims system as a subgraph; owns Claim and adds `claims` to Customer and Policy. */
export const claimsSubgraph: SubgraphModule<ClaimsLoaders> = {
  name: 'claims',
  typeDefs: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
  resolvers,
  migrations,
  createLoaders,
};
