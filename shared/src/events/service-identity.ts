/**
 * Subgraph → subgraph identity for event delivery. Each subgraph signs with its own Ed25519 key (never the
 * gateway's): a token of a few seconds (HTTP) naming the sender (`iss`), the one receiving subgraph
 * (`aud`), the event (`evt`) and the SHA-256 of the exact body (`bdh`), so a token captured and replayed
 * with another body, to another receiver or for another event gains nothing — and a replay of the same
 * event is a duplicate the receiver's inbox ignores. Its own type (`typ`) keeps it apart from the
 * gateway's identity assertions: neither is accepted where the other is expected.
 */
import { createHash, createPrivateKey, createPublicKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { SignJWT, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { AuthenticationError } from '../identity/authentication-error';
import { COMPACT_JWS, MAX_CREDENTIAL_LENGTH, toAuthenticationError } from '../identity/jose-errors';
import { EVENT_ID } from './event-id';

export const SERVICE_TOKEN_HEADER = 'x-icg-service';
export const SERVICE_TOKEN_TYPE = 'icg-service+jwt';
const SERVICE_TOKEN_ALGORITHM = 'EdDSA';
/** An HTTP delivery's token: long enough for one request, short enough that a captured one is soon worthless. */
export const HTTP_SERVICE_TOKEN_TTL_SECONDS = 30;
const CLOCK_TOLERANCE_SECONDS = 2;
const SUBGRAPH_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface ServiceTokenTarget {
  /** The receiving subgraph, the token's audience. */
  receiver: string;
  eventId: string;
  /** The exact bytes sent with the token. */
  body: Uint8Array | string;
  /** HTTP_SERVICE_TOKEN_TTL_SECONDS unless the transport keeps messages longer (JetStream). */
  ttlSeconds?: number;
}

export interface ServiceTokenSigner {
  readonly subgraph: string;
  sign(target: ServiceTokenTarget): Promise<string>;
}

export interface VerifiedSender {
  /** The subgraph that signed: its key verified the signature. */
  sender: string;
  eventId: string;
}

export interface ServiceTokenVerifier {
  /**
   * Throws AuthenticationError unless the token was signed by a known peer for this receiver and exactly this
   * body; the caller then holds the event in the body to the event id signed (`eventId`).
   */
  verify(token: string | undefined, received: { body: Uint8Array | string; maxAgeSeconds: number }): Promise<VerifiedSender>;
}

/** Finds a peer subgraph's public key; undefined when this receiver does not know that peer. */
export type PeerKeyLookup = (subgraph: string) => KeyObject | undefined;

const bodyDigest = (body: Uint8Array | string) => createHash('sha256').update(body).digest('hex');

export function ed25519PrivateKey(pem: string): KeyObject | null {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

export function ed25519PublicKey(pem: string): KeyObject | null {
  try {
    // createPublicKey also takes a private key (deriving its public half): a public key setting must hold a public key.
    if (/PRIVATE KEY/.test(pem)) return null;
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

export function createServiceTokenSigner(subgraph: string, privateKeyPem: string): ServiceTokenSigner {
  const privateKey = ed25519PrivateKey(privateKeyPem);
  if (!privateKey) throw new TypeError('The service private key must be an Ed25519 private key in PEM form');
  return {
    subgraph,
    async sign({ receiver, eventId, body, ttlSeconds = HTTP_SERVICE_TOKEN_TTL_SECONDS }) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ evt: eventId, bdh: bodyDigest(body) })
        .setProtectedHeader({ alg: SERVICE_TOKEN_ALGORITHM, typ: SERVICE_TOKEN_TYPE })
        .setIssuer(subgraph)
        .setAudience(receiver)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(privateKey);
    },
  };
}

/** Verifies tokens addressed to `receiver`, signed by the peers `peerKey` knows. */
export function createServiceTokenVerifier(receiver: string, peerKey: PeerKeyLookup): ServiceTokenVerifier {
  return {
    async verify(token, { body, maxAgeSeconds }) {
      const value = token?.trim();
      if (!value) throw new AuthenticationError('Missing service token', 'MISSING');
      if (value.length > MAX_CREDENTIAL_LENGTH || !COMPACT_JWS.test(value)) throw new AuthenticationError('Service token is malformed', 'MALFORMED');
      let sender: unknown;
      try {
        sender = decodeJwt(value).iss;
      } catch {
        throw new AuthenticationError('Service token is malformed', 'MALFORMED');
      }
      // The gateway (issuer icg-gateway) and anyone else without a key here are strangers.
      const key = typeof sender === 'string' && SUBGRAPH_NAME.test(sender) ? peerKey(sender) : undefined;
      if (typeof sender !== 'string' || !key) throw new AuthenticationError('Service token issuer is not accepted', 'BAD_ISSUER');
      let payload: JWTPayload;
      try {
        payload = (
          await jwtVerify(value, key, {
            issuer: sender,
            audience: receiver,
            algorithms: [SERVICE_TOKEN_ALGORITHM],
            typ: SERVICE_TOKEN_TYPE,
            clockTolerance: CLOCK_TOLERANCE_SECONDS,
            maxTokenAge: maxAgeSeconds,
            requiredClaims: ['exp', 'iat', 'evt', 'bdh'],
          })
        ).payload;
      } catch (error) {
        throw toAuthenticationError(error, 'Token');
      }
      if ((payload.exp ?? 0) - (payload.iat ?? 0) > maxAgeSeconds) throw new AuthenticationError('Service token lifetime is too long', 'BAD_CLAIMS');
      const signedEvent = payload['evt'];
      const signedDigest = payload['bdh'];
      if (typeof signedEvent !== 'string' || !EVENT_ID.test(signedEvent) || typeof signedDigest !== 'string' || !SHA256_HEX.test(signedDigest)) {
        throw new AuthenticationError('Service token claims are invalid', 'BAD_CLAIMS');
      }
      if (!timingSafeEqual(Buffer.from(signedDigest, 'hex'), Buffer.from(bodyDigest(body), 'hex'))) {
        throw new AuthenticationError('Service token was not issued for this body', 'REQUEST_MISMATCH');
      }
      return { sender, eventId: signedEvent };
    },
  };
}
