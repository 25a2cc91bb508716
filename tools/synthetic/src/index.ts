/**
 * The synthetic company for seeding and tests: deterministic generators of Chinese identifiers and
 * names (faker), the org tree and staff, the customers' facts, the seed runner and the seeded-staff
 * lookup. Tools, seeders and tests only: the gateway and the subgraphs' runtime entries never load it.
 */
export * from './china-formats';
export * from './facts';
export * from './names';
export * from './org';
export * from './random';
export * from './business-numbers';
export * from './company';
export * from './seed-runner';
export * from './seeded-staff';
