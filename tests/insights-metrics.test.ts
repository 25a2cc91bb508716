/**
 * insightMetrics (issue 11, "Metrics with exact formulas"; DOMAIN.md section 6), through the gateway on SQLite and
 * MariaDB: every metric of one branch × line × month against figures worked out here by hand from a small set of
 * facts inserted into the insights read model; the org-tree roll-up (a province's components are its cities' sums);
 * a small cell suppressed for the BI analyst and shown exact to the auditor; the executive limited to their org
 * unit's subtree; the hotline refused.
 *
 * Fixture: a province the seeded company does not have (900 under head office 1) with cities 901 and 902, facts in
 * 2031 (no seeded fact reaches it), and one city (9031) under a seeded executive's province.
 */
import { sealIdentifier, type Knex } from '@icg/shared';
import { DEFAULT_SEED, generateOrg } from '@icg/synthetic';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { TEST_DIALECTS } from './support/test-database';
import { AUDITOR, TEST_PSEUDONYM_SECRET, type ActingAs } from './support/test-security';

const BI_ANALYST: ActingAs = { role: 'BI_ANALYST' };
const seal = (value: string) => sealIdentifier(TEST_PSEUDONYM_SECRET, value);
const UPDATED = '2031-04-01 00:00:00';

const QUERY = `query Metrics($month: String, $period: InsightMetricPeriod, $branchId: ID, $lineOfBusiness: LineOfBusiness,
    $groupBy: [InsightMetricDimension!], $branchLevel: Int) {
  insightMetrics(month: $month, period: $period, branchId: $branchId, lineOfBusiness: $lineOfBusiness, groupBy: $groupBy, branchLevel: $branchLevel) {
    from
    to
    minimumGroupSize
    suppressedRows
    rows {
      branch { id }
      branchLevel
      lineOfBusiness
      month
      suppressed
      components {
        earnedPremium writtenPremium incurred policiesInForce policiesWritten exposureDays policyYears claims claimsClosed
        daysToCloseTotal claimsRegisteredTrailing12Months claimsRegisteredAndClosedTrailing12Months renewalsDue renewed
        complaints complaintsDue complaintsOnTime
      }
      metrics {
        earnedPremium incurred lossRatio claimFrequency severity settlementCycleDays closureRate renewalRate
        complaintsPer100MillionPremium complaintsPer10kPolicies complaintOnTimeRate
      }
    }
  }
}`;

type Components = Record<string, number | string | null>;
interface Row {
  branch: { id: string } | null;
  branchLevel: number | null;
  lineOfBusiness: string | null;
  month: string | null;
  suppressed: boolean;
  components: Components | null;
  metrics: Record<string, number | string | null> | null;
}
interface Answer {
  insightMetrics: { from: string; to: string; minimumGroupSize: number | null; suppressedRows: number; rows: Row[] } | null;
}

const customer = (id: number, path: string) => ({
  customer_id: id,
  customer_no: `CFX${id}`,
  kind: 'INDIVIDUAL',
  customer_since: '2020-01-01',
  branch_id: path.split('/').filter(Boolean).pop(),
  branch_path: path,
  blacklisted: false,
  updated_at: UPDATED,
});

const policy = (
  policyNo: string,
  customerId: number,
  line: string,
  status: string,
  effective: string,
  expiry: string,
  premium: string,
  extra: Record<string, unknown> = {},
) => ({
  policy_no: policyNo,
  customer_id: customerId,
  line_of_business: line,
  status,
  effective_date: effective,
  expiry_date: expiry,
  written_premium: premium,
  bound_at: null,
  updated_at: UPDATED,
  ...extra,
});

const claim = (reportNo: string, customerId: number, policyNo: string, facts: Record<string, unknown>) => ({
  report_no: reportNo,
  customer_id: customerId,
  policy_no: policyNo,
  paid: '0.00',
  outstanding_reserve: '0.00',
  recoveries: '0.00',
  registered_at: null,
  closed_at: null,
  outcome: null,
  updated_at: UPDATED,
  ...facts,
});

const complaint = (complaintNo: string, customerId: number, facts: Record<string, unknown>) => ({
  complaint_no: complaintNo,
  customer_id: customerId,
  status: 'CLOSED',
  feedback_at: null,
  on_time: null,
  updated_at: UPDATED,
  ...facts,
});

/** Inserts the fixture; `executivePath` is the seeded executive's province, where city 9031 is put. */
async function insertFixture(db: Knex, executivePath: string): Promise<void> {
  await db('insight_customers').insert([
    customer(9_000_001, '/1/900/901/'),
    customer(9_000_002, '/1/900/902/'),
    customer(9_000_003, `${executivePath}9031/`),
    customer(9_000_004, '/1/910/911/'),
  ]);
  // City 901, MOTOR (customer 9000001). March 2031 = [2031-03-01, 2031-04-01), 31 days.
  await db('insight_policies').insert([
    // Whole year 2031 (365 days), covers all of March.
    policy('PMX1', 9_000_001, 'MOTOR', 'BOUND', '2031-01-01', '2032-01-01', '3650.00', { bound_at: '2030-12-20 10:00:00' }),
    // Bound in March; the renewal of PMX3; 366-day term (it spans 2032-02-29); covers 11 → 31 March.
    policy('PMX2', 9_000_001, 'MOTOR', 'BOUND', '2031-03-11', '2032-03-11', '7320.00', {
      bound_at: '2031-03-10 09:00:00',
      renewal_of_policy_no: 'PMX3',
    }),
    // Expires 15 March (due for renewal; renewed by PMX2); 365 days.
    policy('PMX3', 9_000_001, 'MOTOR', 'BOUND', '2030-03-15', '2031-03-15', '1000.00', { bound_at: '2030-03-10 09:00:00' }),
    // Would expire in March but was cancelled in 2030: no cover in March, not due.
    policy('PMX4', 9_000_001, 'MOTOR', 'CANCELLED', '2030-03-20', '2031-03-20', '2000.00', { cancelled_on: '2030-09-01' }),
    // A quote: never anything.
    policy('PMX5', 9_000_001, 'MOTOR', 'QUOTED', '2031-03-25', '2032-03-25', '500.00'),
    // Expires 31 March, not renewed; 365 days.
    policy('PMX6', 9_000_001, 'MOTOR', 'BOUND', '2030-03-31', '2031-03-31', '730.00'),
    // City 902: PROPERTY, whole 2031; MOTOR from 1 March 2031 for 366 days, bound in February.
    policy('PMY1', 9_000_002, 'PROPERTY', 'BOUND', '2031-01-01', '2032-01-01', '1825.00'),
    policy('PMY2', 9_000_002, 'MOTOR', 'BOUND', '2031-03-01', '2032-03-01', '3660.00', { bound_at: '2031-02-25 09:00:00' }),
    // City 9031 (the executive's province): five MOTOR policies over 2031, 365.00 each (31.00 earned in March each).
    ...[1, 2, 3, 4, 5].map((n) => policy(`PMZ${n}`, 9_000_003, 'MOTOR', 'BOUND', '2031-01-01', '2032-01-01', '365.00')),
    // City 911 (province 910): five MOTOR policies written 1 March for 366 days, and nothing else: a cell of 5.
    ...[1, 2, 3, 4, 5].map((n) =>
      policy(`PMW${n}`, 9_000_004, 'MOTOR', 'BOUND', '2031-03-01', '2032-03-01', `${n}000.00`, { bound_at: '2031-03-01 09:00:00' }),
    ),
  ]);
  await db('insight_claims').insert([
    // Loss in March, closed paid: incurred 1200 − 200 = 1000.00; reported 6 March 08:00 → closed 16 March 20:00 = 10.5 days.
    claim('RMX1', 9_000_001, 'PMX1', {
      loss_date: '2031-03-05',
      reported_at: '2031-03-06 08:00:00',
      registered_at: '2031-03-07 08:00:00',
      closed_at: '2031-03-16 20:00:00',
      status: 'CLOSED',
      outcome: 'PAID',
      paid: '1200.00',
      recoveries: '200.00',
    }),
    // Loss in March, open with a reserve: incurred 2500.50.
    claim('RMX2', 9_000_001, 'PMX1', {
      loss_date: '2031-03-20',
      reported_at: '2031-03-21 10:00:00',
      registered_at: '2031-03-22 10:00:00',
      status: 'REGISTERED',
      outstanding_reserve: '2500.50',
    }),
    // Cancelled: not a claim (count, incurred), never registered; closed in March after 1 day (the settlement
    // cycle excludes zero-closed claims only).
    claim('RMX3', 9_000_001, 'PMX2', {
      loss_date: '2031-03-28',
      reported_at: '2031-03-28 12:00:00',
      closed_at: '2031-03-29 12:00:00',
      status: 'CANCELLED',
      outcome: 'CANCELLED',
    }),
    // Loss in February, zero-closed in March: in no March figure.
    claim('RMX4', 9_000_001, 'PMX1', {
      loss_date: '2031-02-10',
      reported_at: '2031-02-11 09:00:00',
      registered_at: '2031-02-12 09:00:00',
      closed_at: '2031-03-03 09:00:00',
      status: 'CLOSED',
      outcome: 'ZERO_CLOSED',
    }),
    // Loss in November 2030, closed in March: 2 Nov 00:00 → 10 Mar 00:00 = 128 days; registered in the 12 months.
    claim('RMX5', 9_000_001, 'PMX1', {
      loss_date: '2030-11-01',
      reported_at: '2030-11-02 00:00:00',
      registered_at: '2030-11-03 00:00:00',
      closed_at: '2031-03-10 00:00:00',
      status: 'CLOSED',
      outcome: 'PAID',
      paid: '300.00',
    }),
    // City 902: a PROPERTY claim in March with a reserve of 800.00.
    claim('RMY1', 9_000_002, 'PMY1', {
      loss_date: '2031-03-03',
      reported_at: '2031-03-03 10:00:00',
      registered_at: '2031-03-04 10:00:00',
      status: 'REGISTERED',
      outstanding_reserve: '800.00',
    }),
  ]);
  await db('insight_complaints').insert([
    // Accepted in March, due and notified in March, on time.
    complaint('KMX1', 9_000_001, { accepted_at: '2031-03-02 09:00:00', due_date: '2031-03-17', feedback_at: '2031-03-16 15:00:00', on_time: true }),
    // Accepted in March, due in April.
    complaint('KMX2', 9_000_001, { accepted_at: '2031-03-20 09:00:00', due_date: '2031-04-04', status: 'ACCEPTED' }),
    // Accepted in February, due in March: late (the source says so).
    complaint('KMX3', 9_000_001, { accepted_at: '2031-02-20 09:00:00', due_date: '2031-03-07', feedback_at: '2031-03-09 10:00:00', on_time: false }),
    // Due in March, no flag from the source: notified on its due day, so on time.
    complaint('KMX4', 9_000_001, { accepted_at: '2031-02-25 09:00:00', due_date: '2031-03-12', feedback_at: '2031-03-12 18:00:00' }),
    // Due in March and still undecided: due, not on time.
    complaint('KMX5', 9_000_001, { accepted_at: '2031-02-27 09:00:00', due_date: '2031-03-14', status: 'ACCEPTED' }),
    // City 902: accepted 9 March, due 24 March, on time.
    complaint('KMY1', 9_000_002, { accepted_at: '2031-03-09 09:00:00', due_date: '2031-03-24', feedback_at: '2031-03-20 09:00:00', on_time: true }),
  ]);
}

/** Figures for the city 901 MOTOR row of March 2031, by hand. */
const CITY_901_MOTOR_MARCH = {
  // PMX1 3650.00 × 31/365 = 310.00; PMX2 7320.00 × 21/366 = 420.00; PMX3 1000.00 × 14/365 = 38.356… → 38.36;
  // PMX6 730.00 × 30/365 = 60.00. Σ = 828.36.
  earnedPremium: '828.36',
  // PMX2, bound 10 March.
  writtenPremium: '7320.00',
  // RMX1 1000.00 + RMX2 2500.50.
  incurred: '3500.50',
  policiesInForce: 4,
  policiesWritten: 1,
  // 31 + 21 + 14 + 30.
  exposureDays: 96,
  claims: 2,
  // RMX1, RMX3, RMX5: 10.5 + 1 + 128.
  claimsClosed: 3,
  daysToCloseTotal: 139.5,
  // Registered in [2030-04-01, 2031-04-01), not cancelled or zero-closed: RMX1, RMX2, RMX5; closed in it: RMX1, RMX5.
  claimsRegisteredTrailing12Months: 3,
  claimsRegisteredAndClosedTrailing12Months: 2,
  // PMX3 (renewed by PMX2) and PMX6.
  renewalsDue: 2,
  renewed: 1,
};

describe.each(TEST_DIALECTS)('insight metrics on %s', (dialect) => {
  let graph: GraphUnderTest;
  const executive = generateOrg(DEFAULT_SEED).staff.find((staff) => staff.role === 'EXECUTIVE' && staff.branchPath.split('/').filter(Boolean).length === 2)!;
  const EXECUTIVE: ActingAs = { role: 'EXECUTIVE', staffId: String(executive.id) };

  const metrics = async (variables: Record<string, unknown>, acting: ActingAs = AUDITOR) => {
    const response = await graph.query<Answer>(QUERY, variables, acting);
    expect(response.errors).toBeUndefined();
    return response.data!.insightMetrics!;
  };

  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: 20 });
    await insertFixture(graph.subgraphs.insights!.db, executive.branchPath);
  }, 240_000);
  afterAll(() => graph?.close());

  it('computes every metric of one branch × line × month as worked out by hand', async () => {
    const result = await metrics({ month: '2031-03', branchId: '901', lineOfBusiness: 'MOTOR', groupBy: ['BRANCH', 'LINE_OF_BUSINESS', 'MONTH'] });
    expect(result).toMatchObject({ from: '2031-03-01', to: '2031-04-01', minimumGroupSize: null, suppressedRows: 0 });
    expect(result.rows).toHaveLength(1);
    const row = result.rows[0]!;
    expect(row).toMatchObject({ branch: { id: '901' }, branchLevel: 3, lineOfBusiness: 'MOTOR', month: '2031-03', suppressed: false });
    const c = row.components!;
    expect(c).toMatchObject({ ...CITY_901_MOTOR_MARCH, daysToCloseTotal: expect.any(Number), complaints: 0, complaintsDue: 0, complaintsOnTime: 0 });
    expect(c.daysToCloseTotal).toBeCloseTo(139.5, 6);
    expect(c.policyYears).toBeCloseTo(96 / 365, 12);
    const m = row.metrics!;
    expect(m.earnedPremium).toBe('828.36');
    expect(m.incurred).toBe('3500.50');
    // 350050 fen ÷ 82836 fen.
    expect(m.lossRatio).toBeCloseTo(350050 / 82836, 12);
    // 2 claims ÷ (96 ÷ 365) policy-years = 7.6041…
    expect(m.claimFrequency).toBeCloseTo(2 / (96 / 365), 12);
    // 3500.50 ÷ 2.
    expect(m.severity).toBe('1750.25');
    // 139.5 days ÷ 3 closed.
    expect(m.settlementCycleDays).toBeCloseTo(46.5, 6);
    expect(m.closureRate).toBeCloseTo(2 / 3, 12);
    expect(m.renewalRate).toBe(0.5);
    // Complaints name no line: the MOTOR row has none, and no complaint ratio where there are no complaints due.
    expect(m.complaintsPer100MillionPremium).toBe(0);
    expect(m.complaintsPer10kPolicies).toBe(0);
    expect(m.complaintOnTimeRate).toBeNull();
  });

  it('computes the complaint metrics of a branch × month, and a period given by days equals the month', async () => {
    const byMonth = await metrics({ month: '2031-03', branchId: '901', groupBy: ['MONTH'] });
    const byPeriod = await metrics({ period: { from: '2031-03-01', to: '2031-04-01' }, branchId: '901' });
    expect(byMonth.rows).toHaveLength(1);
    expect(byPeriod.rows).toHaveLength(1);
    const row = byMonth.rows[0]!;
    // The branch rolled up to itself (no BRANCH grouping): city 901 has only MOTOR policies, so the same figures.
    expect(row).toMatchObject({ branch: { id: '901' }, lineOfBusiness: null, month: '2031-03' });
    // Accepted in March: KMX1, KMX2. Due in March: KMX1, KMX3, KMX4, KMX5; on time: KMX1, KMX4 (notified on its due day).
    expect(row.components).toMatchObject({ ...CITY_901_MOTOR_MARCH, complaints: 2, complaintsDue: 4, complaintsOnTime: 2 });
    expect(byPeriod.rows[0]!.components).toEqual(row.components);
    // 2 complaints ÷ (732000 fen premium income ÷ 10¹⁰ fen) = 27322.40…; 2 ÷ (1 policy written ÷ 10⁴) = 20000; 2 of 4 on time.
    expect(row.metrics!.complaintsPer100MillionPremium).toBeCloseTo(2e10 / 732000, 9);
    expect(row.metrics!.complaintsPer10kPolicies).toBe(20000);
    expect(row.metrics!.complaintOnTimeRate).toBe(0.5);
  });

  it("rolls a province up from its cities: every component of 900 is the sum of 901's and 902's", async () => {
    const cities = await metrics({ month: '2031-03', branchId: '900', groupBy: ['BRANCH'] });
    const province = await metrics({ month: '2031-03', branchId: '900' });
    expect(cities.rows.map((row) => row.branch!.id)).toEqual(['901', '902']);
    expect(province.rows).toHaveLength(1);
    const total = province.rows[0]!;
    expect(total).toMatchObject({ branch: { id: '900' }, branchLevel: 2 });
    const [a, b] = cities.rows.map((row) => row.components!);
    for (const [name, value] of Object.entries(total.components!)) {
      const sum = (x: Components) => (typeof x[name] === 'string' ? Math.round(Number(x[name]) * 100) : Number(x[name]));
      expect([name, sum(total.components!)]).toEqual([name, expect.closeTo(sum(a!) + sum(b!), 6)]);
      expect(value).not.toBeNull();
    }
    // City 902 by hand: PMY1 1825.00 × 31/365 = 155.00, PMY2 3660.00 × 31/366 = 310.00; RMY1 800.00; KMY1 on time.
    expect(cities.rows[1]!.components).toMatchObject({ earnedPremium: '465.00', incurred: '800.00', claims: 1, complaints: 1, complaintsOnTime: 1 });
    // The province's ratios come from its sums: (3500.50 + 800.00) ÷ (828.36 + 465.00).
    expect(total.metrics!.lossRatio).toBeCloseTo(430050 / 129336, 12);
    expect(total.metrics!.complaintOnTimeRate).toBeCloseTo(3 / 5, 12);
  });

  it('suppresses the small cell for the BI analyst and shows it exact to the auditor', async () => {
    const variables = { month: '2031-03', groupBy: ['BRANCH', 'LINE_OF_BUSINESS'] };
    const bi = await metrics({ ...variables, branchId: seal('900') }, BI_ANALYST);
    expect(bi.minimumGroupSize).toBe(5);
    const cell = bi.rows.find((row) => row.branch!.id === seal('901') && row.lineOfBusiness === 'MOTOR');
    // One policy written, two claims: a person's premium and claims would show.
    expect(cell).toEqual(expect.objectContaining({ suppressed: true, components: null, metrics: null }));
    expect(bi.rows.every((row) => row.suppressed)).toBe(true);
    expect(bi.suppressedRows).toBe(bi.rows.length);
    const auditor = await metrics({ ...variables, branchId: '900' }, AUDITOR);
    expect(auditor.minimumGroupSize).toBeNull();
    expect(auditor.rows.find((row) => row.branch!.id === '901' && row.lineOfBusiness === 'MOTOR')).toMatchObject({
      suppressed: false,
      components: CITY_901_MOTOR_MARCH,
    });
    // A cell of five policies (and no claim or complaint) is shown to the analyst: 15000.00 × 31/366 = 1270.49…
    const shown = await metrics({ ...variables, branchId: seal('910') }, BI_ANALYST);
    expect(shown.rows).toEqual([expect.objectContaining({ branch: { id: seal('911') }, lineOfBusiness: 'MOTOR', suppressed: false })]);
    expect(shown.rows[0]!.components).toMatchObject({ policiesInForce: 5, policiesWritten: 5, writtenPremium: '15000.00', claims: 0 });
    // Per policy, rounded once each: n000.00 × 31/366 = 84.70, 169.40, 254.10, 338.80, 423.50 (exactly 84.699…, 169.398…, 254.098…, 338.797…, 423.497…).
    expect(shown.rows[0]!.metrics).toMatchObject({ earnedPremium: '1270.50', lossRatio: 0, renewalRate: null });
    // A day range inside a month would be subtracted from the month: refused for the analyst, named.
    const partial = await graph.query<Answer>(QUERY, { period: { from: '2031-03-02', to: '2031-04-01' } }, BI_ANALYST);
    expect(partial.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName: 'period.from' }) })]);
  });

  it("gives an executive their own org unit's subtree only", async () => {
    const result = await metrics({ month: '2031-03', groupBy: ['BRANCH'] }, EXECUTIVE);
    expect(result.minimumGroupSize).toBe(5);
    // The only 2031 facts in the executive's province are city 9031's; province 900 is not theirs.
    expect(result.rows.map((row) => row.branch!.id)).toEqual(['9031']);
    // A cell of five policies, shown: 5 × 365.00 × 31/365 = 155.00.
    expect(result.rows[0]).toMatchObject({ suppressed: false, components: { policiesInForce: 5, earnedPremium: '155.00', claims: 0 } });
    const elsewhere = await metrics({ month: '2031-03', branchId: '901' }, EXECUTIVE);
    expect(elsewhere.rows).toEqual([]);
  });

  it('refuses the hotline, which may read neither premiums nor aggregates, as a field that does not exist', async () => {
    const response = await graph.query<Answer>(QUERY, { month: '2031-03' }, { role: 'HOTLINE_AGENT' });
    expect(response.data).toBeUndefined();
    expect(response.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ message: 'Cannot query field "insightMetrics" on type "Query".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
      ]),
    );
  });

  it('refuses bad arguments, naming them', async () => {
    const refusals: [Record<string, unknown>, string][] = [
      [{ month: '2031-03', period: { from: '2031-03-01', to: '2031-04-01' } }, 'period'],
      [{ month: '2031-13' }, 'month'],
      [{ period: { from: '2031-03-01', to: '2031-03-01' } }, 'period.to'],
      [{ period: { from: '2031-02-30', to: '2031-04-01' } }, 'period.from'],
      [{ month: '2031-03', branchLevel: 2 }, 'branchLevel'],
      [{ month: '2031-03', groupBy: ['BRANCH'], branchLevel: 4 }, 'branchLevel'],
      [{ month: '2031-03', groupBy: ['BRANCH'], branchLevel: 2, branchId: '901' }, 'branchId'],
    ];
    for (const [variables, argumentName] of refusals) {
      const response = await graph.query<Answer>(QUERY, variables, AUDITOR);
      expect([argumentName, response.errors]).toEqual([
        argumentName,
        [expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName }) })],
      ]);
    }
    // Neither period nor month: the last whole calendar month.
    const today = new Date();
    const lastMonth = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
    const thisMonth = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1)).toISOString().slice(0, 10);
    expect(await metrics({}, BI_ANALYST)).toMatchObject({ from: lastMonth, to: thisMonth });
    // Several months summed would be subtracted from the months one by one: the analyst groups them by MONTH.
    const summed = await graph.query<Answer>(QUERY, { period: { from: '2031-02-01', to: '2031-04-01' } }, BI_ANALYST);
    expect(summed.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName: 'groupBy' }) })]);
    const byMonth = await graph.query<Answer>(QUERY, { period: { from: '2031-02-01', to: '2031-04-01' }, groupBy: ['MONTH'] }, BI_ANALYST);
    expect(byMonth.errors).toBeUndefined();
    expect(byMonth.data!.insightMetrics!.rows.map((row) => row.month)).toEqual(['2031-02', '2031-03']);
  });
});
