export { claimsSubgraph } from './server';
