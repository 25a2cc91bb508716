/**
 * The customer-manager calendar, computed from the injectable clock (DOMAIN.md section 2): a month's visit report
 * falls due some days after the month ends; a grade is re-certified a year after the last certification. Pure, so a
 * test moves a SettableClock and reads the effect without waiting.
 */
import { defineStateMachine, isoDate } from '@icg/shared';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** `YYYY-MM` of a date (UTC). */
export function monthOf(date: Date): string {
  return isoDate(date).slice(0, 7);
}

/** The month before the one `date` is in: the last month that has ended. */
export function lastEndedMonth(date: Date): string {
  return monthOf(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1)));
}

export function isMonth(value: string): boolean {
  return MONTH.test(value);
}

/** The day a month's visit report is due: `dueDays` after the month's last day, `YYYY-MM-DD`. */
export function visitReportDueDate(month: string, dueDays: number): string {
  const match = MONTH.exec(month);
  if (!match) throw new Error(`visitReportDueDate: ${month} is not YYYY-MM`);
  // Day 0 of the next month is the month's last day.
  return isoDate(new Date(Date.UTC(Number(match[1]), Number(match[2]), dueDays)));
}

/** Overdue once the due day has passed without a report (on the due day itself it is still on time). */
export function visitReportOverdue(month: string, dueDays: number, submitted: boolean, now: Date): boolean {
  return !submitted && isoDate(now) > visitReportDueDate(month, dueDays);
}

/** Submitted after its due day (submitted on the due day is on time). */
export function visitReportLate(month: string, dueDays: number, submittedAt: Date): boolean {
  return isoDate(submittedAt) > visitReportDueDate(month, dueDays);
}

/** The same day a year later (29 February → 28 February). */
export function aYearAfter(day: string): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(year + 1, month - 1, date));
  // Date.UTC rolls 29 February over into March.
  return isoDate(next.getUTCMonth() === month - 1 ? next : new Date(Date.UTC(year + 1, month - 1, 28)));
}

export type CertificationStatus = 'CERTIFIED' | 'DUE' | 'OVERDUE';

/**
 * A manager's yearly certification: CERTIFIED until `noticeDays` before it falls due, then DUE (re-certification may
 * be made), OVERDUE from the due day on. Re-certifying makes it CERTIFIED again; a manager never certified is DUE.
 */
export const certificationMachine = defineStateMachine<CertificationStatus>('manager certification', {
  CERTIFIED: ['DUE'],
  DUE: ['CERTIFIED', 'OVERDUE'],
  OVERDUE: ['CERTIFIED'],
});

/** The day the next certification falls due: a year after the last one; null when there is none. */
export function certificationDueDate(lastCertifiedOn: string | null): string | null {
  return lastCertifiedOn === null ? null : aYearAfter(lastCertifiedOn);
}

export function certificationStatus(lastCertifiedOn: string | null, noticeDays: number, now: Date): CertificationStatus {
  const due = certificationDueDate(lastCertifiedOn);
  if (due === null) return 'DUE';
  const today = isoDate(now);
  if (today >= due) return 'OVERDUE';
  const noticeFrom = isoDate(new Date(Date.parse(`${due}T00:00:00Z`) - noticeDays * 86_400_000));
  return today >= noticeFrom ? 'DUE' : 'CERTIFIED';
}
