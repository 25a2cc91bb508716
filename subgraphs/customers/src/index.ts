export { customersSubgraph } from './server';
