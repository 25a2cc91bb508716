/** Tests run from TypeScript sources (swc strips types; `tsc --build` in `npm test` type-checks first). */
const workspaceSources = {
  '^@icg/shared$': '<rootDir>/shared/src/index.ts',
  '^@icg/subgraph-(.*)$': '<rootDir>/subgraphs/$1/src/index.ts',
  '^@icg/gateway$': '<rootDir>/gateway/src/index.ts',
  '^@icg/tools$': '<rootDir>/tools/src/index.ts',
};

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/shared', '<rootDir>/subgraphs', '<rootDir>/gateway', '<rootDir>/tools', '<rootDir>/tests'],
  testMatch: ['**/__tests__/**/*.test.ts', '<rootDir>/tests/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  moduleNameMapper: workspaceSources,
  setupFiles: ['<rootDir>/tests/support/jest-env.js'],
  testTimeout: 60000,
};
