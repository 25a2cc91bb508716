import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { startGateway, type RunningGateway } from '@icg/gateway';
import { EnvReader, readTokenVerifierConfig } from '@icg/shared';
import { customerNoFor, DEFAULT_SEED } from '@icg/synthetic';
import { postGraphQL } from './support/graphql-client';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { staffIdentity, testGatewaySecurity } from './support/test-security';
import { composedSupergraph } from './support/composed-supergraph';

const KEYCLOAK_ISSUER = 'https://sso.insurer.example/realms/insurer';
/** The README's example mapping for Keycloak. */
const KEYCLOAK_ENV = {
  AUTH_ISSUER: KEYCLOAK_ISSUER,
  AUTH_CLAIM_ROLE: 'realm_access.roles',
  AUTH_CLAIM_STAFF_ID: 'staff_id',
  AUTH_CLAIM_BRANCH: 'branch_id',
  AUTH_CLAIM_BRANCH_PATH: 'branch_path',
  AUTH_CLAIM_GRADE: 'manager_grade',
};
// Customer 17's primary manager is the seeded company's first customer manager (README, "Try every role").
const manager = staffIdentity({ role: 'CUSTOMER_MANAGER' });
const QUERY = '{ customer(id: "17") { customerNo mobile idNumber } }';

describe('a Keycloak access token through the gateway, with the claim mapping', () => {
  let graph: GraphUnderTest;
  let gateway: RunningGateway;
  let directory: string;
  let rsa: { privateKey: KeyLike; publicKey: KeyLike };

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'icg-keycloak-'));
    rsa = await generateKeyPair('RS256');
    writeFileSync(join(directory, 'jwks.json'), JSON.stringify({ keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'kc-1', alg: 'RS256', use: 'sig' }] }));
    writeFileSync(join(directory, 'supergraph.graphql'), composedSupergraph());
    graph = await startGraph({ customers: 20 });
    // A second gateway over the same subgraphs, configured from the environment as a deployment behind Keycloak would be.
    gateway = await startGateway({
      database: graph.databases.config,
      host: '127.0.0.1',
      port: 0,
      supergraphPath: join(directory, 'supergraph.graphql'),
      subgraphUrls: Object.fromEntries(Object.values(graph.subgraphs).map(({ name, url }) => [name, `${url}/graphql`])),
      subgraphTimeoutMs: 5_000,
      maxBodyBytes: 100_000,
      logLevel: 'silent',
      security: testGatewaySecurity({
        tokens: readTokenVerifierConfig(new EnvReader({ AUTH_JWKS_PATH: join(directory, 'jwks.json'), ...KEYCLOAK_ENV })),
      }),
    });
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await graph?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** An access token as Keycloak issues it for the manager: realm roles beside ours, staff facts as user-attribute claims. */
  async function keycloakToken(realmRoles: string[]): Promise<string> {
    const claims = {
      typ: 'Bearer',
      azp: 'agent-portal',
      scope: 'openid profile',
      realm_access: { roles: ['offline_access', 'uma_authorization', 'default-roles-insurer', ...realmRoles] },
      preferred_username: 'first.customer.manager',
      staff_id: manager.staffId,
      branch_id: manager.branchId,
      branch_path: manager.branchPath,
      ...(manager.grade ? { manager_grade: manager.grade } : {}),
    };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'kc-1', typ: 'JWT' })
      .setIssuer(KEYCLOAK_ISSUER)
      .setAudience(['insurer-customer-graph', 'account'])
      .setSubject('f3a1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(rsa.privateKey);
  }

  const ask = async (realmRoles: string[]) =>
    postGraphQL<{ customer: { customerNo: string; mobile: string; idNumber: string } }>(
      `${gateway.url}/graphql`,
      QUERY,
      {},
      {
        authorization: `Bearer ${await keycloakToken(realmRoles)}`,
      },
    );

  it('serves the manager what the policy gives a customer manager for their own customer', async () => {
    const response = await ask(['CUSTOMER_MANAGER']);
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    // Their own customer: the mobile in clear, the RESTRICTED id number masked (no purpose stated).
    expect(response.data?.customer.customerNo).toBe(customerNoFor(DEFAULT_SEED, 17));
    expect(response.data?.customer.mobile).toMatch(/^1\d{10}$/);
    expect(response.data?.customer.idNumber).toMatch(/^\d{4}\*{10}\d{3}[\dX]$/);
  });

  it.each([
    ['no staff role', [], 'Token claims are invalid: realm_access.roles holds no staff role'],
    ['several staff roles', ['CUSTOMER_MANAGER', 'AUDITOR'], 'Token claims are invalid: realm_access.roles holds several staff roles'],
  ])('answers a token with %s among its realm roles with 401 and the reason', async (_case, realmRoles, message) => {
    const response = await ask(realmRoles);
    expect(response.status).toBe(401);
    expect(response.errors).toEqual([{ message, extensions: { code: 'UNAUTHENTICATED' } }]);
  });
});
