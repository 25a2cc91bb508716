import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { deriveSubgraphAssertionKey, EnvReader, GENERATED_ASSERTION_SECRET_FILE, readAssertionSecret, SUBGRAPH_ASSERTION_KEY_FILE } from '@icg/shared';

export interface ProvisionedAssertionKeys {
  /** The gateway's secret (IDENTITY_ASSERTION_SECRET_FILE): only the gateway may read this folder. */
  secretPath: string;
  /** Each subgraph's own key (its IDENTITY_ASSERTION_KEY_FILE), by subgraph name. */
  keyPaths: Record<string, string>;
}

/**
 * Identity-assertion keys as files, for a deployment that hands secrets to processes as files (docker compose
 * uses `.env` instead, see assertion-key-env.ts): the gateway secret made once in `secretDir` (kept on later
 * runs) and each subgraph's key, derived from it, written to `<keysDir>/<subgraph>/identity-assertion.key`,
 * one folder per subgraph so each can be mounted into its own service alone. Rewritten on every run, so the
 * keys always match the secret.
 */
export function provisionAssertionKeyFiles(secretDir: string, keysDir: string, subgraphs: readonly string[]): ProvisionedAssertionKeys {
  // Without the variables set, the shared reader generates the secret in the folder it is given, or reads it back.
  const secret = readAssertionSecret(new EnvReader({}), secretDir);
  const keyPaths: Record<string, string> = {};
  for (const subgraph of subgraphs) {
    const directory = join(keysDir, subgraph);
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const path = join(directory, SUBGRAPH_ASSERTION_KEY_FILE);
    const temporaryPath = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(temporaryPath, `${deriveSubgraphAssertionKey(secret, subgraph)}\n`, { mode: 0o600 });
    renameSync(temporaryPath, path);
    keyPaths[subgraph] = path;
  }
  return { secretPath: join(secretDir, GENERATED_ASSERTION_SECRET_FILE), keyPaths };
}
