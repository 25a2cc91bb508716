import { parseArgs } from 'node:util';
import { provisionAssertionKeyFiles } from './assertion-key-files';
import { SUBGRAPH_REGISTRY } from './subgraph-registry';

const USAGE = `Usage: node tools/dist/assertion-keys.js --secret-dir DIR --keys-dir DIR [--subgraph NAME ...]
  Makes the gateway's identity-assertion secret once in --secret-dir (the gateway's folder alone; point
  IDENTITY_ASSERTION_SECRET_FILE at it) and writes each subgraph's key, derived from it, to
  --keys-dir/<subgraph>/identity-assertion.key (mount each folder into its own subgraph alone; point
  IDENTITY_ASSERTION_KEY_FILE at it). Every registered subgraph unless --subgraph names some.
  docker compose needs none of this: npm run compose:env writes the same into .env.`;

function main(): void {
  let values;
  try {
    values = parseArgs({ options: { 'secret-dir': { type: 'string' }, 'keys-dir': { type: 'string' }, subgraph: { type: 'string', multiple: true } } }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const secretDir = values['secret-dir'];
  const keysDir = values['keys-dir'];
  if (!secretDir || !keysDir) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const subgraphs = values.subgraph ?? SUBGRAPH_REGISTRY.map(({ manifest }) => manifest.name);
  const keys = provisionAssertionKeyFiles(secretDir, keysDir, subgraphs);
  process.stdout.write(`identity-assertion secret at ${keys.secretPath}; keys for ${Object.keys(keys.keyPaths).join(', ')} under ${keysDir}\n`);
}

main();
