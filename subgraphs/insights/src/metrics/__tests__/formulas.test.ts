/**
 * The metric formulas of DOMAIN.md section 6, each against a fixture computed by hand in the comments.
 * The period is November 2026: [2026-11-01, 2026-12-01), 30 days.
 */
import {
  claimFrequencyWithin,
  closureRateTrailing12Months,
  complaintOnTimeRateWithin,
  complaintOnTimeTotals,
  complaintsPer100MillionPremium,
  complaintsPer100MillionPremiumWithin,
  complaintsPer10kPolicies,
  complaintsPer10kPoliciesWithin,
  countedClaims,
  earnedPremiumFen,
  hotlineAnswerRateOf,
  incurredFen,
  incurredWithinFen,
  lossRatio,
  lossRatioWithin,
  metricComponents,
  metricsFrom,
  monthPeriod,
  policyYears,
  renewalRateWithin,
  renewalTotals,
  rollUpByBranch,
  settlementCycleWithin,
  settlementTotals,
  severityWithinFen,
  totalEarnedPremiumFen,
  trailingMonths,
  writtenPremiumWithinFen,
  type MetricClaim,
  type MetricComplaint,
  type MetricPolicy,
} from '../formulas';
import { fenToYuan, prorateFen, sumFen, toFen } from '../money';
import { addMonths, completedYears, dayOf, isoDay } from '../calendar';

const NOVEMBER = monthPeriod('2026-11');

const policy = (overrides: Partial<MetricPolicy>): MetricPolicy => ({
  status: 'IN_FORCE',
  effectiveDate: '2026-01-01',
  expiryDate: '2027-01-01',
  terminatedAt: null,
  writtenPremium: '0.00',
  boundAt: null,
  ...overrides,
});

// Premium fixture.
// A: 2026-01-01 → 2027-01-01 (365 days), ¥3,650.00 = ¥10/day; 30 November days → 300.00
// B: 2026-11-16 → 2027-11-16 (365 days), ¥7,300.00 = ¥20/day; 16–30 Nov = 15 days → 300.00; bound 2026-11-10
// C: 2026-06-01 → 2027-06-01 (365 days), ¥1,000.00, cancelled 2026-11-11: cover to 11-11, 10 November days
//    → 1,000 × 10 / 365 = 27.397… → 27.40
// D: a quote → 0
// E: 2025-11-20 → 2026-11-20 (365 days), ¥100.01; 1–19 Nov = 19 days → 10,001 fen × 19 / 365 = 520.6 → 5.21
// Earned in November = 300.00 + 300.00 + 27.40 + 0 + 5.21 = 632.61
// Days of cover = 30 + 15 + 10 + 0 + 19 = 74 → 74 / 365 = 0.2027… policy-years
// Written in November (bound in it): B only → 7,300.00
const premiumPolicies: MetricPolicy[] = [
  policy({ writtenPremium: '3650.00', boundAt: '2025-12-20T08:00:00.000Z' }),
  policy({ effectiveDate: '2026-11-16', expiryDate: '2027-11-16', writtenPremium: '7300.00', boundAt: '2026-11-10T08:00:00.000Z' }),
  policy({
    status: 'CANCELLED',
    effectiveDate: '2026-06-01',
    expiryDate: '2027-06-01',
    writtenPremium: '1000.00',
    terminatedAt: '2026-11-11T09:00:00.000Z',
    boundAt: '2026-05-20T08:00:00.000Z',
  }),
  policy({ status: 'QUOTED', writtenPremium: '5000.00' }),
  policy({ status: 'RENEWED', effectiveDate: '2025-11-20', expiryDate: '2026-11-20', writtenPremium: '100.01', boundAt: '2025-11-15T08:00:00.000Z' }),
];

const claim = (overrides: Partial<MetricClaim>): MetricClaim => ({
  status: 'REGISTERED',
  closedOutcome: null,
  reportedAt: '2026-11-01T00:00:00.000Z',
  registeredAt: null,
  closedAt: null,
  paid: '0.00',
  outstandingReserve: '0.00',
  recoveries: '0.00',
  ...overrides,
});

// Claim fixture.
// K1: reported 11-05, registered 11-06, closed 11-25 PAID: paid 1,000.00 − recoveries 200.00 → incurred 800.00; 20 days to close
// K2: lost 10-30, reported 11-02: an October claim (loss date decides); registered 11-03, open; paid 5,000.00
// K3: reported 11-20 12:00, registered 11-21, open, reserve 1,500.50 → incurred 1,500.50
// K4: reported 11-10, registered 11-10, cancelled (注销) 11-11: not a claim for counts; 1 day to close
// K5: reported 11-12, registered 11-12, zero-closed 11-13: a claim (incurred 0), not in the settlement cycle
// K6: reported 10-01, registered 10-02, closed 11-03 12:00 PAID → 33.5 days to close; an October claim
// K7: registered 2025-11-30 (before the trailing 12 months), closed 2026-01-10
// K8: reported 2026-01-31, registered 2026-02-01, closed 2026-12-02 (after the trailing 12 months)
const claims: MetricClaim[] = [
  claim({
    status: 'CLOSED',
    closedOutcome: 'PAID',
    reportedAt: '2026-11-05T00:00:00.000Z',
    registeredAt: '2026-11-06T00:00:00.000Z',
    closedAt: '2026-11-25T00:00:00.000Z',
    paid: '1000.00',
    recoveries: '200.00',
  }),
  claim({ lossDate: '2026-10-30', reportedAt: '2026-11-02T00:00:00.000Z', registeredAt: '2026-11-03T00:00:00.000Z', paid: '5000.00' }),
  claim({ reportedAt: '2026-11-20T12:00:00.000Z', registeredAt: '2026-11-21T00:00:00.000Z', outstandingReserve: '1500.50' }),
  claim({
    status: 'CANCELLED',
    closedOutcome: 'CANCELLED',
    reportedAt: '2026-11-10T00:00:00.000Z',
    registeredAt: '2026-11-10T06:00:00.000Z',
    closedAt: '2026-11-11T00:00:00.000Z',
  }),
  claim({
    status: 'ZERO_CLOSED',
    closedOutcome: 'ZERO_CLOSED',
    reportedAt: '2026-11-12T00:00:00.000Z',
    registeredAt: '2026-11-12T06:00:00.000Z',
    closedAt: '2026-11-13T00:00:00.000Z',
  }),
  claim({
    status: 'CLOSED',
    closedOutcome: 'PAID',
    reportedAt: '2026-10-01T00:00:00.000Z',
    registeredAt: '2026-10-02T00:00:00.000Z',
    closedAt: '2026-11-03T12:00:00.000Z',
    paid: '300.00',
  }),
  claim({
    status: 'CLOSED',
    closedOutcome: 'PAID',
    reportedAt: '2025-11-25T00:00:00.000Z',
    registeredAt: '2025-11-30T00:00:00.000Z',
    closedAt: '2026-01-10T00:00:00.000Z',
    paid: '10.00',
  }),
  claim({
    status: 'CLOSED',
    closedOutcome: 'PAID',
    reportedAt: '2026-01-31T00:00:00.000Z',
    registeredAt: '2026-02-01T00:00:00.000Z',
    closedAt: '2026-12-02T00:00:00.000Z',
    paid: '20.00',
  }),
];

describe('premium', () => {
  test('earned premium = written premium × days of cover inside the period ÷ term days', () => {
    expect(premiumPolicies.map((p) => fenToYuan(earnedPremiumFen(p, NOVEMBER)))).toEqual(['300.00', '300.00', '27.40', '0.00', '5.21']);
    expect(fenToYuan(totalEarnedPremiumFen(premiumPolicies, NOVEMBER))).toBe('632.61');
  });

  test('the whole term earns exactly the written premium, and a period before inception nothing', () => {
    const term = { start: dayOf('2026-01-01'), end: dayOf('2027-01-01') };
    expect(earnedPremiumFen(policy({ writtenPremium: '1234.56' }), term)).toBe(123_456);
    expect(earnedPremiumFen(policy({ writtenPremium: '1234.56' }), monthPeriod('2025-12'))).toBe(0);
  });

  test('policy-years: 74 days of cover ÷ 365', () => {
    expect(policyYears(premiumPolicies, NOVEMBER)).toBeCloseTo(74 / 365, 12);
  });

  test('premium written in the period: policies bound in it (B, ¥7,300.00)', () => {
    expect(fenToYuan(writtenPremiumWithinFen(premiumPolicies, NOVEMBER))).toBe('7300.00');
  });
});

describe('claims', () => {
  test('incurred = paid + outstanding reserve − recoveries', () => {
    // 1,000.00 + 250.25 − 200.10 = 1,050.15
    expect(fenToYuan(incurredFen({ paid: '1000.00', outstandingReserve: 250.25, recoveries: '200.10' }))).toBe('1050.15');
  });

  test('the November claims that count: K1, K3, K5 (K2 lost in October, K4 cancelled)', () => {
    expect(countedClaims(claims, NOVEMBER).map((c) => c.reportedAt)).toEqual([
      '2026-11-05T00:00:00.000Z',
      '2026-11-20T12:00:00.000Z',
      '2026-11-12T00:00:00.000Z',
    ]);
    // 800.00 + 1,500.50 + 0 = 2,300.50
    expect(fenToYuan(incurredWithinFen(claims, NOVEMBER))).toBe('2300.50');
  });

  test('loss ratio = incurred ÷ earned premium: 2,300.50 ÷ 632.61 = 3.63651…', () => {
    expect(lossRatioWithin(premiumPolicies, claims, NOVEMBER)).toBeCloseTo(230_050 / 63_261, 12);
    expect(lossRatio(0, 0)).toBeNull();
  });

  test('claim frequency = claims ÷ policy-years: 3 ÷ (74 ÷ 365) = 14.797…', () => {
    expect(claimFrequencyWithin(premiumPolicies, claims, NOVEMBER)).toBeCloseTo(1095 / 74, 12);
  });

  test('severity = incurred ÷ claims: 2,300.50 ÷ 3 = 766.833… → 766.83', () => {
    expect(fenToYuan(severityWithinFen(claims, NOVEMBER)!)).toBe('766.83');
    expect(severityWithinFen([], NOVEMBER)).toBeNull();
  });

  test('settlement cycle = Σ(closed − reported) ÷ claims closed, zero-closed excluded: (20 + 33.5 + 1) ÷ 3 = 18.1667 days', () => {
    // Closed in November: K1 (20 days), K6 (33.5 days), K4 cancelled (1 day); K5 zero-closed is left out.
    expect(settlementTotals(claims, NOVEMBER)).toEqual({ totalDays: 54.5, closed: 3 });
    expect(settlementCycleWithin(claims, NOVEMBER)).toBeCloseTo(54.5 / 3, 12);
  });

  test('closure rate over the trailing 12 months = registered and closed in them ÷ registered in them, cancelled and zero-closed excluded', () => {
    // Window [2025-12-01, 2026-12-01). Registered in it, K4 (cancelled) and K5 (zero-closed) excluded and K7
    // (registered 2025-11-30) outside: K1, K2, K3, K6, K8 = 5. Closed within it: K1, K6 = 2 (K8 closed
    // 2026-12-02). 2 ÷ 5 = 0.4
    expect(closureRateTrailing12Months(claims, '2026-12-01T00:00:00.000Z')).toBe(0.4);
    expect(trailingMonths('2026-12-01T00:00:00.000Z', 12)).toEqual({ start: dayOf('2025-12-01'), end: dayOf('2026-12-01') });
  });
});

describe('renewal rate = policies renewed ÷ policies due for renewal in the period', () => {
  // Due in November (expiring in it, not cancelled, lapsed or quoted): E (RENEWED), F (EXPIRED, no renewal),
  // G (IN_FORCE, renewal bound) = 3; H lapsed and I expiring 12-01 are not due. Renewed: E, G = 2. 2 ÷ 3.
  const renewalPolicies: MetricPolicy[] = [
    policy({ status: 'RENEWED', effectiveDate: '2025-11-20', expiryDate: '2026-11-20' }),
    policy({ status: 'EXPIRED', effectiveDate: '2025-11-05', expiryDate: '2026-11-05' }),
    policy({ status: 'IN_FORCE', effectiveDate: '2025-11-30', expiryDate: '2026-11-30', renewalBound: true }),
    policy({ status: 'LAPSED', effectiveDate: '2025-11-15', expiryDate: '2026-11-15', terminatedAt: '2026-03-01T00:00:00.000Z' }),
    policy({ status: 'IN_FORCE', effectiveDate: '2025-12-01', expiryDate: '2026-12-01' }),
  ];
  test('2 ÷ 3', () => {
    expect(renewalTotals(renewalPolicies, NOVEMBER)).toEqual({ due: 3, renewed: 2 });
    expect(renewalRateWithin(renewalPolicies, NOVEMBER)).toBeCloseTo(2 / 3, 12);
  });
});

describe('complaints', () => {
  const complaint = (overrides: Partial<MetricComplaint>): MetricComplaint => ({
    acceptedAt: '2026-11-03T00:00:00.000Z',
    dueDate: '2026-11-18',
    feedbackAt: null,
    ...overrides,
  });

  test('per ¥100 million premium = complaints ÷ (premium income ÷ 10⁸); per 10,000 policies = complaints ÷ (policies ÷ 10⁴)', () => {
    // Three policies written in November for ¥12,500,000.00 each: ¥37,500,000.00 = 0.375 × 10⁸.
    // Complaints accepted in November: 3 (one accepted 10-31 is October's). 3 ÷ 0.375 = 8 per ¥100 million.
    // 3 ÷ (3 ÷ 10⁴) = 10,000 per 10,000 policies.
    const written = [1, 2, 3].map((day) => policy({ writtenPremium: '12500000.00', boundAt: `2026-11-0${day}T08:00:00.000Z` }));
    const accepted = ['2026-11-01T00:00:00.000Z', '2026-11-15T00:00:00.000Z', '2026-11-30T23:59:59.000Z', '2026-10-31T23:59:59.000Z'].map((acceptedAt) =>
      complaint({ acceptedAt }),
    );
    expect(complaintsPer100MillionPremiumWithin(accepted, written, NOVEMBER)).toBe(8);
    expect(complaintsPer10kPoliciesWithin(accepted, written, NOVEMBER)).toBe(10_000);
    // On totals: 12 complaints over ¥2,400,000,000.00 (24 × 10⁸) = 0.5; 12 complaints over 48,000 policies = 2.5.
    expect(complaintsPer100MillionPremium(12, toFen('2400000000.00'))).toBe(0.5);
    expect(complaintsPer10kPolicies(12, 48_000)).toBe(2.5);
    expect(complaintsPer10kPolicies(12, 0)).toBeNull();
  });

  test('on-time rate = decided and notified by the due date ÷ complaints due: 2 ÷ 4', () => {
    // Due in November: Q1 notified on its due day (on time), Q2 the day after (late), Q3 not yet (due, not on
    // time), Q4 closed on time by the source's word (onTime); Q5 is due in December.
    const complaints = [
      complaint({ dueDate: '2026-11-10', feedbackAt: '2026-11-10T23:00:00.000Z' }),
      complaint({ dueDate: '2026-11-15', feedbackAt: '2026-11-16T01:00:00.000Z' }),
      complaint({ dueDate: '2026-11-20' }),
      complaint({ dueDate: '2026-11-25', onTime: true }),
      complaint({ dueDate: '2026-12-03', feedbackAt: '2026-11-20T00:00:00.000Z' }),
    ];
    expect(complaintOnTimeTotals(complaints, NOVEMBER)).toEqual({ due: 4, onTime: 2 });
    expect(complaintOnTimeRateWithin(complaints, NOVEMBER)).toBe(0.5);
  });
});

test('hotline answer rate = calls answered by an agent ÷ calls asking for an agent: 6 ÷ 8', () => {
  const calls = [
    ...Array.from({ length: 6 }, () => ({ askedForAgent: true, answeredByAgent: true })),
    ...Array.from({ length: 2 }, () => ({ askedForAgent: true, answeredByAgent: false })),
    // Served by the voice menu alone: not in the rate either way.
    ...Array.from({ length: 2 }, () => ({ askedForAgent: false, answeredByAgent: false })),
  ];
  expect(hotlineAnswerRateOf(calls)).toBe(0.75);
  expect(hotlineAnswerRateOf([])).toBeNull();
});

describe('rollUpByBranch', () => {
  // Head office 1 → provinces 3 and 4; province 3 → cities 9 and 10.
  const paths = new Map([
    ['1', '/1/'],
    ['3', '/1/3/'],
    ['4', '/1/4/'],
    ['9', '/1/3/9/'],
    ['10', '/1/3/10/'],
  ]);

  test('sums each branch into every branch on its path; ratios come from the sums, not averages', () => {
    const rows = [
      { branchId: '9', figures: { earnedPremiumFen: 100, incurredFen: 50 } },
      { branchId: '10', figures: { earnedPremiumFen: 200, incurredFen: 300 } },
      { branchId: '3', figures: { earnedPremiumFen: 0, incurredFen: 10 } },
      { branchId: '4', figures: { earnedPremiumFen: 1000, incurredFen: 100 } },
    ];
    const rolled = rollUpByBranch(rows, paths);
    expect(Object.fromEntries(rolled)).toEqual({
      '9': { earnedPremiumFen: 100, incurredFen: 50 },
      '10': { earnedPremiumFen: 200, incurredFen: 300 },
      // 100 + 200 + 0 = 300; 50 + 300 + 10 = 360
      '3': { earnedPremiumFen: 300, incurredFen: 360 },
      '4': { earnedPremiumFen: 1000, incurredFen: 100 },
      // 300 + 1000 = 1300; 360 + 100 = 460
      '1': { earnedPremiumFen: 1300, incurredFen: 460 },
    });
    // Province 3: 360 ÷ 300 = 1.2 (the mean of its cities' ratios, 0.5 and 1.5, would say 1.0).
    const province = rolled.get('3')!;
    expect(lossRatio(province.incurredFen, province.earnedPremiumFen)).toBe(1.2);
  });

  test('a row of an unknown branch is refused rather than dropped from every total', () => {
    expect(() => rollUpByBranch([{ branchId: '77', figures: { n: 1 } }], paths)).toThrow('branchId: 77 is not a known branch');
    expect(() => rollUpByBranch([{ branchId: '9', figures: { n: 1 } }], new Map([['9', '/1/3/']]))).toThrow(/does not end at it/);
  });
});

describe('metricComponents → rollUpByBranch → metricsFrom', () => {
  const complaints: MetricComplaint[] = [
    { acceptedAt: '2026-11-02T00:00:00.000Z', dueDate: '2026-11-17', feedbackAt: '2026-11-16T00:00:00.000Z' },
    { acceptedAt: '2026-11-10T00:00:00.000Z', dueDate: '2026-11-25', feedbackAt: null },
  ];
  const calls = [
    { askedForAgent: true, answeredByAgent: true },
    { askedForAgent: true, answeredByAgent: false },
  ];

  test('one branch: the same figures as the formulas above', () => {
    const components = metricComponents({ policies: premiumPolicies, claims, complaints, calls }, NOVEMBER);
    expect(components).toEqual({
      earnedPremiumFen: 63_261,
      writtenPremiumFen: 730_000,
      policiesWritten: 1,
      exposureDays: 74,
      claims: 3,
      incurredFen: 230_050,
      claimsClosed: 3,
      daysToCloseTotal: 54.5,
      registeredTrailing12m: 5,
      registeredAndClosedTrailing12m: 2,
      // E expires 2026-11-20 and is RENEWED; nothing else in premiumPolicies expires in November.
      renewalsDue: 1,
      renewed: 1,
      complaints: 2,
      complaintsDue: 2,
      complaintsOnTime: 1,
      callsAskingForAgent: 2,
      callsAnsweredByAgent: 1,
    });
    expect(metricsFrom(components)).toEqual({
      earnedPremium: '632.61',
      incurred: '2300.50',
      lossRatio: 230_050 / 63_261,
      claimFrequency: 3 / (74 / 365),
      severity: '766.83',
      settlementCycleDays: 54.5 / 3,
      closureRate: 0.4,
      renewalRate: 1,
      // 2 ÷ (7,300 ÷ 10⁸) = 27,397.26…; 2 ÷ (1 ÷ 10⁴) = 20,000
      complaintsPer100MillionPremium: 2e10 / 730_000,
      complaintsPer10kPolicies: 20_000,
      complaintOnTimeRate: 0.5,
      hotlineAnswerRate: 0.5,
    });
  });

  test('two cities rolled into their province: ratios of the sums', () => {
    const paths = new Map([
      ['1', '/1/'],
      ['3', '/1/3/'],
      ['9', '/1/3/9/'],
      ['10', '/1/3/10/'],
    ]);
    // City 9 has the fixture above; city 10 one policy earning 300.00 in November (A's terms) and no claim.
    const city9 = metricComponents({ policies: premiumPolicies, claims, complaints, calls }, NOVEMBER);
    const city10 = metricComponents(
      { policies: [premiumPolicies[0]!], claims: [], complaints: [], calls: [{ askedForAgent: true, answeredByAgent: true }] },
      NOVEMBER,
    );
    const province = rollUpByBranch(
      [
        { branchId: '9', figures: city9 },
        { branchId: '10', figures: city10 },
      ],
      paths,
    ).get('3')!;
    const metrics = metricsFrom(province as typeof city9);
    // Earned 632.61 + 300.00 = 932.61; loss ratio 2,300.50 ÷ 932.61; answer rate (1 + 1) ÷ (2 + 1) = 2/3.
    expect(metrics.earnedPremium).toBe('932.61');
    expect(metrics.lossRatio).toBe(230_050 / 93_261);
    expect(metrics.hotlineAnswerRate).toBe(2 / 3);
    // Exposure 74 + 30 = 104 days: 3 claims ÷ (104 ÷ 365)
    expect(metrics.claimFrequency).toBe(3 / (104 / 365));
  });
});

describe('money and calendar helpers', () => {
  test('amounts become whole fen; sums never drift', () => {
    expect(toFen('0.1')).toBe(10);
    expect(toFen(19.99)).toBe(1999);
    expect(toFen('-0.05')).toBe(-5);
    expect(fenToYuan(-5)).toBe('-0.05');
    // Ten times ¥0.10 is exactly ¥1.00 (0.1 + 0.1 + … in floating point is 0.9999999999999999).
    expect(fenToYuan(sumFen(Array.from({ length: 10 }, () => toFen(0.1))))).toBe('1.00');
    expect(() => toFen('12.345', 'writtenPremium')).toThrow('writtenPremium: must be an amount of yuan with at most two decimal places');
  });

  test('proration rounds once, exactly, even past 2^53', () => {
    // ¥100,000,000,000.00 × 36,499 ÷ 36,500 = 99,997,260,273.97260… → 9,999,726,027,397 fen
    expect(prorateFen(10_000_000_000_000, 36_499, 36_500)).toBe(9_999_726_027_397);
    // Half a fen rounds away from zero.
    expect(prorateFen(1, 1, 2)).toBe(1);
    expect(prorateFen(-1, 1, 2)).toBe(-1);
  });

  test('days are read from the digits exactly as Date reads them, every 3rd day from 1899 to 2101', () => {
    const mismatches: string[] = [];
    for (let time = Date.UTC(1899, 0, 1); time < Date.UTC(2101, 0, 1); time += 3 * 86_400_000) {
      const iso = new Date(time).toISOString();
      const expected = Math.floor(time / 86_400_000);
      if (dayOf(iso.slice(0, 10)) !== expected || dayOf(iso) !== expected || isoDay(expected) !== iso.slice(0, 10)) mismatches.push(iso);
      // One month on, by Date's own month arithmetic (clamped to the month's end).
      const date = new Date(time);
      const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 2, 0)).getUTCDate();
      const oneMonthOn = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, Math.min(date.getUTCDate(), lastDay));
      if (addMonths(expected, 1) !== oneMonthOn / 86_400_000) mismatches.push(`${iso} + 1 month`);
    }
    expect(mismatches).toEqual([]);
    // An offset timestamp is read by Date.parse: 2026-12-06T01:00+08:00 is 2026-12-05 in UTC.
    expect(isoDay(dayOf('2026-12-06T01:00:00+08:00'))).toBe('2026-12-05');
  });

  test('a day that does not exist is refused, naming the field', () => {
    expect(() => dayOf('2025-02-29', 'expiryDate')).toThrow('expiryDate: 2025-02-29 is not a calendar day');
    expect(() => dayOf('2026-13-01T00:00:00.000Z', 'reportedAt')).toThrow('reportedAt: 2026-13-01 is not a calendar day');
    expect(() => dayOf('yesterday', 'asOf')).toThrow('asOf: must be a date YYYY-MM-DD or an ISO 8601 UTC timestamp');
    expect(dayOf('2024-02-29')).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
  });

  test('months back clamp to the month’s end; whole years by anniversaries', () => {
    expect(isoDay(addMonths(dayOf('2024-02-29'), -12))).toBe('2023-02-28');
    expect(isoDay(addMonths(dayOf('2026-03-31'), -1))).toBe('2026-02-28');
    expect(completedYears(dayOf('2020-03-01'), dayOf('2023-02-28'))).toBe(2);
    expect(completedYears(dayOf('2020-03-01'), dayOf('2023-03-01'))).toBe(3);
  });
});
