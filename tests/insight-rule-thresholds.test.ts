/**
 * Each classification rule, early-warning threshold and per-customer segment band (contribution margin, loyalty) of the
 * rules file (subgraphs/insights/insight-rules.yaml, DOMAIN.md section 5) on both sides of its threshold, through the
 * gateway (issue 11, "Done when"): a fixture customer just short of the threshold and one just at it. The fixtures are the insights read model's facts of seeded customers (what the events and
 * `insights:refresh` write there: policies, claims, tenure), replaced for each case; the subgraph's own recompute job
 * classifies them, and the customer's insight is read as an auditor through the gateway, with the rules that fired.
 */
import { SettableClock } from '@icg/shared';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { replaceFacts, type ClaimFact, type Facts, type PolicyFact } from './support/insight-facts';
import { TEST_DIALECTS } from './support/test-database';

const AS_OF = '2026-11-02T02:00:00Z';

/** A customer of ten years with one year's cover of ¥10,000, fully earned within every window, and no claim: QUALITY. */
const SETTLED: Facts = { since: '2016-01-01', policies: [{ written: '10000.00', effective: '2025-10-01', expiry: '2026-09-30' }] };
const withClaims = (count: number, claim: ClaimFact): ClaimFact[] => Array.from({ length: count }, () => claim);
/** The settled customer with one claim this year, `paid` yuan paid on it. */
const withPaidClaim = (paid: string, facts: Facts = SETTLED): Facts => ({ ...facts, claims: [{ day: '2026-06-01', paid }] });
/** The settled customer with one more policy. */
const withPolicy = (policy: PolicyFact): Facts => ({ ...SETTLED, policies: [...SETTLED.policies, policy] });
/** The settled customer writing `premium` this year (the large rule's 12 months), moved to the org unit `branchPath`. */
const writingIn = (branchPath: string, premium: string): Facts => ({
  ...withPolicy({ written: premium, effective: '2026-06-01', expiry: '2027-05-31', status: 'IN_FORCE' }),
  branchPath,
});
/** Fixture cities no seeded customer is in: their premium and ranking are the fixtures' alone. */
const SHARE_CITY_SHORT = '/1/9001/9011/';
const SHARE_CITY_AT = '/1/9001/9012/';
const RANKING_CITY = '/1/9002/9021/';
/**
 * The other customers of the fixture cities: with the case's customer, ¥100,000.00 in each share city; 49 customers of
 * ¥2,000.00 ahead of the ranked ones in the ranking city.
 */
const FILLERS: readonly Facts[] = [
  writingIn(SHARE_CITY_SHORT, '99000.01'),
  writingIn(SHARE_CITY_AT, '99000.00'),
  ...Array.from({ length: 49 }, () => writingIn(RANKING_CITY, '2000.00')),
];

interface ThresholdCase {
  rule: string;
  /** What fires the rule's clause by the smallest step; `below` is the same customer one step short of it. */
  below: Facts;
  at: Facts;
  /** The class each side gets. */
  classes: [string, string];
}

const CASES: readonly ThresholdCase[] = [
  {
    // 4 counted claims within 12 months; nothing paid, so the loss ratio stays 0.
    rule: 'classification.poor.claims',
    below: { ...SETTLED, claims: withClaims(3, { day: '2026-06-01' }) },
    at: { ...SETTLED, claims: withClaims(4, { day: '2026-06-01' }) },
    classes: ['QUALITY', 'POOR'],
  },
  {
    // Incurred over earned premium (36 months) of 1.0.
    rule: 'classification.poor.lossRatio',
    below: withPaidClaim('9999.99'),
    at: withPaidClaim('10000.00'),
    classes: ['NORMAL', 'POOR'],
  },
  {
    rule: 'classification.poor.arrears',
    below: { ...SETTLED, policies: [{ ...SETTLED.policies[0]!, arrearsDays: 89 }] },
    at: { ...SETTLED, policies: [{ ...SETTLED.policies[0]!, arrearsDays: 90 }] },
    classes: ['NORMAL', 'POOR'],
  },
  {
    // Two policies cancelled for non-payment within 36 months.
    rule: 'classification.poor.nonPaymentCancellations',
    below: {
      ...SETTLED,
      policies: [...SETTLED.policies, { written: '800.00', effective: '2025-01-01', expiry: '2025-12-31', cancelledForNonPaymentOn: '2025-05-01' }],
    },
    at: {
      ...SETTLED,
      policies: [
        ...SETTLED.policies,
        { written: '800.00', effective: '2025-01-01', expiry: '2025-12-31', cancelledForNonPaymentOn: '2025-05-01' },
        { written: '800.00', effective: '2024-01-01', expiry: '2024-12-31', cancelledForNonPaymentOn: '2024-05-01' },
      ],
    },
    classes: ['NORMAL', 'POOR'],
  },
  {
    rule: 'classification.poor.fraudConfirmed',
    below: { ...SETTLED, claims: [{ day: '2026-06-01', fraudConfirmed: false }] },
    at: { ...SETTLED, claims: [{ day: '2026-06-01', fraudConfirmed: true }] },
    classes: ['QUALITY', 'POOR'],
  },
  {
    // Three whole years since customerSince.
    rule: 'classification.quality.minTenureYears',
    below: { ...SETTLED, since: '2023-11-03' },
    at: { ...SETTLED, since: '2023-11-02' },
    classes: ['NORMAL', 'QUALITY'],
  },
  {
    // Three whole years since the last claim; too little premium (¥4,000) for the low-loss-ratio alternative.
    rule: 'classification.quality.minClaimFreeYears',
    below: { since: '2016-01-01', policies: [{ written: '4000.00', effective: '2025-10-01', expiry: '2026-09-30' }], claims: [{ day: '2023-11-03' }] },
    at: { since: '2016-01-01', policies: [{ written: '4000.00', effective: '2025-10-01', expiry: '2026-09-30' }], claims: [{ day: '2023-11-02' }] },
    classes: ['NORMAL', 'QUALITY'],
  },
  {
    // A claim this year, so not claim-free: a loss ratio of at most 0.30 on at least ¥5,000 earned instead.
    rule: 'classification.quality.lowLossRatio',
    below: withPaidClaim('3000.01'),
    at: withPaidClaim('3000.00'),
    classes: ['NORMAL', 'QUALITY'],
  },
  {
    // ¥1 million written within 12 months (the share and top-N clauses apply in a company this small anyway: the
    // clause itself is what is checked, and the class, which "large" does not change).
    rule: 'classification.large.minWrittenPremium',
    below: withPolicy({ written: '999999.99', effective: '2026-06-01', expiry: '2027-05-31', status: 'IN_FORCE' }),
    at: withPolicy({ written: '1000000.00', effective: '2026-06-01', expiry: '2027-05-31', status: 'IN_FORCE' }),
    classes: ['QUALITY', 'QUALITY'],
  },
  {
    // 1 % of the city's 12-month written premium: ¥1,000.00 of the city's ¥100,000.00; ¥999.99 of its twin's ¥100,000.00.
    rule: 'classification.large.shareOfOrgUnit.CITY',
    below: writingIn(SHARE_CITY_SHORT, '999.99'),
    at: writingIn(SHARE_CITY_AT, '1000.00'),
    classes: ['QUALITY', 'QUALITY'],
  },
  {
    // Among the top 50 of an org unit: behind the ranking city's 49 customers of ¥2,000.00, ¥1,000.00 is 50th and ¥999.99
    // 51st (the two cases' customers share the city, so the one at the threshold is ahead of the one short of it).
    rule: 'classification.large.topN',
    below: writingIn(RANKING_CITY, '999.99'),
    at: writingIn(RANKING_CITY, '1000.00'),
    classes: ['QUALITY', 'QUALITY'],
  },
  {
    // Good credit: no day of arrears.
    rule: 'classification.quality.goodCredit',
    below: { ...SETTLED, policies: [{ ...SETTLED.policies[0]!, arrearsDays: 1 }] },
    at: SETTLED,
    classes: ['NORMAL', 'QUALITY'],
  },
];

interface WarningCase {
  rule: string;
  kind: string;
  below: Facts;
  at: Facts;
  /** The warning's level on each side; null: none raised. */
  levels: [string | null, string];
}

/** A year's cover still running, from `effective` to `expiry`: what a renewal-due warning looks at. */
const running = (expiry: string): Facts => withPolicy({ written: '1200.00', effective: '2026-01-02', expiry, status: 'IN_FORCE' });

/** The settled customer with a claim today on a vehicle, and one on `firstDay` on the same vehicle. */
const onOneVehicle = (firstDay: string): Facts => ({
  ...SETTLED,
  claims: [
    { day: firstDay, insuredObject: 'VEHICLE:粤B12345' },
    { day: '2026-11-02', insuredObject: 'VEHICLE:粤B12345' },
  ],
});

/** Large (¥1 million written within 12 months) and, that year's cover ended by asOf, fully earned: ¥1,010,000 in all. */
const LARGE_AND_EARNED = withPolicy({ written: '1000000.00', effective: '2025-11-03', expiry: '2026-11-01' });

const WARNING_CASES: readonly WarningCase[] = [
  {
    rule: 'warnings.multipleClaims.warnAt',
    kind: 'MULTIPLE_CLAIMS',
    below: { ...SETTLED, claims: withClaims(2, { day: '2026-06-01' }) },
    at: { ...SETTLED, claims: withClaims(3, { day: '2026-06-01' }) },
    levels: [null, 'WARN'],
  },
  {
    rule: 'warnings.multipleClaims.highAt',
    kind: 'MULTIPLE_CLAIMS',
    below: { ...SETTLED, claims: withClaims(4, { day: '2026-06-01' }) },
    at: { ...SETTLED, claims: withClaims(5, { day: '2026-06-01' }) },
    levels: ['WARN', 'HIGH'],
  },
  {
    rule: 'warnings.highLossRatio.warnAt',
    kind: 'HIGH_LOSS_RATIO',
    below: withPaidClaim('7999.99'),
    at: withPaidClaim('8000.00'),
    levels: [null, 'WARN'],
  },
  {
    rule: 'warnings.highLossRatio.highAt',
    kind: 'HIGH_LOSS_RATIO',
    below: withPaidClaim('11999.99'),
    at: withPaidClaim('12000.00'),
    levels: ['WARN', 'HIGH'],
  },
  {
    // 61 days left: no stage yet; 60: the first stage.
    rule: 'warnings.renewalDue.stages[60]',
    kind: 'RENEWAL_DUE',
    below: running('2027-01-02'),
    at: running('2027-01-01'),
    levels: [null, 'WARN'],
  },
  {
    // Two claims on one vehicle within the last 90 days, today included: 5 August is the 90th day back, 4 August outside.
    rule: 'warnings.sameInsuredObject',
    kind: 'MULTIPLE_CLAIMS_SAME_OBJECT',
    below: onOneVehicle('2026-08-04'),
    at: onOneVehicle('2026-08-05'),
    levels: [null, 'WARN'],
  },
  {
    // A large customer at a loss ratio of 0.8: ¥808,000 incurred on ¥1,010,000 earned.
    rule: 'warnings.largeHighLossRatio',
    kind: 'LARGE_CUSTOMER_HIGH_LOSS_RATIO',
    below: withPaidClaim('807999.99', LARGE_AND_EARNED),
    at: withPaidClaim('808000.00', LARGE_AND_EARNED),
    levels: [null, 'HIGH'],
  },
  {
    // Due by the end of 4 November: accepted 280 of 350 hours before that end is 80 % of the time gone at asOf.
    rule: 'warnings.complaintDeadline.warnAtShare',
    kind: 'COMPLAINT_NEAR_DEADLINE',
    below: { ...SETTLED, complaints: [{ acceptedAt: '2026-10-21 10:01:00', dueDate: '2026-11-04' }] },
    at: { ...SETTLED, complaints: [{ acceptedAt: '2026-10-21 10:00:00', dueDate: '2026-11-04' }] },
    levels: [null, 'WARN'],
  },
  {
    // Due yesterday: overdue (HIGH); due today: still the warning's own level.
    rule: 'warnings.complaintDeadline.overdueLevel',
    kind: 'COMPLAINT_NEAR_DEADLINE',
    below: { ...SETTLED, complaints: [{ acceptedAt: '2026-10-18 02:00:00', dueDate: '2026-11-02' }] },
    at: { ...SETTLED, complaints: [{ acceptedAt: '2026-10-18 02:00:00', dueDate: '2026-11-01' }] },
    levels: ['WARN', 'HIGH'],
  },
  {
    // 16 days left: the 30-day stage (WARN); 15: the 15-day stage (HIGH).
    rule: 'warnings.renewalDue.stages[15]',
    kind: 'RENEWAL_DUE',
    below: running('2026-11-18'),
    at: running('2026-11-17'),
    levels: ['WARN', 'HIGH'],
  },
];

/** A band of the value segmentation on each side of one of its per-customer thresholds. */
interface SegmentCase {
  rule: string;
  segment: 'contributionSegment' | 'loyaltySegment';
  below: Facts;
  at: Facts;
  bands: [string, string];
}

/** `renewals + 1` years of cover from `since` on, each renewing the year before, the last running to 2027-09-30. */
const renewedYearly = (since: string, renewals: number, extra: PolicyFact[] = []): Facts => ({
  since,
  policies: [
    ...Array.from({ length: renewals + 1 }, (_unused, year): PolicyFact => {
      const ends = 2027 - renewals + year;
      return {
        written: '1000.00',
        effective: `${ends - 1}-10-01`,
        expiry: `${ends}-09-30`,
        ...(year === renewals ? { status: 'IN_FORCE' as const } : {}),
        ...(year > 0 ? { renews: year - 1 } : {}),
      };
    }),
    ...extra,
  ],
});
/** A second product in force (motor), for the products held. */
const MOTOR: PolicyFact = { written: '900.00', effective: '2026-03-01', expiry: '2027-02-28', status: 'IN_FORCE', product: 'MOT-PRV' };

const SEGMENT_CASES: readonly SegmentCase[] = [
  {
    // Margin = (earned − incurred − 0.30 × earned) ÷ earned over 36 months: 0.15 on ¥10,000 earned at ¥5,500 paid.
    rule: 'segmentation.contribution.HIGH.minMargin',
    segment: 'contributionSegment',
    below: withPaidClaim('5500.01'),
    at: withPaidClaim('5500.00'),
    bands: ['POSITIVE', 'HIGH'],
  },
  {
    // A margin of 0 at ¥7,000 paid.
    rule: 'segmentation.contribution.POSITIVE.minMargin',
    segment: 'contributionSegment',
    below: withPaidClaim('7000.01'),
    at: withPaidClaim('7000.00'),
    bands: ['NEGATIVE', 'POSITIVE'],
  },
  {
    // Two whole years since customerSince, one renewal, one product in force.
    rule: 'segmentation.loyalty.ESTABLISHED.minTenureYears',
    segment: 'loyaltySegment',
    below: renewedYearly('2024-11-03', 1),
    at: renewedYearly('2024-11-02', 1),
    bands: ['NEW', 'ESTABLISHED'],
  },
  {
    // Ten years, two products: the third renewal in an unbroken chain makes a customer loyal.
    rule: 'segmentation.loyalty.LOYAL.minConsecutiveRenewals',
    segment: 'loyaltySegment',
    below: renewedYearly('2016-01-01', 2, [MOTOR]),
    at: renewedYearly('2016-01-01', 3, [MOTOR]),
    bands: ['ESTABLISHED', 'LOYAL'],
  },
  {
    // Ten years, three renewals: a second product in force makes a customer loyal.
    rule: 'segmentation.loyalty.LOYAL.minProductsHeld',
    segment: 'loyaltySegment',
    below: renewedYearly('2016-01-01', 3),
    at: renewedYearly('2016-01-01', 3, [MOTOR]),
    bands: ['ESTABLISHED', 'LOYAL'],
  },
];

interface Insight {
  classification: string;
  contributionSegment: string | null;
  loyaltySegment: string | null;
  reasons: { rule: string }[] | null;
  warnings: { kind: string; level: string; status: string }[];
}

describe.each(TEST_DIALECTS)('each classification rule on both sides of its threshold, through the gateway on %s', (dialect) => {
  let graph: GraphUnderTest;
  const insights = new Map<string, Insight>();
  /** Two seeded customers per case: the one short of the threshold, the one at it (warning cases after the classes). */
  const customerOf = (caseIndex: number, side: 0 | 1) => String(2 * caseIndex + side + 1);
  const customerOfWarning = (caseIndex: number, side: 0 | 1) => customerOf(CASES.length + caseIndex, side);
  const customerOfSegment = (caseIndex: number, side: 0 | 1) => customerOf(CASES.length + WARNING_CASES.length + caseIndex, side);
  const cased = 2 * (CASES.length + WARNING_CASES.length + SEGMENT_CASES.length);
  const customers = cased + FILLERS.length;

  beforeAll(async () => {
    graph = await startGraph({ dialect, clock: new SettableClock(AS_OF), customers });
    const db = graph.subgraphs['insights']!.db;
    for (const [index, thresholdCase] of CASES.entries()) {
      await replaceFacts(db, customerOf(index, 0), thresholdCase.below);
      await replaceFacts(db, customerOf(index, 1), thresholdCase.at);
    }
    for (const [index, warningCase] of WARNING_CASES.entries()) {
      await replaceFacts(db, customerOfWarning(index, 0), warningCase.below);
      await replaceFacts(db, customerOfWarning(index, 1), warningCase.at);
    }
    for (const [index, segmentCase] of SEGMENT_CASES.entries()) {
      await replaceFacts(db, customerOfSegment(index, 0), segmentCase.below);
      await replaceFacts(db, customerOfSegment(index, 1), segmentCase.at);
    }
    for (const [index, filler] of FILLERS.entries()) await replaceFacts(db, String(cased + index + 1), filler);
    await graph.subgraphs['insights']!.jobs.runNow('insights-recompute');
    for (let index = 1; index <= cased; index++) {
      const response = await graph.query<{ customer: { insight: Omit<Insight, 'warnings'>; earlyWarnings: Insight['warnings'] } }>(
        'query Insight($id: ID!) { customer(id: $id) { insight { classification contributionSegment loyaltySegment reasons { rule } } earlyWarnings { kind level status } } }',
        { id: String(index) },
      );
      if (response.errors) throw new Error(JSON.stringify(response.errors));
      insights.set(String(index), { ...response.data!.customer.insight, warnings: response.data!.customer.earlyWarnings });
    }
  }, 180_000);
  afterAll(async () => graph?.close());

  it.each(CASES.map((thresholdCase, index) => [thresholdCase.rule, index] as const))(
    '%s: short of the threshold it does not fire, at it it does',
    (rule, index) => {
      const [below, at] = [insights.get(customerOf(index, 0))!, insights.get(customerOf(index, 1))!];
      const fired = (insight: Insight) => (insight.reasons ?? []).some((reason) => reason.rule === rule || reason.rule.startsWith(`${rule}.`));
      expect({ below: [below.classification, fired(below)], at: [at.classification, fired(at)] }).toEqual({
        below: [CASES[index]!.classes[0], false],
        at: [CASES[index]!.classes[1], true],
      });
    },
  );

  it.each(WARNING_CASES.map((warningCase, index) => [warningCase.rule, index] as const))(
    '%s: the warning is raised at its threshold, not short of it',
    (_rule, index) => {
      const { kind, levels } = WARNING_CASES[index]!;
      const levelOf = (customerId: string) =>
        insights
          .get(customerId)!
          .warnings.filter((warning) => warning.kind === kind && warning.status === 'OPEN')
          .map((warning) => warning.level);
      expect({ below: levelOf(customerOfWarning(index, 0)), at: levelOf(customerOfWarning(index, 1)) }).toEqual({
        below: levels[0] === null ? [] : [levels[0]],
        at: [levels[1]],
      });
    },
  );

  it.each(SEGMENT_CASES.map((segmentCase, index) => [segmentCase.rule, index] as const))(
    '%s: short of the threshold the band below, at it the band',
    (_rule, index) => {
      const { segment, bands } = SEGMENT_CASES[index]!;
      expect({ below: insights.get(customerOfSegment(index, 0))![segment], at: insights.get(customerOfSegment(index, 1))![segment] }).toEqual({
        below: bands[0],
        at: bands[1],
      });
    },
  );
});
