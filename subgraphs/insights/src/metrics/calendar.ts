/**
 * Day arithmetic for the rules and metrics, on UTC calendar days numbered from 1970-01-01. Periods are
 * half-open, [start, end): a policy's term runs from its effective date up to (not including) its expiry
 * date, as the policies subgraph's earnedPremium counts it, and a window "the 12 months before asOf" is
 * [asOf − 12 months, asOf).
 */
import type { IsoDate, IsoTimestamp } from '../rules/customer-figures';

export const DAY_MS = 86_400_000;

/** A UTC calendar day as a whole number of days since 1970-01-01. */
export type DayNumber = number;

/** The UTC day an ISO date or timestamp falls on; throws naming `field` when it is not one. */
export function dayOf(value: IsoDate | IsoTimestamp | Date, field = 'date'): DayNumber {
  const time = value instanceof Date ? value.getTime() : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time)) throw new RangeError(`${field}: must be a date YYYY-MM-DD or an ISO 8601 UTC timestamp`);
  return Math.floor(time / DAY_MS);
}

/** Milliseconds since the epoch of an ISO date (midnight UTC) or timestamp. */
export function instantOf(value: IsoDate | IsoTimestamp | Date, field = 'timestamp'): number {
  const time = value instanceof Date ? value.getTime() : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time)) throw new RangeError(`${field}: must be a date YYYY-MM-DD or an ISO 8601 UTC timestamp`);
  return time;
}

export function isoDay(day: DayNumber): IsoDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The same calendar day `months` months earlier (later when negative), clamped to the month's last day:
 * 2024-02-29 minus 12 months is 2023-02-28.
 */
export function addMonths(day: DayNumber, months: number): DayNumber {
  const date = new Date(day * DAY_MS);
  const targetMonth = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(targetMonth / 12);
  const month = targetMonth - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Math.floor(Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay)) / DAY_MS);
}

/** Whole years from `from` to `to` by anniversaries (2020-03-01 → 2023-02-28 is 2; → 2023-03-01 is 3). */
export function completedYears(from: DayNumber, to: DayNumber): number {
  if (to < from) return 0;
  const a = new Date(from * DAY_MS);
  const b = new Date(to * DAY_MS);
  let years = b.getUTCFullYear() - a.getUTCFullYear();
  if (addMonths(from, years * 12) > to) years -= 1;
  return Math.max(0, years);
}

/** Days two half-open periods [aStart, aEnd) and [bStart, bEnd) share. */
export function overlapDays(aStart: DayNumber, aEnd: DayNumber, bStart: DayNumber, bEnd: DayNumber): number {
  return Math.max(0, Math.min(aEnd, bEnd) - Math.max(aStart, bStart));
}
