/**
 * The ticket SLA clock (DOMAIN.md section 4): the deadline is set when the ticket opens and moves
 * back by every minute the ticket waits for the customer, including a wait still running now.
 */
import type { ServiceRequestType } from '@icg/shared';

const MINUTE_MS = 60_000;

/** Resolution targets per ticket type, in minutes from opening (defaults of the service centre). */
export const SLA_TARGET_MINUTES: Readonly<Record<ServiceRequestType, number>> = {
  CLAIM_REPORT: 60,
  RESCUE: 120,
  ENQUIRY: 24 * 60,
  COMPLAINT: 24 * 60,
  RENEWAL: 48 * 60,
  POLICY_SERVICE: 72 * 60,
  RETURN_VISIT: 72 * 60,
};

/** Large and quality customers get a return visit within this many days of a claim closing (DOMAIN.md section 5, default). */
export const RETURN_VISIT_AFTER_CLAIM_DAYS = 7;

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

/**
 * Minutes the SLA clock has run: from opening until resolution (or now, while unresolved), less every
 * minute the ticket waited for the customer. This is what the service centre's targets are measured on.
 */
export function slaElapsedMinutes(clock: SlaClock, openedAt: Date, now: Date): number {
  const end = clock.resolvedAt ?? now;
  return Math.max(0, Math.floor((end.getTime() - openedAt.getTime() - pausedMs(clock, now)) / MINUTE_MS));
}

/** The deadline as it stands now: the one set at opening, moved back by every paused minute so far. */
export function effectiveSlaDeadline(clock: SlaClock, now: Date): Date {
  return new Date(clock.slaDueAt.getTime() + slaPausedMinutes(clock, now) * MINUTE_MS);
}

/**
 * Whole minutes of a pause that ends now, added to the ticket's stored total when it resumes. A part
 * minute is not counted (the clock is kept in whole minutes, so the SLA never looks better than it was).
 */
export function pauseMinutesEndingAt(pendingSince: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - pendingSince.getTime()) / MINUTE_MS));
}
