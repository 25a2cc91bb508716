import { effectiveSlaDeadline, isSlaBreached, pauseMinutesEndingAt, slaElapsedMinutes, slaPausedMinutes, type SlaClock } from '../sla';

const at = (iso: string): Date => new Date(iso);

describe('the ticket SLA clock', () => {
  const due = at('2026-05-01T10:00:00Z');

  it('is breached when resolved after the deadline, and not when resolved before it', () => {
    const base: SlaClock = { slaDueAt: due, completedPauseMinutes: 0, pendingSince: null, resolvedAt: null };
    expect(isSlaBreached({ ...base, resolvedAt: at('2026-05-01T09:59:59Z') }, at('2026-06-01T00:00:00Z'))).toBe(false);
    expect(isSlaBreached({ ...base, resolvedAt: at('2026-05-01T10:00:01Z') }, at('2026-06-01T00:00:00Z'))).toBe(true);
  });

  it('moves the deadline back by the minutes already paused', () => {
    const clock: SlaClock = { slaDueAt: due, completedPauseMinutes: 90, pendingSince: null, resolvedAt: at('2026-05-01T11:20:00Z') };
    expect(isSlaBreached(clock, at('2026-06-01T00:00:00Z'))).toBe(false);
    expect(isSlaBreached({ ...clock, completedPauseMinutes: 60 }, at('2026-06-01T00:00:00Z'))).toBe(true);
  });

  it('judges an open ticket against now', () => {
    const open: SlaClock = { slaDueAt: due, completedPauseMinutes: 0, pendingSince: null, resolvedAt: null };
    expect(isSlaBreached(open, at('2026-05-01T09:00:00Z'))).toBe(false);
    expect(isSlaBreached(open, at('2026-05-01T10:30:00Z'))).toBe(true);
  });

  it('stands still while the ticket waits for the customer', () => {
    const waiting: SlaClock = { slaDueAt: due, completedPauseMinutes: 15, pendingSince: at('2026-05-01T09:00:00Z'), resolvedAt: null };
    expect(slaPausedMinutes(waiting, at('2026-05-01T09:00:00Z'))).toBe(15);
    expect(slaPausedMinutes(waiting, at('2026-05-03T09:00:00Z'))).toBe(15 + 2 * 24 * 60);
    // Two days past the original deadline, but the clock has been stopped since before it.
    expect(isSlaBreached(waiting, at('2026-05-03T09:00:00Z'))).toBe(false);
    // A ticket that went pending after its deadline stays breached.
    expect(isSlaBreached({ ...waiting, completedPauseMinutes: 0, pendingSince: at('2026-05-01T11:00:00Z') }, at('2026-05-03T09:00:00Z'))).toBe(true);
  });
});

describe('the SLA clock of the write side', () => {
  const opened = at('2026-05-01T08:00:00Z');
  const due = at('2026-05-01T09:00:00Z');

  it('counts elapsed minutes from opening, less every paused minute, until resolution or now', () => {
    const running: SlaClock = { slaDueAt: due, completedPauseMinutes: 20, pendingSince: null, resolvedAt: null };
    expect(slaElapsedMinutes(running, opened, at('2026-05-01T09:00:00Z'))).toBe(40);
    expect(slaElapsedMinutes({ ...running, resolvedAt: at('2026-05-01T08:50:00Z') }, opened, at('2026-05-09T00:00:00Z'))).toBe(30);
  });

  it('stops counting while a pause runs', () => {
    const waiting: SlaClock = { slaDueAt: due, completedPauseMinutes: 0, pendingSince: at('2026-05-01T08:30:00Z'), resolvedAt: null };
    expect(slaElapsedMinutes(waiting, opened, at('2026-05-01T08:45:00Z'))).toBe(30);
    expect(slaElapsedMinutes(waiting, opened, at('2026-05-03T08:45:00Z'))).toBe(30);
    expect(effectiveSlaDeadline(waiting, at('2026-05-01T10:30:00Z')).toISOString()).toBe('2026-05-01T11:00:00.000Z');
  });

  it('takes a pause off in whole minutes when it ends', () => {
    expect(pauseMinutesEndingAt(at('2026-05-01T08:30:00Z'), at('2026-05-01T09:15:59Z'))).toBe(45);
    expect(pauseMinutesEndingAt(at('2026-05-01T08:30:00Z'), at('2026-05-01T08:29:00Z'))).toBe(0);
  });
});
