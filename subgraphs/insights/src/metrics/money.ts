/**
 * Money for the insight rules and metrics: every amount becomes whole fen (an integer) on entry, sums are
 * integer sums, and proration rounds once, in BigInt, so neither binary fractions nor products above 2^53
 * drift a figure. Amounts go out as decimal strings with two places ("1234.50"), the form the events
 * carry (`money` in shared/src/events/payload-schema.ts); ratios go out as numbers.
 */
import type { MoneyAmount } from '../rules/customer-figures';

/** Whole fen (1 yuan = 100 fen). */
export type Fen = number;

const DECIMAL_YUAN = /^(-?)(\d{1,15})(?:\.(\d{1,2}))?$/;

/** Yuan (decimal string or number with at most two places) to whole fen; throws naming `field` otherwise. */
export function toFen(amount: MoneyAmount, field = 'amount'): Fen {
  if (typeof amount === 'number') {
    if (!Number.isFinite(amount)) throw new RangeError(`${field}: must be a finite amount of yuan`);
    // A DECIMAL(…,2) read as a number is the nearest double to a two-place value: rounding recovers it.
    return Math.round(amount * 100);
  }
  const match = DECIMAL_YUAN.exec(amount.trim());
  if (match === null) throw new RangeError(`${field}: must be an amount of yuan with at most two decimal places, e.g. "1234.50"`);
  const [, sign, whole, fraction = ''] = match;
  const fen = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return sign === '-' && fen !== 0 ? -fen : fen;
}

/** Whole fen as yuan with two decimal places, e.g. 123450 → "1234.50", -5 → "-0.05". */
export function fenToYuan(fen: Fen): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError('fen: must be a whole number of fen');
  const sign = fen < 0 ? '-' : '';
  const absolute = Math.abs(fen);
  return `${sign}${Math.floor(absolute / 100)}.${String(absolute % 100).padStart(2, '0')}`;
}

export function sumFen(values: Iterable<Fen>): Fen {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/**
 * fen × numerator ÷ denominator, rounded half away from zero to the fen, computed exactly (BigInt): the
 * one rounding of a pro-rata share. `denominator` must be positive.
 */
export function prorateFen(fen: Fen, numerator: number, denominator: number): Fen {
  if (denominator <= 0 || !Number.isInteger(denominator) || !Number.isInteger(numerator))
    throw new RangeError('prorateFen: whole numerator, positive whole denominator');
  const product = BigInt(fen) * BigInt(numerator);
  const divisor = BigInt(denominator);
  const magnitude = product < 0n ? -product : product;
  const rounded = (magnitude * 2n + divisor) / (2n * divisor);
  return Number(product < 0n ? -rounded : rounded);
}

/** numerator ÷ denominator as a number, or null when the denominator is zero (no ratio, not infinity). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}
