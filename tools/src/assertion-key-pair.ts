import { writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { EnvReader, GENERATED_ASSERTION_PRIVATE_KEY_FILE, GENERATED_ASSERTION_PUBLIC_KEY_FILE, readAssertionKeys } from '@icg/shared';

export interface ProvisionedAssertionKeys {
  /** Where the private key is: only the gateway mounts this folder. */
  privateKeyPath: string;
  /** Where the public half is published for the subgraphs (mounted read-only). */
  publicKeyPath: string;
  /** True when the pair was made just now, false when an earlier one was kept. */
  generated: boolean;
}

/**
 * The identity-assertion key pair for a deployment whose subgraphs must not hold the private key: made once in
 * `privateDir` (kept on later runs), and its public half copied to `publicDir`.
 */
export function provisionAssertionKeyPair(privateDir: string, publicDir: string): ProvisionedAssertionKeys {
  // Without the key variables set, the shared reader generates the pair in the folder it is given, or reads it back.
  const keys = readAssertionKeys(new EnvReader({}), privateDir);
  mkdirSync(publicDir, { recursive: true });
  const publicKeyPath = join(publicDir, GENERATED_ASSERTION_PUBLIC_KEY_FILE);
  const temporaryPath = `${publicKeyPath}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporaryPath, keys.publicKeyPem, { mode: 0o644 });
  renameSync(temporaryPath, publicKeyPath);
  return { privateKeyPath: join(privateDir, GENERATED_ASSERTION_PRIVATE_KEY_FILE), publicKeyPath, generated: keys.source === 'generated' };
}
