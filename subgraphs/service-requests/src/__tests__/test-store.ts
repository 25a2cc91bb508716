import { serviceRequestsSubgraph } from '../index';
import { serviceRequestsSeeder } from '../seed';

/**
 * The service-requests store the tests seed, for `startSeededSubgraph({ ...TEST_STORE, dialect, customers,
 * batchSize: Math.ceil(customers / 3) })`: several batches, so the tests also cover ids and numbers
 * staying unique across them.
 */
export const TEST_STORE = { manifest: serviceRequestsSubgraph, seeder: serviceRequestsSeeder, seed: 8_151 };
