import { setImmediate as realSetImmediate } from 'node:timers';
import pino from 'pino';
import type { Knex } from 'knex';
import { SettableClock } from '../clock';
import type { EventRecorder } from '../events/event-outbox';
import { RequestAuditTrail } from '../audit/request-audit-trail';
import { ScheduledJobError, ScheduledJobRunner, type ScheduledJob, type ScheduledJobServices } from '../scheduled-jobs';
import { hashAuditChange } from '../audit';

const context: ScheduledJobServices = {
  subgraph: 'test',
  db: {} as Knex,
  clock: new SettableClock('2027-01-01T00:00:00Z'),
  logger: pino({ level: 'silent' }),
  events: {} as EventRecorder,
  changeAudit: new RequestAuditTrail({
    hashChange: (change) => hashAuditChange('test-pseudonym-secret-for-hashing', change),
    tryReserve: () => true,
    commitReserved: () => undefined,
    releaseReserved: () => undefined,
    healthy: () => true,
  }),
  policyVersion: 'test',
};

/** A job whose runs the test ends by hand, so it can see what overlaps. */
function controlledJob(name: string, intervalMs: number) {
  const starts: Date[] = [];
  const finishes: (() => void)[] = [];
  let inFlight = 0;
  let mostAtOnce = 0;
  const job: ScheduledJob = {
    name,
    intervalMs,
    run: (jobContext) => {
      starts.push(jobContext.clock.now());
      inFlight += 1;
      mostAtOnce = Math.max(mostAtOnce, inFlight);
      return new Promise((resolve) =>
        finishes.push(() => {
          inFlight -= 1;
          resolve({ run: starts.length });
        }),
      );
    },
  };
  return { job, starts, finishes, mostAtOnce: () => mostAtOnce };
}

/** Lets pending promise callbacks run: jest's fake timers replace the global setImmediate, not the one imported from node:timers. */
const settle = () => new Promise<void>((resolve) => realSetImmediate(resolve));

describe('scheduled jobs', () => {
  afterEach(() => jest.useRealTimers());

  it('run when started, then an interval after each run ends, never two at once', async () => {
    jest.useFakeTimers();
    const probe = controlledJob('reminders', 60_000);
    const runner = new ScheduledJobRunner([probe.job], context);
    runner.start();
    jest.advanceTimersByTime(0);
    expect(probe.starts).toHaveLength(1);
    // While the first run is going, its interval does not start counting.
    jest.advanceTimersByTime(120_000);
    expect(probe.starts).toHaveLength(1);
    probe.finishes.shift()!();
    await settle();
    jest.advanceTimersByTime(59_999);
    expect(probe.starts).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(probe.starts).toHaveLength(2);
    probe.finishes.shift()!();
    await settle();
    const closing = runner.close();
    await closing;
    jest.advanceTimersByTime(600_000);
    expect(probe.starts).toHaveLength(2);
    expect(probe.mostAtOnce()).toBe(1);
  });

  it('wait while their own records say they are not due, then run; on demand they run at once', async () => {
    jest.useFakeTimers();
    const probe = controlledJob('recompute', 86_400_000);
    // Done by other means 23 hours ago: due in an hour.
    let dueInMs = 3_600_000;
    const asked: number[] = [];
    const job: ScheduledJob = {
      ...probe.job,
      dueInMs: async () => {
        asked.push(dueInMs);
        return dueInMs;
      },
    };
    const runner = new ScheduledJobRunner([job], context);
    runner.start();
    jest.advanceTimersByTime(0);
    await settle();
    expect({ asked, runs: probe.starts.length }).toEqual({ asked: [3_600_000], runs: 0 });
    // Asked again when the hour is up; it is due now (an answer of 0 or less), so it runs.
    dueInMs = 0;
    jest.advanceTimersByTime(3_599_999);
    await settle();
    expect(probe.starts).toHaveLength(0);
    jest.advanceTimersByTime(1);
    await settle();
    expect(probe.starts).toHaveLength(1);
    probe.finishes.shift()!();
    await settle();

    // runNow does not ask.
    dueInMs = 86_400_000;
    const onDemand = runner.runNow('recompute');
    await settle();
    probe.finishes.shift()!();
    await expect(onDemand).resolves.toEqual({ run: 2 });
    expect(asked).toEqual([3_600_000, 0]);
    await runner.close();
  });

  it('run when they cannot tell whether they are due', async () => {
    jest.useFakeTimers();
    const probe = controlledJob('recompute', 86_400_000);
    const job: ScheduledJob = { ...probe.job, dueInMs: () => Promise.reject(new Error('store not answering')) };
    const runner = new ScheduledJobRunner([job], context);
    runner.start();
    jest.advanceTimersByTime(0);
    await settle();
    expect(probe.starts).toHaveLength(1);
    probe.finishes.shift()!();
    await settle();
    await runner.close();
  });

  it('run once on demand, after a run in progress, and hand back what the run returned', async () => {
    const probe = controlledJob('reminders', 0);
    const runner = new ScheduledJobRunner([probe.job], context);
    await expect(runner.runNow('reminders')).rejects.toThrow(ScheduledJobError);
    runner.start();
    // An interval of 0: nothing runs by itself.
    await settle();
    expect(probe.starts).toHaveLength(0);
    const first = runner.runNow('reminders');
    const second = runner.runNow('reminders');
    await settle();
    expect(probe.starts).toHaveLength(1);
    probe.finishes.shift()!();
    await expect(first).resolves.toEqual({ run: 1 });
    await settle();
    expect(probe.starts).toHaveLength(2);
    probe.finishes.shift()!();
    await expect(second).resolves.toEqual({ run: 2 });
    expect(probe.mostAtOnce()).toBe(1);
    await expect(runner.runNow('no-such-job')).rejects.toThrow('no scheduled job is named no-such-job');
    await runner.close();
    await expect(runner.runNow('reminders')).rejects.toThrow('stopping');
  });

  it('keep running after a failed run and log only the kind of failure', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    let runs = 0;
    const failing: ScheduledJob = {
      name: 'failing',
      intervalMs: 0,
      run: async () => {
        runs += 1;
        if (runs === 1) throw Object.assign(new Error("insert into customers values ('张三', '13812348000')"), { code: 'ER_DUP_ENTRY' });
        return { sent: 1 };
      },
    };
    const runner = new ScheduledJobRunner([failing], { ...context, logger });
    runner.start();
    await expect(runner.runNow('failing')).rejects.toThrow();
    await expect(runner.runNow('failing')).resolves.toEqual({ sent: 1 });
    expect(lines.join('\n')).toContain('ER_DUP_ENTRY');
    expect(lines.join('\n')).not.toContain('13812348000');
    await runner.close();
  });

  it('refuse two jobs of one name and a negative interval', () => {
    const job: ScheduledJob = { name: 'twice', intervalMs: 0, run: async () => undefined };
    expect(() => new ScheduledJobRunner([job, job], context)).toThrow('two scheduled jobs are named twice');
    expect(() => new ScheduledJobRunner([{ ...job, intervalMs: -1 }], context)).toThrow('intervalMs');
  });
});
