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

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil): no Date object, no parsing. */
function daysFromCivil(year: number, month: number, day: number): DayNumber {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The inverse of daysFromCivil. */
function civilFromDays(dayNumber: DayNumber): { year: number; month: number; day: number } {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;

/** The whole number written by the digits of `text` from `start` to `end`, or -1 when one is not a digit. */
function digitsAt(text: string, start: number, end: number): number {
  let value = 0;
  for (let index = start; index < end; index += 1) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** `YYYY-MM-DD` alone, or starting a UTC timestamp (`…T…Z`, whose date part is its UTC day). */
const isDateOrUtcTimestamp = (text: string): boolean =>
  text.length >= 10 && text[4] === '-' && text[7] === '-' && (text.length === 10 || (text[10] === 'T' && text.endsWith('Z')));

/**
 * The UTC day an ISO date or timestamp falls on; throws naming `field` when it is not one. Dates and UTC
 * timestamps (the forms the read model and the events use) are read arithmetically, because a full refresh
 * computes this millions of times; anything else (an offset timestamp) goes through Date.parse.
 */
export function dayOf(value: IsoDate | IsoTimestamp | Date, field = 'date'): DayNumber {
  if (value instanceof Date) {
    const time = value.getTime();
    if (Number.isNaN(time)) throw new RangeError(`${field}: must be a valid date`);
    return Math.floor(time / DAY_MS);
  }
  if (isDateOrUtcTimestamp(value)) {
    const year = digitsAt(value, 0, 4);
    const month = digitsAt(value, 5, 7);
    const day = digitsAt(value, 8, 10);
    if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) return daysFromCivil(year, month, day);
    throw new RangeError(`${field}: ${value.slice(0, 10)} is not a calendar day`);
  }
  const time = Date.parse(value);
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
  const date = civilFromDays(day);
  const target = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(target / 12);
  const month = target - year * 12 + 1;
  return daysFromCivil(year, month, Math.min(date.day, daysInMonth(year, month)));
}

/** Whole years from `from` to `to` by anniversaries (2020-03-01 → 2023-02-28 is 2; → 2023-03-01 is 3). */
export function completedYears(from: DayNumber, to: DayNumber): number {
  if (to < from) return 0;
  let years = civilFromDays(to).year - civilFromDays(from).year;
  if (addMonths(from, years * 12) > to) years -= 1;
  return Math.max(0, years);
}

/** Days two half-open periods [aStart, aEnd) and [bStart, bEnd) share. */
export function overlapDays(aStart: DayNumber, aEnd: DayNumber, bStart: DayNumber, bEnd: DayNumber): number {
  return Math.max(0, Math.min(aEnd, bEnd) - Math.max(aStart, bStart));
}
