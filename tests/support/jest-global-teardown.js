// Removes the run's shared folder made by jest-global-setup.js.
const { rmSync } = require('node:fs');

module.exports = async () => {
  if (process.env.ICG_TEST_RUN_DIR) rmSync(process.env.ICG_TEST_RUN_DIR, { recursive: true, force: true });
};
