import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { completeAssertionKeys } from './assertion-key-env';
import { completeDockerEnv, dockerSecrets } from './docker-env';
import { completeServiceKeys } from './service-key-env';
import { COMPOSE_DATABASE_PREFIX } from './workspace-files';
import { REPOSITORY_ROOT, SUBGRAPH_REGISTRY } from './subgraph-registry';

/** `npm run compose:env`: writes the secrets docker-compose.yml needs into `.env` (mode 0600), adding only missing ones. */
function main(): void {
  const path = join(REPOSITORY_ROOT, '.env');
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const subgraphs = SUBGRAPH_REGISTRY.map(({ manifest }) => manifest.name);
  const secrets = dockerSecrets({ mysqlDatabasePrefix: COMPOSE_DATABASE_PREFIX }, subgraphs);
  // Key pairs are made together (completeDockerEnv only makes random strings).
  const withKeys = completeServiceKeys(current, subgraphs);
  const withSecrets = completeDockerEnv(withKeys.content, secrets);
  // Derived from the gateway's assertion secret, which the step before made if it was missing.
  const { content, added: addedAssertionKeys } = completeAssertionKeys(withSecrets.content, subgraphs);
  const added = [...withKeys.added, ...withSecrets.added, ...addedAssertionKeys];
  if (added.length > 0) writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
  // Names only: the values stay in the file.
  process.stdout.write(added.length > 0 ? `${path}: generated ${added.join(', ')}\n` : `${path}: every secret already set\n`);
}

main();
