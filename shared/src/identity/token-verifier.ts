import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  type JWTPayload,
  type JWTVerifyOptions,
  type KeyLike,
} from 'jose';
import { ConfigError, type EnvReader } from '../env-reader';
import { AuthenticationError } from './authentication-error';
import { DEFAULT_CLAIM_MAPPING, mapTokenClaims, mappedClaimName, readClaimMapping, type ClaimMapping } from './claim-mapping';
import { COMPACT_JWS, MAX_CREDENTIAL_LENGTH, VerificationKeysUnavailable, toAuthenticationError } from './jose-errors';
import { identityFromClaims, type StaffIdentity } from './staff-identity';

export const DEFAULT_TOKEN_ISSUER = 'icg-dev';
export const DEFAULT_TOKEN_AUDIENCE = 'insurer-customer-graph';
/** HS256 keys shorter than the hash output are brute-forceable (RFC 7518 section 3.2). */
export const MIN_HS256_SECRET_BYTES = 32;
export const TOKEN_CLOCK_TOLERANCE_SECONDS = 5;

/** Allowed algorithms per key source: a secret never verifies an asymmetric token and vice versa (no algorithm confusion). */
export const SECRET_TOKEN_ALGORITHMS = ['HS256'] as const;
export const JWKS_TOKEN_ALGORITHMS = ['RS256', 'ES256'] as const;

export const TOKEN_ENV = {
  secret: 'AUTH_HS256_SECRET',
  jwksPath: 'AUTH_JWKS_PATH',
  jwksUrl: 'AUTH_JWKS_URL',
  issuer: 'AUTH_ISSUER',
  audience: 'AUTH_AUDIENCE',
} as const;

/** Where token verification keys come from; exactly one. */
export type TokenKeySource =
  /** Development: a shared HS256 secret, at least 32 bytes (UTF-8). */
  | { kind: 'secret'; secret: string }
  /** A JWKS document on disk, read once at start-up. */
  | { kind: 'jwks-file'; path: string }
  /** A JWKS endpoint of the identity provider, fetched on demand and cached. */
  | { kind: 'jwks-url'; url: string };

export interface TokenVerifierConfig {
  keySource: TokenKeySource;
  issuer: string;
  audience: string;
  /** Where the identity sits in the provider's tokens (AUTH_CLAIM_*); the graph's own claim names when absent. */
  claims?: ClaimMapping;
}

export interface TokenVerifier {
  /** Verifies an `Authorization` header value; throws AuthenticationError when no valid identity can be read from it. */
  verify(authorizationHeader: string | undefined): Promise<StaffIdentity>;
}

/** Remote JWKS: refetch at most every 30 s when an unknown `kid` shows up, keep keys 10 min, give up on a fetch after 5 s. */
const REMOTE_JWKS_OPTIONS = { cooldownDuration: 30_000, cacheMaxAge: 600_000, timeoutDuration: 5_000 };

export function readTokenVerifierConfig(reader: EnvReader): TokenVerifierConfig {
  const secret = reader.optionalString(TOKEN_ENV.secret);
  const jwksPath = reader.optionalString(TOKEN_ENV.jwksPath);
  const jwksUrl = reader.url(TOKEN_ENV.jwksUrl, undefined, ['https:', 'http:']);
  const keySources: TokenKeySource[] = [];
  if (secret !== undefined) keySources.push({ kind: 'secret', secret });
  if (jwksPath !== undefined) keySources.push({ kind: 'jwks-file', path: jwksPath });
  if (jwksUrl !== undefined) keySources.push({ kind: 'jwks-url', url: jwksUrl });

  const allVariables = `${TOKEN_ENV.secret}, ${TOKEN_ENV.jwksPath} or ${TOKEN_ENV.jwksUrl}`;
  if (keySources.length === 0) {
    throw new ConfigError(allVariables, 'must be set (exactly one): a JWKS for production, an HS256 secret for development');
  }
  if (keySources.length > 1) {
    const setVariables = [secret && TOKEN_ENV.secret, jwksPath && TOKEN_ENV.jwksPath, jwksUrl && TOKEN_ENV.jwksUrl].filter(Boolean);
    throw new ConfigError(allVariables, `must be set exactly once, but ${setVariables.join(' and ')} are set`);
  }
  const keySource = keySources[0]!;
  if (keySource.kind === 'secret') assertSecretStrength(keySource.secret, TOKEN_ENV.secret);

  return {
    keySource,
    issuer: reader.string(TOKEN_ENV.issuer, DEFAULT_TOKEN_ISSUER),
    audience: reader.string(TOKEN_ENV.audience, DEFAULT_TOKEN_AUDIENCE),
    claims: readClaimMapping(reader),
  };
}

/** Throws a ConfigError naming `variable` when the secret is too short to be safe. */
export function assertSecretStrength(secret: string, variable: string): void {
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_HS256_SECRET_BYTES) {
    throw new ConfigError(variable, `must be at least ${MIN_HS256_SECRET_BYTES} bytes, got ${bytes}`);
  }
}

type VerificationKey = Uint8Array | ((header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<KeyLike>);

export function createTokenVerifier(config: TokenVerifierConfig): TokenVerifier {
  const { key, algorithms } = verificationKey(config.keySource);
  const mapping = config.claims ?? DEFAULT_CLAIM_MAPPING;
  const options: JWTVerifyOptions = {
    issuer: config.issuer,
    audience: config.audience,
    algorithms: [...algorithms],
    clockTolerance: TOKEN_CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['exp'],
  };

  return {
    async verify(authorizationHeader) {
      const token = bearerToken(authorizationHeader);
      let payload: JWTPayload;
      try {
        payload = await verifyWithKey(token, key, options);
      } catch (error) {
        throw toAuthenticationError(error, 'Token');
      }
      const mapped = mapTokenClaims(payload, mapping);
      if (!mapped.ok) throw new AuthenticationError(`Token claims are invalid: ${mapped.reason}`, 'BAD_CLAIMS');
      const result = identityFromClaims(mapped.claims);
      if (!result.ok) throw new AuthenticationError(`Token claims are invalid: ${mappedClaimName(mapping, result.invalidClaim)}`, 'BAD_CLAIMS');
      return result.identity;
    },
  };
}

function verificationKey(source: TokenKeySource): { key: VerificationKey; algorithms: readonly string[] } {
  switch (source.kind) {
    case 'secret':
      assertSecretStrength(source.secret, TOKEN_ENV.secret);
      return { key: new TextEncoder().encode(source.secret), algorithms: SECRET_TOKEN_ALGORITHMS };
    case 'jwks-file':
      return { key: keysUnavailableOnFailure(localKeySet(source.path)), algorithms: JWKS_TOKEN_ALGORITHMS };
    case 'jwks-url':
      return { key: keysUnavailableOnFailure(createRemoteJWKSet(new URL(source.url), REMOTE_JWKS_OPTIONS)), algorithms: JWKS_TOKEN_ALGORITHMS };
  }
}

/**
 * A key set that cannot produce keys (endpoint down, bad document) is an outage, not a bad token:
 * the failure is marked so it gets its own message. "No such key" passes through unchanged, and so
 * does "several keys match", whose error carries the candidates to try.
 */
function keysUnavailableOnFailure(getKey: (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<KeyLike>): VerificationKey {
  return async (header, token) => {
    try {
      return await getKey(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new VerificationKeysUnavailable(error);
    }
  };
}

/** Tokens without `kid` may match several keys of a set; jose then hands over the candidates, and any one may verify. */
async function verifyWithKey(token: string, key: VerificationKey, options: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    // Two calls because jose's overloads take either a key or a key-getting function, not the union.
    return typeof key === 'function' ? (await jwtVerify(token, key, options)).payload : (await jwtVerify(token, key, options)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const candidate of error) {
      try {
        return (await jwtVerify(token, candidate, options)).payload;
      } catch (candidateError) {
        if (!(candidateError instanceof errors.JWSSignatureVerificationFailed)) throw candidateError;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

/** Reads the key set once; a broken file stops start-up rather than failing every request. */
function localKeySet(path: string): ReturnType<typeof createLocalJWKSet> {
  const document = readJwksFile(path);
  try {
    return createLocalJWKSet(document);
  } catch {
    throw new ConfigError(TOKEN_ENV.jwksPath, `points to "${path}", which is not a valid JSON Web Key Set`);
  }
}

function readJwksFile(path: string): JSONWebKeySet {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    throw new ConfigError(TOKEN_ENV.jwksPath, `points to "${path}", which ${reason}`);
  }
  const keys = typeof document === 'object' && document !== null ? (document as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new ConfigError(TOKEN_ENV.jwksPath, `points to "${path}", which is not a JSON Web Key Set with at least one key`);
  }
  // A private or symmetric key here means a secret has been published to every verifier.
  if (keys.some((jwk: unknown) => typeof jwk !== 'object' || jwk === null || 'd' in jwk || 'k' in jwk)) {
    throw new ConfigError(TOKEN_ENV.jwksPath, `points to "${path}", which must hold public keys only`);
  }
  return document as JSONWebKeySet;
}

/** `Bearer <compact JWS>`; the scheme is case-insensitive (RFC 7235). */
function bearerToken(authorizationHeader: string | undefined): string {
  const value = authorizationHeader?.trim();
  if (!value) throw new AuthenticationError('Missing bearer token', 'MISSING');
  if (value.length > MAX_CREDENTIAL_LENGTH) throw new AuthenticationError('Bearer token is too large', 'MALFORMED');
  const match = /^Bearer +(\S+)$/i.exec(value);
  if (!match) throw new AuthenticationError('Authorization header must use the Bearer scheme', 'MALFORMED');
  const token = match[1]!;
  if (!COMPACT_JWS.test(token)) throw new AuthenticationError('Malformed bearer token', 'MALFORMED');
  return token;
}
