import type { AggregateGroup, AggregateResult } from '@icg/shared';
import { monthBounds } from '@icg/shared';
import { ninetiethPercentile } from '../service-analysis';

/** A histogram as the GROUP BY on handling minutes returns it: minutes → tickets. */
function histogram(bins: Record<string, number>, mode: AggregateResult['mode'] = 'EXACT'): AggregateResult {
  const groups: AggregateGroup[] = Object.entries(bins).map(([minutes, count]) => ({
    id: minutes,
    suppressed: false,
    count,
    minutes: minutes === '' ? null : minutes,
  }));
  const total: AggregateGroup = { id: '[]', suppressed: false, count: groups.reduce((sum, group) => sum + group.count!, 0) };
  return { groups, total, mode, minimumGroupSize: mode === 'EXACT' ? null : 5, suppressedGroups: 0 };
}

describe('the customer-service analysis', () => {
  it('reads a month as its first and last day, and refuses anything else naming the argument', () => {
    expect(monthBounds('2024-02')).toMatchObject({ first: '2024-02-01', last: '2024-02-29' });
    expect(monthBounds('2026-12')).toMatchObject({ first: '2026-12-01', last: '2026-12-31' });
    for (const bad of ['2026-13', '2026-1', '2026-00', '26-01', '2026-01-01', null]) expect(() => monthBounds(bad)).toThrow(/month/);
  });

  it('takes the p90 by nearest rank, counting each minute as often as tickets took it, numerically ordered', () => {
    // 10 tickets: ranks 1–9 are 5 to 90 minutes, rank 10 is 600; ⌈0.9 × 10⌉ = 9 → 90 (not 600, and 90 < 600 as numbers).
    expect(ninetiethPercentile(histogram({ '5': 3, '30': 3, '60': 2, '90': 1, '600': 1 }))).toBe(90);
    // 12 tickets: the 11th.
    expect(ninetiethPercentile(histogram({ '10': 1, '20': 1, '30': 2, '40': 1, '45': 1, '50': 1, '60': 1, '70': 1, '210': 1, '300': 1, '600': 1 }))).toBe(300);
    // Unresolved tickets (no minutes) are not ranked; nothing resolved, no p90.
    expect(ninetiethPercentile(histogram({ '': 4, '15': 1 }))).toBe(15);
    expect(ninetiethPercentile(histogram({ '': 4 }))).toBeNull();
  });

  it('gives no p90 where small groups are suppressed: it is one ticket’s own figure', () => {
    expect(ninetiethPercentile(histogram({ '5': 10 }, 'SUPPRESSED'))).toBeNull();
    expect(ninetiethPercentile(null)).toBeNull();
  });
});
