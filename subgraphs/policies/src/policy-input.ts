import { addDays, invalidInput, isoDate, parseIsoDate } from '@icg/shared';

const DAY_MS = 86_400_000;
/** The store keeps money as DECIMAL(15, 2): 13 digits before the point. */
const LARGEST_AMOUNT = 9_999_999_999_999.99;
/** How far ahead cover may be quoted to start *(default)*. */
export const LATEST_START_DAYS = 180;
/** The longest term a policy may run, in days: three years and a leap day. */
export const LONGEST_TERM_DAYS = 3 * 365 + 1;

/**
 * A positive amount of money in yuan with at most two decimals (the schema's Float, as the store's
 * DECIMAL(15, 2) holds it); BAD_USER_INPUT naming the field otherwise.
 */
export function parseMoney(value: number, field: string): number {
  if (!Number.isFinite(value) || value <= 0) throw invalidInput(field, 'must be an amount above 0');
  if (value > LARGEST_AMOUNT) throw invalidInput(field, `must be at most ${LARGEST_AMOUNT}`);
  // Binary fractions: 19.99 * 100 is 1998.9999999999998, so compare within a hundredth of a fen.
  if (Math.abs(value * 100 - Math.round(value * 100)) > 1e-4) throw invalidInput(field, 'must have at most two decimal places (yuan and fen)');
  return Math.round(value * 100) / 100;
}

/** A calendar date `YYYY-MM-DD`; BAD_USER_INPUT naming the field otherwise. */
export function parseDate(value: unknown, field: string): string {
  const date = parseIsoDate(value, field);
  if (date === null) throw invalidInput(field, 'must be a date, YYYY-MM-DD');
  return date;
}

const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** Days from `from` to `to`, both `YYYY-MM-DD`. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** `YYYY-MM-DD` plus whole days. */
export function datePlusDays(date: string, days: number): string {
  return isoDate(addDays(new Date(`${date}T00:00:00Z`), days));
}

/** The same day one year on (29 February becomes 1 March): the usual term of a policy. */
export function oneYearAfter(date: string): string {
  const start = new Date(`${date}T00:00:00Z`);
  return isoDate(new Date(Date.UTC(start.getUTCFullYear() + 1, start.getUTCMonth(), start.getUTCDate())));
}

export interface CoverPeriod {
  effectiveDate: string;
  expiryDate: string;
}

/**
 * The period a quote covers: it starts today or later (cover is never backdated) but within
 * LATEST_START_DAYS, and ends after it starts, one year later unless given, at most LONGEST_TERM_DAYS on.
 * `fieldOf` names the input fields in errors.
 */
export function parseCoverPeriod(
  input: { effectiveDate: unknown; expiryDate?: unknown },
  today: string,
  fieldOf: (name: 'effectiveDate' | 'expiryDate') => string,
): CoverPeriod {
  const effectiveDate = parseDate(input.effectiveDate, fieldOf('effectiveDate'));
  if (effectiveDate < today) throw invalidInput(fieldOf('effectiveDate'), `must be today (${today}) or later: cover is never backdated`);
  const latestStart = datePlusDays(today, LATEST_START_DAYS);
  if (effectiveDate > latestStart) throw invalidInput(fieldOf('effectiveDate'), `must be at most ${LATEST_START_DAYS} days ahead (${latestStart})`);
  const expiryDate =
    input.expiryDate === undefined || input.expiryDate === null ? oneYearAfter(effectiveDate) : parseDate(input.expiryDate, fieldOf('expiryDate'));
  const term = daysBetween(effectiveDate, expiryDate);
  if (term < 1) throw invalidInput(fieldOf('expiryDate'), 'must be after effectiveDate');
  if (term > LONGEST_TERM_DAYS) throw invalidInput(fieldOf('expiryDate'), `must be at most ${LONGEST_TERM_DAYS} days after effectiveDate`);
  return { effectiveDate, expiryDate };
}

/** The written premium is a part of the sum insured: a premium above it is a slip. */
export function checkPremiumWithinSumInsured(writtenPremium: number, sumInsured: number, field: string): void {
  if (writtenPremium > sumInsured) throw invalidInput(field, 'must not exceed the sum insured');
}
