export { discoverSubgraphs, REPOSITORY_ROOT, SUBGRAPH_REGISTRY, type RegisteredSubgraph } from './subgraph-registry';
export { composeSupergraph, checkClassifications, CompositionFailedError, type SubgraphSource } from './supergraph-composition';
export { composeRegisteredSubgraphs, registeredSubgraphSources } from './compose-subgraphs';
export { CUSTOMER_360_QUERY, CUSTOMERS_PAGE_QUERY } from './example-queries';
export { formatProgress } from './seed-progress';
export { developmentTokenSecret, DEVELOPMENT_TOKEN_SECRET_FILE } from './development-token-secret';
export { freePort } from './free-port';
