/**
 * Why a credential was refused. The message is for the client and says no more than the failure;
 * `failure` is for logs and metrics (and lets a caller treat KEYS_UNAVAILABLE as an outage).
 */
export const AUTHENTICATION_FAILURES = [
  'MISSING',
  'MALFORMED',
  'EXPIRED',
  'NOT_YET_VALID',
  'BAD_SIGNATURE',
  'UNKNOWN_KEY',
  'BAD_ISSUER',
  'BAD_AUDIENCE',
  'BAD_ALGORITHM',
  'BAD_TYPE',
  'BAD_CLAIMS',
  /** A valid assertion presented with a request it was not signed for (another body or request id). */
  'REQUEST_MISMATCH',
  'KEYS_UNAVAILABLE',
] as const;
export type AuthenticationFailure = (typeof AUTHENTICATION_FAILURES)[number];

/** A request whose caller could not be established: HTTP 401, GraphQL code UNAUTHENTICATED. */
export class AuthenticationError extends Error {
  readonly code = 'UNAUTHENTICATED' as const;
  readonly status = 401 as const;

  constructor(
    message: string,
    readonly failure: AuthenticationFailure,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export function isAuthenticationError(error: unknown): error is AuthenticationError {
  return error instanceof AuthenticationError;
}
