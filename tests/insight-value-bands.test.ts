/**
 * The value bands of the segmentation (subgraphs/insights/insight-rules.yaml, `segmentation.value`: TOP 1 %, BIG 4 %,
 * MEDIUM 15 % of customers by earned premium, the rest SMALL) on both sides of each cut, through the gateway (issue 11,
 * "Done when"). A band is a share of the whole population ranked, so the fixture is the whole population: 100
 * customers, every one's facts written into the insights read model, one value each; the subgraph's own recompute
 * job ranks them, and each customer's band is read as an auditor.
 */
import { SettableClock } from '@icg/shared';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { replaceFacts, type Facts } from './support/insight-facts';
import { TEST_DIALECTS } from './support/test-database';

const AS_OF = '2026-11-02T02:00:00Z';
const POPULATION = 100;

/**
 * Customer n's value (earned premium over the 36-month window): ¥(101 − n) × 100, so customer 1 is ranked first and
 * customer 99 99th; customer 21 ties with customer 20 at the 20 % cut; customer 100 has no premium at all.
 */
function valueOf(customer: number): string {
  if (customer === POPULATION) return '0.00';
  return `${(101 - (customer === 21 ? 20 : customer)) * 100}.00`;
}

/** A year's cover, expired and wholly inside the window: all of it is earned. */
const factsOf = (customer: number): Facts => ({
  since: '2020-01-01',
  policies: customer === POPULATION ? [] : [{ written: valueOf(customer), effective: '2025-10-01', expiry: '2026-09-30' }],
});

describe.each(TEST_DIALECTS)('value bands over the whole population, through the gateway on %s', (dialect) => {
  let graph: GraphUnderTest;
  const bands = new Map<number, string | null>();

  beforeAll(async () => {
    graph = await startGraph({ dialect, clock: new SettableClock(AS_OF), customers: POPULATION });
    const db = graph.subgraphs['insights']!.db;
    expect(Number(((await db('insight_customers').count({ n: '*' })) as { n: number | string }[])[0]!.n)).toBe(POPULATION);
    for (let customer = 1; customer <= POPULATION; customer++) await replaceFacts(db, String(customer), factsOf(customer));
    await graph.subgraphs['insights']!.jobs.runNow('insights-recompute');
    for (let customer = 1; customer <= POPULATION; customer++) {
      const response = await graph.query<{ customer: { insight: { valueSegment: string | null } } }>(
        'query Band($id: ID!) { customer(id: $id) { insight { valueSegment } } }',
        { id: String(customer) },
      );
      if (response.errors) throw new Error(JSON.stringify(response.errors));
      bands.set(customer, response.data!.customer.insight.valueSegment);
    }
  }, 180_000);
  afterAll(async () => graph?.close());

  it.each([
    ['TOP (top 1 %: the 1st of 100)', 1, 'TOP'],
    ['BIG, just short of TOP (2nd)', 2, 'BIG'],
    ['BIG (5th: top 1 % + 4 %)', 5, 'BIG'],
    ['MEDIUM, just short of BIG (6th)', 6, 'MEDIUM'],
    ['MEDIUM (20th: top 20 %)', 20, 'MEDIUM'],
    ['MEDIUM, tied with the 20th at the cut', 21, 'MEDIUM'],
    ['SMALL, just short of MEDIUM (22nd)', 22, 'SMALL'],
    ['SMALL (99th)', 99, 'SMALL'],
    ['SMALL, with no value at all', 100, 'SMALL'],
  ] as const)('%s', (_case, customer, band) => {
    expect({ customer, value: valueOf(customer), band: bands.get(customer) }).toEqual({ customer, value: valueOf(customer), band });
  });

  it('every customer is in a band, and the bands are the shares the rules file names', () => {
    const counts = new Map<string, number>();
    for (const band of bands.values()) counts.set(String(band), (counts.get(String(band)) ?? 0) + 1);
    // 1, 4 and 15 of 100 customers, plus the customer tied at the 20 % cut.
    expect(Object.fromEntries(counts)).toEqual({ TOP: 1, BIG: 4, MEDIUM: 16, SMALL: 79 });
  });
});
