/**
 * Statistics for a benchmark measured in adjacent pairs of rounds (a treatment and its baseline
 * back to back, order alternating), so slow drift in a shared machine's load falls on both halves
 * of a pair and the per-pair ratio cancels most of it. Pure: no I/O, no clock.
 */

/** Which direction of a measure is better: throughput is `higher`, latency and time per request `lower`. */
export type Better = 'higher' | 'lower';

/** One pair's measure of the same quantity for both variants. */
export interface PairMeasure {
  baseline: number;
  treatment: number;
}

/** The per-pair costs of a measure, in run order, with their median and quartiles. */
export interface PairedRoundsSummary {
  /** Cost of each pair in run order: a fraction, positive when the treatment is worse. */
  costs: number[];
  median: number;
  /** First and third quartiles of `costs`: the middle half of the pairs lies between them. */
  q1: number;
  q3: number;
}

function sortedCopy(values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('no values');
  if (values.some((value) => Number.isNaN(value))) throw new RangeError('NaN among the values');
  return [...values].sort((a, b) => a - b);
}

/**
 * Quantile `share` (0..1) interpolated linearly between order statistics (Hyndman–Fan type 7, the
 * default of R and NumPy): quantile 0 is the minimum, 1 the maximum.
 */
export function quantile(values: readonly number[], share: number): number {
  if (!(share >= 0 && share <= 1)) throw new RangeError(`quantile share ${share} is not within 0..1`);
  const sorted = sortedCopy(values);
  const position = share * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** The middle value; for an even count, the mean of the two middle values. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * Nearest-rank percentile (`share` in 0..1): the smallest observed value with at least `share` of
 * the values at or below it, so a latency percentile is always a latency that was observed.
 */
export function percentile(values: readonly number[], share: number): number {
  if (!(share > 0 && share <= 1)) throw new RangeError(`percentile share ${share} is not within (0, 1]`);
  const sorted = sortedCopy(values);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

/** First quartile, median and third quartile (type 7 quantiles). */
export function interquartileRange(values: readonly number[]): { q1: number; median: number; q3: number } {
  return { q1: quantile(values, 0.25), median: quantile(values, 0.5), q3: quantile(values, 0.75) };
}

/** Which variant runs first in pair `pairIndex` (from 0): `first` in even pairs, `second` in odd ones. */
export function pairOrder<T>(pairIndex: number, first: T, second: T): [T, T] {
  if (!Number.isInteger(pairIndex) || pairIndex < 0) throw new RangeError(`pair index ${pairIndex} is not a non-negative integer`);
  return pairIndex % 2 === 0 ? [first, second] : [second, first];
}

/**
 * The treatment's cost relative to the baseline in one pair, as a fraction that is positive when
 * the treatment is worse: `1 − treatment/baseline` when higher is better (throughput lost),
 * `treatment/baseline − 1` when lower is better (latency or work added).
 */
export function pairCost(measure: PairMeasure, better: Better): number {
  const { baseline, treatment } = measure;
  if (!(baseline > 0) || !(treatment >= 0) || !Number.isFinite(baseline) || !Number.isFinite(treatment)) {
    throw new RangeError(`cannot compare treatment ${treatment} with baseline ${baseline}`);
  }
  return better === 'higher' ? 1 - treatment / baseline : treatment / baseline - 1;
}

/** Per-pair costs of one measure over all pairs (in run order), their median and interquartile range. */
export function pairedRounds(pairs: readonly PairMeasure[], better: Better): PairedRoundsSummary {
  const costs = pairs.map((pair) => pairCost(pair, better));
  return { costs, ...interquartileRange(costs) };
}
