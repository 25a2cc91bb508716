import { claimsSeeder, claimsSubgraph } from '@icg/subgraph-claims';
import { complaintsSeeder, complaintsSubgraph } from '@icg/subgraph-complaints';
import { customersSeeder, customersSubgraph } from '@icg/subgraph-customers';
import { policiesSeeder, policiesSubgraph } from '@icg/subgraph-policies';
import { serviceRequestsSeeder, serviceRequestsSubgraph } from '@icg/subgraph-service-requests';
import type { SubgraphModule, SubgraphSeeder } from '@icg/shared';

export interface RegisteredSubgraph {
  module: SubgraphModule<unknown>;
  seeder: SubgraphSeeder;
}

/** Every subgraph of the graph, in start order (the order of SUBGRAPHS in shared/src/config.ts). */
export const SUBGRAPH_REGISTRY: readonly RegisteredSubgraph[] = [
  { module: customersSubgraph as SubgraphModule<unknown>, seeder: customersSeeder },
  { module: policiesSubgraph as SubgraphModule<unknown>, seeder: policiesSeeder },
  { module: claimsSubgraph as SubgraphModule<unknown>, seeder: claimsSeeder },
  { module: serviceRequestsSubgraph as SubgraphModule<unknown>, seeder: serviceRequestsSeeder },
  { module: complaintsSubgraph as SubgraphModule<unknown>, seeder: complaintsSeeder },
];
