export { customersSubgraph } from './server';
export { customersSeeder } from './seed';
