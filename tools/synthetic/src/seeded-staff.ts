import type { Purpose, StaffIdentity, StaffRole } from '@icg/shared';
import type { OrgFacts, StaffFact } from './org';

/** A staff member of the synthetic company as the token and the access policy see them. */
export function identityOfStaff(staff: StaffFact, purpose: Purpose | null = null): StaffIdentity {
  return { staffId: String(staff.id), role: staff.role, branchId: String(staff.branchId), branchPath: staff.branchPath, grade: staff.grade, purpose };
}

/**
 * The seeded staff member to act as: the given id (which must hold the role), or the role's first
 * member in org order — a city-branch employee for branch roles, head office for company-wide ones.
 */
export function findStaff(org: OrgFacts, role: StaffRole, staffId?: string): StaffFact {
  if (staffId !== undefined) {
    const staff = org.staff.find((member) => String(member.id) === staffId);
    if (!staff) throw new RangeError(`No staff member ${staffId} in the seeded company`);
    if (staff.role !== role) throw new RangeError(`Staff member ${staffId} is a ${staff.role}, not a ${role}`);
    return staff;
  }
  const holders = org.staff.filter((member) => member.role === role);
  const cityHolder = holders.find((member) => org.cityBranches.some((branch) => branch.id === member.branchId));
  const staff = cityHolder ?? holders[0];
  if (!staff) throw new RangeError(`No staff member has the role ${role}`);
  return staff;
}
