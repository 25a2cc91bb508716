import { parseArgs } from 'node:util';
import { provisionAssertionKeyPair } from './assertion-key-pair';

const USAGE = `Usage: node tools/dist/assertion-keys.js --private-dir DIR --public-dir DIR
  Makes the gateway's identity-assertion key pair once in --private-dir (the gateway's folder alone)
  and publishes its public half in --public-dir (mounted read-only by the subgraphs).`;

function main(): void {
  let values;
  try {
    values = parseArgs({ options: { 'private-dir': { type: 'string' }, 'public-dir': { type: 'string' } } }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const privateDir = values['private-dir'];
  const publicDir = values['public-dir'];
  if (!privateDir || !publicDir) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const keys = provisionAssertionKeyPair(privateDir, publicDir);
  process.stdout.write(`${keys.generated ? 'generated' : 'kept'} the identity-assertion key pair; public key at ${keys.publicKeyPath}\n`);
}

main();
