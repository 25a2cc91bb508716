import { dueAtMs, requestsDueBy, requestsInRun } from '../benchmarks/soak/open-loop';

describe('bench:soak open-loop schedule (requests leave at a fixed rate whatever the answers)', () => {
  it('spaces the requests evenly: at 50 requests/s one every 20 ms, the first at once', () => {
    expect([0, 1, 2, 50].map((index) => dueAtMs(index, 50))).toEqual([0, 20, 40, 1_000]);
    expect(dueAtMs(3, 80)).toBeCloseTo(37.5, 10);
  });

  it('counts the requests due by a moment, so a loop woken late sends all it owes at once', () => {
    expect(requestsDueBy(-1, 50, 100)).toBe(0);
    expect(requestsDueBy(0, 50, 100)).toBe(1);
    expect(requestsDueBy(19.9, 50, 100)).toBe(1);
    expect(requestsDueBy(20, 50, 100)).toBe(2);
    // Woken 200 ms late at 1 s: requests 0..60 are due (61 in all), not one more than last time.
    expect(requestsDueBy(1_200, 50, 1_000)).toBe(61);
  });

  it('never owes more than the run holds', () => {
    const total = requestsInRun(60_000, 12.5);
    expect(total).toBe(750);
    expect(requestsDueBy(3_600_000, 12.5, total)).toBe(750);
  });

  it('keeps the rate over a long run with a fractional rate (no drift from rounding each interval)', () => {
    const rate = 33.3;
    const total = requestsInRun(30 * 60_000, rate);
    expect(total).toBe(59_940);
    // The last request is due just before the end, and by the end every request is due.
    expect(dueAtMs(total - 1, rate)).toBeLessThan(30 * 60_000);
    expect(requestsDueBy(30 * 60_000, rate, total)).toBe(total);
    // Half-way, half the requests are due (to within the one due at the instant).
    expect(Math.abs(requestsDueBy(15 * 60_000, rate, total) - total / 2)).toBeLessThanOrEqual(1);
  });
});
