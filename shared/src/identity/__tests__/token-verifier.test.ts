import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, type KeyLike } from 'jose';
import { ConfigError, EnvReader } from '../../config';
import { AuthenticationError } from '../authentication-error';
import { DEFAULT_CLAIM_MAPPING } from '../claim-mapping';
import { mintDevelopmentToken } from '../token-minter';
import { createTokenVerifier, readTokenVerifierConfig, type TokenVerifier } from '../token-verifier';
import { AUDIENCE, AUDITOR, ISSUER, MANAGER, OTHER_SECRET, TEST_SECRET, managerClaims, nowSeconds, secretKey, signToken, unsignedToken } from './fixtures';

const secretVerifier = createTokenVerifier({ keySource: { kind: 'secret', secret: TEST_SECRET }, issuer: ISSUER, audience: AUDIENCE });

async function expectRefusal(verifier: TokenVerifier, header: string | undefined, message: string): Promise<AuthenticationError> {
  const error: unknown = await verifier.verify(header).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  expect((error as AuthenticationError).message).toBe(message);
  return error as AuthenticationError;
}

const bearer = (token: string) => `Bearer ${token}`;
const hs256 = async (payload: ReturnType<typeof managerClaims>, secret = TEST_SECRET) => bearer(await signToken(payload, secretKey(secret)));

describe('token verifier with an HS256 secret', () => {
  it('yields the identity of a minted development token', async () => {
    const token = await mintDevelopmentToken({ secret: TEST_SECRET, issuer: ISSUER, audience: AUDIENCE, identity: MANAGER });
    await expect(secretVerifier.verify(bearer(token))).resolves.toEqual(MANAGER);
  });

  it('carries a stated purpose and accepts any case of the scheme', async () => {
    const token = await mintDevelopmentToken({ secret: TEST_SECRET, identity: AUDITOR });
    await expect(secretVerifier.verify(`bearer  ${token}`)).resolves.toEqual(AUDITOR);
  });

  it('accepts a numeric branch claim and a missing grade', async () => {
    const identity = await secretVerifier.verify(await hs256(managerClaims({ branch: 9, grade: undefined })));
    expect(identity).toMatchObject({ branchId: '9', grade: null, purpose: null });
  });

  it('refuses a missing or malformed header', async () => {
    const missing = await expectRefusal(secretVerifier, undefined, 'Missing bearer token');
    expect(missing).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, failure: 'MISSING' });
    await expectRefusal(secretVerifier, '   ', 'Missing bearer token');
    await expectRefusal(secretVerifier, 'Basic dXNlcjpwYXNz', 'Authorization header must use the Bearer scheme');
    await expectRefusal(secretVerifier, 'Bearer', 'Authorization header must use the Bearer scheme');
    await expectRefusal(secretVerifier, 'Bearer not-a-jwt', 'Malformed bearer token');
    await expectRefusal(secretVerifier, `Bearer ${'a'.repeat(9000)}.b.c`, 'Bearer token is too large');
    await expectRefusal(secretVerifier, 'Bearer e30.e30.', 'Token is malformed');
    await expectRefusal(secretVerifier, 'Bearer bm90IGpzb24.e30.c2ln', 'Token is malformed');
  });

  it('refuses an expired token, with 5 s of clock tolerance', async () => {
    const now = nowSeconds();
    const expired = await expectRefusal(secretVerifier, await hs256(managerClaims({ iat: now - 600, exp: now - 60 })), 'Token expired');
    expect(expired.failure).toBe('EXPIRED');
    await expect(secretVerifier.verify(await hs256(managerClaims({ iat: now - 600, exp: now - 2 })))).resolves.toEqual(MANAGER);
  });

  it('refuses a token that is not yet valid', async () => {
    await expectRefusal(secretVerifier, await hs256(managerClaims({ nbf: nowSeconds() + 60 })), 'Token not yet valid');
  });

  it('refuses a wrong or missing issuer', async () => {
    await expectRefusal(secretVerifier, await hs256(managerClaims({ iss: 'someone-else' })), 'Token issuer is not accepted');
    await expectRefusal(secretVerifier, await hs256(managerClaims({ iss: undefined })), 'Token issuer is not accepted');
  });

  it('refuses a wrong audience', async () => {
    await expectRefusal(secretVerifier, await hs256(managerClaims({ aud: 'another-app' })), 'Token audience is not accepted');
  });

  it('refuses a token signed with another secret', async () => {
    const forged = await expectRefusal(secretVerifier, await hs256(managerClaims(), OTHER_SECRET), 'Token signature is invalid');
    expect(forged.failure).toBe('BAD_SIGNATURE');
  });

  it('refuses an unsigned alg:none token', async () => {
    await expectRefusal(secretVerifier, bearer(unsignedToken(managerClaims())), 'Token algorithm is not accepted');
  });

  it('refuses HMAC algorithms other than HS256', async () => {
    const hs384 = await signToken(managerClaims(), secretKey(TEST_SECRET), { alg: 'HS384' });
    await expectRefusal(secretVerifier, bearer(hs384), 'Token algorithm is not accepted');
  });

  it('requires exp', async () => {
    await expectRefusal(secretVerifier, await hs256(managerClaims({ exp: undefined })), 'Token claims are invalid: exp');
  });

  it.each([
    ['sub', { sub: undefined }],
    ['sub', { sub: 'S00012' }],
    ['role', { role: 'ADMIN' }],
    ['role', { role: undefined }],
    ['branch', { branch: undefined }],
    ['branch', { branch: '9; drop' }],
    ['branch_path', { branch_path: '1/3/9' }],
    ['branch_path', { branch_path: '/1/3/x/' }],
    ['branch_path', { branch_path: '/1/3/8/' }],
    ['branch_path', { branch_path: 42 }],
    ['grade', { grade: 'BOSS' }],
    ['grade', { role: 'OPERATOR', grade: 'SENIOR' }],
    ['purpose', { purpose: 'CURIOSITY' }],
  ])('refuses invalid claims: %s in %p', async (claim, overrides) => {
    const refused = await expectRefusal(secretVerifier, await hs256(managerClaims(overrides)), `Token claims are invalid: ${claim}`);
    expect(refused.failure).toBe('BAD_CLAIMS');
  });

  it('does not echo claim values in messages', async () => {
    const refused = await expectRefusal(secretVerifier, await hs256(managerClaims({ iss: '<script>secret</script>' })), 'Token issuer is not accepted');
    expect(refused.message).not.toContain('secret');
  });
});

describe('token verifier with a JWKS', () => {
  let directory: string;
  let rsa: { privateKey: KeyLike; publicKey: KeyLike };
  let ec: { privateKey: KeyLike; publicKey: KeyLike };
  let secondEc: { privateKey: KeyLike; publicKey: KeyLike };
  let jwks: { keys: JWK[] };
  let verifier: TokenVerifier;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'icg-jwks-'));
    [rsa, ec, secondEc] = await Promise.all([generateKeyPair('RS256'), generateKeyPair('ES256'), generateKeyPair('ES256')]);
    jwks = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
        { ...(await exportJWK(secondEc.publicKey)), kid: 'ec-2', alg: 'ES256', use: 'sig' },
      ],
    };
    writeFileSync(join(directory, 'jwks.json'), JSON.stringify(jwks));
    verifier = createTokenVerifier({ keySource: { kind: 'jwks-file', path: join(directory, 'jwks.json') }, issuer: ISSUER, audience: AUDIENCE });
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('verifies RS256 and ES256 tokens', async () => {
    await expect(verifier.verify(bearer(await signToken(managerClaims(), rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' })))).resolves.toEqual(MANAGER);
    await expect(verifier.verify(bearer(await signToken(managerClaims(), ec.privateKey, { alg: 'ES256', kid: 'ec-1' })))).resolves.toEqual(MANAGER);
  });

  it('tries every candidate key when the token has no kid', async () => {
    await expect(verifier.verify(bearer(await signToken(managerClaims(), secondEc.privateKey, { alg: 'ES256' })))).resolves.toEqual(MANAGER);
    const stranger = await generateKeyPair('ES256');
    await expectRefusal(verifier, bearer(await signToken(managerClaims(), stranger.privateKey, { alg: 'ES256' })), 'Token signature is invalid');
  });

  it('refuses a token signed by another key under a known kid', async () => {
    const stranger = await generateKeyPair('RS256');
    await expectRefusal(verifier, bearer(await signToken(managerClaims(), stranger.privateKey, { alg: 'RS256', kid: 'rsa-1' })), 'Token signature is invalid');
  });

  it('refuses a token whose kid is unknown', async () => {
    const stranger = await generateKeyPair('RS256');
    const refused = await expectRefusal(
      verifier,
      bearer(await signToken(managerClaims(), stranger.privateKey, { alg: 'RS256', kid: 'rsa-9' })),
      'Token signing key is not recognised',
    );
    expect(refused.failure).toBe('UNKNOWN_KEY');
  });

  it('refuses HS256 tokens (algorithm confusion), including one keyed with the public key', async () => {
    await expectRefusal(verifier, await hs256(managerClaims()), 'Token algorithm is not accepted');
    const publicPem = await exportSPKI(rsa.publicKey);
    await expectRefusal(
      verifier,
      bearer(await signToken(managerClaims(), secretKey(publicPem), { alg: 'HS256', kid: 'rsa-1' })),
      'Token algorithm is not accepted',
    );
  });

  it('refuses alg:none and algorithms outside the allow-list', async () => {
    await expectRefusal(verifier, bearer(unsignedToken(managerClaims())), 'Token algorithm is not accepted');
    const ps256 = await generateKeyPair('PS256');
    await expectRefusal(
      verifier,
      bearer(await signToken(managerClaims(), ps256.privateKey, { alg: 'PS256', kid: 'rsa-1' })),
      'Token algorithm is not accepted',
    );
  });

  it('applies issuer, audience, expiry and claim checks as with a secret', async () => {
    const sign = (overrides: Record<string, unknown>) => signToken(managerClaims(overrides), ec.privateKey, { alg: 'ES256', kid: 'ec-1' });
    await expectRefusal(verifier, bearer(await sign({ iss: 'elsewhere' })), 'Token issuer is not accepted');
    await expectRefusal(verifier, bearer(await sign({ aud: 'elsewhere' })), 'Token audience is not accepted');
    await expectRefusal(verifier, bearer(await sign({ exp: nowSeconds() - 60 })), 'Token expired');
    await expectRefusal(verifier, bearer(await sign({ role: 'ROOT' })), 'Token claims are invalid: role');
  });

  it('fetches a remote JWKS over http', async () => {
    const server: Server = createServer((request, response) => {
      response.writeHead(request.url === '/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
      response.end(request.url === '/jwks.json' ? JSON.stringify(jwks) : '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const remote = createTokenVerifier({ keySource: { kind: 'jwks-url', url: `http://127.0.0.1:${port}/jwks.json` }, issuer: ISSUER, audience: AUDIENCE });
      await expect(remote.verify(bearer(await signToken(managerClaims(), rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' })))).resolves.toEqual(MANAGER);

      const broken = createTokenVerifier({ keySource: { kind: 'jwks-url', url: `http://127.0.0.1:${port}/missing.json` }, issuer: ISSUER, audience: AUDIENCE });
      const refused = await expectRefusal(
        broken,
        bearer(await signToken(managerClaims(), rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' })),
        'Token signing keys are unavailable',
      );
      expect(refused.failure).toBe('KEYS_UNAVAILABLE');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('reports an unreachable JWKS endpoint as unavailable keys', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const unreachable = createTokenVerifier({ keySource: { kind: 'jwks-url', url: `http://127.0.0.1:${port}/jwks.json` }, issuer: ISSUER, audience: AUDIENCE });
    await expectRefusal(
      unreachable,
      bearer(await signToken(managerClaims(), rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' })),
      'Token signing keys are unavailable',
    );
  });

  it('refuses a JWKS file that is missing, not JSON or holds private keys, at creation', async () => {
    const create = (path: string) => () => createTokenVerifier({ keySource: { kind: 'jwks-file', path }, issuer: ISSUER, audience: AUDIENCE });
    expect(create(join(directory, 'absent.json'))).toThrow(/AUTH_JWKS_PATH .*cannot be read \(ENOENT\)/);
    writeFileSync(join(directory, 'broken.json'), '{ keys: ');
    expect(create(join(directory, 'broken.json'))).toThrow(/AUTH_JWKS_PATH .*is not valid JSON/);
    writeFileSync(join(directory, 'empty.json'), '{"keys":[]}');
    expect(create(join(directory, 'empty.json'))).toThrow(ConfigError);
    writeFileSync(join(directory, 'private.json'), JSON.stringify({ keys: [await exportJWK(rsa.privateKey)] }));
    expect(create(join(directory, 'private.json'))).toThrow(/public keys only/);
  });
});

describe('readTokenVerifierConfig', () => {
  const read = (env: Record<string, string>) => readTokenVerifierConfig(new EnvReader(env));

  it('reads a secret with the default issuer and audience', () => {
    expect(read({ AUTH_HS256_SECRET: TEST_SECRET })).toEqual({
      keySource: { kind: 'secret', secret: TEST_SECRET },
      issuer: 'icg-dev',
      audience: 'insurer-customer-graph',
      claims: DEFAULT_CLAIM_MAPPING,
    });
  });

  it('reads a JWKS path or URL and overrides of issuer and audience', () => {
    expect(read({ AUTH_JWKS_PATH: '/etc/icg/jwks.json', AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'icg' })).toEqual({
      keySource: { kind: 'jwks-file', path: '/etc/icg/jwks.json' },
      issuer: 'https://idp.example',
      audience: 'icg',
      claims: DEFAULT_CLAIM_MAPPING,
    });
    expect(read({ AUTH_JWKS_URL: 'https://idp.example/jwks' }).keySource).toEqual({ kind: 'jwks-url', url: 'https://idp.example/jwks' });
  });

  it('requires exactly one key source, naming the variables', () => {
    expect(() => read({})).toThrow(ConfigError);
    expect(() => read({ AUTH_HS256_SECRET: '  ' })).toThrow(/AUTH_HS256_SECRET, AUTH_JWKS_PATH or AUTH_JWKS_URL must be set/);
    expect(() => read({ AUTH_HS256_SECRET: TEST_SECRET, AUTH_JWKS_URL: 'https://idp.example/jwks' })).toThrow(
      /exactly once, but AUTH_HS256_SECRET and AUTH_JWKS_URL are set/,
    );
  });

  it('refuses a short secret and a non-http JWKS URL', () => {
    expect(() => read({ AUTH_HS256_SECRET: 'too-short' })).toThrow(/AUTH_HS256_SECRET must be at least 32 bytes, got 9/);
    expect(() => read({ AUTH_JWKS_URL: 'file:///etc/jwks.json' })).toThrow(/AUTH_JWKS_URL must use https: or http:/);
  });

  it('does not put the secret in error messages', () => {
    expect(() => read({ AUTH_HS256_SECRET: 'short-secret-value' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('short-secret-value') }),
    );
  });

  it('makes createTokenVerifier refuse a short secret too', () => {
    expect(() => createTokenVerifier({ keySource: { kind: 'secret', secret: 'short' }, issuer: ISSUER, audience: AUDIENCE })).toThrow(ConfigError);
  });
});

describe('mintDevelopmentToken', () => {
  it('refuses a short secret, a bad lifetime and an invalid identity', async () => {
    await expect(mintDevelopmentToken({ secret: 'short', identity: MANAGER })).rejects.toThrow(/at least 32 bytes/);
    await expect(mintDevelopmentToken({ secret: TEST_SECRET, identity: MANAGER, ttlSeconds: 0 })).rejects.toThrow(/ttlSeconds/);
    await expect(mintDevelopmentToken({ secret: TEST_SECRET, identity: { ...MANAGER, role: 'OPERATOR' } })).rejects.toThrow(/claim "grade"/);
  });

  it('sets exp from ttlSeconds', async () => {
    const token = await mintDevelopmentToken({ secret: TEST_SECRET, identity: MANAGER, ttlSeconds: 120 });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number; iss: string; aud: string };
    expect(payload.exp - payload.iat).toBe(120);
    expect(payload).toMatchObject({ iss: ISSUER, aud: AUDIENCE, sub: '12', role: 'CUSTOMER_MANAGER', branch: '9', branch_path: '/1/3/9/', grade: 'SENIOR' });
  });
});
