import { runSubgraphProcess } from '@icg/shared';
import { loadPolicySettings } from './policy-settings';
import { createPoliciesSubgraph } from './server';

// Settings are read inside the factory, so a bad value is reported like any other configuration error.
runSubgraphProcess('policies', () => createPoliciesSubgraph(loadPolicySettings()));
