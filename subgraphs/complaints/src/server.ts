import { join } from 'node:path';
import { defineSubgraph, loadSubgraphTypeDefs, primaryManagerCopiesHandler, type SubgraphManifest } from '@icg/shared';
import { acceptComplaintCall } from './complaint-call-handler';
import { entities } from './entities';
import { DEFAULT_COMPLAINT_RULES, type ComplaintRules } from './deadlines';
import { createLoaders, type ComplaintLoaders } from './loaders';
import { migrations } from './migrations';
import { createResolvers } from './resolvers';

/** The complaint register as a subgraph, with the given deadline-warning rules. */
export function createComplaintsSubgraph(rules: ComplaintRules = DEFAULT_COMPLAINT_RULES): SubgraphManifest<ComplaintLoaders> {
  return defineSubgraph({
    name: 'complaints',
    defaultPort: 4005,
    schema: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
    resolvers: createResolvers(rules),
    migrations,
    createLoaders,
    entities,
    eventHandlers: {
      'service-request.complaint-call': acceptComplaintCall,
      // Row scope: the customer's complaints follow their new primary manager.
      'customer.manager-changed': primaryManagerCopiesHandler([{ table: 'complaints', entity: 'Complaint', keyColumn: 'complaint_no' }]),
    },
  });
}

/** With the default rules; main.ts builds its own from the environment. */
export const complaintsSubgraph: SubgraphManifest<ComplaintLoaders> = createComplaintsSubgraph();
