import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, generateKeyPair, type JWTPayload, type KeyLike } from 'jose';
import { ConfigError, EnvReader } from '../../config';
import { AuthenticationError } from '../authentication-error';
import {
  GENERATED_ASSERTION_SECRET_FILE,
  IDENTITY_ASSERTION_HEADER,
  createAssertionSigner,
  createAssertionVerifier,
  deriveSubgraphAssertionKey,
  readAssertionSecret,
  readAssertionTtlSeconds,
  readSubgraphAssertionKey,
  requestBodyDigest,
  type AssertionVerifier,
  type ReceivedRequest,
} from '../identity-assertion';
import { mintDevelopmentToken } from '../token-minter';
import { AUDITOR, MANAGER, TEST_SECRET, nowSeconds, unsignedToken } from './fixtures';

const newSecret = () => randomBytes(32).toString('base64url');
const GATEWAY_SECRET = newSecret();
const CUSTOMERS_KEY = deriveSubgraphAssertionKey(GATEWAY_SECRET, 'customers');
/** The customers subgraph's key as jose takes it, to craft assertions by hand. */
const customersKeyBytes = Buffer.from(CUSTOMERS_KEY, 'base64url');
const signer = createAssertionSigner(GATEWAY_SECRET);
const customersVerifier = createAssertionVerifier(CUSTOMERS_KEY, 'customers');
const BODY = '{"query":"{ customer(id: \\"1\\") { id } }","variables":{}}';
const target = { subgraph: 'customers', requestId: 'req-0001', body: BODY };
/** What the subgraph received with the assertion: the very body it was signed for. */
const received = { body: Buffer.from(BODY) };

/** A well-formed assertion payload for MANAGER, for tests that break one part of it. */
function assertionClaims(overrides: Record<string, unknown> = {}): JWTPayload {
  const now = nowSeconds();
  return {
    sub: '12',
    role: 'CUSTOMER_MANAGER',
    branch: '9',
    branch_path: '/1/3/9/',
    grade: 'SENIOR',
    rid: 'req-0001',
    bdh: requestBodyDigest(BODY),
    iss: 'icg-gateway',
    aud: 'customers',
    iat: now,
    exp: now + 10,
    ...overrides,
  };
}

async function craft(
  payload: JWTPayload,
  key: KeyLike | Uint8Array = customersKeyBytes,
  header: { alg: string; typ?: string } = { alg: 'HS256', typ: 'icg-identity+jwt' },
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}

async function expectRefusal(
  verifier: AssertionVerifier,
  headerValue: string | undefined,
  message: string,
  receivedRequest: ReceivedRequest = received,
): Promise<AuthenticationError> {
  const error: unknown = await verifier.verify(headerValue, receivedRequest).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  expect((error as AuthenticationError).message).toBe(message);
  return error as AuthenticationError;
}

describe('identity assertion', () => {
  it('uses the x-icg-identity header', () => {
    expect(IDENTITY_ASSERTION_HEADER).toBe('x-icg-identity');
  });

  it('round-trips an identity and the request id', async () => {
    const assertion = await signer.sign(MANAGER, target);
    await expect(customersVerifier.verify(assertion, received)).resolves.toEqual({ ...MANAGER, requestId: 'req-0001', operation: null });
    await expect(customersVerifier.verify(await signer.sign(AUDITOR, target), received)).resolves.toEqual({
      ...AUDITOR,
      requestId: 'req-0001',
      operation: null,
    });
  });

  it("carries the client operation's name and hash for the audit trail, and refuses malformed ones", async () => {
    const operation = { name: 'Customer360', hash: 'a'.repeat(64) };
    await expect(customersVerifier.verify(await signer.sign(MANAGER, { ...target, operation }), received)).resolves.toMatchObject({ operation });
    await expect(
      customersVerifier.verify(await signer.sign(MANAGER, { ...target, operation: { name: null, hash: 'b'.repeat(64) } }), received),
    ).resolves.toMatchObject({
      operation: { name: null, hash: 'b'.repeat(64) },
    });
    await expect(signer.sign(MANAGER, { ...target, operation: { name: 'x y', hash: 'a'.repeat(64) } })).rejects.toThrow(TypeError);
    await expect(signer.sign(MANAGER, { ...target, operation: { name: null, hash: 'short' } })).rejects.toThrow(TypeError);
  });

  it('lives 10 s by default, is issued by the gateway for one subgraph, and carries the SHA-256 of the body', async () => {
    const assertion = await signer.sign(MANAGER, target);
    const [header, payload] = assertion
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toEqual({ alg: 'HS256', typ: 'icg-identity+jwt' });
    expect(payload).toMatchObject({ iss: 'icg-gateway', aud: 'customers', rid: 'req-0001' });
    expect(payload!['bdh']).toBe(createHash('sha256').update(BODY).digest('hex'));
    expect((payload!['exp'] as number) - (payload!['iat'] as number)).toBe(10);
  });

  it('takes a lifetime of 1 to 30 s', async () => {
    const short = await createAssertionSigner(GATEWAY_SECRET, { ttlSeconds: 2 }).sign(MANAGER, target);
    const payload = JSON.parse(Buffer.from(short.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
    expect(payload.exp - payload.iat).toBe(2);
    expect(() => createAssertionSigner(GATEWAY_SECRET, { ttlSeconds: 60 })).toThrow(/1 to 30/);
    expect(() => createAssertionSigner(GATEWAY_SECRET, { ttlSeconds: 0 })).toThrow(/1 to 30/);
    expect(readAssertionTtlSeconds(new EnvReader({}))).toBe(10);
    expect(readAssertionTtlSeconds(new EnvReader({ IDENTITY_ASSERTION_TTL_SECONDS: '5' }))).toBe(5);
    expect(() => readAssertionTtlSeconds(new EnvReader({ IDENTITY_ASSERTION_TTL_SECONDS: '300' }))).toThrow(
      /IDENTITY_ASSERTION_TTL_SECONDS must be at most 30/,
    );
  });

  it('is bound to the request it was signed for: another body or request id is refused', async () => {
    const assertion = await signer.sign(MANAGER, target);
    // The same bytes as a Buffer or a string verify alike; any change to them does not.
    await expect(customersVerifier.verify(assertion, { body: BODY })).resolves.toMatchObject({ staffId: '12' });
    const otherBody = BODY.replace('{ id }', '{ id idNumber }');
    const mismatch = await expectRefusal(customersVerifier, assertion, 'Identity assertion was not issued for this request body', { body: otherBody });
    expect(mismatch).toMatchObject({ status: 401, failure: 'REQUEST_MISMATCH' });
    await expectRefusal(customersVerifier, assertion, 'Identity assertion was not issued for this request body', { body: `${BODY} ` });
    await expectRefusal(customersVerifier, assertion, 'Identity assertion was not issued for this request body', { body: '' });
    await expect(customersVerifier.verify(assertion, { ...received, requestIdHeader: 'req-0001' })).resolves.toMatchObject({ requestId: 'req-0001' });
    await expectRefusal(customersVerifier, assertion, 'Identity assertion was not issued for this request id', { ...received, requestIdHeader: 'req-0002' });
  });

  it('refuses an assertion without a well-formed body digest, or signed for longer than 30 s', async () => {
    await expectRefusal(customersVerifier, await craft(assertionClaims({ bdh: undefined })), 'Identity assertion claims are invalid: bdh');
    await expectRefusal(customersVerifier, await craft(assertionClaims({ bdh: 'A'.repeat(64) })), 'Identity assertion claims are invalid: bdh');
    const now = nowSeconds();
    await expectRefusal(customersVerifier, await craft(assertionClaims({ iat: now, exp: now + 3600 })), 'Identity assertion lifetime is too long');
  });

  it('refuses a missing or garbage header', async () => {
    const missing = await expectRefusal(customersVerifier, undefined, 'Missing identity assertion');
    expect(missing).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    await expectRefusal(customersVerifier, '', 'Missing identity assertion');
    await expectRefusal(customersVerifier, 'garbage', 'Identity assertion is malformed');
    await expectRefusal(customersVerifier, 'a.b.c', 'Identity assertion is malformed');
    const assertion = await signer.sign(MANAGER, target);
    await expectRefusal(customersVerifier, `${assertion}, ${assertion}`, 'Identity assertion is malformed');
  });

  it('refuses an expired assertion (2 s of clock tolerance) and one issued too long ago', async () => {
    const now = nowSeconds();
    await expectRefusal(customersVerifier, await craft(assertionClaims({ iat: now - 14, exp: now - 4 })), 'Identity assertion expired');
    await expect(customersVerifier.verify(await craft(assertionClaims({ iat: now - 10, exp: now - 1 })), received)).resolves.toMatchObject({ staffId: '12' });
    await expectRefusal(customersVerifier, await craft(assertionClaims({ iat: now - 40, exp: now + 5 })), 'Identity assertion expired');
  });

  it("refuses an assertion meant for another subgraph: it carries that subgraph's MAC", async () => {
    const forPolicies = await signer.sign(MANAGER, { ...target, subgraph: 'policies' });
    const refused = await expectRefusal(customersVerifier, forPolicies, 'Identity assertion signature is invalid');
    expect(refused.failure).toBe('BAD_SIGNATURE');
    const policiesKey = deriveSubgraphAssertionKey(GATEWAY_SECRET, 'policies');
    await expect(createAssertionVerifier(policiesKey, 'policies').verify(forPolicies, received)).resolves.toMatchObject({ staffId: '12' });
    // Even with the customers key, an audience other than customers alone is refused.
    const audience = await expectRefusal(customersVerifier, await craft(assertionClaims({ aud: 'policies' })), 'Identity assertion audience is not accepted');
    expect(audience.failure).toBe('BAD_AUDIENCE');
    await expectRefusal(customersVerifier, await craft(assertionClaims({ aud: ['customers', 'policies'] })), 'Identity assertion audience is not accepted');
  });

  it('refuses an assertion MACed with another gateway secret, or minted by another subgraph with its own key', async () => {
    await expectRefusal(customersVerifier, await createAssertionSigner(newSecret()).sign(MANAGER, target), 'Identity assertion signature is invalid');
    const policiesKey = Buffer.from(deriveSubgraphAssertionKey(GATEWAY_SECRET, 'policies'), 'base64url');
    await expectRefusal(customersVerifier, await craft(assertionClaims(), policiesKey), 'Identity assertion signature is invalid');
  });

  it('derives a different 32-byte key per subgraph and per secret, none of them the secret', () => {
    const keys = ['customers', 'policies', 'claims'].map((name) => deriveSubgraphAssertionKey(GATEWAY_SECRET, name));
    expect(new Set(keys).size).toBe(3);
    for (const key of keys) expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    expect(deriveSubgraphAssertionKey(GATEWAY_SECRET, 'customers')).toBe(CUSTOMERS_KEY);
    expect(deriveSubgraphAssertionKey(newSecret(), 'customers')).not.toBe(CUSTOMERS_KEY);
    expect(keys).not.toContain(GATEWAY_SECRET);
  });

  it('refuses other algorithms (the Ed25519 assertions of old too), alg:none and bearer tokens', async () => {
    const es256 = await generateKeyPair('ES256');
    await expectRefusal(
      customersVerifier,
      await craft(assertionClaims(), es256.privateKey, { alg: 'ES256', typ: 'icg-identity+jwt' }),
      'Identity assertion algorithm is not accepted',
    );
    const ed25519 = await generateKeyPair('EdDSA');
    await expectRefusal(
      customersVerifier,
      await craft(assertionClaims(), ed25519.privateKey, { alg: 'EdDSA', typ: 'icg-identity+jwt' }),
      'Identity assertion algorithm is not accepted',
    );
    await expectRefusal(
      customersVerifier,
      await craft(assertionClaims(), customersKeyBytes, { alg: 'HS512', typ: 'icg-identity+jwt' }),
      'Identity assertion algorithm is not accepted',
    );
    await expectRefusal(customersVerifier, unsignedToken(assertionClaims()), 'Identity assertion algorithm is not accepted');
    // A development bearer token is HS256 too, but MACed with another secret.
    await expectRefusal(customersVerifier, await mintDevelopmentToken({ secret: TEST_SECRET, identity: MANAGER }), 'Identity assertion signature is invalid');
  });

  it('refuses a wrong type, issuer or claims', async () => {
    await expectRefusal(
      customersVerifier,
      await craft(assertionClaims(), customersKeyBytes, { alg: 'HS256', typ: 'JWT' }),
      'Identity assertion type is not accepted',
    );
    await expectRefusal(customersVerifier, await craft(assertionClaims({ iss: 'icg-dev' })), 'Identity assertion issuer is not accepted');
    await expectRefusal(customersVerifier, await craft(assertionClaims({ rid: undefined })), 'Identity assertion claims are invalid: rid');
    await expectRefusal(customersVerifier, await craft(assertionClaims({ rid: 'two words' })), 'Identity assertion claims are invalid: rid');
    await expectRefusal(customersVerifier, await craft(assertionClaims({ role: 'ROOT' })), 'Identity assertion claims are invalid: role');
  });

  it('MACs only valid identities and request ids, with a secret of at least 32 bytes; verifies with a 32-byte key', async () => {
    await expect(signer.sign({ ...MANAGER, branchPath: '/1/3/' }, target)).rejects.toThrow(/branch_path/);
    await expect(signer.sign(MANAGER, { ...target, requestId: '' })).rejects.toThrow(/request id/);
    expect(() => createAssertionSigner('short')).toThrow(/at least 32 bytes/);
    expect(() => createAssertionVerifier(GATEWAY_SECRET.slice(0, 20), 'customers')).toThrow(/32 bytes written base64url/);
    expect(() => createAssertionVerifier(`${CUSTOMERS_KEY}A`, 'customers')).toThrow(/32 bytes written base64url/);
  });
});

describe('assertion key configuration', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'icg-assertion-keys-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const noEnv = new EnvReader({});

  it('generates the gateway secret into the data folder once, file 0600, from which every subgraph derives its key', async () => {
    const dataDir = join(directory, 'data', 'nested');
    const secret = readAssertionSecret(noEnv, dataDir);
    const secretPath = join(dataDir, GENERATED_ASSERTION_SECRET_FILE);
    expect(readFileSync(secretPath, 'utf8').trim()).toBe(secret);
    if (process.platform !== 'win32') expect(statSync(secretPath).mode & 0o777).toBe(0o600);
    expect(readAssertionSecret(noEnv, dataDir)).toBe(secret);

    const customersKey = readSubgraphAssertionKey(noEnv, dataDir, 'customers');
    expect(customersKey).toBe(deriveSubgraphAssertionKey(secret, 'customers'));
    const assertion = await createAssertionSigner(secret).sign(MANAGER, target);
    await expect(createAssertionVerifier(customersKey, 'customers').verify(assertion, received)).resolves.toMatchObject({ staffId: '12' });
  });

  it('reads the secret and a key inline or from a file, and generates nothing then', () => {
    const secretPath = join(directory, 'gateway.secret');
    writeFileSync(secretPath, `${GATEWAY_SECRET}\n`);
    expect(readAssertionSecret(new EnvReader({ IDENTITY_ASSERTION_SECRET: GATEWAY_SECRET }), directory)).toBe(GATEWAY_SECRET);
    expect(readAssertionSecret(new EnvReader({ IDENTITY_ASSERTION_SECRET_FILE: secretPath }), directory)).toBe(GATEWAY_SECRET);
    const keyPath = join(directory, 'customers.key');
    writeFileSync(keyPath, `${CUSTOMERS_KEY}\n`);
    expect(readSubgraphAssertionKey(new EnvReader({ IDENTITY_ASSERTION_KEY: CUSTOMERS_KEY }), directory, 'customers')).toBe(CUSTOMERS_KEY);
    expect(readSubgraphAssertionKey(new EnvReader({ IDENTITY_ASSERTION_KEY_FILE: keyPath }), directory, 'customers')).toBe(CUSTOMERS_KEY);
    expect(readSubgraphAssertionKey(new EnvReader({ IDENTITY_ASSERTION_SECRET: GATEWAY_SECRET }), directory, 'customers')).toBe(CUSTOMERS_KEY);
    expect(
      readSubgraphAssertionKey(new EnvReader({ IDENTITY_ASSERTION_SECRET: GATEWAY_SECRET, IDENTITY_ASSERTION_KEY: CUSTOMERS_KEY }), directory, 'customers'),
    ).toBe(CUSTOMERS_KEY);
    expect(() => statSync(join(directory, GENERATED_ASSERTION_SECRET_FILE))).toThrow(/ENOENT/);
  });

  it('refuses short secrets, malformed or mismatched keys, unreadable files, both forms at once, and the retired Ed25519 settings', () => {
    const secret = (env: Record<string, string>) => () => readAssertionSecret(new EnvReader(env), directory);
    const key = (env: Record<string, string>) => () => readSubgraphAssertionKey(new EnvReader(env), directory, 'customers');
    expect(secret({ IDENTITY_ASSERTION_SECRET: 'too-short' })).toThrow(/IDENTITY_ASSERTION_SECRET holds fewer than 32 bytes/);
    expect(secret({ IDENTITY_ASSERTION_SECRET_FILE: '/no/such/secret' })).toThrow(/"\/no\/such\/secret", which cannot be read \(ENOENT\)/);
    expect(secret({ IDENTITY_ASSERTION_SECRET: GATEWAY_SECRET, IDENTITY_ASSERTION_SECRET_FILE: '/x' })).toThrow(/both set/);
    expect(key({ IDENTITY_ASSERTION_KEY: 'not-a-key' })).toThrow(/IDENTITY_ASSERTION_KEY must hold 32 bytes/);
    expect(key({ IDENTITY_ASSERTION_KEY: deriveSubgraphAssertionKey(GATEWAY_SECRET, 'policies'), IDENTITY_ASSERTION_SECRET: GATEWAY_SECRET })).toThrow(
      /IDENTITY_ASSERTION_KEY is not the customers key of IDENTITY_ASSERTION_SECRET/,
    );
    for (const retired of ['IDENTITY_ASSERTION_PRIVATE_KEY', 'IDENTITY_ASSERTION_PUBLIC_KEY']) {
      expect(secret({ [retired]: '-----BEGIN PRIVATE KEY-----' })).toThrow(new RegExp(`${retired} is no longer read`));
      expect(key({ [retired]: '-----BEGIN PUBLIC KEY-----' })).toThrow(ConfigError);
    }
  });

  it('refuses a generated secret file cut short, naming it', () => {
    writeFileSync(join(directory, GENERATED_ASSERTION_SECRET_FILE), 'x'.repeat(20));
    expect(() => readAssertionSecret(noEnv, directory)).toThrow(/holds fewer than 32 bytes/);
  });
});
