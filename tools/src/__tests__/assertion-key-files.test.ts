import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAssertionSigner, createAssertionVerifier } from '@icg/shared';
import { provisionAssertionKeyFiles } from '../assertion-key-files';

const MANAGER = { staffId: '12', role: 'CUSTOMER_MANAGER', branchId: '9', branchPath: '/1/3/9/', grade: 'SENIOR', purpose: null } as const;

describe('assertion-keys (the gateway keeps the secret, each subgraph gets its own key)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'icg-keys-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("writes each subgraph's key in a folder of its own, none of them the secret, each checking only the gateway's calls to it", async () => {
    const keys = provisionAssertionKeyFiles(join(root, 'gateway'), join(root, 'keys'), ['customers', 'policies']);
    expect(readdirSync(join(root, 'keys')).sort()).toEqual(['customers', 'policies']);
    expect(readdirSync(join(root, 'keys', 'customers'))).toEqual(['identity-assertion.key']);
    const secret = readFileSync(keys.secretPath, 'utf8').trim();
    const customersKey = readFileSync(keys.keyPaths['customers']!, 'utf8').trim();
    const policiesKey = readFileSync(keys.keyPaths['policies']!, 'utf8').trim();
    expect(customersKey).not.toBe(policiesKey);
    expect([customersKey, policiesKey]).not.toContain(secret);
    if (process.platform !== 'win32') expect(statSync(keys.keyPaths['customers']!).mode & 0o777).toBe(0o600);

    const body = '{"query":"{ __typename }"}';
    const assertion = await createAssertionSigner(secret).sign(MANAGER, { subgraph: 'customers', requestId: 'r-1', body });
    await expect(createAssertionVerifier(customersKey, 'customers').verify(assertion, { body })).resolves.toMatchObject({ staffId: '12' });
    // The policies key checks nothing meant for customers, even were its audience ignored.
    await expect(createAssertionVerifier(policiesKey, 'customers').verify(assertion, { body })).rejects.toThrow('Identity assertion signature is invalid');
  });

  it('keeps the secret on later runs, so the keys stay the same', () => {
    const first = provisionAssertionKeyFiles(join(root, 'gateway'), join(root, 'keys'), ['customers']);
    const firstKey = readFileSync(first.keyPaths['customers']!, 'utf8');
    const second = provisionAssertionKeyFiles(join(root, 'gateway'), join(root, 'keys'), ['customers']);
    expect(readFileSync(second.keyPaths['customers']!, 'utf8')).toBe(firstKey);
  });
});
