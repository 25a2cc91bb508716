/**
 * findEarlyWarnings: each warning on each side of its thresholds and at each level (defaults of
 * insight-rules.yaml, DOMAIN.md section 5).
 */
import { findEarlyWarnings, type EarlyWarningKind } from '../early-warnings';
import type { CustomerFigures } from '../customer-figures';
import { AS_OF, claim, claimIncurring, claimsUpTo, complaint, customer, policy, rules } from './fixtures';

const found = (figures: CustomerFigures, kind: EarlyWarningKind, asOf: string = AS_OF) =>
  findEarlyWarnings(figures, rules, asOf)
    .filter((finding) => finding.kind === kind)
    .map((finding) => ({ level: finding.level, subjectKey: finding.subjectKey }));

describe('multiple claims: ≥ 3 in 12 months WARN, ≥ 5 HIGH', () => {
  test.each([
    [2, []],
    [3, [{ level: 'WARN', subjectKey: '42' }]],
    [4, [{ level: 'WARN', subjectKey: '42' }]],
    [5, [{ level: 'HIGH', subjectKey: '42' }]],
  ])('%i claims', (count, expected) => {
    expect(found(customer({ claims: claimsUpTo(count) }), 'MULTIPLE_CLAIMS')).toEqual(expected);
  });

  test('the finding carries its figures and the rule version', () => {
    const [finding] = findEarlyWarnings(customer({ claims: claimsUpTo(3) }), rules, AS_OF).filter((candidate) => candidate.kind === 'MULTIPLE_CLAIMS');
    expect(finding).toEqual({
      kind: 'MULTIPLE_CLAIMS',
      level: 'WARN',
      subject: 'CUSTOMER',
      subjectKey: '42',
      rule: 'warnings.multipleClaims',
      figures: { claims: 3, windowMonths: 12, warnAt: 3, highAt: 5 },
      ruleVersion: 'insights-2026.12-1',
    });
  });

  test('a claim reported on 2025-12-06 is outside the 12 months before 2026-12-06; cancelled claims do not count', () => {
    expect(found(customer({ claims: [...claimsUpTo(2), claim({ reportedAt: '2025-12-06T12:00:00.000Z' })] }), 'MULTIPLE_CLAIMS')).toEqual([]);
    expect(found(customer({ claims: [...claimsUpTo(2), claim({ status: 'CANCELLED', closedOutcome: 'CANCELLED' })] }), 'MULTIPLE_CLAIMS')).toEqual([]);
  });
});

describe('same insured object: ≥ 2 claims on it in 90 days', () => {
  // The 90 days up to and including 2026-12-06 start on 2026-09-08.
  const onObject = (reportedAt: string, key = 'OBJ-1') => claim({ insuredObjectKey: key, reportedAt });

  test('two claims 89 days apart on one object warn; 90 days apart do not', () => {
    expect(found(customer({ claims: [onObject('2026-09-08T10:00:00.000Z'), onObject('2026-12-06T10:00:00.000Z')] }), 'MULTIPLE_CLAIMS_SAME_OBJECT')).toEqual([
      { level: 'WARN', subjectKey: 'OBJ-1' },
    ]);
    expect(found(customer({ claims: [onObject('2026-09-07T23:00:00.000Z'), onObject('2026-12-06T10:00:00.000Z')] }), 'MULTIPLE_CLAIMS_SAME_OBJECT')).toEqual(
      [],
    );
  });

  test('two claims on two different objects, or one without an object, do not', () => {
    expect(
      found(
        customer({ claims: [onObject('2026-11-01T10:00:00.000Z', 'OBJ-1'), onObject('2026-11-02T10:00:00.000Z', 'OBJ-2')] }),
        'MULTIPLE_CLAIMS_SAME_OBJECT',
      ),
    ).toEqual([]);
    expect(
      found(customer({ claims: [onObject('2026-11-01T10:00:00.000Z'), claim({ reportedAt: '2026-11-02T10:00:00.000Z' })] }), 'MULTIPLE_CLAIMS_SAME_OBJECT'),
    ).toEqual([]);
  });

  test('the loss date decides when it is known', () => {
    const early = claim({ insuredObjectKey: 'OBJ-1', lossDate: '2026-08-01', reportedAt: '2026-11-01T10:00:00.000Z' });
    expect(found(customer({ claims: [early, onObject('2026-11-02T10:00:00.000Z')] }), 'MULTIPLE_CLAIMS_SAME_OBJECT')).toEqual([]);
  });
});

describe('high loss ratio over 36 months: ≥ 0.8 WARN, ≥ 1.2 HIGH, with ≥ ¥5,000 earned', () => {
  // Earned over the 36 months: ¥10,960.00 (fixtures). 0.8 × 10,960 = 8,768; 1.2 × 10,960 = 13,152.
  test.each([
    ['8767.99', []],
    ['8768.00', [{ level: 'WARN', subjectKey: '42' }]],
    ['13151.99', [{ level: 'WARN', subjectKey: '42' }]],
    ['13152.00', [{ level: 'HIGH', subjectKey: '42' }]],
  ])('incurred %s', (incurred, expected) => {
    expect(found(customer({ claims: [claimIncurring(incurred)] }), 'HIGH_LOSS_RATIO')).toEqual(expected);
  });

  test('below ¥5,000 earned no ratio is judged: 4,999.99 earned with 10,000 incurred is no warning, 5,000.00 is HIGH', () => {
    const annual = (premium: string) => [policy({ effectiveDate: '2025-12-06', expiryDate: '2026-12-06', writtenPremium: premium })];
    expect(found(customer({ policies: annual('4999.99'), claims: [claimIncurring('10000.00')] }), 'HIGH_LOSS_RATIO')).toEqual([]);
    // 10,000 / 5,000 = 2.0
    expect(found(customer({ policies: annual('5000.00'), claims: [claimIncurring('10000.00')] }), 'HIGH_LOSS_RATIO')).toEqual([
      { level: 'HIGH', subjectKey: '42' },
    ]);
  });
});

describe('large customer with a high loss ratio: large and loss ratio ≥ 0.8 → HIGH', () => {
  const large = { corporateGroup: { groupKey: 'G1', writtenPremium12m: '1000000.00' } };

  test('large at 0.8 is HIGH; large at 0.7999 is nothing; not large at 0.8 is only the plain warning', () => {
    expect(found(customer({ ...large, claims: [claimIncurring('8768.00')] }), 'LARGE_CUSTOMER_HIGH_LOSS_RATIO')).toEqual([{ level: 'HIGH', subjectKey: '42' }]);
    expect(found(customer({ ...large, claims: [claimIncurring('8767.99')] }), 'LARGE_CUSTOMER_HIGH_LOSS_RATIO')).toEqual([]);
    const notLarge = customer({ claims: [claimIncurring('8768.00')] });
    expect(found(notLarge, 'LARGE_CUSTOMER_HIGH_LOSS_RATIO')).toEqual([]);
    expect(found(notLarge, 'HIGH_LOSS_RATIO')).toEqual([{ level: 'WARN', subjectKey: '42' }]);
  });
});

describe('renewal due: 60 / 30 / 15 / 7 days before expiry, not for blacklisted customers', () => {
  /** An in-force policy expiring `days` days after 2026-12-06. */
  const expiringIn = (days: number, overrides = {}) =>
    policy({
      policyNo: 'P-DUE',
      status: 'IN_FORCE',
      effectiveDate: '2026-01-01',
      expiryDate: new Date(Date.UTC(2026, 11, 6 + days)).toISOString().slice(0, 10),
      ...overrides,
    });
  const renewalDue = (figures: CustomerFigures) =>
    findEarlyWarnings(figures, rules, AS_OF)
      .filter((finding) => finding.kind === 'RENEWAL_DUE')
      .map((finding) => [finding.subjectKey, finding.level, finding.figures.stageDaysBefore, finding.figures.daysLeft]);

  test.each([
    [61, []],
    [60, [['P-DUE', 'WARN', 60, 60]]],
    [31, [['P-DUE', 'WARN', 60, 31]]],
    [30, [['P-DUE', 'WARN', 30, 30]]],
    [16, [['P-DUE', 'WARN', 30, 16]]],
    [15, [['P-DUE', 'HIGH', 15, 15]]],
    [8, [['P-DUE', 'HIGH', 15, 8]]],
    [7, [['P-DUE', 'HIGH', 7, 7]]],
    [1, [['P-DUE', 'HIGH', 7, 1]]],
    [0, []],
  ])('expiring in %i days', (days, expected) => {
    expect(renewalDue(customer({ policies: [policy(), expiringIn(days)] }))).toEqual(expected);
  });

  test('never for a blacklisted customer', () => {
    expect(renewalDue(customer({ blacklisted: true, policies: [expiringIn(30)] }))).toEqual([]);
  });

  test('not once a renewal is bound; still while the renewal is only quoted; not for a policy no longer in force', () => {
    const renewal = (status: 'QUOTED' | 'BOUND') =>
      policy({ status, renewalOfPolicyNo: 'P-DUE', effectiveDate: '2027-01-05', expiryDate: '2028-01-05', boundAt: null });
    expect(renewalDue(customer({ policies: [expiringIn(30), renewal('BOUND')] }))).toEqual([]);
    expect(renewalDue(customer({ policies: [expiringIn(30), renewal('QUOTED')] }))).toEqual([['P-DUE', 'WARN', 30, 30]]);
    expect(renewalDue(customer({ policies: [expiringIn(30, { status: 'CANCELLED', terminatedAt: '2026-11-01T00:00:00.000Z' })] }))).toEqual([]);
  });
});

describe('complaint near its deadline: undecided at 80 % of the time to the end of the due day WARN, overdue HIGH', () => {
  // Accepted 2026-11-21T00:00Z, due by the end of 2026-12-05 = 2026-12-06T00:00Z: 15 days; 80 % is 12 days,
  // i.e. 2026-12-03T00:00Z.
  const figures = customer({ complaints: [complaint({ complaintNo: 'C-1' })] });

  test.each([
    ['2026-12-02T23:59:59.999Z', []],
    ['2026-12-03T00:00:00.000Z', [{ level: 'WARN', subjectKey: 'C-1' }]],
    ['2026-12-05T23:59:59.999Z', [{ level: 'WARN', subjectKey: 'C-1' }]],
    ['2026-12-06T00:00:00.000Z', [{ level: 'HIGH', subjectKey: 'C-1' }]],
  ])('as of %s', (asOf, expected) => {
    expect(found(figures, 'COMPLAINT_NEAR_DEADLINE', asOf)).toEqual(expected);
  });

  test('a complaint decided and notified, or known to be closed on time, raises nothing', () => {
    const asOf = '2026-12-04T00:00:00.000Z';
    expect(
      found(customer({ complaints: [complaint({ feedbackAt: '2026-12-01T00:00:00.000Z', status: 'FEEDBACK_GIVEN' })] }), 'COMPLAINT_NEAR_DEADLINE', asOf),
    ).toEqual([]);
    expect(found(customer({ complaints: [complaint({ onTime: true, closedAt: '2026-12-02T00:00:00.000Z' })] }), 'COMPLAINT_NEAR_DEADLINE', asOf)).toEqual([]);
  });
});

test('findings come in a stable order and are the same for the same inputs', () => {
  const figures = customer({
    claims: [...claimsUpTo(5), claimIncurring('20000.00')],
    complaints: [complaint({ complaintNo: 'C-2' }), complaint({ complaintNo: 'C-1' })],
  });
  const first = findEarlyWarnings(figures, rules, AS_OF);
  expect(first.map((finding) => `${finding.kind}:${finding.subjectKey}`)).toEqual([
    'MULTIPLE_CLAIMS:42',
    'HIGH_LOSS_RATIO:42',
    'COMPLAINT_NEAR_DEADLINE:C-1',
    'COMPLAINT_NEAR_DEADLINE:C-2',
  ]);
  expect(findEarlyWarnings(figures, rules, AS_OF)).toEqual(first);
});
