import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWTPayload, type KeyLike } from 'jose';
import { ConfigError, EnvReader } from '../../env-reader';
import { AuthenticationError } from '../authentication-error';
import { createTokenVerifier, readTokenVerifierConfig, type TokenVerifier } from '../token-verifier';
import { nowSeconds, signToken } from './fixtures';

const KEYCLOAK_ISSUER = 'https://sso.insurer.example/realms/insurer';
/** The mapping the README gives for Keycloak. */
const KEYCLOAK_MAPPING = {
  AUTH_CLAIM_ROLE: 'realm_access.roles',
  AUTH_CLAIM_STAFF_ID: 'staff_id',
  AUTH_CLAIM_BRANCH: 'branch_id',
  AUTH_CLAIM_BRANCH_PATH: 'branch_path',
  AUTH_CLAIM_GRADE: 'manager_grade',
};

/** An access token as Keycloak issues it: its own subject, realm roles beside ours, user attributes as plain claims. */
function keycloakClaims(roles: string[], overrides: Record<string, unknown> = {}): JWTPayload {
  const now = nowSeconds();
  return {
    exp: now + 300,
    iat: now,
    jti: 'onrtac:6b1c0d4e-1f7a-4a57-9f43-0f6f0c1d2e3f',
    iss: KEYCLOAK_ISSUER,
    aud: ['insurer-customer-graph', 'account'],
    sub: 'f3a1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b',
    typ: 'Bearer',
    azp: 'agent-portal',
    scope: 'openid profile email',
    realm_access: { roles: ['offline_access', 'uma_authorization', 'default-roles-insurer', ...roles] },
    resource_access: { account: { roles: ['manage-account', 'view-profile'] } },
    preferred_username: 'cm.zhang',
    staff_id: '12',
    branch_id: '9',
    branch_path: '/1/3/9/',
    manager_grade: 'SENIOR',
    ...overrides,
  };
}

describe('claim mapping for an identity provider’s tokens (Keycloak)', () => {
  let directory: string;
  let rsa: { privateKey: KeyLike; publicKey: KeyLike };
  let verifier: TokenVerifier;
  const env = () => ({ AUTH_JWKS_PATH: join(directory, 'jwks.json'), AUTH_ISSUER: KEYCLOAK_ISSUER, ...KEYCLOAK_MAPPING });
  const keycloakToken = async (claims: JWTPayload) => `Bearer ${await signToken(claims, rsa.privateKey, { alg: 'RS256', kid: 'kc-rs256', typ: 'JWT' })}`;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'icg-claims-'));
    rsa = await generateKeyPair('RS256');
    writeFileSync(join(directory, 'jwks.json'), JSON.stringify({ keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'kc-rs256', alg: 'RS256', use: 'sig' }] }));
    verifier = createTokenVerifier(readTokenVerifierConfig(new EnvReader(env())));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  async function refusal(header: string): Promise<AuthenticationError> {
    const error: unknown = await verifier.verify(header).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    return error as AuthenticationError;
  }

  it('reads the staff role among the realm roles, and the staff member from the mapped attributes', async () => {
    await expect(verifier.verify(await keycloakToken(keycloakClaims(['CUSTOMER_MANAGER'])))).resolves.toEqual({
      staffId: '12',
      role: 'CUSTOMER_MANAGER',
      branchId: '9',
      branchPath: '/1/3/9/',
      grade: 'SENIOR',
      purpose: null,
    });
  });

  it('refuses a token whose role claim holds no staff role, or several, saying so', async () => {
    const none = await refusal(await keycloakToken(keycloakClaims([])));
    expect(none.message).toBe('Token claims are invalid: realm_access.roles holds no staff role');
    expect(none.failure).toBe('BAD_CLAIMS');
    const several = await refusal(await keycloakToken(keycloakClaims(['CUSTOMER_MANAGER', 'AUDITOR'])));
    expect(several.message).toBe('Token claims are invalid: realm_access.roles holds several staff roles');
  });

  it('names the provider’s claim when a mapped value is invalid or missing', async () => {
    expect((await refusal(await keycloakToken(keycloakClaims(['OPERATOR'], { staff_id: undefined })))).message).toBe('Token claims are invalid: staff_id');
    expect((await refusal(await keycloakToken(keycloakClaims(['OPERATOR'], { branch_path: '/1/3/8/' })))).message).toBe(
      'Token claims are invalid: branch_path',
    );
    expect((await refusal(await keycloakToken(keycloakClaims(['OPERATOR'])))).message).toBe('Token claims are invalid: manager_grade');
  });

  it('does not take the role from anywhere else in the token', async () => {
    const roleElsewhere = keycloakClaims([], { role: 'AUDITOR', resource_access: { 'agent-portal': { roles: ['AUDITOR'] } } });
    expect((await refusal(await keycloakToken(roleElsewhere))).message).toBe('Token claims are invalid: realm_access.roles holds no staff role');
  });

  it('keeps the graph’s own claims by default, with `role` a single string as before', async () => {
    const config = readTokenVerifierConfig(new EnvReader({ AUTH_JWKS_PATH: join(directory, 'jwks.json'), AUTH_ISSUER: KEYCLOAK_ISSUER }));
    const ownClaims = createTokenVerifier(config);
    const claims = { ...keycloakClaims([]), sub: '12', role: 'CUSTOMER_MANAGER', branch: '9', grade: 'SENIOR' };
    await expect(ownClaims.verify(await keycloakToken(claims))).resolves.toMatchObject({ staffId: '12', role: 'CUSTOMER_MANAGER' });
    const listed = await ownClaims.verify(await keycloakToken({ ...claims, role: ['CUSTOMER_MANAGER'] })).catch((error: unknown) => error);
    expect((listed as AuthenticationError).message).toBe('Token claims are invalid: role');
  });

  it('refuses a malformed claim path at start-up, naming the variable', () => {
    const read = (overrides: Record<string, string>) => () => readTokenVerifierConfig(new EnvReader({ ...env(), ...overrides }));
    expect(read({ AUTH_CLAIM_ROLE: 'realm_access..roles' })).toThrow(ConfigError);
    expect(read({ AUTH_CLAIM_ROLE: 'realm_access..roles' })).toThrow(/AUTH_CLAIM_ROLE must be a claim name or a dotted path/);
    expect(read({ AUTH_CLAIM_BRANCH_PATH: 'groups[0]' })).toThrow(/AUTH_CLAIM_BRANCH_PATH must be/);
    expect(read({ AUTH_CLAIM_PURPOSE: 'staff_id' })).toThrow(/AUTH_CLAIM_STAFF_ID and AUTH_CLAIM_PURPOSE name the same claim "staff_id"/);
  });
});
