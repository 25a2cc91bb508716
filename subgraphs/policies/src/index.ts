export { policiesSubgraph } from './server';
export { policiesSeeder } from './seed';
export type { PolicyLoaders } from './loaders';
