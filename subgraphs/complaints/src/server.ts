import { join } from 'node:path';
import { loadSubgraphTypeDefs, type SubgraphModule } from '@icg/shared';
import { DEFAULT_COMPLAINT_RULES, type ComplaintRules } from './deadlines';
import { createLoaders, type ComplaintLoaders } from './loaders';
import { migrations } from './migrations';
import { createResolvers } from './resolvers';

/** The complaint register as a subgraph, with the given deadline-warning rules. */
export function createComplaintsSubgraph(rules: ComplaintRules = DEFAULT_COMPLAINT_RULES): SubgraphModule<ComplaintLoaders> {
  return {
    name: 'complaints',
    typeDefs: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
    resolvers: createResolvers(rules),
    migrations,
    createLoaders,
  };
}

/** With the default rules; main.ts builds its own from the environment. */
export const complaintsSubgraph: SubgraphModule<ComplaintLoaders> = createComplaintsSubgraph();
