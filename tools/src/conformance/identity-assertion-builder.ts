import { createHmac } from 'node:crypto';
import {
  DEFAULT_ASSERTION_TTL_SECONDS,
  IDENTITY_ASSERTION_ALGORITHM,
  IDENTITY_ASSERTION_ISSUER,
  IDENTITY_ASSERTION_TYPE,
  identityToClaims,
  requestBodyDigest,
  type StaffIdentity,
} from '@icg/shared';

export interface AssertionShape {
  /** The subgraph the assertion is meant for (`aud`). */
  audience: string;
  requestId: string;
  /** The exact request body the assertion is sent with: its SHA-256 (hex) becomes `bdh`. */
  body: string;
  /** Seconds since the epoch; now by default. */
  issuedAt?: number;
  lifetimeSeconds?: number;
}

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/**
 * Builds an identity assertion byte by byte (compact JWS, HS256: HMAC-SHA256 with the subgraph's own key,
 * base64url-decoded) rather than through the gateway's signer, so the suite can also build the invalid ones
 * (expired, wrong audience, tampered) and the contract it checks is spelled out here in full.
 */
export function buildIdentityAssertion(subgraphKey: Buffer, identity: StaffIdentity, shape: AssertionShape): string {
  const issuedAt = shape.issuedAt ?? Math.floor(Date.now() / 1000);
  const header = { alg: IDENTITY_ASSERTION_ALGORITHM, typ: IDENTITY_ASSERTION_TYPE };
  const payload = {
    ...identityToClaims(identity),
    rid: shape.requestId,
    bdh: requestBodyDigest(shape.body),
    iss: IDENTITY_ASSERTION_ISSUER,
    aud: shape.audience,
    iat: issuedAt,
    exp: issuedAt + (shape.lifetimeSeconds ?? DEFAULT_ASSERTION_TTL_SECONDS),
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${signingInput}.${base64url(createHmac('sha256', subgraphKey).update(signingInput).digest())}`;
}

/** The same assertion claiming more than was signed (the auditor's role and purpose): the signature no longer matches. */
export function withAlteredPayload(assertion: string): string {
  const [header, payload, signature] = assertion.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  const altered = { ...claims, role: claims['role'] === 'AUDITOR' ? 'SERVICE_CENTER_MANAGER' : 'AUDITOR', purpose: 'AUDIT' };
  return `${header}.${base64url(JSON.stringify(altered))}.${signature}`;
}

/** The same assertion with one bit of its MAC flipped. */
export function withAlteredSignature(assertion: string): string {
  const [header, payload, signature] = assertion.split('.');
  const bytes = Buffer.from(signature ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return `${header}.${payload}.${base64url(bytes)}`;
}

/** An unsigned token (`alg: none`) with the right claims: the classic bypass a verifier must refuse. */
export function withoutSignature(assertion: string): string {
  const [, payload] = assertion.split('.');
  return `${base64url(JSON.stringify({ alg: 'none', typ: IDENTITY_ASSERTION_TYPE }))}.${payload}.`;
}

/** The same assertion naming another algorithm in its header (its MAC kept): a verifier must accept HS256 only. */
export function withAlgorithm(assertion: string, alg: string): string {
  const [, payload, signature] = assertion.split('.');
  return `${base64url(JSON.stringify({ alg, typ: IDENTITY_ASSERTION_TYPE }))}.${payload}.${signature}`;
}
