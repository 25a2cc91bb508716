import { loadAccessPolicy } from '@icg/shared';
import { SUBGRAPH_REGISTRY } from './subgraph-registry';
import { composeSupergraph, type SubgraphSource } from './supergraph-composition';

/** The URLs written into the supergraph are the local defaults; the gateway overrides them from its config. */
export function registeredSubgraphSources(): SubgraphSource[] {
  return SUBGRAPH_REGISTRY.map(({ manifest }) => ({ name: manifest.name, url: `http://127.0.0.1:${manifest.defaultPort}/graphql`, typeDefs: manifest.schema }));
}

export function composeRegisteredSubgraphs(): string {
  return `${composeSupergraph(registeredSubgraphSources(), loadAccessPolicy())}\n`;
}
