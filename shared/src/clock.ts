/**
 * The one clock every deadline, SLA timer and scheduled job reads (issue "CRM workflows": time is
 * injectable). Production uses the system clock; tests pass a settable one to the servers they start,
 * so a 15-day deadline is tested without waiting.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests move by hand; it stands still until told otherwise. */
export class SettableClock implements Clock {
  private current: number;

  constructor(start: Date | string = new Date()) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }

  advance(milliseconds: number): void {
    this.current += milliseconds;
  }

  advanceDays(days: number): void {
    this.advance(days * 86_400_000);
  }
}
