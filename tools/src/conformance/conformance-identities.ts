import { STAFF_ROLES, type Purpose, type Role, type StaffIdentity } from '@icg/shared';
import { DEFAULT_SEED, findStaff, generateOrg, identityOfStaff } from '@icg/synthetic';

/** One caller the suite acts as. */
export interface ConformanceIdentity {
  /** e.g. `CLAIMS_ADJUSTER (staff 41) with purpose CLAIM_HANDLING`. */
  label: string;
  identity: StaffIdentity;
}

export interface ConformanceIdentities {
  /** The auditor with a stated purpose: every value in clear, what the other roles' answers are compared with. */
  reference: ConformanceIdentity;
  /** Every role of the policy, without a purpose and with the purpose its work states. */
  perRole: ConformanceIdentity[];
}

/** The purpose each role would state in its daily work; any listed purpose has the same effect under the policy. */
const WORKING_PURPOSE: Readonly<Record<Role, Purpose>> = {
  CUSTOMER_MANAGER: 'CUSTOMER_SERVICE',
  OPERATOR: 'CUSTOMER_SERVICE',
  HOTLINE_AGENT: 'CUSTOMER_SERVICE',
  CLAIMS_ADJUSTER: 'CLAIM_HANDLING',
  COMPLAINT_OFFICER: 'COMPLAINT_HANDLING',
  SERVICE_CENTER_MANAGER: 'CUSTOMER_SERVICE',
  EXECUTIVE: 'CUSTOMER_SERVICE',
  BI_ANALYST: 'AUDIT',
  AUDITOR: 'AUDIT',
};

/**
 * Real staff of the seeded company (the data the subgraph holds was generated from the same seed), so
 * scope-dependent roles meet records they are responsible for and records they are not. By default the
 * role's first member in a city branch (`findStaff`); `staff` picks another member per role.
 */
export function resolveConformanceIdentities(options: { seed?: number; staff?: Partial<Record<Role, string>> } = {}): ConformanceIdentities {
  const org = generateOrg(options.seed ?? DEFAULT_SEED);
  const identityOf = (role: Role, purpose: Purpose | null): ConformanceIdentity => {
    const staff = findStaff(org, role, options.staff?.[role]);
    return { label: `${role} (staff ${staff.id})${purpose ? ` with purpose ${purpose}` : ''}`, identity: identityOfStaff(staff, purpose) };
  };
  return {
    reference: identityOf('AUDITOR', 'AUDIT'),
    perRole: STAFF_ROLES.flatMap((role) => [identityOf(role, null), ...(role === 'AUDITOR' ? [] : [identityOf(role, WORKING_PURPOSE[role])])]),
  };
}
