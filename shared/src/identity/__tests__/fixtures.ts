import { SignJWT, base64url, type JWTPayload, type KeyLike } from 'jose';
import type { StaffIdentity } from '../staff-identity';

export const TEST_SECRET = 'test-only-hs256-secret-of-at-least-32-bytes';
export const OTHER_SECRET = 'another-test-hs256-secret-of-32-bytes-or-more';
export const ISSUER = 'icg-dev';
export const AUDIENCE = 'insurer-customer-graph';

export const MANAGER: StaffIdentity = {
  staffId: '12',
  role: 'CUSTOMER_MANAGER',
  branchId: '9',
  branchPath: '/1/3/9/',
  grade: 'SENIOR',
  purpose: null,
};

export const AUDITOR: StaffIdentity = {
  staffId: '140',
  role: 'AUDITOR',
  branchId: '1',
  branchPath: '/1/',
  grade: null,
  purpose: 'AUDIT',
};

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The claims a well-formed bearer token carries for MANAGER; tests spread over it to break one thing. */
export function managerClaims(overrides: Record<string, unknown> = {}): JWTPayload {
  const now = nowSeconds();
  return {
    sub: '12',
    role: 'CUSTOMER_MANAGER',
    branch: '9',
    branch_path: '/1/3/9/',
    grade: 'SENIOR',
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + 600,
    ...overrides,
  };
}

/** Signs any payload as given: no defaults added, so tests control every claim. */
export async function signToken(
  payload: JWTPayload,
  key: KeyLike | Uint8Array,
  header: { alg: string; kid?: string; typ?: string } = { alg: 'HS256' },
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}

export function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** An unsigned token, crafted by hand: jose will not produce one through SignJWT. */
export function unsignedToken(payload: JWTPayload): string {
  const encode = (value: object) => base64url.encode(JSON.stringify(value));
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
}
