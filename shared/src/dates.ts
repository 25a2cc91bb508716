/** Calendar helpers on UTC dates, for resolvers (deadlines, date arguments) and seeders alike. */
import { badUserInput } from './errors';

const DAY_MS = 86_400_000;

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** `YYYY-MM-DD` in UTC. */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The last whole calendar month before `now` (UTC), `YYYY-MM`: what a monthly report covers when no month is named. */
export function previousMonth(now: Date): string {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth(); // 0-based: the previous month's 1-based number
  return month === 0 ? `${year - 1}-12` : `${year}-${String(month).padStart(2, '0')}`;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, the form both SQLite and MySQL DATETIME columns take. */
export function sqlTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** A report's `month` argument (YYYY-MM): its first and last day and the next month's first day, YYYY-MM-DD. */
export function monthBounds(month: unknown, argumentName = 'month'): { first: string; last: string; next: string } {
  const match = typeof month === 'string' ? MONTH.exec(month) : null;
  if (!match) throw badUserInput(argumentName, 'must be a month, YYYY-MM');
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  return {
    first: isoDate(new Date(Date.UTC(year, index, 1))),
    last: isoDate(new Date(Date.UTC(year, index + 1, 0))),
    next: isoDate(new Date(Date.UTC(year, index + 1, 1))),
  };
}
