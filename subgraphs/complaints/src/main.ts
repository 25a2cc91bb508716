import { runSubgraphProcess } from '@icg/shared';
import { loadComplaintRules } from './deadlines';
import { createComplaintsSubgraph } from './server';

runSubgraphProcess('complaints', () => createComplaintsSubgraph(loadComplaintRules()));
