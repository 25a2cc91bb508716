import { errors } from 'jose';
import { AuthenticationError } from './authentication-error';

/** What a refused credential is called in messages: "Token expired", "Identity assertion expired". */
export type CredentialKind = 'Token' | 'Identity assertion';

/** Marks a failure to obtain verification keys, so it is not mistaken for a bad token. */
export class VerificationKeysUnavailable extends Error {
  constructor(cause: unknown) {
    super('Verification keys are unavailable', { cause });
    this.name = 'VerificationKeysUnavailable';
  }
}

/**
 * Turns a jose failure into an AuthenticationError with a fixed, non-leaky message (jose's own
 * messages can quote claim values). Anything that is not a verification failure is rethrown: it is
 * a bug, not the caller's fault.
 */
export function toAuthenticationError(error: unknown, kind: CredentialKind): AuthenticationError {
  if (error instanceof AuthenticationError) return error;
  if (error instanceof VerificationKeysUnavailable) {
    return new AuthenticationError(`${kind} signing keys are unavailable`, 'KEYS_UNAVAILABLE');
  }
  if (!(error instanceof errors.JOSEError)) throw error;

  if (error instanceof errors.JWTExpired) return new AuthenticationError(`${kind} expired`, 'EXPIRED');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim, reason } = error;
    if ((claim === 'nbf' || claim === 'iat') && reason === 'check_failed') {
      return new AuthenticationError(`${kind} not yet valid`, 'NOT_YET_VALID');
    }
    if (claim === 'iss') return new AuthenticationError(`${kind} issuer is not accepted`, 'BAD_ISSUER');
    if (claim === 'aud') return new AuthenticationError(`${kind} audience is not accepted`, 'BAD_AUDIENCE');
    if (claim === 'typ') return new AuthenticationError(`${kind} type is not accepted`, 'BAD_TYPE');
    return new AuthenticationError(`${kind} claims are invalid: ${safeClaimName(claim)}`, 'BAD_CLAIMS');
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new AuthenticationError(`${kind} algorithm is not accepted`, 'BAD_ALGORITHM');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthenticationError(`${kind} signature is invalid`, 'BAD_SIGNATURE');
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new AuthenticationError(`${kind} signing key is not recognised`, 'UNKNOWN_KEY');
  }
  // JWSInvalid, JWTInvalid, JOSENotSupported (unknown critical header) and the like.
  return new AuthenticationError(`${kind} is malformed`, 'MALFORMED');
}

/** Claim names come from jose's fixed list, but the check keeps a crafted name out of the message regardless. */
function safeClaimName(claim: string): string {
  return /^[a-z_]{1,32}$/.test(claim) ? claim : 'unknown';
}

/** Compact JWS: three base64url segments; the signature may be empty (`alg: none`), which jose then refuses by name. */
export const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Larger than any sane token; refusing early keeps garbage from being parsed. */
export const MAX_CREDENTIAL_LENGTH = 8192;
