/**
 * The subgraphs' service keys for docker compose (docs/events.md): each subgraph signs the events it sends
 * with its own Ed25519 key. `npm run compose:env` writes one key pair per subgraph into the uncommitted
 * `.env` (the PEM on one line, newlines written `\n`); docker-compose.yml hands each private key to its own
 * service only, and a producer's public key to the services that receive its events.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { envPrefix, servicePublicKeyVariable } from '@icg/shared';
import type { DockerSecret } from './docker-env';

export const servicePrivateKeyEnvVariable = (subgraph: string): string => `${envPrefix(subgraph)}_SERVICE_PRIVATE_KEY`;
/** `.env` and the receiving services name a producer's public key alike: `<PRODUCER>_SERVICE_PUBLIC_KEY`. */
const servicePublicKeyEnvVariable = servicePublicKeyVariable;

/** Every key variable docker-compose.yml refers to (completeServiceKeys writes them, completeDockerEnv leaves them alone). */
export function serviceKeySecrets(subgraphs: readonly string[]): DockerSecret[] {
  return subgraphs.flatMap((subgraph) => [
    {
      variable: servicePrivateKeyEnvVariable(subgraph),
      meaning: `Ed25519 key ${subgraph} signs its events with: the ${subgraph} service only`,
      keyPair: true as const,
    },
    {
      variable: servicePublicKeyEnvVariable(subgraph),
      meaning: `its public half, for the subgraphs that receive ${subgraph}'s events`,
      keyPair: true as const,
    },
  ]);
}

/** A PEM on one `.env` line, single-quoted so compose takes it literally; shared's key reader turns `\n` back into newlines. */
const oneLine = (pem: string) => `'${pem.trim().replace(/\n/g, '\\n')}'`;

/** The value `.env` gives a variable, if any (as written, quotes removed). */
function valueIn(envFile: string, variable: string): string | undefined {
  const match = new RegExp(`^\\s*(?:export\\s+)?${variable}\\s*=\\s*(\\S.*)$`, 'm').exec(envFile);
  return match?.[1]?.replace(/^'(.*)'$/, '$1');
}

/**
 * `envFile` with a key pair appended for each subgraph that has none, and the public half for one that has
 * only its private key. Existing lines are kept as they are.
 */
export function completeServiceKeys(envFile: string, subgraphs: readonly string[]): { content: string; added: string[] } {
  const added: string[] = [];
  const lines: string[] = [];
  for (const subgraph of subgraphs) {
    const privateVariable = servicePrivateKeyEnvVariable(subgraph);
    const publicVariable = servicePublicKeyEnvVariable(subgraph);
    const existing = valueIn(envFile, privateVariable);
    let privatePem: string;
    if (existing === undefined) {
      privatePem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      lines.push(`# Ed25519 key ${subgraph} signs its events with: the ${subgraph} service only\n${privateVariable}=${oneLine(privatePem)}\n`);
      added.push(privateVariable);
    } else {
      privatePem = existing.replace(/\\n/g, '\n');
    }
    if (valueIn(envFile, publicVariable) === undefined) {
      const publicPem = createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' }).toString();
      lines.push(`# its public half, for the subgraphs that receive ${subgraph}'s events\n${publicVariable}=${oneLine(publicPem)}\n`);
      added.push(publicVariable);
    }
  }
  if (lines.length === 0) return { content: envFile, added };
  const separator = envFile === '' || envFile.endsWith('\n') ? '' : '\n';
  return { content: `${envFile}${separator}${lines.join('')}`, added };
}
