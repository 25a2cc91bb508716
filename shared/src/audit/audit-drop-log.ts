import type { AuditLog } from './audit-writer';

/** At most one "records dropped" line per second, each with the running count. */
const DROP_LOG_INTERVAL_MS = 1_000;

/**
 * Counts audit records refused (queue full or writer closing) and logs them: never silent, never a line per
 * record. The first drop is logged at once, later ones at most once a second; a timer makes sure the last of
 * them is logged even if nothing else happens.
 */
export class AuditDropLog {
  private total = 0;
  private sinceLog = 0;
  private lastLogAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: AuditLog,
    /** Fields added to each line: the chain, the queue's state. */
    private readonly describe: () => object,
  ) {}

  get count(): number {
    return this.total;
  }

  add(records = 1): void {
    this.total += records;
    this.sinceLog += records;
    this.report(false);
  }

  /** Logs what is unreported now (`force`) or when the interval allows. */
  report(force: boolean): void {
    if (this.sinceLog === 0) return;
    const now = Date.now();
    if (!force && now - this.lastLogAt < DROP_LOG_INTERVAL_MS) {
      if (this.timer === undefined) {
        this.timer = setTimeout(
          () => {
            this.timer = undefined;
            this.report(true);
          },
          this.lastLogAt + DROP_LOG_INTERVAL_MS - now,
        );
        this.timer.unref();
      }
      return;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.log.error(
      { ...this.describe(), dropped: this.sinceLog, droppedTotal: this.total },
      `audit records dropped: ${this.sinceLog} (total ${this.total}) because the audit queue was full or closing`,
    );
    this.sinceLog = 0;
    this.lastLogAt = now;
  }
}
