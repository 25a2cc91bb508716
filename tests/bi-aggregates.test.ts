/**
 * Aggregates with groupBy (issue "Customer insight and BI"; docs/access-model.md "Aggregates"), through the gateway:
 * exact figures for a role that may read the amounts (checked by hand against the stored rows), small groups
 * suppressed for the BI analyst (a group of 4 hidden, one of 5 shown) with complementary suppression that defeats
 * re-identification by subtraction and by overlapping filters, the executive limited to their org unit, the hotline
 * refused, and every aggregate read audited.
 *
 * Fixture: two provinces the seeded company does not have (900 and 910 under head office) with cities of 4 and 6, and
 * of 5 and 7 policies, effective in months no seeded policy uses, with premiums no seeded figure hits by chance.
 */
import { AUDIT_TABLE, openAuditStore, sealIdentifier, type AuditRow, type Knex } from '@icg/shared';
import { DEFAULT_SEED, generateOrg } from '@icg/synthetic';
import type { GraphQLResponse } from './support/graphql-client';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { TEST_DIALECTS } from './support/test-database';
import { AUDITOR, TEST_PSEUDONYM_SECRET, type ActingAs } from './support/test-security';

const CUSTOMERS = 40;
const BI_ANALYST: ActingAs = { role: 'BI_ANALYST' };
const seal = (value: string) => sealIdentifier(TEST_PSEUDONYM_SECRET, value);

/** city path → [effective date, written premium] of its fixture policies. */
const FIXTURE: Record<string, [string, number][]> = {
  // Province 900: a city of 4 (suppressed) beside one of 6, which must then be suppressed too, or the province's
  // total minus the 6 would give the 4 back.
  '/1/900/901/': [
    ['2031-01-05', 1234.17],
    ['2031-01-09', 2718.29],
    ['2031-01-17', 3141.61],
    ['2031-01-23', 1618.07],
  ],
  '/1/900/902/': [
    ['2031-01-11', 4423.13],
    ['2031-01-19', 5077.71],
    ['2031-01-25', 3301.87],
    ['2031-01-30', 2902.53],
    ['2031-02-03', 6011.37],
    ['2031-02-14', 4788.19],
  ],
  // Province 910: a city of 5 (shown) and one of 7.
  '/1/910/911/': [
    ['2031-01-02', 7019.41],
    ['2031-01-13', 8123.59],
    ['2031-01-29', 9031.23],
    ['2031-02-07', 5514.77],
    ['2031-02-21', 6607.91],
  ],
  '/1/910/912/': [
    ['2031-02-01', 1101.03],
    ['2031-02-04', 2202.07],
    ['2031-02-09', 3303.11],
    ['2031-02-12', 4404.13],
    ['2031-02-18', 5505.17],
    ['2031-02-22', 6606.19],
    ['2031-02-27', 7707.23],
  ],
};
const city = (id: string) => Object.keys(FIXTURE).find((path) => path.endsWith(`/${id}/`))!;
const sumOf = (id: string) => FIXTURE[city(id)]!.reduce((sum, [, premium]) => sum + premium, 0);

/** What one must not be able to compute: a premium of the city of 4, or that city's sum. */
const TARGETS = FIXTURE[city('901')]!.map(([, premium]) => premium).concat([sumOf('901')]);

const QUERY = `query Aggregates($groupBy: [PolicyAggregateDimension!], $branchLevel: Int, $filter: PolicyFilter) {
  policyAggregates(groupBy: $groupBy, branchLevel: $branchLevel, filter: $filter) {
    minimumGroupSize
    suppressedGroups
    groups {
      branch { id }
      branchLevel
      lineOfBusiness
      status
      effectiveMonth
      suppressed
      count
      writtenPremium { sum avg min max }
      termDays { sum avg min max }
    }
    total { suppressed count writtenPremium { sum avg min max } }
  }
}`;

interface Stats {
  sum: number;
  avg: number;
  min: number | null;
  max: number | null;
}
interface Group {
  branch: { id: string } | null;
  branchLevel: number | null;
  lineOfBusiness: string | null;
  status: string | null;
  effectiveMonth: string | null;
  suppressed: boolean;
  count: number | null;
  writtenPremium: Stats | null;
  termDays: Stats | null;
}
interface Aggregates {
  policyAggregates: { minimumGroupSize: number | null; suppressedGroups: number; groups: Group[]; total: Group } | null;
}

interface PolicyRow {
  branch_path: string;
  line_of_business: string;
  written_premium: string | number;
  effective_date: string | Date;
}

const truncate = (path: string, level: number) => `/${path.split('/').filter(Boolean).slice(0, level).join('/')}/`;
const lastId = (path: string) => path.split('/').filter(Boolean).pop()!;
const close = (a: number, b: number) => Math.abs(a - b) < 0.005;

describe.each(TEST_DIALECTS)('aggregates with groupBy on %s', (dialect) => {
  let graph: GraphUnderTest;
  let policies: Knex;
  let rows: PolicyRow[];

  const aggregates = async (variables: Record<string, unknown>, acting: ActingAs = AUDITOR): Promise<GraphQLResponse<Aggregates>> =>
    graph.query<Aggregates>(QUERY, variables, acting);
  const answer = async (variables: Record<string, unknown>, acting: ActingAs = BI_ANALYST) => {
    const response = await aggregates(variables, acting);
    expect(response.errors).toBeUndefined();
    return response.data!.policyAggregates!;
  };

  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: CUSTOMERS });
    policies = graph.subgraphs.policies!.db;
    const template = (await policies.table('policies').orderBy('id').first()) as Record<string, unknown>;
    const { max } = (await policies.table('policies').max({ max: 'id' }).first()) as { max: number };
    let id = Number(max);
    for (const [path, entries] of Object.entries(FIXTURE)) {
      for (const [effective, premium] of entries) {
        id += 1;
        await policies.table('policies').insert({
          ...template,
          id,
          policy_no: `PFX${id}`,
          branch_id: lastId(path),
          branch_path: path,
          effective_date: effective,
          expiry_date: `${Number(effective.slice(0, 4)) + 1}${effective.slice(4)}`,
          written_premium: premium,
          prior_policy_no: null,
        });
      }
    }
    rows = (await policies.table('policies').select('branch_path', 'line_of_business', 'written_premium', 'effective_date')) as PolicyRow[];
  }, 240_000);
  afterAll(() => graph?.close());

  it('gives a role that may read premiums exact groups, equal to a hand count over the stored rows', async () => {
    const result = await answer({ groupBy: ['BRANCH', 'LINE_OF_BUSINESS'], branchLevel: 2 }, AUDITOR);
    expect(result.minimumGroupSize).toBeNull();
    expect(result.suppressedGroups).toBe(0);
    const expected = new Map<string, { count: number; sum: number; min: number; max: number }>();
    for (const row of rows) {
      const key = `${lastId(truncate(row.branch_path, 2))}|${row.line_of_business}`;
      const premium = Number(row.written_premium);
      const entry = expected.get(key) ?? { count: 0, sum: 0, min: Infinity, max: -Infinity };
      expected.set(key, { count: entry.count + 1, sum: entry.sum + premium, min: Math.min(entry.min, premium), max: Math.max(entry.max, premium) });
    }
    expect(result.groups).toHaveLength(expected.size);
    for (const group of result.groups) {
      const hand = expected.get(`${group.branch!.id}|${group.lineOfBusiness}`)!;
      expect(group).toMatchObject({ suppressed: false, count: hand.count, branchLevel: 2 });
      expect(group.writtenPremium!.sum).toBeCloseTo(hand.sum, 2);
      expect(group.writtenPremium!.avg).toBeCloseTo(hand.sum / hand.count, 1);
      expect(group.writtenPremium!.min).toBeCloseTo(hand.min, 2);
      expect(group.writtenPremium!.max).toBeCloseTo(hand.max, 2);
    }
    expect(result.total.count).toBe(rows.length);
    expect(result.total.writtenPremium!.sum).toBeCloseTo(
      rows.reduce((sum, row) => sum + Number(row.written_premium), 0),
      2,
    );
    // Term days: the fixture province's 10 policies each run one calendar year.
    const fixture = await answer({ groupBy: ['BRANCH'], branchLevel: 2, filter: { branchId: '900' } }, AUDITOR);
    expect(fixture.groups).toEqual([expect.objectContaining({ branch: { id: '900' }, count: 10 })]);
    expect(fixture.groups[0]!.termDays!.min).toBe(365);
    expect(fixture.groups[0]!.termDays!.max).toBe(365);
  });

  it('suppresses a group of 4 for the BI analyst and shows one of 5, with no FORBIDDEN_FIELD errors', async () => {
    const result = await answer({ groupBy: ['BRANCH'] });
    expect(result.minimumGroupSize).toBe(5);
    const byCity = new Map(result.groups.map((group) => [group.branch!.id, group]));
    const suppressed = expect.objectContaining({ suppressed: true, count: null, writtenPremium: null, termDays: null });
    expect(byCity.get(seal('901'))).toEqual(suppressed);
    // Its neighbour of 6 is suppressed with it: the province (shown one level up) minus the 6 would be the 4.
    expect(byCity.get(seal('902'))).toEqual(suppressed);
    const shown = byCity.get(seal('911'))!;
    expect(shown).toMatchObject({ suppressed: false, count: 5 });
    expect(shown.writtenPremium!.sum).toBeCloseTo(sumOf('911'), 2);
    expect(shown.writtenPremium!.avg).toBeCloseTo(sumOf('911') / 5, 2);
    // min and max are one policy's own premium: not for a role that reads aggregates only (extremes off).
    expect(shown.writtenPremium!.min).toBeNull();
    expect(shown.writtenPremium!.max).toBeNull();
    expect(byCity.get(seal('912'))).toMatchObject({ suppressed: false, count: 7 });
    expect(result.suppressedGroups).toBe(result.groups.filter((group) => group.suppressed).length);
    // A filtered selection holding a suppressed group has no total (it would give the group back by subtraction).
    const filtered = await answer({ groupBy: ['BRANCH'], filter: { branchId: seal('900') } });
    expect(filtered.groups.map((group) => group.suppressed)).toEqual([true, true]);
    expect(filtered.total).toMatchObject({ suppressed: true, count: null, writtenPremium: null });
  });

  it('lets no suppressed figure be recomputed by subtracting totals, other groups or overlapping filters', async () => {
    const answers = await Promise.all([
      answer({ groupBy: [] }),
      answer({ groupBy: ['BRANCH'] }),
      answer({ groupBy: ['BRANCH'], branchLevel: 2 }),
      answer({ groupBy: ['BRANCH'], branchLevel: 1 }),
      answer({ groupBy: ['BRANCH'], filter: { branchId: seal('900') } }),
      answer({ groupBy: ['BRANCH'], branchLevel: 2, filter: { branchId: seal('900') } }),
      answer({ groupBy: ['BRANCH'], filter: { branchId: seal('910') } }),
      answer({ groupBy: ['EFFECTIVE_MONTH'] }),
      answer({ groupBy: ['EFFECTIVE_MONTH'], filter: { effectiveFrom: '2031-01-01', effectiveTo: '2031-01-31' } }),
      answer({ groupBy: ['BRANCH', 'EFFECTIVE_MONTH'], filter: { branchId: seal('900') } }),
      answer({ groupBy: ['BRANCH', 'EFFECTIVE_MONTH'], filter: { branchId: seal('900'), effectiveFrom: '2031-01-01', effectiveTo: '2031-01-31' } }),
      answer({ groupBy: ['BRANCH', 'EFFECTIVE_MONTH'], filter: { branchId: seal('900'), effectiveFrom: '2031-01-01', effectiveTo: '2031-02-28' } }),
    ]);
    // Every premium sum the analyst was shown, totals included, and what each answer's total minus its shown groups leaves.
    const shown: number[] = [];
    for (const result of answers) {
      const visible = result.groups.filter((group) => !group.suppressed && group.writtenPremium);
      shown.push(...visible.map((group) => group.writtenPremium!.sum));
      if (!result.total.suppressed && result.total.writtenPremium) {
        shown.push(result.total.writtenPremium.sum);
        const rest = result.total.writtenPremium.sum - visible.reduce((sum, group) => sum + group.writtenPremium!.sum, 0);
        for (const target of TARGETS) expect(close(rest, target)).toBe(false);
      }
    }
    // The attacker's subtraction: any shown figure minus any other (overlapping filters, coarser minus finer groups).
    for (const a of shown) {
      for (const target of TARGETS) expect(close(a, target)).toBe(false);
      for (const b of shown) for (const target of TARGETS) if (close(a - b, target)) throw new Error(`${a} − ${b} gives back ${target}`);
    }
    // The attack is real: the province is shown (10 policies), so showing its city of 6 would give the city of 4 away.
    const province = answers[5]!.groups.find((group) => group.branch!.id === seal('900'))!;
    expect(province).toMatchObject({ suppressed: false, count: 10 });
    expect(province.writtenPremium!.sum - sumOf('902')).toBeCloseTo(sumOf('901'), 2);
  });

  it('refuses the analyst filters that select part of a group: one customer, a day range, a branch below the grouping', async () => {
    const refusals: [Record<string, unknown>, string][] = [
      [{ groupBy: ['BRANCH'], filter: { customerId: seal('1') } }, 'filter.customerId'],
      [{ groupBy: ['EFFECTIVE_MONTH'], filter: { effectiveFrom: '2031-01-10' } }, 'filter.effectiveFrom'],
      [{ groupBy: ['BRANCH'], filter: { effectiveFrom: '2031-01-01' } }, 'filter.effectiveFrom'],
      [{ groupBy: ['BRANCH'], branchLevel: 2, filter: { branchId: seal('901') } }, 'filter.branchId'],
      [{ groupBy: ['STATUS'], filter: { branchId: seal('900') } }, 'filter.branchId'],
      [{ groupBy: ['STATUS'], branchLevel: 2 }, 'branchLevel'],
    ];
    for (const [variables, argumentName] of refusals) {
      const response = await aggregates(variables, BI_ANALYST);
      expect(response.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName }) })]);
    }
  });

  it('gives an executive their own org unit only, with small groups suppressed', async () => {
    const org = generateOrg(DEFAULT_SEED);
    const executive = org.staff.find((staff) => staff.role === 'EXECUTIVE' && staff.branchPath.split('/').filter(Boolean).length === 2)!;
    const result = await answer({ groupBy: ['BRANCH'] }, { role: 'EXECUTIVE', staffId: String(executive.id) });
    expect(result.minimumGroupSize).toBe(5);
    const inUnit = rows.filter((row) => row.branch_path.startsWith(executive.branchPath));
    const counts = new Map<string, number>();
    for (const row of inUnit) counts.set(lastId(row.branch_path), (counts.get(lastId(row.branch_path)) ?? 0) + 1);
    expect(result.groups.map((group) => group.branch!.id).sort()).toEqual([...counts.keys()].sort());
    for (const group of result.groups) {
      const count = counts.get(group.branch!.id)!;
      if (count < 5) expect(group.suppressed).toBe(true);
      if (!group.suppressed) expect(group.count).toBe(count);
    }
    expect(result.total.suppressed ? null : result.total.count).toBe(inUnit.length >= 5 ? inUnit.length : null);
  });

  it('refuses the hotline, which may read neither the premiums nor aggregates, as a field that does not exist', async () => {
    const response = await aggregates({ groupBy: ['BRANCH'] }, { role: 'HOTLINE_AGENT' });
    expect(response.data).toBeUndefined();
    // Its schema has neither the field nor the types only the field uses (the operation's variable type is unknown too).
    expect(response.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ message: 'Cannot query field "policyAggregates" on type "Query".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
      ]),
    );
    expect(response.errors!.every((error) => error.extensions?.code === 'GRAPHQL_VALIDATION_FAILED')).toBe(true);
  });

  it('gives claims, complaints and service requests their figures, equal to a hand count over the stored rows', async () => {
    const claims = (await graph.subgraphs
      .claims!.db.table('claims')
      .select('branch_path', 'paid', 'outstanding_reserve', 'recoveries', 'closed_at', 'reported_at')) as Record<string, string | number | null>[];
    const claimAnswer = await graph.query<{ claimAggregates: { groups: (Group & { paid: Stats; incurred: Stats; settlementDays: Stats | null })[] } }>(
      `{ claimAggregates(groupBy: [BRANCH], branchLevel: 2) { groups { branch { id } count paid { sum } incurred { sum min max } settlementDays { sum } } } }`,
      {},
      { role: 'AUDITOR', purpose: 'AUDIT' },
    );
    expect(claimAnswer.errors).toBeUndefined();
    const byProvince = new Map<string, { count: number; paid: number; incurred: number }>();
    for (const claim of claims) {
      const key = lastId(truncate(String(claim.branch_path), 2));
      const entry = byProvince.get(key) ?? { count: 0, paid: 0, incurred: 0 };
      const incurred = Number(claim.paid) + Number(claim.outstanding_reserve) - Number(claim.recoveries);
      byProvince.set(key, { count: entry.count + 1, paid: entry.paid + Number(claim.paid), incurred: entry.incurred + incurred });
    }
    expect(claimAnswer.data!.claimAggregates.groups).toHaveLength(byProvince.size);
    for (const group of claimAnswer.data!.claimAggregates.groups) {
      const hand = byProvince.get(group.branch!.id)!;
      expect(group.count).toBe(hand.count);
      expect(group.paid.sum).toBeCloseTo(hand.paid, 2);
      expect(group.incurred.sum).toBeCloseTo(hand.incurred, 2);
    }
    for (const [root, table, dimension] of [
      ['complaintAggregates', 'complaints', 'CATEGORY'],
      ['serviceRequestAggregates', 'service_requests', 'TYPE'],
    ] as const) {
      const column = dimension === 'CATEGORY' ? 'category' : 'type';
      const stored = (await graph.subgraphs[table === 'complaints' ? 'complaints' : 'service-requests']!.db.table(table).select(column)) as Record<
        string,
        string
      >[];
      const counts = new Map<string, number>();
      for (const row of stored) counts.set(row[column]!, (counts.get(row[column]!) ?? 0) + 1);
      const response = await graph.query<Record<string, { groups: Record<string, unknown>[]; minimumGroupSize: number | null }>>(
        `{ ${root}(groupBy: [${dimension}]) { minimumGroupSize groups { ${column} count suppressed } } }`,
        {},
        BI_ANALYST,
      );
      expect(response.errors).toBeUndefined();
      // Their figures are INTERNAL facts of each record, which BI reads anyway: exact, nothing suppressed.
      expect(response.data![root]!.minimumGroupSize).toBeNull();
      expect(Object.fromEntries(response.data![root]!.groups.map((group) => [group[column], group.count]))).toEqual(Object.fromEntries(counts));
    }
  });

  it('decides grouping claims by cause under the HEALTH rules: suppressed for BI, refused to an operator', async () => {
    const query = `{ claimAggregates(groupBy: [CAUSE]) { minimumGroupSize groups { cause suppressed count paid { sum } } } }`;
    const claims = (await graph.subgraphs.claims!.db.table('claims').select('cause')) as { cause: string }[];
    const bi = await graph.query<{ claimAggregates: { minimumGroupSize: number; groups: { cause: string; suppressed: boolean; count: number | null }[] } }>(
      query,
      {},
      BI_ANALYST,
    );
    expect(bi.errors).toBeUndefined();
    expect(bi.data!.claimAggregates.minimumGroupSize).toBe(5);
    for (const group of bi.data!.claimAggregates.groups) {
      const count = claims.filter((claim) => claim.cause === group.cause).length;
      if (count < 5) expect(group.suppressed).toBe(true);
      if (!group.suppressed) expect(group.count).toBe(count);
    }
    const operator = await graph.query(`{ claimAggregates(groupBy: [CAUSE]) { groups { suppressed count } } }`, {}, { role: 'OPERATOR' });
    expect(operator.data).toEqual({ claimAggregates: null });
    expect(operator.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN_FIELD', coordinate: 'Claim.cause' }) })]);
  });

  it('audits every aggregate read with the rule that decided it', async () => {
    const response = await aggregates({ groupBy: ['STATUS'] }, BI_ANALYST);
    const requestId = response.headers.get('x-request-id')!;
    const auditStore = await openAuditStore(graph.databases.config);
    try {
      let found: AuditRow[] = [];
      for (let attempt = 0; attempt < 100 && !found.some((row) => row.coordinate === 'Query.policyAggregates'); attempt++) {
        found = await auditStore.table(AUDIT_TABLE).where({ request_id: requestId }).select<AuditRow[]>('*');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(found).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ coordinate: 'Query.policyAggregates', role: 'BI_ANALYST', decision: 'ALLOW', rule: 'BI_ANALYST/aggregates:k=5' }),
          expect.objectContaining({ coordinate: 'PolicyAggregateGroup.writtenPremium', decision: 'ALLOW' }),
        ]),
      );
    } finally {
      await auditStore.destroy();
    }
  });
});
