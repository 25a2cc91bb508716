import { runSubgraphProcess } from '@icg/shared';
import { serviceRequestsSubgraph } from './server';

runSubgraphProcess('service-requests', serviceRequestsSubgraph);
