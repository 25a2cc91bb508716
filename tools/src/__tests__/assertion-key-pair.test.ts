import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisionAssertionKeyPair } from '../assertion-key-pair';

describe('assertion-keys (the gateway keeps the private key, the subgraphs get the public one)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'icg-keys-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('publishes only the public half of the private key it keeps', () => {
    const keys = provisionAssertionKeyPair(join(root, 'gateway'), join(root, 'public'));
    expect(keys.generated).toBe(true);
    expect(readdirSync(join(root, 'public'))).toEqual(['identity-assertion-ed25519.pub.pem']);
    expect(readFileSync(keys.publicKeyPath, 'utf8')).not.toContain('PRIVATE');
    const derived = createPublicKey(createPrivateKey(readFileSync(keys.privateKeyPath, 'utf8')));
    expect(createPublicKey(readFileSync(keys.publicKeyPath, 'utf8')).equals(derived)).toBe(true);
  });

  it('keeps the pair on later starts, so the subgraphs keep trusting the gateway', () => {
    const first = provisionAssertionKeyPair(join(root, 'gateway'), join(root, 'public'));
    const firstPublic = readFileSync(first.publicKeyPath, 'utf8');
    const second = provisionAssertionKeyPair(join(root, 'gateway'), join(root, 'public'));
    expect(second.generated).toBe(false);
    expect(readFileSync(second.publicKeyPath, 'utf8')).toBe(firstPublic);
  });
});
