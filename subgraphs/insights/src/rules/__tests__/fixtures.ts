/**
 * Fixture customers for the rule tests, built around one instant and one easy premium: a policy covering
 * exactly the 36 months before AS_OF with ¥10,960.00 written over 1,096 days earns ¥10 a day, so the whole
 * 36-month window earns ¥10,960.00 and an incurred of ¥3,288.00 is a loss ratio of exactly 0.30.
 */
import type { ClaimFigures, ComplaintFigures, CustomerFigures, PolicyFigures } from '../customer-figures';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DEFAULT_INSIGHT_RULES_PATH, loadInsightRules } from '../insight-rules';

/** Noon UTC; its day is 2026-12-06. Windows: 12 months = 2025-12-07..2026-12-06, 36 months of premium = [2023-12-06, 2026-12-06). */
export const AS_OF = '2026-12-06T12:00:00.000Z';

export const rules = loadInsightRules();

let serial = 0;

export function policy(overrides: Partial<PolicyFigures> = {}): PolicyFigures {
  serial += 1;
  return {
    policyNo: `P${String(serial).padStart(6, '0')}`,
    lineOfBusiness: 'MOTOR',
    status: 'EXPIRED',
    // 2023-12-06 → 2026-12-06 is 366 + 365 + 365 = 1,096 days (2024 is a leap year): ¥10 a day.
    effectiveDate: '2023-12-06',
    expiryDate: '2026-12-06',
    boundAt: '2023-12-01T09:00:00.000Z',
    terminatedAt: null,
    writtenPremium: '10960.00',
    cancelledForNonPayment: false,
    renewalOfPolicyNo: null,
    ...overrides,
  };
}

export function claim(overrides: Partial<ClaimFigures> = {}): ClaimFigures {
  serial += 1;
  return {
    reportNo: `R${String(serial).padStart(6, '0')}`,
    policyNo: 'P000000',
    insuredObjectKey: null,
    reportedAt: '2026-06-01T10:00:00.000Z',
    closedAt: null,
    status: 'REPORTED',
    closedOutcome: null,
    paid: '0.00',
    outstandingReserve: '0.00',
    recoveries: '0.00',
    fraudConfirmed: false,
    ...overrides,
  };
}

/** `count` claims with nothing incurred, reported on consecutive days ending `lastDay`. */
export function claimsUpTo(count: number, lastDay = '2026-12-06', overrides: Partial<ClaimFigures> = {}): ClaimFigures[] {
  const last = Date.parse(`${lastDay}T08:00:00.000Z`);
  return Array.from({ length: count }, (_, index) => claim({ reportedAt: new Date(last - index * 86_400_000).toISOString(), ...overrides }));
}

export function complaint(overrides: Partial<ComplaintFigures> = {}): ComplaintFigures {
  serial += 1;
  return {
    complaintNo: `C${String(serial).padStart(6, '0')}`,
    acceptedAt: '2026-11-21T00:00:00.000Z',
    dueDate: '2026-12-05',
    status: 'REGISTERED',
    feedbackAt: null,
    ...overrides,
  };
}

/**
 * A quality customer by default: six years' tenure, no claim ever, ¥10,960.00 earned over 36 months, no
 * arrears, not blacklisted, in no org unit (so not large).
 */
export function customer(overrides: Partial<CustomerFigures> = {}): CustomerFigures {
  return {
    customerId: '42',
    customerSince: '2020-01-01',
    blacklisted: false,
    arrearsDays: 0,
    policies: [policy()],
    claims: [],
    complaints: [],
    orgUnitPremiums: [],
    corporateGroup: null,
    ...overrides,
  };
}

/** A claim incurring exactly `incurred` yuan (all of it paid), reported mid-window. */
export function claimIncurring(incurred: string, overrides: Partial<ClaimFigures> = {}): ClaimFigures {
  return claim({ status: 'PAID', paid: incurred, ...overrides });
}

/**
 * The shipped rules file as plain data with one entry replaced (`a.b[2].c`), or removed when `value` is
 * undefined: what validateInsightRules gets in the tests of a changed or broken rules file.
 */
export function rulesFileWith(entry: string, value: unknown): unknown {
  const data = parse(readFileSync(DEFAULT_INSIGHT_RULES_PATH, 'utf8')) as Record<string, unknown>;
  const steps = entry.split(/\.|\[(\d+)\]/).filter((step) => step !== undefined && step !== '');
  let node = data as Record<string, unknown>;
  for (const step of steps.slice(0, -1)) node = node[step] as Record<string, unknown>;
  const last = steps[steps.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return data;
}
