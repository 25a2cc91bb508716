import { BRANCH_LEVELS, ConfigError, EnvReader, STAFF_ROLES, type BranchLevel, type Environment, type StaffRole } from '@icg/shared';

/**
 * Claim approval authority (核赔权限): the largest payable amount, in yuan, a claim approver may approve,
 * by their role and the level of the branch they work in (adjusters hold no grade; their authority grows
 * with the level of their office). An approver with no entry has no authority at all: deny by default.
 *
 * CLAIM_APPROVAL_LIMITS overrides the defaults: `;`-separated `<ROLE>@<LEVEL>=<yuan|unlimited>`, e.g.
 * `CLAIMS_ADJUSTER@CITY=50000;CLAIMS_ADJUSTER@PROVINCE=500000;CLAIMS_ADJUSTER@HEAD_OFFICE=unlimited`.
 */
export const CLAIM_APPROVAL_LIMITS_VARIABLE = 'CLAIM_APPROVAL_LIMITS';
export const DEFAULT_CLAIM_APPROVAL_LIMITS = 'CLAIMS_ADJUSTER@CITY=50000;CLAIMS_ADJUSTER@PROVINCE=500000;CLAIMS_ADJUSTER@HEAD_OFFICE=unlimited';

/** Yuan, or null for no upper bound. */
export type ApprovalLimit = number | null;
export type ApprovalLimits = ReadonlyMap<`${StaffRole}@${BranchLevel}`, ApprovalLimit>;

const ENTRY = /^(?<role>[A-Z_]+)@(?<level>[A-Z_]+)=(?<limit>\d+(?:\.\d{1,2})?|unlimited)$/;

export function parseApprovalLimits(spec: string, variable = CLAIM_APPROVAL_LIMITS_VARIABLE): ApprovalLimits {
  const limits = new Map<`${StaffRole}@${BranchLevel}`, ApprovalLimit>();
  for (const rawEntry of spec.split(';')) {
    const entry = rawEntry.replace(/\s+/g, '');
    if (entry === '') continue;
    const groups = ENTRY.exec(entry)?.groups;
    if (!groups) throw new ConfigError(variable, `has a malformed entry "${entry}": expected ROLE@LEVEL=<yuan|unlimited>, e.g. CLAIMS_ADJUSTER@CITY=50000`);
    const role = groups['role'] as StaffRole;
    const level = groups['level'] as BranchLevel;
    if (!STAFF_ROLES.includes(role)) throw new ConfigError(variable, `names "${role}", which is not a role (${STAFF_ROLES.join(', ')})`);
    if (!BRANCH_LEVELS.includes(level)) throw new ConfigError(variable, `names "${level}", which is not a branch level (${BRANCH_LEVELS.join(', ')})`);
    const key = `${role}@${level}` as const;
    if (limits.has(key)) throw new ConfigError(variable, `names "${key}" twice`);
    limits.set(key, groups['limit'] === 'unlimited' ? null : Number(groups['limit']));
  }
  return limits;
}

export function readApprovalLimits(env: Environment = process.env): ApprovalLimits {
  return parseApprovalLimits(new EnvReader(env).string(CLAIM_APPROVAL_LIMITS_VARIABLE, DEFAULT_CLAIM_APPROVAL_LIMITS));
}

/** `/1/` is head office, `/1/2/` a province, `/1/2/6/` a city (the org tree's materialised paths). */
export function branchLevelOfPath(branchPath: string): BranchLevel | null {
  const depth = branchPath.split('/').filter(Boolean).length;
  return depth === 1 ? 'HEAD_OFFICE' : depth === 2 ? 'PROVINCE' : depth === 3 ? 'CITY' : null;
}

export type ApprovalAuthority = { allowed: true } | { allowed: false; limit: number; level: BranchLevel | null };

/** Whether an approver may approve this payable amount; when not, the limit they have (0 for none). */
export function approvalAuthority(limits: ApprovalLimits, approver: { role: StaffRole; branchPath: string }, amount: number): ApprovalAuthority {
  const level = branchLevelOfPath(approver.branchPath);
  const limit = level === null ? undefined : limits.get(`${approver.role}@${level}`);
  if (limit === undefined) return { allowed: false, limit: 0, level };
  if (limit === null || amount <= limit) return { allowed: true };
  return { allowed: false, limit, level };
}
