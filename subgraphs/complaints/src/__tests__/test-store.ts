import { complaintsSubgraph } from '../index';
import { complaintsSeeder } from '../seed';

/**
 * The complaint register the tests seed, for `startSeededSubgraph({ ...TEST_STORE, dialect })`. About
 * 4 % of customers complain: 5,000 customers give ~190 complaints, enough for every status, source and
 * outcome; several batches, so ids and numbers must stay unique across them.
 */
export const TEST_STORE = { manifest: complaintsSubgraph, seeder: complaintsSeeder, seed: 4_405, customers: 5_000, batchSize: 1_700 };
