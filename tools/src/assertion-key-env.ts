/**
 * The identity-assertion keys for docker compose (docs/subgraph-contract.md): the gateway MACs each subgraph
 * call with a key of that subgraph's own, derived from one gateway secret. `npm run compose:env` writes the
 * secret (a random string, like the other secrets) and, derived from it, one key per subgraph into the
 * uncommitted `.env`; docker-compose.yml hands the secret to the gateway only and each key to its own subgraph.
 */
import { ASSERTION_KEY_ENV, deriveSubgraphAssertionKey, envPrefix } from '@icg/shared';
import type { DockerSecret } from './docker-env';

/** `.env` holds the gateway's secret under the name the gateway reads. */
export const ASSERTION_SECRET_ENV_VARIABLE = ASSERTION_KEY_ENV.secret;
/** `.env` names each subgraph's key after the subgraph; compose passes it on as IDENTITY_ASSERTION_KEY. */
export const assertionKeyEnvVariable = (subgraph: string): string => `${envPrefix(subgraph)}_IDENTITY_ASSERTION_KEY`;

/** The secret (a random string, made by completeDockerEnv) and the keys derived from it (completeAssertionKeys). */
export function assertionKeySecrets(subgraphs: readonly string[]): DockerSecret[] {
  return [
    { variable: ASSERTION_SECRET_ENV_VARIABLE, meaning: 'secret the gateway derives every subgraph identity-assertion key from: the gateway only' },
    ...subgraphs.map((subgraph) => ({
      variable: assertionKeyEnvVariable(subgraph),
      meaning: `identity-assertion key of ${subgraph}, derived from ${ASSERTION_SECRET_ENV_VARIABLE}: the ${subgraph} service only`,
      keyPair: true as const,
    })),
  ];
}

/** The value `.env` gives a variable, if any (as written, quotes removed). */
function valueIn(envFile: string, variable: string): string | undefined {
  const match = new RegExp(`^\\s*(?:export\\s+)?${variable}\\s*=\\s*(\\S.*)$`, 'm').exec(envFile);
  return match?.[1]?.trim().replace(/^'(.*)'$/, '$1');
}

/**
 * `envFile` with each subgraph's key derived from the secret in it and appended where missing. A key already
 * there that is not the secret's (the secret was changed by hand) stops with its name: the subgraph would
 * refuse every call, so the line is to be deleted and derived again.
 */
export function completeAssertionKeys(envFile: string, subgraphs: readonly string[]): { content: string; added: string[] } {
  const secret = valueIn(envFile, ASSERTION_SECRET_ENV_VARIABLE);
  if (secret === undefined) throw new Error(`${ASSERTION_SECRET_ENV_VARIABLE} must be in .env before the subgraph keys are derived from it`);
  const added: string[] = [];
  const lines: string[] = [];
  for (const subgraph of subgraphs) {
    const variable = assertionKeyEnvVariable(subgraph);
    const derived = deriveSubgraphAssertionKey(secret, subgraph);
    const existing = valueIn(envFile, variable);
    if (existing === undefined) {
      lines.push(
        `# identity-assertion key of ${subgraph}, derived from ${ASSERTION_SECRET_ENV_VARIABLE}: the ${subgraph} service only\n${variable}=${derived}\n`,
      );
      added.push(variable);
    } else if (existing !== derived) {
      throw new Error(`${variable} in .env is not derived from ${ASSERTION_SECRET_ENV_VARIABLE}: delete its line and run npm run compose:env again`);
    }
  }
  if (lines.length === 0) return { content: envFile, added };
  const separator = envFile === '' || envFile.endsWith('\n') ? '' : '\n';
  return { content: `${envFile}${separator}${lines.join('')}`, added };
}
