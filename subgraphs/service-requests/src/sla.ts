/**
 * The ticket SLA clock (DOMAIN.md section 4): the deadline is set when the ticket opens and moves
 * back by every minute the ticket waits for the customer, including a wait still running now.
 */
const MINUTE_MS = 60_000;

export interface SlaClock {
  slaDueAt: Date;
  /** Minutes of pauses already over, as stored on the ticket. */
  completedPauseMinutes: number;
  /** Start of the pause running now (the ticket is PENDING_CUSTOMER), else null. */
  pendingSince: Date | null;
  resolvedAt: Date | null;
}

function pausedMs(clock: SlaClock, now: Date): number {
  const running = clock.pendingSince ? Math.max(0, now.getTime() - clock.pendingSince.getTime()) : 0;
  return clock.completedPauseMinutes * MINUTE_MS + running;
}

export function slaPausedMinutes(clock: SlaClock, now: Date): number {
  return Math.floor(pausedMs(clock, now) / MINUTE_MS);
}

/** Resolved after the paused-adjusted deadline, or still unresolved past it. */
export function isSlaBreached(clock: SlaClock, now: Date): boolean {
  const deadline = clock.slaDueAt.getTime() + pausedMs(clock, now);
  return (clock.resolvedAt ?? now).getTime() > deadline;
}
