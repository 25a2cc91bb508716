import { runSubgraphProcess } from '@icg/shared';
import { claimsSubgraph } from './server';

runSubgraphProcess('claims', claimsSubgraph);
