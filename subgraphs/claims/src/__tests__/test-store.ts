import { claimsSubgraph } from '../index';
import { claimsSeeder } from '../seed';

/** The claims store the API tests seed, for `startSeededSubgraph({ ...TEST_STORE, dialect, customers })`. */
export const TEST_STORE = { manifest: claimsSubgraph, seeder: claimsSeeder, seed: 4_242 };
