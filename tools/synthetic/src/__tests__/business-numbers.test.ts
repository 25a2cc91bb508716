import { BUSINESS_NUMBERS } from '@icg/shared';
import { registrationNoFor, scrambledDigits, ticketNoFor } from '../business-numbers';
import { generateCompanyBatch } from '../company';
import { generateOrg } from '../org';

const SEED = 7;
const asOf = new Date('2026-11-01T00:00:00Z');
const company = generateCompanyBatch({ seed: SEED, asOf, org: generateOrg(SEED), firstCustomerId: 1, lastCustomerId: 3000 });

/** The share of numbers whose first digits are all zero: every number spelled from a small id starts with zeros. */
const leadingZeroShare = (numbers: readonly string[], prefix: RegExp) =>
  numbers.filter((number) => /^0000/.test(number.replace(prefix, ''))).length / numbers.length;

describe('business numbers of the synthetic company', () => {
  it('permute ids: every id of a small range gets its own number', () => {
    const numbers = Array.from({ length: 10_000 }, (_, id) => scrambledDigits(SEED, 'test', id, 4));
    expect(new Set(numbers).size).toBe(10_000);
    expect(numbers.every((number) => /^\d{4}$/.test(number))).toBe(true);
    expect(scrambledDigits(SEED, 'test', 42, 12)).toBe(scrambledDigits(SEED, 'test', 42, 12));
    expect(scrambledDigits(SEED, 'test', 42, 12)).not.toBe(scrambledDigits(SEED + 1, 'test', 42, 12));
    expect(() => scrambledDigits(SEED, 'test', 10_000, 4)).toThrow('does not fit');
  });

  it('keep the source systems’ formats and are unique per kind', () => {
    const kinds = {
      customerNo: company.customers.map((customer) => customer.customerNo),
      policyNo: company.policies.map((policy) => policy.policyNo),
      reportNo: company.claims.map((claim) => claim.reportNo),
      complaintNo: company.complaints.map((complaint) => complaint.complaintNo),
    } as const;
    for (const [kind, numbers] of Object.entries(kinds) as [keyof typeof kinds, string[]][]) {
      expect({ kind, malformed: numbers.filter((number) => !BUSINESS_NUMBERS[kind].pattern.test(number)) }).toEqual({ kind, malformed: [] });
      expect({ kind, unique: new Set(numbers).size }).toEqual({ kind, unique: numbers.length });
    }
    expect(ticketNoFor(SEED, 120_301, new Date('2026-03-01T00:00:00Z'))).toMatch(BUSINESS_NUMBERS.ticketNo.pattern);
    expect(ticketNoFor(SEED, 120_301, new Date('2026-03-01T00:00:00Z')).slice(0, 4)).toBe('SR26');
    expect(registrationNoFor(SEED, 12_030_101, new Date('2025-03-01T00:00:00Z'))).toMatch(/^CLM2025\d{12}$/);
  });

  it('do not spell out ids: a policy’s, claim’s or complaint’s number tells nothing of its customer', () => {
    // Spelled from ids (customer 954 → CU0000000954, its policy 95401 → …000000095401) nearly all would start with zeros.
    expect(
      leadingZeroShare(
        company.customers.map((customer) => customer.customerNo),
        /^CU/,
      ),
    ).toBeLessThan(0.01);
    expect(
      leadingZeroShare(
        company.policies.map((policy) => policy.policyNo),
        /^P[A-Z]{2}/,
      ),
    ).toBeLessThan(0.01);
    expect(
      leadingZeroShare(
        company.claims.map((claim) => claim.reportNo),
        /^RPT/,
      ),
    ).toBeLessThan(0.01);
    expect(
      leadingZeroShare(
        company.complaints.map((complaint) => complaint.complaintNo),
        /^CP/,
      ),
    ).toBeLessThan(0.01);
    const customerDigits = new Map(company.customers.map((customer) => [customer.id, customer.customerNo.slice(2)]));
    const sharingCustomerDigits = company.policies.filter((policy) => policy.policyNo.includes(customerDigits.get(policy.customerId)!.slice(-6)));
    expect(sharingCustomerDigits).toEqual([]);
    expect(company.policies.filter((policy) => policy.policyNo.endsWith(String(policy.id).padStart(12, '0')))).toEqual([]);
    expect(company.claims.filter((claim) => claim.reportNo.endsWith(String(claim.id).padStart(12, '0')))).toEqual([]);
  });
});
