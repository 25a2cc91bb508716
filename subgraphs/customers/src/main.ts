import { runSubgraphProcess } from '@icg/shared';
import { loadCustomersSettings } from './customers-settings';
import { createCustomersSubgraph } from './server';

// Settings are read inside the factory, so a bad value is reported like any other configuration error.
runSubgraphProcess('customers', () => createCustomersSubgraph(loadCustomersSettings()));
