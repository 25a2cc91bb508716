export { insightsSubgraph } from './server';
