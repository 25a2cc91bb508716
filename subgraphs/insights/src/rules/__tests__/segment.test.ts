/**
 * segmentCustomer and valueCutoffs: value bands over a population (Curry's pyramid, top 20 %),
 * contribution = earned premium − incurred − expense, loyalty = tenure, consecutive renewals, products.
 */
import { customerValueFen, segmentCustomer, valueCutoffs } from '../segment';
import { AS_OF, claimIncurring, customer, policy, rules } from './fixtures';

describe('value: bands by rank over all customers (top 1 %, next 4 %, next 15 %, the rest), focus = top 20 %', () => {
  // 100 customers valued ¥1 … ¥100 (100 … 10,000 fen). TOP = the 1st (⌈0.01 × 100⌉ = 1) → ¥100;
  // BIG reaches the 5th (⌈0.05 × 100⌉) → ¥96; MEDIUM the 20th (⌈0.20 × 100⌉) → ¥81; focus (20 %) → ¥81.
  const cutoffs = valueCutoffs(
    Array.from({ length: 100 }, (_, index) => (index + 1) * 100),
    rules,
  );

  test('the cut-offs', () => {
    expect(cutoffs).toEqual({
      ruleVersion: 'insights-2026.12-1',
      population: 100,
      bands: [
        { name: 'TOP', minValueFen: 10_000 },
        { name: 'BIG', minValueFen: 9_600 },
        { name: 'MEDIUM', minValueFen: 8_100 },
      ],
      focusMinValueFen: 8_100,
    });
  });

  /** A customer whose only policy earns exactly `yuan` over the 36 months (a year fully earned by asOf). */
  const valued = (yuan: string) => customer({ policies: [policy({ effectiveDate: '2025-12-06', expiryDate: '2026-12-06', writtenPremium: yuan })] });

  test.each([
    ['100.00', 'TOP', true],
    ['99.99', 'BIG', true],
    ['96.00', 'BIG', true],
    ['95.99', 'MEDIUM', true],
    ['81.00', 'MEDIUM', true],
    ['80.99', 'SMALL', false],
    ['0.00', 'SMALL', false],
  ])('earned %s → %s, focus %s', (yuan, band, focus) => {
    const segments = segmentCustomer(valued(yuan), rules, AS_OF, cutoffs);
    expect(segments.value).toEqual({ earnedPremium: yuan, band, focus });
    expect(customerValueFen(valued(yuan), rules, AS_OF)).toBe(Math.round(Number(yuan) * 100));
  });

  test('without population cut-offs there is no band (null), not a guess', () => {
    expect(segmentCustomer(valued('100.00'), rules, AS_OF).value).toEqual({ earnedPremium: '100.00', band: null, focus: null });
    expect(valueCutoffs([], rules)).toBeNull();
  });

  test('a customer with nothing earned is in no upper band even when most customers have nothing', () => {
    const sparse = valueCutoffs([0, 0, 0, 0, 500], rules);
    expect(segmentCustomer(valued('0.00'), rules, AS_OF, sparse).value.band).toBe('SMALL');
    expect(segmentCustomer(valued('5.00'), rules, AS_OF, sparse).value.band).toBe('TOP');
  });
});

describe('contribution = earned premium − incurred − earned premium × expense ratio (0.30), over 36 months', () => {
  // Earned ¥10,960.00 (fixtures); expense 0.30 × 10,960 = 3,288.00.
  test.each([
    // 10,960 − 3,288 − 3,288 = 4,384.00; margin 4,384 / 10,960 = 0.4 → HIGH (≥ 0.15)
    ['3288.00', '4384.00', 0.4, 'HIGH'],
    // 10,960 − 6,028 − 3,288 = 1,644.00; margin 1,644 / 10,960 = 0.15 → HIGH (at the limit)
    ['6028.00', '1644.00', 0.15, 'HIGH'],
    // 10,960 − 6,028.01 − 3,288 = 1,643.99; margin 0.14999… → POSITIVE
    ['6028.01', '1643.99', 1643.99 / 10960, 'POSITIVE'],
    // 10,960 − 7,672 − 3,288 = 0.00; margin 0 → POSITIVE (≥ 0)
    ['7672.00', '0.00', 0, 'POSITIVE'],
    // 10,960 − 7,672.01 − 3,288 = −0.01 → NEGATIVE
    ['7672.01', '-0.01', -0.01 / 10960, 'NEGATIVE'],
  ])('incurred %s → contribution %s, margin %d, %s', (incurred, amount, margin, band) => {
    const { contribution } = segmentCustomer(customer({ claims: [claimIncurring(incurred)] }), rules, AS_OF);
    expect(contribution).toEqual({ amount, expense: '3288.00', incurred, margin: expect.closeTo(margin, 12) as number, band });
  });

  test('no earned premium: no margin, the lowest band', () => {
    const { contribution } = segmentCustomer(customer({ policies: [] }), rules, AS_OF);
    expect(contribution).toEqual({ amount: '0.00', expense: '0.00', incurred: '0.00', margin: null, band: 'NEGATIVE' });
  });
});

describe('loyalty: LOYAL = tenure ≥ 5, ≥ 3 consecutive renewals, ≥ 2 products; ESTABLISHED = 2, 1, 1; else NEW', () => {
  /** A chain of `renewals` + 1 yearly motor policies, the last in force, plus optionally a property policy. */
  function chain(renewals: number, withProperty: boolean) {
    const policies = Array.from({ length: renewals + 1 }, (_, index) =>
      policy({
        policyNo: `CH${index}`,
        renewalOfPolicyNo: index === 0 ? null : `CH${index - 1}`,
        status: index === renewals ? 'IN_FORCE' : 'RENEWED',
        productCode: 'MOTOR-COMP',
        effectiveDate: `${2026 - renewals + index}-01-01`,
        expiryDate: `${2027 - renewals + index}-01-01`,
      }),
    );
    return withProperty
      ? [
          ...policies,
          policy({ status: 'IN_FORCE', lineOfBusiness: 'PROPERTY', productCode: 'PROP-HOME', effectiveDate: '2026-05-01', expiryDate: '2027-05-01' }),
        ]
      : policies;
  }
  const loyalty = (customerSince: string, renewals: number, withProperty: boolean) =>
    segmentCustomer(customer({ customerSince, policies: chain(renewals, withProperty) }), rules, AS_OF).loyalty;

  test('tenure 5, 3 renewals, 2 products → LOYAL', () => {
    expect(loyalty('2021-12-06', 3, true)).toEqual({ tenureYears: 5, consecutiveRenewals: 3, productsHeld: 2, band: 'LOYAL' });
  });
  test('one short on each measure → ESTABLISHED', () => {
    expect(loyalty('2021-12-07', 3, true)).toMatchObject({ tenureYears: 4, band: 'ESTABLISHED' });
    expect(loyalty('2021-12-06', 2, true)).toMatchObject({ consecutiveRenewals: 2, band: 'ESTABLISHED' });
    expect(loyalty('2021-12-06', 3, false)).toMatchObject({ productsHeld: 1, band: 'ESTABLISHED' });
  });
  test('ESTABLISHED needs tenure 2 and a renewal: otherwise NEW', () => {
    expect(loyalty('2024-12-06', 1, false)).toMatchObject({ tenureYears: 2, consecutiveRenewals: 1, productsHeld: 1, band: 'ESTABLISHED' });
    expect(loyalty('2024-12-07', 1, false)).toMatchObject({ tenureYears: 1, band: 'NEW' });
    expect(loyalty('2024-12-06', 0, false)).toMatchObject({ consecutiveRenewals: 0, band: 'NEW' });
  });
  test('a quoted renewal is not a renewal', () => {
    const policies = [policy({ policyNo: 'A', status: 'IN_FORCE' }), policy({ policyNo: 'B', status: 'QUOTED', renewalOfPolicyNo: 'A' })];
    expect(segmentCustomer(customer({ policies }), rules, AS_OF).loyalty.consecutiveRenewals).toBe(0);
  });
});
