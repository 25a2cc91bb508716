export { policiesSubgraph } from './server';
export type { PolicyLoaders } from './loaders';
