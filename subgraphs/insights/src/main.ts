import { runSubgraphProcess } from '@icg/shared';
import { insightsSubgraph } from './server';

runSubgraphProcess('insights', insightsSubgraph);
