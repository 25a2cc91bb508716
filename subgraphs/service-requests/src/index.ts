export { serviceRequestsSubgraph } from './server';
export { serviceRequestsSeeder } from './seed';
