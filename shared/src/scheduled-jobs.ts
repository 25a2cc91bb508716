/**
 * Jobs a subgraph's process runs on a timer (its manifest's `scheduledJobs`), such as the policy schedule
 * that sends renewal reminders: each reads the injectable clock, never two runs of one job at once, and
 * each can also be run once on demand (a test, a command). Started when the store is ready, stopped
 * (waiting for a run in progress) when the subgraph closes.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { inAuditedSystemTransaction, jobAction, type SystemChange, type SystemChanges, type SystemChangeSink } from './audit/system-changes';
import type { Clock } from './clock';
import type { EventRecorder } from './events/event-outbox';
import type { Logger } from './logger';

/** What the runner is given: the subgraph's store, clock, outbox, and audit trail. */
export interface ScheduledJobServices {
  subgraph: string;
  db: Knex;
  clock: Clock;
  logger: Logger;
  events: EventRecorder;
  /** Where a run's changes are audited as the system's (docs/access-model.md, "Writes the system makes"). */
  changeAudit: SystemChangeSink;
  policyVersion: string;
}

/** What a job works with: the subgraph's store (reads), its clock and outbox, and audited transactions for its writes. */
export interface ScheduledJobContext {
  db: Knex;
  clock: Clock;
  logger: Logger;
  events: EventRecorder;
  /** This run's id: every change record of the run carries it as its request id. */
  runId: string;
  /**
   * One transaction of the run's writes: each changed record is noted in `changes` and audited under the job's action
   * once the transaction commits (withdrawn if it rolls back). A job writes through this, never `db.transaction`.
   */
  transaction<T>(body: (trx: Knex.Transaction, changes: SystemChanges) => Promise<T>): Promise<T>;
}

/**
 * One transaction of a job's paged writes, with a way to note each record it changes: the run's audited transaction
 * when the job runs on its timer (`audited`), or `db.transaction` with the changes told to `onChange` when someone's
 * audited mutation runs the same work inside its own transaction.
 */
export function jobPageTransaction<T>(
  db: Knex,
  audited: ScheduledJobContext['transaction'] | undefined,
  onChange: ((change: SystemChange) => void) | undefined,
  body: (trx: Knex.Transaction, noteChange: (change: SystemChange) => void) => Promise<T>,
): Promise<T> {
  if (audited) return audited((trx, changes) => body(trx, (change) => changes.record(change)));
  return db.transaction((trx) => body(trx, (change) => onChange?.(change)));
}

export interface ScheduledJob {
  /** Lower-case words joined by dashes; names the job in logs and in `runNow`. */
  name: string;
  /** Time between the end of one run and the start of the next; 0 runs it only on demand. */
  intervalMs: number;
  /**
   * How long until the job is next due by its own records (its work may have been done by other means, e.g. a
   * command, or before a restart). Asked before every timed run: a positive answer waits that long instead (at most
   * the interval), so a restart does not redo a day's work done an hour ago. Absent: due at start and every interval.
   * `runNow` does not ask.
   */
  dueInMs?(context: Pick<ScheduledJobContext, 'db' | 'clock'>): Promise<number>;
  /** One run; what it returns (counts, never personal data) is logged and handed to `runNow`'s caller. */
  run(context: ScheduledJobContext): Promise<unknown>;
}

export class ScheduledJobError extends Error {
  override name = 'ScheduledJobError';
}

interface JobState {
  job: ScheduledJob;
  timer: NodeJS.Timeout | undefined;
  /** The run in progress: a second request waits for it and then runs again. */
  running: Promise<unknown> | undefined;
}

export class ScheduledJobRunner {
  private readonly jobs = new Map<string, JobState>();
  private started = false;
  private stopped = false;

  constructor(
    jobs: readonly ScheduledJob[],
    private readonly services: ScheduledJobServices,
  ) {
    for (const job of jobs) {
      if (this.jobs.has(job.name)) throw new ScheduledJobError(`two scheduled jobs are named ${job.name}`);
      if (!Number.isInteger(job.intervalMs) || job.intervalMs < 0)
        throw new ScheduledJobError(`job ${job.name}: intervalMs must be a whole number of at least 0`);
      this.jobs.set(job.name, { job, timer: undefined, running: undefined });
    }
  }

  /** Starts the timers: each job with an interval runs now, then again an interval after each run ends. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    for (const state of this.jobs.values()) if (state.job.intervalMs > 0) this.schedule(state, 0);
  }

  /** Runs one job once, now (after a run in progress has ended); its result, or its error. */
  async runNow(name: string): Promise<unknown> {
    const state = this.jobs.get(name);
    if (!state) throw new ScheduledJobError(`no scheduled job is named ${name}`);
    if (this.stopped) throw new ScheduledJobError(`job ${name} cannot run: the subgraph is stopping`);
    if (!this.started) throw new ScheduledJobError(`job ${name} cannot run before the store is ready`);
    return this.runExclusively(state);
  }

  /** Stops the timers and waits for runs in progress. */
  async close(): Promise<void> {
    this.stopped = true;
    for (const state of this.jobs.values()) clearTimeout(state.timer);
    await Promise.allSettled([...this.jobs.values()].map((state) => state.running));
  }

  private runContext(job: ScheduledJob): ScheduledJobContext {
    const { subgraph, db, clock, logger, events, changeAudit, policyVersion } = this.services;
    const runId = randomUUID();
    return {
      db,
      clock,
      logger,
      events,
      runId,
      transaction: (body) =>
        inAuditedSystemTransaction(db, changeAudit, { subgraph, action: jobAction(job.name), requestId: runId, policyVersion, at: clock.now() }, body),
    };
  }

  private schedule(state: JobState, delayMs: number): void {
    state.timer = setTimeout(() => {
      this.runWhenDue(state).then(
        () => undefined,
        () => undefined,
      );
    }, delayMs);
    // A pending run never keeps the process alive on its own.
    state.timer.unref();
  }

  /** A timed run: now if the job is due (or cannot tell), else a timer for when it will be. */
  private async runWhenDue(state: JobState): Promise<unknown> {
    const { job } = state;
    if (job.dueInMs) {
      let waitMs = 0;
      try {
        waitMs = await job.dueInMs({ db: this.services.db, clock: this.services.clock });
      } catch (error) {
        const failure = error as { name?: string; code?: string };
        this.services.logger.warn({ job: job.name, err: { name: failure?.name, code: failure?.code } }, 'could not tell when the job is due; running it now');
      }
      if (this.stopped) return undefined;
      if (waitMs > 0) {
        this.schedule(state, Math.min(Math.ceil(waitMs), job.intervalMs));
        return undefined;
      }
    }
    return this.runExclusively(state);
  }

  private async runExclusively(state: JobState): Promise<unknown> {
    while (state.running) await state.running.catch(() => undefined);
    const { job } = state;
    const startedAt = Date.now();
    const run = job.run(this.runContext(job));
    state.running = run;
    try {
      const result = await run;
      this.services.logger.info({ job: job.name, durationMs: Date.now() - startedAt, result }, 'scheduled job ran');
      return result;
    } catch (error) {
      // Kind only: messages of database errors can hold SQL with personal values.
      const failure = error as { name?: string; code?: string };
      this.services.logger.error({ job: job.name, err: { name: failure?.name, code: failure?.code } }, 'scheduled job failed; it runs again at its next turn');
      throw error;
    } finally {
      state.running = undefined;
      if (this.started && !this.stopped && job.intervalMs > 0) {
        clearTimeout(state.timer);
        this.schedule(state, job.intervalMs);
      }
    }
  }
}
