/** Tests run from TypeScript sources, transpiled only (`npm test` type-checks everything with tsc first). */
const { availableParallelism, loadavg } = require('node:os');

const workspaceSources = {
  '^@icg/shared$': '<rootDir>/shared/src/index.ts',
  '^@icg/synthetic$': '<rootDir>/tools/synthetic/src/index.ts',
  // A subgraph's second entry point, its seeder (package.json "exports": "./seed"), before the general entry.
  '^@icg/subgraph-([^/]+)/seed$': '<rootDir>/subgraphs/$1/src/seed.ts',
  '^@icg/subgraph-([^/]+)$': '<rootDir>/subgraphs/$1/src/index.ts',
  '^@icg/gateway$': '<rootDir>/gateway/src/index.ts',
  '^@icg/tools$': '<rootDir>/tools/src/index.ts',
};

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/shared', '<rootDir>/tools/synthetic', '<rootDir>/subgraphs', '<rootDir>/gateway', '<rootDir>/tools', '<rootDir>/tests'],
  testMatch: ['**/__tests__/**/*.test.ts', '<rootDir>/tests/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] },
  moduleNameMapper: workspaceSources,
  setupFiles: ['<rootDir>/tests/support/jest-env.js'],
  // A folder per run for what test files share: the supergraph, composed once (tests/support/composed-supergraph.ts).
  globalSetup: '<rootDir>/tests/support/jest-global-setup.js',
  globalTeardown: '<rootDir>/tests/support/jest-global-teardown.js',
  testTimeout: 60000,
  // Jest's default is one worker fewer than the cores: a single worker on the 2-core CI machine, a serial run. A
  // worker's graph runs on one thread, so one worker per core (at least two) keeps both cores busy; the suites share
  // nothing (free ports, their own SQLite folders, MariaDB prefixes and NATS streams). Slowest files start first
  // (jest's timing cache; by file size on a fresh checkout). On a machine already far busier than its cores (load
  // average twice the cores or more: several people's runs on one box; tsc and eslint before jest stay well below)
  // a second worker only adds contention and hook timeouts: jest's default there. `-w <n>` overrides either.
  maxWorkers: loadavg()[0] >= 2 * availableParallelism() ? Math.max(1, availableParallelism() - 1) : Math.max(2, availableParallelism()),
};
