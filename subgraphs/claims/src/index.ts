export { claimsSubgraph } from './server';
export { claimsSeeder } from './seed';
