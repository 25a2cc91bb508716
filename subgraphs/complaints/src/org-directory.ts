import { badUserInput, type Knex, type StaffRole } from '@icg/shared';
import type { EscalationLevel } from './workflow';

/**
 * The org tree as the complaint register needs it (DOMAIN.md section 2: head office → provincial branch
 * → city branch, each branch a materialised path such as `/1/3/9/`). Complaints are handled across the
 * three levels with escalation upward: the branch one level up is the parent path. The register keeps
 * its own copy of branches and staff (seeded as reference data) to check the units and handlers it is
 * told about.
 */

/** Lowest level first: escalation moves towards the end. */
export const LEVELS_UPWARD: readonly EscalationLevel[] = ['CITY', 'PROVINCE', 'HEAD_OFFICE'];

const LEVEL_BY_DEPTH: Readonly<Record<number, EscalationLevel>> = { 1: 'HEAD_OFFICE', 2: 'PROVINCE', 3: 'CITY' };

function pathSegments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

/** The level of the branch at `path`: `/1/` head office, `/1/3/` a province, `/1/3/9/` a city. */
export function levelOfPath(path: string): EscalationLevel {
  const level = LEVEL_BY_DEPTH[pathSegments(path).length];
  if (!level) throw new Error(`not a branch path of the three-level org tree: ${path}`);
  return level;
}

/** The higher of two levels. */
export function higherLevel(first: EscalationLevel, second: EscalationLevel): EscalationLevel {
  return LEVELS_UPWARD.indexOf(first) >= LEVELS_UPWARD.indexOf(second) ? first : second;
}

/** The level above, or null at head office. */
export function levelAbove(level: EscalationLevel): EscalationLevel | null {
  return LEVELS_UPWARD[LEVELS_UPWARD.indexOf(level) + 1] ?? null;
}

/** The branch on `path`'s lineage at `level` (the branch itself when it is at or above that level). */
export function ancestorAt(path: string, level: EscalationLevel): { id: string; path: string } {
  const segments = pathSegments(path);
  const depth = Math.min(segments.length, 3 - LEVELS_UPWARD.indexOf(level));
  const kept = segments.slice(0, depth);
  return { id: kept[kept.length - 1]!, path: `/${kept.join('/')}/` };
}

/**
 * The branch handling a complaint: the accountable unit, or the ancestor it was escalated to. A
 * complaint against a provincial branch is handled at least at province level.
 */
export function handlingBranch(respondentPath: string, escalationLevel: EscalationLevel): { id: string; path: string; level: EscalationLevel } {
  const level = higherLevel(escalationLevel, levelOfPath(respondentPath));
  return { ...ancestorAt(respondentPath, level), level };
}

export interface OrgBranchRow {
  id: number | string;
  parent_id: number | string | null;
  path: string;
  level: string;
}

export interface OrgStaffRow {
  id: number | string;
  role: StaffRole;
  branch_id: number | string;
  branch_path: string;
}

/** A branch the caller named, or BAD_USER_INPUT naming the field. */
export async function requireBranch(db: Knex, branchId: string, field: string): Promise<{ id: string; path: string }> {
  const row = await db<OrgBranchRow>('complaint_org_branches').where({ id: branchId }).first();
  if (!row) throw badUserInput(field, `there is no branch ${branchId}`);
  return { id: String(row.id), path: row.path };
}

/** A member of staff the caller named, with one of `roles`, or BAD_USER_INPUT naming the field. */
export async function requireStaff(db: Knex, staffId: string, field: string, roles: readonly StaffRole[]): Promise<{ id: string; branchPath: string }> {
  const row = await db<OrgStaffRow>('complaint_org_staff').where({ id: staffId }).first();
  if (!row) throw badUserInput(field, `there is no member of staff ${staffId}`);
  if (!roles.includes(row.role)) throw badUserInput(field, `must be a member of staff with the role ${roles.join(' or ')}`);
  return { id: String(row.id), branchPath: row.branch_path };
}
