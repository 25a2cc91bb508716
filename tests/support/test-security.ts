import { randomBytes } from 'node:crypto';
import {
  createAssertionSigner,
  deriveSubgraphAssertionKey,
  IDENTITY_ASSERTION_HEADER,
  mintDevelopmentToken,
  type GatewaySecurityConfig,
  type Purpose,
  type StaffIdentity,
  type StaffRole,
  type SubgraphSecurityConfig,
} from '@icg/shared';
import { DEFAULT_SEED, findStaff, generateOrg, identityOfStaff } from '@icg/synthetic';
import { graphQLRequestBody, postGraphQL, type GraphQLResponse } from './graphql-client';

/** The gateway's identity-assertion secret for one test process: each subgraph's key is derived from it. */
export const TEST_ASSERTION_SECRET = randomBytes(32).toString('base64url');
/** One subgraph's own key, as a deployment hands it to that subgraph alone. */
export const testSubgraphAssertionKey = (subgraph: string): string => deriveSubgraphAssertionKey(TEST_ASSERTION_SECRET, subgraph);
export const TEST_TOKEN_SECRET = randomBytes(32).toString('base64url');
export const TEST_PSEUDONYM_SECRET = randomBytes(24).toString('base64url');
/** The audit chains' HMAC key in tests (verifiers need it). */
export const TEST_AUDIT_CHAIN_KEY = randomBytes(24).toString('base64url');

export function testSubgraphSecurity(overrides: Partial<SubgraphSecurityConfig> = {}): SubgraphSecurityConfig {
  return {
    assertionKey: { gatewaySecret: TEST_ASSERTION_SECRET },
    accessPolicyPath: undefined,
    pseudonymSecret: TEST_PSEUDONYM_SECRET,
    audit: { pseudonymSecret: TEST_PSEUDONYM_SECRET, chainKey: TEST_AUDIT_CHAIN_KEY, flushIntervalMs: 50, batchSize: 500, maxQueued: 100_000 },
    ...overrides,
  };
}

export function testGatewaySecurity(overrides: Partial<GatewaySecurityConfig> = {}): GatewaySecurityConfig {
  return {
    tokens: { keySource: { kind: 'secret', secret: TEST_TOKEN_SECRET }, issuer: 'icg-dev', audience: 'insurer-customer-graph' },
    assertionSecret: TEST_ASSERTION_SECRET,
    accessPolicyPath: undefined,
    audit: { pseudonymSecret: TEST_PSEUDONYM_SECRET, chainKey: TEST_AUDIT_CHAIN_KEY, flushIntervalMs: 50, batchSize: 500, maxQueued: 100_000 },
    ...overrides,
  };
}

export interface ActingAs {
  role: StaffRole;
  staffId?: string;
  purpose?: Purpose | null;
  seed?: number;
}

/** A real staff member of the seeded company with the role (or the given one). */
export function staffIdentity(acting: ActingAs): StaffIdentity {
  const org = generateOrg(acting.seed ?? DEFAULT_SEED);
  return identityOfStaff(findStaff(org, acting.role, acting.staffId), acting.purpose ?? null);
}

/** The auditor with a stated purpose reads everything in clear: what tests use when access is not the point. */
export const AUDITOR: ActingAs = { role: 'AUDITOR', purpose: 'AUDIT' };

export async function bearerHeaders(acting: ActingAs = AUDITOR): Promise<Record<string, string>> {
  const identity = staffIdentity(acting);
  const token = await mintDevelopmentToken({ secret: TEST_TOKEN_SECRET, identity });
  return { authorization: `Bearer ${token}` };
}

const testSigner = createAssertionSigner(TEST_ASSERTION_SECRET);

/** What the gateway would send a subgraph for this caller and exactly this request body: for tests that call a subgraph directly. */
export async function assertionHeaders(subgraph: string, body: string, acting: ActingAs = AUDITOR): Promise<Record<string, string>> {
  const assertion = await testSigner.sign(staffIdentity(acting), { subgraph, requestId: `test-${randomBytes(6).toString('hex')}`, body });
  return { [IDENTITY_ASSERTION_HEADER]: assertion };
}

/** One operation straight to a subgraph (its `/graphql` URL), as the gateway would send it for this caller. */
export async function postToSubgraph<TData = Record<string, unknown>>(
  graphqlUrl: string,
  subgraph: string,
  query: string,
  variables: Record<string, unknown> = {},
  acting: ActingAs = AUDITOR,
): Promise<GraphQLResponse<TData>> {
  return postGraphQL<TData>(graphqlUrl, query, variables, await assertionHeaders(subgraph, graphQLRequestBody(query, variables), acting));
}
