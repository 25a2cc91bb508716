import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { createAssertionSigner } from '../../identity/identity-assertion';
import { newEventId } from '../event-id';
import { createServiceTokenSigner, createServiceTokenVerifier, HTTP_SERVICE_TOKEN_TTL_SECONDS, SERVICE_TOKEN_TYPE } from '../service-identity';

const keyPair = () => generateKeyPairSync('ed25519');
const pem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
const claims = keyPair();
const stranger = keyPair();
const peers: Record<string, KeyObject> = { claims: claims.publicKey };
const verifier = createServiceTokenVerifier('service-requests', (peer) => peers[peer]);
const body = JSON.stringify({ id: newEventId(), type: 'claim.closed' });
const received = { body, maxAgeSeconds: HTTP_SERVICE_TOKEN_TTL_SECONDS };
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: { failure?: string }) => error.failure,
  );

describe('service tokens between subgraphs', () => {
  const eventId = newEventId();

  it('are accepted from a peer whose key the receiver holds, for this receiver and this body, naming the sender and the event', async () => {
    const token = await createServiceTokenSigner('claims', pem(claims.privateKey)).sign({ receiver: 'service-requests', eventId, body });
    await expect(verifier.verify(token, received)).resolves.toEqual({ sender: 'claims', eventId });
  });

  it('are refused when signed with another key, for another receiver or another body, or missing', async () => {
    const forged = await createServiceTokenSigner('claims', pem(stranger.privateKey)).sign({ receiver: 'service-requests', eventId, body });
    expect(await failureOf(verifier.verify(forged, received))).toBe('BAD_SIGNATURE');
    const unknownSender = await createServiceTokenSigner('policies', pem(stranger.privateKey)).sign({ receiver: 'service-requests', eventId, body });
    expect(await failureOf(verifier.verify(unknownSender, received))).toBe('BAD_ISSUER');
    const elsewhere = await createServiceTokenSigner('claims', pem(claims.privateKey)).sign({ receiver: 'complaints', eventId, body });
    expect(await failureOf(verifier.verify(elsewhere, received))).toBe('BAD_AUDIENCE');
    const token = await createServiceTokenSigner('claims', pem(claims.privateKey)).sign({ receiver: 'service-requests', eventId, body });
    expect(await failureOf(verifier.verify(token, { ...received, body: `${body} ` }))).toBe('REQUEST_MISMATCH');
    expect(await failureOf(verifier.verify(undefined, received))).toBe('MISSING');
    expect(await failureOf(verifier.verify('not.a.jwt!', received))).toBe('MALFORMED');
  });

  it("refuse the gateway's identity assertion", async () => {
    const identity = { staffId: '1', role: 'AUDITOR' as const, branchId: '1', branchPath: '/1/', grade: null, purpose: 'AUDIT' as const };
    const assertion = await createAssertionSigner(randomBytes(32).toString('base64url')).sign(identity, {
      subgraph: 'service-requests',
      requestId: 'r-1',
      body,
    });
    expect(await failureOf(verifier.verify(assertion, received))).toBe('BAD_ISSUER');
  });

  it('refuse a token living longer than the transport allows, or of another type', async () => {
    const now = Math.floor(Date.now() / 1000);
    const longLived = await new SignJWT({ evt: eventId, bdh: 'a'.repeat(64) })
      .setProtectedHeader({ alg: 'EdDSA', typ: SERVICE_TOKEN_TYPE })
      .setIssuer('claims')
      .setAudience('service-requests')
      .setIssuedAt(now)
      .setExpirationTime(now + 3_600)
      .sign(claims.privateKey);
    expect(await failureOf(verifier.verify(longLived, received))).toBe('BAD_CLAIMS');
    const otherType = await new SignJWT({ evt: eventId, bdh: 'a'.repeat(64) })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
      .setIssuer('claims')
      .setAudience('service-requests')
      .setIssuedAt(now)
      .setExpirationTime(now + 10)
      .sign(claims.privateKey);
    expect(await failureOf(verifier.verify(otherType, received))).toBe('BAD_TYPE');
  });
});
