import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { createAssertionSigner, IDENTITY_ASSERTION_HEADER, identityToClaims, requestBodyDigest } from '@icg/shared';
import { graphQLRequestBody, postGraphQL } from './support/graphql-client';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { startRecordingProxy, type RecordingProxy } from './support/recording-proxy';
import { assertionHeaders, bearerHeaders, postToSubgraph, staffIdentity, testSubgraphAssertionKey, TEST_TOKEN_SECRET } from './support/test-security';

const QUERY = '{ customer(id: "1") { id customerNo mobile } }';
const secret = new TextEncoder().encode(TEST_TOKEN_SECRET);
const manager = staffIdentity({ role: 'CUSTOMER_MANAGER' });

/** A token as an identity provider would issue it, with any claim or header overridden. */
async function token(overrides: { iss?: string; aud?: string; exp?: number; nbf?: number; key?: Uint8Array } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...identityToClaims(manager) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(overrides.iss ?? 'icg-dev')
    .setAudience(overrides.aud ?? 'insurer-customer-graph')
    .setIssuedAt(now - 60)
    .setExpirationTime(overrides.exp ?? now + 600);
  if (overrides.nbf !== undefined) jwt.setNotBefore(overrides.nbf);
  return jwt.sign(overrides.key ?? secret);
}

function unsignedToken(): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...identityToClaims(manager), iss: 'icg-dev', aud: 'insurer-customer-graph', exp: now + 600 })}.`;
}

describe('identity at the gateway and the subgraphs', () => {
  let graph: GraphUnderTest;
  // Sits between the gateway and the customers subgraph, as an eavesdropper on the internal network would.
  let wiretap: RecordingProxy;
  beforeAll(async () => {
    wiretap = await startRecordingProxy();
    graph = await startGraph({ customers: 20, subgraphUrlOverrides: { customers: wiretap.url } });
    wiretap.forwardTo(`${graph.subgraphs.customers.url}/graphql`);
  }, 120_000);
  afterAll(async () => {
    await graph?.close();
    await wiretap?.close();
  });

  const ask = (headers: Record<string, string>) => postGraphQL(graph.graphqlUrl, QUERY, {}, headers);

  it.each([
    ['a missing token', async () => ({}), 'Missing bearer token'],
    ['an expired token', async () => ({ authorization: `Bearer ${await token({ exp: Math.floor(Date.now() / 1000) - 120 })}` }), 'Token expired'],
    ['a token not yet valid', async () => ({ authorization: `Bearer ${await token({ nbf: Math.floor(Date.now() / 1000) + 600 })}` }), 'Token not yet valid'],
    ['a token from another issuer', async () => ({ authorization: `Bearer ${await token({ iss: 'someone-else' })}` }), 'Token issuer is not accepted'],
    ['a token for another audience', async () => ({ authorization: `Bearer ${await token({ aud: 'another-app' })}` }), 'Token audience is not accepted'],
    ['a forged token', async () => ({ authorization: `Bearer ${await token({ key: randomBytes(32) })}` }), 'Token signature is invalid'],
    ['an alg:none token', async () => ({ authorization: `Bearer ${unsignedToken()}` }), 'Token algorithm is not accepted'],
    ['a malformed header', async () => ({ authorization: 'Basic dXNlcjpwYXNz' }), 'Authorization header must use the Bearer scheme'],
  ])('answers %s with 401 and a clear message', async (_case, headers, message) => {
    const response = await ask(await headers());
    expect(response.status).toBe(401);
    expect(response.errors).toEqual([{ message, extensions: { code: 'UNAUTHENTICATED' } }]);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.data).toBeUndefined();
  });

  it('accepts a valid token', async () => {
    const response = await ask({ authorization: `Bearer ${await token()}` });
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
  });

  it("ignores an identity assertion sent by the client: the subgraphs see only the gateway's", async () => {
    // A hotline agent claiming, through a forged assertion header, to be the auditor.
    const forged = await assertionHeaders('customers', graphQLRequestBody(QUERY), { role: 'AUDITOR', purpose: 'AUDIT' });
    const plain = await graph.query<{ customer: { mobile: string } }>(QUERY, {}, { role: 'HOTLINE_AGENT' });
    const withForgery = await graph.query<{ customer: { mobile: string } }>(QUERY, {}, { role: 'HOTLINE_AGENT' }, forged);
    expect(withForgery).toMatchObject({ status: 200, data: plain.data });
    expect(withForgery.data!.customer.mobile).toMatch(/^\d{3}\*{4}\d{4}$/);
  });

  it('refuses a purpose the policy does not list, or one that contradicts the token', async () => {
    const unknown = await graph.query(QUERY, {}, { role: 'CLAIMS_ADJUSTER' }, { 'x-access-purpose': 'CURIOSITY' });
    expect(unknown.status).toBe(400);
    expect(unknown.errors?.[0]?.message).toMatch(/x-access-purpose must be one of CLAIM_HANDLING/);
    const contradicting = await graph.query(QUERY, {}, { role: 'AUDITOR', purpose: 'AUDIT' }, { 'x-access-purpose': 'CLAIM_HANDLING' });
    expect(contradicting.status).toBe(400);
  });

  describe('a direct call to a subgraph', () => {
    const entities = '{ _entities(representations: [{ __typename: "Customer", id: "1" }]) { ... on Customer { idNumber mobile } } }';

    it('is refused without an assertion, for root fields and _entities alike', async () => {
      for (const query of [QUERY, entities, '{ _service { sdl } }']) {
        const response = await postGraphQL(`${graph.subgraphs.customers.url}/graphql`, query);
        expect(response.status).toBe(401);
        expect(response.errors?.[0]).toEqual({ message: 'Missing identity assertion', extensions: { code: 'UNAUTHENTICATED' } });
      }
    });

    it("is refused with an assertion MACed with another gateway secret or another subgraph's key, or meant for another subgraph", async () => {
      const otherSecret = randomBytes(32).toString('base64url');
      const forged = await createAssertionSigner(otherSecret).sign(staffIdentity({ role: 'AUDITOR', purpose: 'AUDIT' }), {
        subgraph: 'customers',
        requestId: 'forged-1',
        body: graphQLRequestBody(entities),
      });
      const forgedResponse = await postGraphQL(`${graph.subgraphs.customers.url}/graphql`, entities, {}, { [IDENTITY_ASSERTION_HEADER]: forged });
      expect(forgedResponse.status).toBe(401);
      expect(forgedResponse.data).toBeUndefined();
      const forPolicies = await postGraphQL(
        `${graph.subgraphs.customers.url}/graphql`,
        entities,
        {},
        await assertionHeaders('policies', graphQLRequestBody(entities)),
      );
      expect(forPolicies.status).toBe(401);
      // The policies subgraph holds its own key: with it, it cannot mint an assertion the customers subgraph takes.
      const now = Math.floor(Date.now() / 1000);
      const mintedByPolicies = await new SignJWT({
        ...identityToClaims(staffIdentity({ role: 'AUDITOR', purpose: 'AUDIT' })),
        rid: 'minted-1',
        bdh: requestBodyDigest(graphQLRequestBody(entities)),
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'icg-identity+jwt' })
        .setIssuer('icg-gateway')
        .setAudience('customers')
        .setIssuedAt(now)
        .setExpirationTime(now + 10)
        .sign(Buffer.from(testSubgraphAssertionKey('policies'), 'base64url'));
      const minted = await postGraphQL(`${graph.subgraphs.customers.url}/graphql`, entities, {}, { [IDENTITY_ASSERTION_HEADER]: mintedByPolicies });
      expect(minted.status).toBe(401);
      expect(minted.errors?.[0]).toEqual({ message: 'Identity assertion signature is invalid', extensions: { code: 'UNAUTHENTICATED' } });
      expect(minted.data).toBeUndefined();
    });

    it("with the gateway's assertion is still enforced field by field", async () => {
      const response = await postToSubgraph<{ _entities: { idNumber: string | null; mobile: string | null }[] }>(
        `${graph.subgraphs.customers.url}/graphql`,
        'customers',
        entities,
        {},
        { role: 'HOTLINE_AGENT' },
      );
      expect(response.data!._entities[0]).toEqual({ idNumber: null, mobile: expect.stringMatching(/^\d{3}\*{4}\d{4}$/) });
      expect(response.errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN_FIELD', coordinate: 'Customer.idNumber', tier: 'RESTRICTED' }) }),
      ]);
    });
  });

  describe('a captured gateway assertion, replayed straight to the subgraph', () => {
    /** A hotline agent's request through the gateway, and what crossed the wire to the customers subgraph for it. */
    async function captureHotlineCall(): Promise<{ assertion: string; body: string; requestId: string | undefined }> {
      wiretap.captured.length = 0;
      const response = await graph.query(QUERY, {}, { role: 'HOTLINE_AGENT' });
      expect(response.status).toBe(200);
      const call = wiretap.captured.find((request) => typeof request.headers[IDENTITY_ASSERTION_HEADER] === 'string');
      expect(call).toBeDefined();
      const requestId = call!.headers['x-request-id'];
      return {
        assertion: call!.headers[IDENTITY_ASSERTION_HEADER] as string,
        body: call!.body,
        requestId: typeof requestId === 'string' ? requestId : undefined,
      };
    }
    const replay = (assertion: string, body: string) =>
      fetch(`${graph.subgraphs.customers.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [IDENTITY_ASSERTION_HEADER]: assertion },
        body,
      });
    const entitiesBody = graphQLRequestBody('{ _entities(representations: [{ __typename: "Customer", id: "1" }]) { ... on Customer { idNumber mobile } } }');

    it('lives a few seconds and is signed over the exact body sent', async () => {
      const { assertion, body } = await captureHotlineCall();
      const claims = JSON.parse(Buffer.from(assertion.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      expect((claims['exp'] as number) - (claims['iat'] as number)).toBeLessThanOrEqual(10);
      expect(claims['bdh']).toBe(createHash('sha256').update(body).digest('hex'));
      // The same bytes again, within the lifetime, are what the gateway vouched for: served.
      expect((await replay(assertion, body)).status).toBe(200);
    });

    it('is refused with another body (another query, or the same one with other variables)', async () => {
      const { assertion, body } = await captureHotlineCall();
      for (const otherBody of [entitiesBody, body.replace('mobile', 'idNumber'), `${body} `]) {
        const response = await replay(assertion, otherBody);
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({
          errors: [{ message: 'Identity assertion was not issued for this request body', extensions: { code: 'UNAUTHENTICATED' } }],
        });
      }
    });

    it('is refused with another request id', async () => {
      const { assertion, body, requestId } = await captureHotlineCall();
      expect(requestId).toBeDefined();
      const response = await fetch(`${graph.subgraphs.customers.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [IDENTITY_ASSERTION_HEADER]: assertion, 'x-request-id': `${requestId}-replayed` },
        body,
      });
      expect(response.status).toBe(401);
    });

    it('is refused once its lifetime (plus the 2 s clock tolerance) has passed, even with the same body', async () => {
      const { assertion, body } = await captureHotlineCall();
      const { exp } = JSON.parse(Buffer.from(assertion.split('.')[1]!, 'base64url').toString()) as { exp: number };
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, (exp + 3) * 1000 - Date.now())));
      const response = await replay(assertion, body);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ errors: [{ message: 'Identity assertion expired', extensions: { code: 'UNAUTHENTICATED' } }] });
    }, 30_000);
  });

  it('never lets a bearer token through to a subgraph', async () => {
    const response = await postGraphQL(`${graph.subgraphs.customers.url}/graphql`, QUERY, {}, await bearerHeaders());
    expect(response.status).toBe(401);
  });
});
