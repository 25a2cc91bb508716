export { serviceRequestsSubgraph } from './server';
