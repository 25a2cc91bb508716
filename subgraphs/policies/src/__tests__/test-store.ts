import { policiesSubgraph } from '../index';
import { policiesSeeder } from '../seed';

/** The policies store the tests seed, for `startSeededSubgraph({ ...TEST_STORE, dialect, customers })`. */
export const TEST_STORE = { manifest: policiesSubgraph, seeder: policiesSeeder, seed: 7_117 };
