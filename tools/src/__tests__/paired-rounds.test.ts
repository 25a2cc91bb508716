import { interquartileRange, median, pairCost, pairedRounds, pairOrder, percentile, quantile } from '../benchmarks/paired-rounds';

describe('paired-rounds statistics', () => {
  it('takes the middle value as the median, the mean of the two middle ones for an even count, whatever the input order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    const input = [3, 1, 2];
    median(input);
    expect(input).toEqual([3, 1, 2]);
  });

  it('interpolates quantiles between order statistics and gives the quartiles of known arrays', () => {
    expect(quantile([10, 20, 30, 40, 50], 0)).toBe(10);
    expect(quantile([10, 20, 30, 40, 50], 1)).toBe(50);
    expect(interquartileRange([1, 2, 3, 4, 5, 6, 7, 8, 9])).toEqual({ q1: 3, median: 5, q3: 7 });
    // Positions 0.75 and 2.25 of [1, 2, 3, 4]: 1.75 and 3.25 (as R's and NumPy's defaults).
    expect(interquartileRange([4, 3, 2, 1])).toEqual({ q1: 1.75, median: 2.5, q3: 3.25 });
  });

  it('takes nearest-rank percentiles, so a latency percentile is an observed latency', () => {
    const latencies = Array.from({ length: 200 }, (_, index) => index + 1);
    expect(percentile(latencies, 0.99)).toBe(198);
    expect(percentile(latencies, 0.5)).toBe(100);
    expect(percentile([12, 40, 7], 0.99)).toBe(40);
  });

  it('refuses empty input and shares outside their range', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
  });

  it('alternates which variant runs first, starting with the first named', () => {
    const orders = [0, 1, 2, 3].map((pair) => pairOrder(pair, 'enforced', 'baseline'));
    expect(orders).toEqual([
      ['enforced', 'baseline'],
      ['baseline', 'enforced'],
      ['enforced', 'baseline'],
      ['baseline', 'enforced'],
    ]);
    expect(() => pairOrder(-1, 'a', 'b')).toThrow(RangeError);
  });

  it('counts a cost as positive when the treatment is worse, in either direction of better', () => {
    expect(pairCost({ baseline: 200, treatment: 150 }, 'higher')).toBeCloseTo(0.25);
    expect(pairCost({ baseline: 200, treatment: 220 }, 'higher')).toBeCloseTo(-0.1);
    expect(pairCost({ baseline: 40, treatment: 50 }, 'lower')).toBeCloseTo(0.25);
    expect(() => pairCost({ baseline: 0, treatment: 1 }, 'higher')).toThrow(RangeError);
  });

  it('summarises per-pair costs in run order with their median and quartiles', () => {
    // The machine slows down over the run; the treatment is always exactly 10 % slower than its pair's baseline.
    const baselines = [200, 180, 160, 140, 120, 100];
    const pairs = baselines.map((baseline) => ({ baseline, treatment: baseline * 0.9 }));
    const summary = pairedRounds(pairs, 'higher');
    expect(summary.costs).toHaveLength(6);
    for (const cost of summary.costs) expect(cost).toBeCloseTo(0.1);
    expect(summary.median).toBeCloseTo(0.1);
    expect(summary.q1).toBeCloseTo(0.1);
    expect(summary.q3).toBeCloseTo(0.1);

    // A noisy run keeps its costs in run order and reports their spread.
    const noisy = pairedRounds(
      [
        { baseline: 100, treatment: 95 },
        { baseline: 100, treatment: 80 },
        { baseline: 100, treatment: 90 },
        { baseline: 100, treatment: 105 },
        { baseline: 100, treatment: 85 },
      ],
      'higher',
    );
    expect(noisy.costs.map((cost) => Math.round(cost * 100))).toEqual([5, 20, 10, -5, 15]);
    expect(noisy.median).toBeCloseTo(0.1);
    expect(noisy.q1).toBeCloseTo(0.05);
    expect(noisy.q3).toBeCloseTo(0.15);
  });
});
