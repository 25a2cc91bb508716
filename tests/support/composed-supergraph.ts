/**
 * The supergraph composed from the current schemas and access policy, once per test run instead of once per
 * started graph: composing takes about a second, and a full run starts a hundred graphs. The first composer of
 * a run writes it to the run's folder (ICG_TEST_RUN_DIR, made by tests/support/jest-global-setup.js and removed
 * after the run) under a hash of the schemas and the policy, so every run composes from the files as they are
 * now; outside such a run (no folder) it composes every time.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { print } from 'graphql';
import { DEFAULT_ACCESS_POLICY_PATH } from '@icg/shared';
import { composeRegisteredSubgraphs, registeredSubgraphSources } from '@icg/tools';

export function composedSupergraph(): string {
  const runDir = process.env.ICG_TEST_RUN_DIR;
  if (!runDir || !existsSync(runDir)) return composeRegisteredSubgraphs();
  const inputs = createHash('sha256');
  for (const { name, url, typeDefs } of registeredSubgraphSources()) inputs.update(`${name}\0${url}\0${print(typeDefs)}\0`);
  inputs.update(readFileSync(DEFAULT_ACCESS_POLICY_PATH));
  const path = join(runDir, `supergraph-${inputs.digest('hex').slice(0, 32)}.graphql`);
  if (existsSync(path)) return readFileSync(path, 'utf8');
  const supergraph = composeRegisteredSubgraphs();
  // Written aside and renamed into place, so a test in the other worker never reads half a file.
  const partial = `${path}.${process.pid}`;
  writeFileSync(partial, supergraph);
  renameSync(partial, path);
  return supergraph;
}
