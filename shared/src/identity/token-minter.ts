import { SignJWT } from 'jose';
import { assertValidIdentity, identityToClaims, type Purpose, type StaffIdentity } from './staff-identity';
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER, MIN_HS256_SECRET_BYTES } from './token-verifier';

export interface DevelopmentTokenRequest {
  /** The same secret the gateway verifies with (AUTH_HS256_SECRET); at least 32 bytes. */
  secret: string;
  issuer?: string;
  audience?: string;
  identity: Omit<StaffIdentity, 'purpose'> & { purpose?: Purpose | null };
  ttlSeconds?: number;
}

const MAX_DEVELOPMENT_TTL_SECONDS = 30 * 24 * 3600;

/**
 * An HS256 bearer token for development and tests (`npm run token`). Production tokens come from
 * the identity provider and are verified against its JWKS; nothing here is used on that path.
 */
export async function mintDevelopmentToken(request: DevelopmentTokenRequest): Promise<string> {
  const { secret, issuer = DEFAULT_TOKEN_ISSUER, audience = DEFAULT_TOKEN_AUDIENCE, ttlSeconds = 3600 } = request;
  if (Buffer.byteLength(secret, 'utf8') < MIN_HS256_SECRET_BYTES) {
    throw new TypeError(`The token secret must be at least ${MIN_HS256_SECRET_BYTES} bytes`);
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_DEVELOPMENT_TTL_SECONDS) {
    throw new TypeError(`ttlSeconds must be a whole number from 1 to ${MAX_DEVELOPMENT_TTL_SECONDS}, got ${ttlSeconds}`);
  }
  const identity: StaffIdentity = { ...request.identity, purpose: request.identity.purpose ?? null };
  assertValidIdentity(identity);

  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...identityToClaims(identity) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}
