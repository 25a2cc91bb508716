/** Calendar helpers on UTC dates, for resolvers (deadlines, date arguments) and seeders alike. */

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
