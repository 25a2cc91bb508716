// Once per jest run, before any worker starts: a folder for what the run's test files may share (the composed
// supergraph, tests/support/composed-supergraph.ts); workers inherit the variable. Removed by jest-global-teardown.js.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  process.env.ICG_TEST_RUN_DIR = mkdtempSync(join(tmpdir(), 'icg-test-run-'));
};
