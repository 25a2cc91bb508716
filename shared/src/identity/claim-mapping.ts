import { ConfigError, type EnvReader } from '../env-reader';
import { IDENTITY_CLAIMS, isStaffRole, type StaffIdentity } from './staff-identity';

/**
 * Where each identity field sits in a bearer token: a dotted path into its claims (`realm_access.roles`
 * for a Keycloak realm role, `staff_id` for a user attribute). The defaults are the graph's own claims.
 */
export type ClaimMapping = Readonly<Record<keyof StaffIdentity, string>>;

export const DEFAULT_CLAIM_MAPPING: ClaimMapping = IDENTITY_CLAIMS;

export const CLAIM_MAPPING_ENV = {
  staffId: 'AUTH_CLAIM_STAFF_ID',
  role: 'AUTH_CLAIM_ROLE',
  branchId: 'AUTH_CLAIM_BRANCH',
  branchPath: 'AUTH_CLAIM_BRANCH_PATH',
  grade: 'AUTH_CLAIM_GRADE',
  purpose: 'AUTH_CLAIM_PURPOSE',
} as const satisfies Record<keyof StaffIdentity, string>;

/** Claim names as identity providers write them (`realm_access`, `x-hasura-role`, `cognito:groups`), joined by dots. */
const CLAIM_PATH = /^[A-Za-z0-9_:$-]{1,64}(?:\.[A-Za-z0-9_:$-]{1,64}){0,7}$/;

/** The mapping from AUTH_CLAIM_*; a path that is not one names its variable. */
export function readClaimMapping(reader: EnvReader): ClaimMapping {
  const entries = (Object.keys(CLAIM_MAPPING_ENV) as (keyof StaffIdentity)[]).map((field) => {
    const variable = CLAIM_MAPPING_ENV[field];
    const path = reader.string(variable, DEFAULT_CLAIM_MAPPING[field]);
    if (!CLAIM_PATH.test(path)) {
      throw new ConfigError(variable, 'must be a claim name or a dotted path of claim names (letters, digits, _ : $ -), e.g. realm_access.roles');
    }
    return [field, path] as const;
  });
  const mapping = Object.fromEntries(entries) as Record<keyof StaffIdentity, string>;
  const paths = Object.values(mapping);
  const shared = paths.find((path, index) => paths.indexOf(path) !== index);
  if (shared !== undefined) {
    const variables = entries.filter(([, path]) => path === shared).map(([field]) => CLAIM_MAPPING_ENV[field]);
    throw new ConfigError(variables.join(' and '), `name the same claim "${shared}"; each identity field needs its own`);
  }
  return mapping;
}

function claimAt(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = claims;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

export type MappedClaimsResult = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string };

/**
 * A token's claims rewritten under the graph's own names, ready for identityFromClaims. A configured role
 * claim that is a list (Keycloak's `realm_access.roles` holds `offline_access` and the like beside ours) must
 * hold exactly one staff role: with none the caller is nobody here, and with several we would have to
 * guess which one they act as.
 */
export function mapTokenClaims(claims: Readonly<Record<string, unknown>>, mapping: ClaimMapping): MappedClaimsResult {
  let role = claimAt(claims, mapping.role);
  // Only from a configured role claim: the graph's own `role` stays a single string, as it always was.
  if (Array.isArray(role) && mapping.role !== DEFAULT_CLAIM_MAPPING.role) {
    const staffRoles = [...new Set(role.filter(isStaffRole))];
    if (staffRoles.length === 0) return { ok: false, reason: `${mapping.role} holds no staff role` };
    if (staffRoles.length > 1) return { ok: false, reason: `${mapping.role} holds several staff roles` };
    role = staffRoles[0];
  }
  return {
    ok: true,
    claims: {
      [IDENTITY_CLAIMS.staffId]: claimAt(claims, mapping.staffId),
      [IDENTITY_CLAIMS.role]: role,
      [IDENTITY_CLAIMS.branchId]: claimAt(claims, mapping.branchId),
      [IDENTITY_CLAIMS.branchPath]: claimAt(claims, mapping.branchPath),
      [IDENTITY_CLAIMS.grade]: claimAt(claims, mapping.grade),
      [IDENTITY_CLAIMS.purpose]: claimAt(claims, mapping.purpose),
    },
  };
}

/** The token's name for an identity claim the graph found invalid, so the 401 names what the provider sent. */
export function mappedClaimName(mapping: ClaimMapping, claim: (typeof IDENTITY_CLAIMS)[keyof StaffIdentity]): string {
  const field = (Object.keys(IDENTITY_CLAIMS) as (keyof StaffIdentity)[]).find((candidate) => IDENTITY_CLAIMS[candidate] === claim);
  return field === undefined ? claim : mapping[field];
}
