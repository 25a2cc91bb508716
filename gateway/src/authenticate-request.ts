import type { IncomingMessage } from 'node:http';
import { HttpError, isAuthenticationError, type AccessPolicy, type Purpose, type StaffIdentity, type TokenVerifier } from '@icg/shared';

export const ACCESS_PURPOSE_HEADER = 'x-access-purpose';

function singleHeader(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Who is calling: a verified bearer token (401 otherwise), with the purpose from the token or the
 * `x-access-purpose` header. A purpose the policy does not list, or a header that contradicts the
 * token's purpose, is refused rather than ignored.
 */
export async function authenticateRequest(request: IncomingMessage, verifier: TokenVerifier, policy: AccessPolicy): Promise<StaffIdentity> {
  let identity: StaffIdentity;
  try {
    identity = await verifier.verify(singleHeader(request, 'authorization'));
  } catch (error) {
    if (isAuthenticationError(error)) throw new HttpError(401, error.message, 'UNAUTHENTICATED', { 'www-authenticate': 'Bearer' });
    throw error;
  }
  const headerPurpose = singleHeader(request, ACCESS_PURPOSE_HEADER)?.trim();
  if (headerPurpose === undefined || headerPurpose === '') return identity;
  if (!(policy.purposes as readonly string[]).includes(headerPurpose)) {
    throw new HttpError(400, `${ACCESS_PURPOSE_HEADER} must be one of ${policy.purposes.join(', ')}`, 'BAD_USER_INPUT');
  }
  if (identity.purpose !== null && identity.purpose !== headerPurpose) {
    throw new HttpError(400, `${ACCESS_PURPOSE_HEADER} contradicts the purpose stated in the token`, 'BAD_USER_INPUT');
  }
  return { ...identity, purpose: headerPurpose as Purpose };
}
