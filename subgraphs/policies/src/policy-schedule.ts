import type { EventRecorder, Knex, RecordChange, ScheduledJob, ScheduledJobContext } from '@icg/shared';
import { runPolicyClock, type PolicyClockResult } from './policy-clock-job';
import type { PolicySettings } from './policy-settings';
import { runRenewalReminderJob, type BlacklistedAmong, type RenewalReminderJobResult } from './renewal-reminder-job';

export const POLICY_SCHEDULE_JOB = 'policy-schedule';

export interface PolicyScheduleResult {
  clock: PolicyClockResult;
  reminders: RenewalReminderJobResult;
}

export interface PolicyScheduleRequest {
  db: Knex;
  now: Date;
  events: EventRecorder;
  /** Only this branch and below; every policy when absent. */
  branchPath?: string;
  /** Told of every policy moved and every reminder sent or withdrawn (a run inside someone's audited mutation). */
  onChange?: (change: RecordChange) => void;
  /** On the timer: each page in the run's audited transaction, as the system's change. */
  audited?: ScheduledJobContext['transaction'];
}

/**
 * The policy schedule: first what the date does to policies (in force, lapsed, expired, renewed), then the
 * renewal reminders due, both as of `now` (the injectable clock's). Safe to run as often as wanted: a policy
 * moves once per date and a reminder goes out once per policy and offset. It runs on a timer in the policies
 * process (`job`), from `npm run policies:schedule`, and when a service-centre manager asks (runPolicySchedule).
 */
export interface PolicySchedule {
  run(request: PolicyScheduleRequest): Promise<PolicyScheduleResult>;
  job: ScheduledJob;
}

export function policySchedule(settings: PolicySettings, blacklistedAmong: BlacklistedAmong): PolicySchedule {
  const run = async ({ db, now, events, branchPath, onChange, audited }: PolicyScheduleRequest): Promise<PolicyScheduleResult> => {
    const scope = { ...(branchPath === undefined ? {} : { branchPath }), ...(onChange ? { onChange } : {}), ...(audited ? { audited } : {}) };
    const clock = await runPolicyClock(db, now, { gracePeriodDays: settings.gracePeriodDays, events, ...scope });
    const reminders = await runRenewalReminderJob(db, now, blacklistedAmong, scope);
    return { clock, reminders };
  };
  return {
    run,
    job: {
      name: POLICY_SCHEDULE_JOB,
      intervalMs: settings.scheduleIntervalSeconds * 1_000,
      run: ({ db, clock, events, transaction }) => run({ db, now: clock.now(), events, audited: transaction }),
    },
  };
}
