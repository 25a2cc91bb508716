import { runSubgraphProcess } from '@icg/shared';
import { policiesSubgraph } from './server';

runSubgraphProcess('policies', policiesSubgraph);
