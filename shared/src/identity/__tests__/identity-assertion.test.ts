import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, generateKeyPair, type JWTPayload } from 'jose';
import { ConfigError, EnvReader } from '../../config';
import { AuthenticationError } from '../authentication-error';
import {
  GENERATED_ASSERTION_PRIVATE_KEY_FILE,
  GENERATED_ASSERTION_PUBLIC_KEY_FILE,
  IDENTITY_ASSERTION_HEADER,
  createAssertionSigner,
  createAssertionVerifier,
  readAssertionKeys,
  readAssertionTtlSeconds,
  requireAssertionPrivateKey,
  requestBodyDigest,
  type AssertionVerifier,
  type ReceivedRequest,
} from '../identity-assertion';
import { mintDevelopmentToken } from '../token-minter';
import { AUDITOR, MANAGER, TEST_SECRET, nowSeconds, unsignedToken } from './fixtures';

function ed25519Pair(): { privateKey: KeyObject; privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const gateway = ed25519Pair();
const signer = createAssertionSigner(gateway.privateKeyPem);
const customersVerifier = createAssertionVerifier(gateway.publicKeyPem, 'customers');
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
  key: KeyObject | Uint8Array = gateway.privateKey,
  header: { alg: string; typ?: string } = { alg: 'EdDSA', typ: 'icg-identity+jwt' },
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
    expect(header).toEqual({ alg: 'EdDSA', typ: 'icg-identity+jwt' });
    expect(payload).toMatchObject({ iss: 'icg-gateway', aud: 'customers', rid: 'req-0001' });
    expect(payload!['bdh']).toBe(createHash('sha256').update(BODY).digest('hex'));
    expect((payload!['exp'] as number) - (payload!['iat'] as number)).toBe(10);
  });

  it('takes a lifetime of 1 to 30 s', async () => {
    const short = await createAssertionSigner(gateway.privateKeyPem, { ttlSeconds: 2 }).sign(MANAGER, target);
    const payload = JSON.parse(Buffer.from(short.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
    expect(payload.exp - payload.iat).toBe(2);
    expect(() => createAssertionSigner(gateway.privateKeyPem, { ttlSeconds: 60 })).toThrow(/1 to 30/);
    expect(() => createAssertionSigner(gateway.privateKeyPem, { ttlSeconds: 0 })).toThrow(/1 to 30/);
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

  it('refuses an assertion meant for another subgraph', async () => {
    const forPolicies = await signer.sign(MANAGER, { ...target, subgraph: 'policies' });
    const refused = await expectRefusal(customersVerifier, forPolicies, 'Identity assertion audience is not accepted');
    expect(refused.failure).toBe('BAD_AUDIENCE');
    await expect(createAssertionVerifier(gateway.publicKeyPem, 'policies').verify(forPolicies, received)).resolves.toMatchObject({ staffId: '12' });
  });

  it('refuses an assertion signed by another key', async () => {
    const other = createAssertionSigner(ed25519Pair().privateKeyPem);
    await expectRefusal(customersVerifier, await other.sign(MANAGER, target), 'Identity assertion signature is invalid');
  });

  it('refuses other algorithms, alg:none and bearer tokens', async () => {
    const es256 = await generateKeyPair('ES256');
    await expectRefusal(
      customersVerifier,
      await craft(assertionClaims(), es256.privateKey as KeyObject, { alg: 'ES256', typ: 'icg-identity+jwt' }),
      'Identity assertion algorithm is not accepted',
    );
    await expectRefusal(
      customersVerifier,
      await craft(assertionClaims(), new TextEncoder().encode(TEST_SECRET), { alg: 'HS256', typ: 'icg-identity+jwt' }),
      'Identity assertion algorithm is not accepted',
    );
    await expectRefusal(customersVerifier, unsignedToken(assertionClaims()), 'Identity assertion algorithm is not accepted');
    await expectRefusal(
      customersVerifier,
      await mintDevelopmentToken({ secret: TEST_SECRET, identity: MANAGER }),
      'Identity assertion algorithm is not accepted',
    );
  });

  it('refuses a wrong type, issuer or claims', async () => {
    await expectRefusal(
      customersVerifier,
      await craft(assertionClaims(), gateway.privateKey, { alg: 'EdDSA', typ: 'JWT' }),
      'Identity assertion type is not accepted',
    );
    await expectRefusal(customersVerifier, await craft(assertionClaims({ iss: 'icg-dev' })), 'Identity assertion issuer is not accepted');
    await expectRefusal(customersVerifier, await craft(assertionClaims({ rid: undefined })), 'Identity assertion claims are invalid: rid');
    await expectRefusal(customersVerifier, await craft(assertionClaims({ rid: 'two words' })), 'Identity assertion claims are invalid: rid');
    await expectRefusal(customersVerifier, await craft(assertionClaims({ role: 'ROOT' })), 'Identity assertion claims are invalid: role');
  });

  it('signs only valid identities and request ids, with an Ed25519 key', async () => {
    await expect(signer.sign({ ...MANAGER, branchPath: '/1/3/' }, target)).rejects.toThrow(/branch_path/);
    await expect(signer.sign(MANAGER, { ...target, requestId: '' })).rejects.toThrow(/request id/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => createAssertionSigner(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow(/Ed25519/);
    expect(() => createAssertionVerifier(gateway.privateKeyPem, 'customers')).toThrow(/Ed25519 public key/);
  });
});

describe('readAssertionKeys', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'icg-assertion-keys-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const noEnv = new EnvReader({});

  it('generates a key pair into the data folder once, private file 0600, and reuses it', async () => {
    const dataDir = join(directory, 'data', 'nested');
    const first = readAssertionKeys(noEnv, dataDir);
    expect(first.source).toBe('generated');
    const privatePath = join(dataDir, GENERATED_ASSERTION_PRIVATE_KEY_FILE);
    expect(readFileSync(privatePath, 'utf8')).toBe(first.privateKeyPem);
    expect(readFileSync(join(dataDir, GENERATED_ASSERTION_PUBLIC_KEY_FILE), 'utf8')).toBe(first.publicKeyPem);
    if (process.platform !== 'win32') expect(statSync(privatePath).mode & 0o777).toBe(0o600);

    const second = readAssertionKeys(noEnv, dataDir);
    expect(second).toEqual({ ...first, source: 'file' });

    const assertion = await createAssertionSigner(requireAssertionPrivateKey(first)).sign(MANAGER, target);
    await expect(createAssertionVerifier(second.publicKeyPem, 'customers').verify(assertion, received)).resolves.toMatchObject({ staffId: '12' });
  });

  it('rewrites a missing public key file from the private one', () => {
    const first = readAssertionKeys(noEnv, directory);
    rmSync(join(directory, GENERATED_ASSERTION_PUBLIC_KEY_FILE));
    expect(readAssertionKeys(noEnv, directory).publicKeyPem).toBe(first.publicKeyPem);
    expect(readFileSync(join(directory, GENERATED_ASSERTION_PUBLIC_KEY_FILE), 'utf8')).toBe(first.publicKeyPem);
  });

  it('refuses a corrupted key file, with the remedy', () => {
    writeFileSync(join(directory, GENERATED_ASSERTION_PRIVATE_KEY_FILE), 'not a key');
    expect(() => readAssertionKeys(noEnv, directory)).toThrow(/delete it to have a new one generated/);
  });

  it('reads inline PEMs, with \\n escapes, from the environment', () => {
    const keys = readAssertionKeys(
      new EnvReader({ IDENTITY_ASSERTION_PRIVATE_KEY: gateway.privateKeyPem.replace(/\n/g, '\\n'), IDENTITY_ASSERTION_PUBLIC_KEY: gateway.publicKeyPem }),
      directory,
    );
    expect(keys).toEqual({ privateKeyPem: gateway.privateKeyPem, publicKeyPem: gateway.publicKeyPem, source: 'env' });
  });

  it('reads PEM file paths and derives the public key from a lone private key', () => {
    const privatePath = join(directory, 'gateway.pem');
    writeFileSync(privatePath, gateway.privateKeyPem);
    expect(readAssertionKeys(new EnvReader({ IDENTITY_ASSERTION_PRIVATE_KEY: privatePath }), directory)).toEqual({
      privateKeyPem: gateway.privateKeyPem,
      publicKeyPem: gateway.publicKeyPem,
      source: 'env',
    });
  });

  it('gives a subgraph with only the public key no private key, and the gateway a clear error', () => {
    const publicPath = join(directory, 'gateway.pub.pem');
    writeFileSync(publicPath, gateway.publicKeyPem);
    const keys = readAssertionKeys(new EnvReader({ IDENTITY_ASSERTION_PUBLIC_KEY: publicPath }), directory);
    expect(keys).toEqual({ privateKeyPem: null, publicKeyPem: gateway.publicKeyPem, source: 'env' });
    expect(() => requireAssertionPrivateKey(keys)).toThrow(/IDENTITY_ASSERTION_PRIVATE_KEY must be set/);
  });

  it('refuses mismatched, unreadable, non-Ed25519 and swapped keys', () => {
    const read = (env: Record<string, string>) => () => readAssertionKeys(new EnvReader(env), directory);
    const other = ed25519Pair();
    expect(read({ IDENTITY_ASSERTION_PRIVATE_KEY: gateway.privateKeyPem, IDENTITY_ASSERTION_PUBLIC_KEY: other.publicKeyPem })).toThrow(
      /IDENTITY_ASSERTION_PUBLIC_KEY is not the public half of IDENTITY_ASSERTION_PRIVATE_KEY/,
    );
    expect(read({ IDENTITY_ASSERTION_PRIVATE_KEY: '/no/such/key.pem' })).toThrow(ConfigError);
    expect(read({ IDENTITY_ASSERTION_PRIVATE_KEY: '/no/such/key.pem' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('/no/such') }));
    expect(read({ IDENTITY_ASSERTION_PUBLIC_KEY: '/no/such/key.pub.pem' })).toThrow(/"\/no\/such\/key.pub.pem", which cannot be read \(ENOENT\)/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(read({ IDENTITY_ASSERTION_PRIVATE_KEY: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() })).toThrow(
      /must be an Ed25519 private key/,
    );
    expect(read({ IDENTITY_ASSERTION_PUBLIC_KEY: gateway.privateKeyPem })).toThrow(/must be an Ed25519 public key/);
    expect(read({ IDENTITY_ASSERTION_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----' })).toThrow(ConfigError);
  });

  it('does not generate a key when the environment configures one', () => {
    mkdirSync(join(directory, 'data'));
    readAssertionKeys(new EnvReader({ IDENTITY_ASSERTION_PUBLIC_KEY: gateway.publicKeyPem }), join(directory, 'data'));
    expect(() => statSync(join(directory, 'data', GENERATED_ASSERTION_PRIVATE_KEY_FILE))).toThrow(/ENOENT/);
  });
});
