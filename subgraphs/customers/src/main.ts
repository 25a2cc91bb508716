import { runSubgraphProcess } from '@icg/shared';
import { customersSubgraph } from './server';

runSubgraphProcess('customers', customersSubgraph);
