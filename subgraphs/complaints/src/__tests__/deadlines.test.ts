import { ConfigError } from '@icg/shared';
import {
  DEADLINE_WARNING_PERCENT_VARIABLE,
  deadlineDays,
  deadlineWarningAt,
  dueDateOf,
  isDeadlineWarning,
  isOverdue,
  loadComplaintRules,
  nextExtensionDays,
} from '../deadlines';

const at = (iso: string): Date => new Date(iso);

describe('complaint deadlines', () => {
  it('allows 15 days, 30 after the complex-case extension, 60 after the further approved one, never more', () => {
    expect(deadlineDays([])).toBe(15);
    expect(deadlineDays([15])).toBe(30);
    expect(deadlineDays([15, 30])).toBe(60);
    expect(deadlineDays([15, 30, 30])).toBe(60);
  });

  it('extends by 15 days to 30, then by a further 30 to 60, and offers nothing after that', () => {
    expect(nextExtensionDays(0)).toBe(15);
    expect(nextExtensionDays(1)).toBe(30);
    expect(nextExtensionDays(2)).toBeNull();
    expect(deadlineDays([nextExtensionDays(0)!, nextExtensionDays(1)!])).toBe(60);
  });

  it('falls due the given number of days after acceptance', () => {
    expect(dueDateOf(at('2026-05-01T08:00:00Z'), 15)).toBe('2026-05-16');
    expect(dueDateOf(at('2026-12-20T23:30:00Z'), 15)).toBe('2027-01-04');
  });

  it('warns at the configured share of the deadline', () => {
    expect(deadlineWarningAt(at('2026-05-01T08:00:00Z'), 15, { deadlineWarningPercent: 80 }).toISOString()).toBe('2026-05-13T08:00:00.000Z');
    expect(deadlineWarningAt(at('2026-05-01T08:00:00Z'), 30, { deadlineWarningPercent: 50 }).toISOString()).toBe('2026-05-16T08:00:00.000Z');
  });

  it('warns from the warning point until the decision is notified, and keeps warning once overdue', () => {
    const warningAt = at('2026-05-13T08:00:00Z');
    expect(isDeadlineWarning(warningAt, null, at('2026-05-13T07:59:59Z'))).toBe(false);
    expect(isDeadlineWarning(warningAt, null, at('2026-05-13T08:00:00Z'))).toBe(true);
    expect(isDeadlineWarning(warningAt, null, at('2026-06-30T00:00:00Z'))).toBe(true);
    expect(isDeadlineWarning(warningAt, at('2026-05-12T10:00:00Z'), at('2026-05-14T00:00:00Z'))).toBe(false);
    // Notified after the warning point: it warned until then.
    expect(isDeadlineWarning(warningAt, at('2026-05-14T10:00:00Z'), at('2026-05-14T09:00:00Z'))).toBe(true);
    expect(isDeadlineWarning(warningAt, at('2026-05-14T10:00:00Z'), at('2026-05-14T10:00:00Z'))).toBe(false);
  });

  it('is overdue once the due date has ended without the decision notified, and stays so when notified late', () => {
    const due = '2026-05-16';
    expect(isOverdue(due, null, at('2026-05-16T23:59:59Z'))).toBe(false);
    expect(isOverdue(due, null, at('2026-05-17T00:00:00Z'))).toBe(true);
    expect(isOverdue(due, at('2026-05-16T18:00:00Z'), at('2026-06-30T00:00:00Z'))).toBe(false);
    expect(isOverdue(due, at('2026-05-18T09:00:00Z'), at('2026-06-30T00:00:00Z'))).toBe(true);
    // Notified after asOf: as of asOf the decision was still outstanding.
    expect(isOverdue(due, at('2026-05-18T09:00:00Z'), at('2026-05-17T12:00:00Z'))).toBe(true);
  });

  it('reads the warning share from the environment, 80 % by default, refusing values outside 1-99', () => {
    expect(loadComplaintRules({})).toEqual({ deadlineWarningPercent: 80 });
    expect(loadComplaintRules({ [DEADLINE_WARNING_PERCENT_VARIABLE]: '75' })).toEqual({ deadlineWarningPercent: 75 });
    expect(() => loadComplaintRules({ [DEADLINE_WARNING_PERCENT_VARIABLE]: '100' })).toThrow(ConfigError);
    expect(() => loadComplaintRules({ [DEADLINE_WARNING_PERCENT_VARIABLE]: 'eighty' })).toThrow(/COMPLAINTS_DEADLINE_WARNING_PERCENT/);
  });
});
