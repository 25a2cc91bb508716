import { MANAGER_GRADES, PURPOSES, STAFF_ROLES, type ManagerGrade, type Purpose, type StaffRole } from '../domain/vocabulary';

// Stated reasons for reading clear RESTRICTED values: defined with the other vocabularies, re-exported for this module's users.
export { PURPOSES, type Purpose };

/** Who is calling, as established by the gateway from a bearer token. */
export interface StaffIdentity {
  /** The staff member's entity id (`"12"`), the same id records name as responsible staff. */
  staffId: string;
  role: StaffRole;
  branchId: string;
  /** Materialised path of the staff member's branch, e.g. `/1/3/9/`; ends with `branchId`. */
  branchPath: string;
  /** Customer managers only; null for every other role. */
  grade: ManagerGrade | null;
  purpose: Purpose | null;
}

/** The JWT claim that carries each identity field, in bearer tokens and in identity assertions. */
export const IDENTITY_CLAIMS = {
  staffId: 'sub',
  role: 'role',
  branchId: 'branch',
  branchPath: 'branch_path',
  grade: 'grade',
  purpose: 'purpose',
} as const satisfies Record<keyof StaffIdentity, string>;
export type IdentityClaimName = (typeof IDENTITY_CLAIMS)[keyof StaffIdentity];

export interface StaffIdentityClaims {
  sub: string;
  role: StaffRole;
  branch: string;
  branch_path: string;
  /** Omitted when the identity has no grade. */
  grade?: ManagerGrade;
  /** Omitted when no purpose is stated. */
  purpose?: Purpose;
}

export type IdentityClaimsResult = { ok: true; identity: StaffIdentity } | { ok: false; invalidClaim: IdentityClaimName };

/** Same shape as entity ids (ids.ts): positive integers as strings. */
const ENTITY_ID = /^[1-9]\d{0,17}$/;
/** `/1/`, `/1/3/`, `/1/3/9/`: one id per level, each followed by a slash. */
const BRANCH_PATH = /^(?:\/[1-9]\d{0,17})+\/$/;
const MAX_BRANCH_DEPTH = 32;
const GRADE_HOLDING_ROLES: readonly StaffRole[] = ['CUSTOMER_MANAGER'];

export function isStaffRole(value: unknown): value is StaffRole {
  return typeof value === 'string' && (STAFF_ROLES as readonly string[]).includes(value);
}

export function isManagerGrade(value: unknown): value is ManagerGrade {
  return typeof value === 'string' && (MANAGER_GRADES as readonly string[]).includes(value);
}

export function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && (PURPOSES as readonly string[]).includes(value);
}

export function identityToClaims(identity: StaffIdentity): StaffIdentityClaims {
  const claims: StaffIdentityClaims = {
    sub: identity.staffId,
    role: identity.role,
    branch: identity.branchId,
    branch_path: identity.branchPath,
  };
  if (identity.grade !== null) claims.grade = identity.grade;
  if (identity.purpose !== null) claims.purpose = identity.purpose;
  return claims;
}

/**
 * Reads an identity from verified JWT claims. Signature checks say who issued the claims, not that
 * they make sense, so every claim is checked here; the first bad one is named.
 */
export function identityFromClaims(claims: Readonly<Record<string, unknown>>): IdentityClaimsResult {
  const invalid = (invalidClaim: IdentityClaimName): IdentityClaimsResult => ({ ok: false, invalidClaim });
  const { sub, role, branch, branch_path: branchPath, grade, purpose } = claims;

  if (typeof sub !== 'string' || !ENTITY_ID.test(sub)) return invalid('sub');
  if (!isStaffRole(role)) return invalid('role');
  // Some identity providers emit numeric ids; the identity always carries them as strings.
  const branchId = typeof branch === 'number' && Number.isSafeInteger(branch) ? String(branch) : branch;
  if (typeof branchId !== 'string' || !ENTITY_ID.test(branchId)) return invalid('branch');
  if (typeof branchPath !== 'string' || !BRANCH_PATH.test(branchPath)) return invalid('branch_path');
  const levels = branchPath.split('/').filter((segment) => segment !== '');
  // The path must lead to the stated branch, or row scope would be decided on a branch that is not the caller's.
  if (levels.length > MAX_BRANCH_DEPTH || levels[levels.length - 1] !== branchId) return invalid('branch_path');
  if (grade !== undefined && grade !== null && (!isManagerGrade(grade) || !GRADE_HOLDING_ROLES.includes(role))) return invalid('grade');
  if (purpose !== undefined && purpose !== null && !isPurpose(purpose)) return invalid('purpose');

  return {
    ok: true,
    identity: { staffId: sub, role, branchId, branchPath, grade: grade ?? null, purpose: purpose ?? null },
  };
}

/** For code that issues credentials: refuses to put an identity into a token that no verifier would accept. */
export function assertValidIdentity(identity: StaffIdentity): void {
  const result = identityFromClaims({ ...identityToClaims(identity) });
  if (!result.ok) throw new TypeError(`Invalid staff identity: claim "${result.invalidClaim}" is not valid`);
}
