/**
 * Who the matrix acts as, generated from the policy file: every role with the purpose of its daily work,
 * plus the purpose fallbacks (the same role without a stated purpose) wherever a purpose changes a
 * decision. A role acts as real seeded staff members: which one depends on the records tried (a customer
 * manager is one for their own customers), so each role carries the pool of members it may act as.
 */
import type { AccessPolicy, Caller, Purpose, Role, Scope } from '@icg/shared';
import type { StaffFact } from '@icg/synthetic';
import { staffIdentity, type ActingAs } from '../test-security';
import type { CompanyFacts } from './record-scopes';

export interface MatrixStaff {
  acting: ActingAs;
  /** The caller as the subgraphs see it (callerOf the identity assertion). */
  caller: Caller;
  /** e.g. `staff 130 at /1/10/12/`. */
  label: string;
}

export interface MatrixCaller {
  /** e.g. `CLAIMS_ADJUSTER for CLAIM_HANDLING`. */
  label: string;
  role: Role;
  purpose: Purpose | null;
  /** Every scope the role's rules use (its own and its category exceptions'): what "in scope" is judged on. */
  scopeKinds: readonly Scope[];
  /**
   * Members of the role it may act as, the preferred first: company-wide roles the default seeded member;
   * others every member at the deepest branch level, so records outside their branch always exist.
   */
  staffPool: readonly MatrixStaff[];
}

/** The purpose each role states for its daily work; any listed purpose unlocks clear RESTRICTED values. */
const WORK_PURPOSES: Readonly<Record<Role, Purpose | null>> = {
  CUSTOMER_MANAGER: 'CUSTOMER_SERVICE',
  OPERATOR: 'CUSTOMER_SERVICE',
  HOTLINE_AGENT: 'CUSTOMER_SERVICE',
  CLAIMS_ADJUSTER: 'CLAIM_HANDLING',
  COMPLAINT_OFFICER: 'COMPLAINT_HANDLING',
  SERVICE_CENTER_MANAGER: 'CUSTOMER_SERVICE',
  EXECUTIVE: null,
  BI_ANALYST: null,
  AUDITOR: 'AUDIT',
};

const branchDepth = (member: StaffFact): number => member.branchPath.split('/').filter(Boolean).length;

function staffPool(facts: CompanyFacts, role: Role, scopeKinds: readonly Scope[]): StaffFact[] {
  const preferred = facts.staff.get(staffIdentity({ role }).staffId)!;
  if (scopeKinds.includes('ALL')) return [preferred];
  const holders = facts.org.staff.filter((member) => member.role === role);
  const deepest = Math.max(...holders.map(branchDepth));
  return holders
    .filter((member) => branchDepth(member) === deepest)
    .sort((left, right) => Number(right === preferred) - Number(left === preferred) || left.id - right.id);
}

function roleScopeKinds(policy: AccessPolicy, role: Role): Scope[] {
  const rolePolicy = policy.roles[role];
  const categoryScopes = Object.values(rolePolicy.categories).flatMap((rule) => (rule?.scope ? [rule.scope] : []));
  return [...new Set([rolePolicy.scope, ...categoryScopes])];
}

/** A purpose changes something for the role when it requires one, or may read some RESTRICTED value in clear. */
function purposeMatters(policy: AccessPolicy, role: Role): boolean {
  const rolePolicy = policy.roles[role];
  if (rolePolicy.requiresPurpose) return true;
  if (!policy.restrictedClearRequiresPurpose) return false;
  const rules = [rolePolicy.tiers.RESTRICTED, ...Object.values(rolePolicy.categories)];
  return rules.some((rule) => rule !== undefined && (rule.in === 'ALLOW' || rule.out === 'ALLOW'));
}

export function matrixCallers(policy: AccessPolicy, facts: CompanyFacts): MatrixCaller[] {
  const callers: MatrixCaller[] = [];
  for (const role of Object.keys(policy.roles) as Role[]) {
    const scopeKinds = roleScopeKinds(policy, role);
    const pool = staffPool(facts, role, scopeKinds);
    const purposes: (Purpose | null)[] = [WORK_PURPOSES[role]];
    if (WORK_PURPOSES[role] !== null && purposeMatters(policy, role)) purposes.push(null);
    for (const purpose of purposes) {
      callers.push({
        label: `${role} ${purpose ? `for ${purpose}` : 'without a purpose'}`,
        role,
        purpose,
        scopeKinds,
        staffPool: pool.map((member) => {
          const acting: ActingAs = { role, staffId: String(member.id), purpose };
          const identity = staffIdentity(acting);
          return {
            acting,
            caller: { staffId: identity.staffId, role: identity.role, branchPath: identity.branchPath, grade: identity.grade, purpose: identity.purpose },
            label: `staff ${identity.staffId} at ${identity.branchPath}`,
          };
        }),
      });
    }
  }
  return callers;
}
