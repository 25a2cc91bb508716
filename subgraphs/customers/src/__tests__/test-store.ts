import { customersSubgraph } from '../index';
import { customersSeeder } from '../seed';

/** The customers store the tests seed (from `DEFAULT_SEED`), for `startSeededSubgraph({ ...TEST_STORE, dialect, customers })` and `seedStores`. */
export const TEST_STORE = { manifest: customersSubgraph, seeder: customersSeeder };
