import { ConfigError } from '@icg/shared';
import { DEADLINE_WARNING_PERCENT_VARIABLE, deadlineDays, deadlineWarningAt, dueDateOf, isOverdue, loadComplaintRules } from '../deadlines';

const at = (iso: string): Date => new Date(iso);

describe('complaint deadlines', () => {
  it('allows 15 days, 30 after the complex-case extension, 60 after the further approved one, never more', () => {
    expect(deadlineDays([])).toBe(15);
    expect(deadlineDays([15])).toBe(30);
    expect(deadlineDays([15, 30])).toBe(60);
    expect(deadlineDays([15, 30, 30])).toBe(60);
  });

  it('falls due the given number of days after acceptance', () => {
    expect(dueDateOf(at('2026-05-01T08:00:00Z'), 15)).toBe('2026-05-16');
    expect(dueDateOf(at('2026-12-20T23:30:00Z'), 15)).toBe('2027-01-04');
  });

  it('warns at the configured share of the deadline', () => {
    expect(deadlineWarningAt(at('2026-05-01T08:00:00Z'), 15, { deadlineWarningPercent: 80 }).toISOString()).toBe('2026-05-13T08:00:00.000Z');
    expect(deadlineWarningAt(at('2026-05-01T08:00:00Z'), 30, { deadlineWarningPercent: 50 }).toISOString()).toBe('2026-05-16T08:00:00.000Z');
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
