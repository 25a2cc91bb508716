/**
 * classifyCustomer: a fixture customer on each side of every threshold of DOMAIN.md section 5 (the
 * defaults in insight-rules.yaml), and the precedence between classes.
 */
import { classifyCustomer } from '../classify';
import { validateInsightRules, type InsightRules } from '../insight-rules';
import type { CustomerFigures } from '../customer-figures';
import type { UnitLeaders as UnitUnderTest } from '../unit-leaders';
import { AS_OF, claim, claimIncurring, claimsUpTo, customer, policy, rules, rulesFileWith } from './fixtures';

const classOf = (figures: CustomerFigures, withRules: InsightRules = rules) => classifyCustomer(figures, withRules, AS_OF).classification;
const firedRules = (figures: CustomerFigures) => classifyCustomer(figures, rules, AS_OF).reasons.map((reason) => reason.rule);

describe('quality customer: tenure ≥ 3 years and (claim-free ≥ 3 years or 36-month loss ratio ≤ 0.30 with ≥ ¥5,000 earned) and good credit', () => {
  test('the default fixture is quality, by claim-free years, with the figures behind it', () => {
    const result = classifyCustomer(customer(), rules, AS_OF);
    expect(result.classification).toBe('QUALITY');
    expect(result.ruleVersion).toBe('insights-2026.12-1');
    expect(result.figures).toMatchObject({
      tenureYears: 6,
      claimFreeYears: 6,
      earnedPremium36m: '10960.00',
      incurred36m: '0.00',
      lossRatio36m: 0,
      claims12m: 0,
    });
    expect(result.reasons).toContainEqual({ rule: 'classification.quality.minClaimFreeYears', figure: 6, comparison: '>=', threshold: 3 });
  });

  test('tenure: customer since 2023-12-06 is 3 years on 2026-12-06 (quality); since 2023-12-07 is 2 (normal)', () => {
    // Claim-free years count from customerSince when there was no claim, so both clauses move together.
    expect(classOf(customer({ customerSince: '2023-12-06' }))).toBe('QUALITY');
    expect(classOf(customer({ customerSince: '2023-12-07' }))).toBe('NORMAL');
  });

  test('claim-free years: last claim on 2023-12-06 is 3 years (quality); on 2023-12-07 is 2 (normal, loss ratio alternative unmet)', () => {
    // Claims count over (2023-12-06, 2026-12-06]: the 2023-12-06 claim is outside (nothing incurred in the
    // window), the 2023-12-07 one inside, making the ratio 5,000 / 10,960 = 0.456 > 0.30: no way to quality.
    expect(classOf(customer({ claims: [claimIncurring('5000.00', { reportedAt: '2023-12-06T08:00:00.000Z' })] }))).toBe('QUALITY');
    expect(classOf(customer({ claims: [claimIncurring('5000.00', { reportedAt: '2023-12-07T08:00:00.000Z' })] }))).toBe('NORMAL');
  });

  test('a cancelled or withdrawn claim does not break the claim-free years', () => {
    const reported = { reportedAt: '2026-03-01T08:00:00.000Z' };
    expect(classOf(customer({ claims: [claim({ ...reported, status: 'CANCELLED', closedOutcome: 'CANCELLED' })] }))).toBe('QUALITY');
    expect(classOf(customer({ claims: [claim({ ...reported, status: 'WITHDRAWN', closedOutcome: 'WITHDRAWN' })] }))).toBe('QUALITY');
  });

  test('low loss ratio: incurred 3,288.00 / earned 10,960.00 = 0.30 (quality); 3,288.01 → 0.3000009 (normal)', () => {
    // A recent claim (2026-06-01) makes claim-free years 0, so only the loss-ratio alternative can qualify.
    const atLimit = classifyCustomer(customer({ claims: [claimIncurring('3288.00')] }), rules, AS_OF);
    expect(atLimit.classification).toBe('QUALITY');
    expect(atLimit.reasons).toContainEqual({ rule: 'classification.quality.lowLossRatio', figure: 0.3, comparison: '<=', threshold: 0.3 });
    expect(classOf(customer({ claims: [claimIncurring('3288.01')] }))).toBe('NORMAL');
  });

  test('low loss ratio needs ≥ ¥5,000 earned: 5,000.00 earned with nothing incurred (quality); 4,999.99 (normal)', () => {
    // One annual policy [2025-12-06, 2026-12-06) is fully earned by the asOf day; a claim with nothing incurred.
    const annual = (premium: string) => policy({ effectiveDate: '2025-12-06', expiryDate: '2026-12-06', writtenPremium: premium });
    const denied = claim({ status: 'DENIED', closedOutcome: 'DENIED', closedAt: '2026-07-01T00:00:00.000Z' });
    expect(classOf(customer({ policies: [annual('5000.00')], claims: [denied] }))).toBe('QUALITY');
    expect(classOf(customer({ policies: [annual('4999.99')], claims: [denied] }))).toBe('NORMAL');
  });

  test('good credit: arrears of 1 day, or one non-payment cancellation in 36 months, is not quality', () => {
    expect(classOf(customer({ arrearsDays: 1 }))).toBe('NORMAL');
    expect(classOf(customer({ policies: [policy(), policy({ arrearsDays: 1 })] }))).toBe('NORMAL');
    const cancelled = (terminatedAt: string) => policy({ status: 'CANCELLED', terminatedAt, cancelledForNonPayment: true, writtenPremium: '0.00' });
    expect(classOf(customer({ policies: [policy(), cancelled('2024-01-10T00:00:00.000Z')] }))).toBe('NORMAL');
    // 2023-12-06 is outside (2023-12-06, 2026-12-06]: the cancellation no longer counts.
    expect(classOf(customer({ policies: [policy(), cancelled('2023-12-06T00:00:00.000Z')] }))).toBe('QUALITY');
  });
});

describe('poor customer: any clause', () => {
  test('36-month loss ratio: 10,960.00 / 10,960.00 = 1.0 (poor); 10,959.99 (not poor)', () => {
    const poor = classifyCustomer(customer({ claims: [claimIncurring('10960.00')] }), rules, AS_OF);
    expect(poor.classification).toBe('POOR');
    expect(poor.reasons).toContainEqual({ rule: 'classification.poor.lossRatio', figure: 1, comparison: '>=', threshold: 1 });
    expect(poor.figures.lossRatio36m).toBe(1);
    expect(classOf(customer({ claims: [claimIncurring('10959.99')] }))).toBe('NORMAL');
  });

  test('incurred is paid + outstanding reserve − recoveries: 6,000 + 6,000 − 1,040 = 10,960 (poor); recoveries 1,040.01 (not)', () => {
    const incurring = (recoveries: string) => claim({ status: 'REGISTERED', paid: '6000.00', outstandingReserve: '6000.00', recoveries });
    expect(classOf(customer({ claims: [incurring('1040.00')] }))).toBe('POOR');
    expect(classOf(customer({ claims: [incurring('1040.01')] }))).toBe('NORMAL');
  });

  test('claims in 12 months: 4 (poor), 3 (not); a claim on 2025-12-06 is outside the window, one on 2025-12-07 inside', () => {
    expect(firedRules(customer({ claims: claimsUpTo(4) }))).toContain('classification.poor.claims');
    expect(classOf(customer({ claims: claimsUpTo(4) }))).toBe('POOR');
    // Three claims with nothing incurred: loss ratio 0 with ¥10,960 earned, so quality by the loss-ratio alternative.
    expect(classOf(customer({ claims: claimsUpTo(3) }))).toBe('QUALITY');
    expect(firedRules(customer({ claims: claimsUpTo(3) }))).not.toContain('classification.poor.claims');
    const three = claimsUpTo(3);
    expect(classOf(customer({ claims: [...three, claim({ reportedAt: '2025-12-07T00:00:00.000Z' })] }))).toBe('POOR');
    expect(classOf(customer({ claims: [...three, claim({ reportedAt: '2025-12-06T23:59:59.000Z' })] }))).toBe('QUALITY');
  });

  test('a withdrawn claim is not one of the 4', () => {
    expect(classOf(customer({ claims: [...claimsUpTo(3), claim({ status: 'WITHDRAWN', closedOutcome: 'WITHDRAWN' })] }))).toBe('QUALITY');
    expect(classOf(customer({ claims: [...claimsUpTo(3), claim({ status: 'DENIED', closedOutcome: 'DENIED' })] }))).toBe('POOR');
  });

  test('confirmed fraud (poor) versus none (not poor)', () => {
    const old = { reportedAt: '2021-01-01T00:00:00.000Z' };
    expect(classOf(customer({ claims: [claim({ ...old, fraudConfirmed: true })] }))).toBe('POOR');
    expect(classOf(customer({ claims: [claim({ ...old, fraudConfirmed: false })] }))).toBe('QUALITY');
  });

  test('arrears: 90 days (poor), 89 days (not poor, and no longer quality)', () => {
    expect(classOf(customer({ arrearsDays: 90 }))).toBe('POOR');
    expect(classOf(customer({ arrearsDays: 89 }))).toBe('NORMAL');
  });

  test('non-payment cancellations in 36 months: 2 (poor), 1 (not poor)', () => {
    const cancelled = () => policy({ status: 'LAPSED', terminatedAt: '2025-03-01T00:00:00.000Z', cancelledForNonPayment: true, writtenPremium: '0.00' });
    expect(classOf(customer({ policies: [policy(), cancelled(), cancelled()] }))).toBe('POOR');
    expect(classOf(customer({ policies: [policy(), cancelled()] }))).toBe('NORMAL');
  });
});

describe('precedence: blacklisted > poor > quality > normal', () => {
  test('blacklisted wins over poor, and a blacklisted customer is never quality', () => {
    const result = classifyCustomer(customer({ blacklisted: true, arrearsDays: 120 }), rules, AS_OF);
    expect(result.classification).toBe('BLACKLISTED');
    // The poor clause that fired is still reported, so the reasons explain everything that applies.
    expect(result.reasons.map((reason) => reason.rule)).toEqual(['classification.blacklisted', 'classification.poor.arrears']);
    expect(classOf(customer({ blacklisted: true }))).toBe('BLACKLISTED');
  });

  test('poor wins over quality: confirmed fraud on a claim 4 years ago, otherwise a quality customer', () => {
    const figures = customer({ claims: [claim({ reportedAt: '2022-06-01T00:00:00.000Z', fraudConfirmed: true })] });
    const result = classifyCustomer(figures, rules, AS_OF);
    expect(result.classification).toBe('POOR');
    expect(result.reasons.map((reason) => reason.rule)).toEqual(
      expect.arrayContaining(['classification.poor.fraudConfirmed', 'classification.quality.minTenureYears']),
    );
  });

  test('the precedence is the rules file’s: with POOR first, a poor blacklisted customer is POOR', () => {
    const reordered = validateInsightRules(rulesFileWith('classification.precedence', ['POOR', 'BLACKLISTED', 'QUALITY', 'NORMAL']));
    expect(classOf(customer({ blacklisted: true, arrearsDays: 120 }), reordered)).toBe('POOR');
    expect(classOf(customer({ blacklisted: true }), reordered)).toBe('BLACKLISTED');
  });
});

describe('large customer: 12-month written premium (group-consolidated) ≥ 0.1 % head office, 0.5 % province, 1 % city, or ≥ ¥1 million, or top 50', () => {
  /** One policy bound on 2026-06-01 (inside the 12 months) for `premium`. */
  const writing = (premium: string) => [
    policy({ effectiveDate: '2026-06-01', expiryDate: '2027-06-01', boundAt: '2026-06-01T08:00:00.000Z', status: 'IN_FORCE', writtenPremium: premium }),
  ];
  const large = (figures: CustomerFigures) => classifyCustomer(figures, rules, AS_OF).large;

  test('city: 100,000.00 of a city’s 10,000,000.00 is 1 % (large); 99,999.99 (not)', () => {
    const units = [
      { level: 'HEAD_OFFICE', branchId: '1', writtenPremium12m: '500000000000.00' },
      { level: 'PROVINCE', branchId: '3', writtenPremium12m: '500000000.00' },
      { level: 'CITY', branchId: '9', writtenPremium12m: '10000000.00' },
    ] as const;
    const result = classifyCustomer(customer({ policies: writing('100000.00'), orgUnitPremiums: units }), rules, AS_OF);
    expect(result.large).toBe(true);
    expect(result.reasons).toContainEqual({ rule: 'classification.large.shareOfOrgUnit.CITY', figure: 0.01, comparison: '>=', threshold: 0.01 });
    expect(result.figures.writtenPremium12m).toBe('100000.00');
    expect(large(customer({ policies: writing('99999.99'), orgUnitPremiums: units }))).toBe(false);
  });

  test('province: 250,000.00 of 50,000,000.00 is 0.5 % (large); 249,999.99 (not)', () => {
    const units = [{ level: 'PROVINCE', branchId: '3', writtenPremium12m: '50000000.00' }] as const;
    expect(large(customer({ policies: writing('250000.00'), orgUnitPremiums: units }))).toBe(true);
    expect(large(customer({ policies: writing('249999.99'), orgUnitPremiums: units }))).toBe(false);
  });

  test('head office: 500,000.00 of 500,000,000.00 is 0.1 % (large); 499,999.99 (not)', () => {
    const units = [{ level: 'HEAD_OFFICE', branchId: '1', writtenPremium12m: '500000000.00' }] as const;
    expect(large(customer({ policies: writing('500000.00'), orgUnitPremiums: units }))).toBe(true);
    expect(large(customer({ policies: writing('499999.99'), orgUnitPremiums: units }))).toBe(false);
  });

  test('amount: ¥1,000,000.00 written in 12 months (large); 999,999.99 (not); a policy bound 2025-12-06 is outside the 12 months', () => {
    expect(large(customer({ policies: writing('1000000.00') }))).toBe(true);
    expect(large(customer({ policies: writing('999999.99') }))).toBe(false);
    const boundBefore = policy({ boundAt: '2025-12-06T10:00:00.000Z', effectiveDate: '2025-12-06', expiryDate: '2026-12-06', writtenPremium: '2000000.00' });
    expect(large(customer({ policies: [boundBefore] }))).toBe(false);
  });

  test('top 50: ranked 50th in its city (large); 51st (not); its own entry among the leaders is not counted ahead of it', () => {
    // 49 parties with ¥2,000.00 each, then one with ¥1,000.00: a customer with ¥1,000.00 ties at 50th.
    const parties = [
      ...Array.from({ length: 49 }, (_unused, index) => ({ party: `P${index}`, writtenPremium12m: '2000.00' })),
      { party: 'P49', writtenPremium12m: '1000.00' },
    ];
    const city = (leaders: UnitUnderTest) => [{ level: 'CITY', branchId: '9', writtenPremium12m: '900000000.00', leaders }] as const;
    const full = { capacity: 50, parties };
    const ranked = classifyCustomer(customer({ policies: writing('1000.00'), orgUnitPremiums: city(full) }), rules, AS_OF);
    expect(ranked.reasons).toContainEqual({ rule: 'classification.large.topN', figure: 50, comparison: '<=', threshold: 50 });
    expect(ranked.figures.orgUnitShares[0]!.rank).toBe(50);
    expect(large(customer({ policies: writing('999.99'), orgUnitPremiums: city(full) }))).toBe(false);
    // The customer itself among the leaders with the premium of the last recompute: only the others count.
    const withItself = { capacity: 50, parties: [{ party: 'C1', writtenPremium12m: '5000.00' }, ...parties.slice(0, 49)] };
    expect(
      classifyCustomer(customer({ customerId: 'C1', policies: writing('1000.00'), orgUnitPremiums: city(withItself) }), rules, AS_OF).figures.orgUnitShares[0]!
        .rank,
    ).toBe(50);
    // A list cut at 50 with all 50 ahead cannot rank the customer: not top 50.
    expect(classifyCustomer(customer({ policies: writing('999.99'), orgUnitPremiums: city(full) }), rules, AS_OF).figures.orgUnitShares[0]!.rank).toBeNull();
  });

  test('consolidated over the corporate group: the group’s ¥1,000,000.00 makes a small member large', () => {
    const result = classifyCustomer(
      customer({ policies: writing('10.00'), corporateGroup: { groupKey: 'G1', writtenPremium12m: '1000000.00' } }),
      rules,
      AS_OF,
    );
    expect(result.large).toBe(true);
    expect(result.figures).toMatchObject({ writtenPremium12m: '1000000.00', consolidated: true });
    expect(large(customer({ policies: writing('10.00'), corporateGroup: { groupKey: 'G1', writtenPremium12m: '999999.99' } }))).toBe(false);
  });

  test('large is independent of the class: a large poor customer and a large quality one', () => {
    const bigPoor = classifyCustomer(customer({ policies: [...writing('1000000.00'), policy()], arrearsDays: 95 }), rules, AS_OF);
    expect([bigPoor.classification, bigPoor.large]).toEqual(['POOR', true]);
    const bigQuality = classifyCustomer(customer({ policies: [...writing('1000000.00'), policy()] }), rules, AS_OF);
    expect([bigQuality.classification, bigQuality.large]).toEqual(['QUALITY', true]);
  });
});

test('deterministic: asOf is an argument, and the same inputs give the same answer', () => {
  const figures = customer({ claims: claimsUpTo(4) });
  expect(classifyCustomer(figures, rules, AS_OF)).toEqual(classifyCustomer(figures, rules, new Date(AS_OF)));
  // A year later the four claims have left the 12-month window.
  expect(classifyCustomer(figures, rules, '2027-12-07T12:00:00.000Z').classification).not.toBe('POOR');
});
