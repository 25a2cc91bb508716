import { generateCompanyBatch } from '../company';
import { CLAIM_STATUSES, COMPLAINT_STATUSES, isValidMobile, isValidResidentId, isValidUscc, MANAGER_GRADES, POLICY_STATUSES } from '@icg/shared';
import { generateOrg } from '../org';

const asOf = new Date('2026-11-01T00:00:00Z');
const org = generateOrg(7);
const company = generateCompanyBatch({ seed: 7, asOf, org, firstCustomerId: 1, lastCustomerId: 3000 });

describe('the synthetic company', () => {
  it('is the same for the same seed, whatever the batch boundaries', () => {
    const first = generateCompanyBatch({ seed: 7, asOf, org: generateOrg(7), firstCustomerId: 1, lastCustomerId: 50 });
    const second = generateCompanyBatch({ seed: 7, asOf, org: generateOrg(7), firstCustomerId: 51, lastCustomerId: 100 });
    const whole = generateCompanyBatch({ seed: 7, asOf, org: generateOrg(7), firstCustomerId: 1, lastCustomerId: 100 });
    expect([...first.customers, ...second.customers]).toEqual(whole.customers);
    expect([...first.claims, ...second.claims]).toEqual(whole.claims);
    expect(generateCompanyBatch({ seed: 8, asOf, org: generateOrg(8), firstCustomerId: 1, lastCustomerId: 100 }).customers).not.toEqual(whole.customers);
  });

  it('has managers of every grade in every city branch', () => {
    for (const branch of org.cityBranches) {
      const grades = new Set((org.managersByBranch.get(branch.id) ?? []).map((manager) => manager.grade));
      expect([...grades].sort()).toEqual([...MANAGER_GRADES].sort());
    }
  });

  it('gives every customer a valid ID number and mobile', () => {
    for (const customer of company.customers) {
      expect(customer.idType === 'RESIDENT_ID' ? isValidResidentId(customer.idNumber) : isValidUscc(customer.idNumber)).toBe(true);
      expect(isValidMobile(customer.mobile)).toBe(true);
    }
  });

  it('covers every policy, claim and complaint status', () => {
    expect(new Set(company.policies.map((policy) => policy.status))).toEqual(new Set(POLICY_STATUSES));
    expect(new Set(company.claims.map((claim) => claim.status))).toEqual(new Set(CLAIM_STATUSES));
    expect(new Set(company.complaints.map((complaint) => complaint.status))).toEqual(new Set(COMPLAINT_STATUSES));
  });

  it("keeps references consistent: claims and complaints point at the customer's own policies and claims", () => {
    const policies = new Map(company.policies.map((policy) => [policy.policyNo, policy]));
    const claims = new Map(company.claims.map((claim) => [claim.reportNo, claim]));
    for (const claim of company.claims) {
      const policy = policies.get(claim.policyNo)!;
      expect(policy.customerId).toBe(claim.customerId);
      expect(claim.lossDate >= policy.effectiveDate && claim.lossDate <= policy.expiryDate).toBe(true);
      expect(claim.reportedAt.slice(0, 10) >= claim.lossDate).toBe(true);
    }
    for (const complaint of company.complaints) {
      if (complaint.policyNo) expect(policies.get(complaint.policyNo)!.customerId).toBe(complaint.customerId);
      if (complaint.reportNo) expect(claims.get(complaint.reportNo)!.customerId).toBe(complaint.customerId);
    }
  });

  it('gives each customer at most one primary manager, of principal grade or above for organisations', () => {
    const staff = new Map(org.staff.map((member) => [member.id, member]));
    for (const customer of company.customers.filter((entry) => entry.primaryManagerStaffId !== null)) {
      const manager = staff.get(customer.primaryManagerStaffId!)!;
      expect(manager.role).toBe('CUSTOMER_MANAGER');
      expect(manager.branchId).toBe(customer.branchId);
      if (customer.kind === 'ORGANISATION') expect(['SENIOR', 'PRINCIPAL']).toContain(manager.grade);
    }
  });
});
