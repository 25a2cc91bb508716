import type { ScheduledJob } from '@icg/shared';
import { runPolicyClock, type PolicyClockResult } from './policy-clock-job';
import type { PolicySettings } from './policy-settings';
import { runRenewalReminderJob, type BlacklistedAmong, type RenewalReminderJobResult } from './renewal-reminder-job';

export const POLICY_SCHEDULE_JOB = 'policy-schedule';

export interface PolicyScheduleResult {
  clock: PolicyClockResult;
  reminders: RenewalReminderJobResult;
}

/**
 * The policies subgraph's scheduled job: first what the date does to policies (in force, lapsed, expired,
 * renewed), then the renewal reminders due, both as of the injectable clock's now. Safe to run as often
 * as wanted: a policy moves once per date and a reminder goes out once per policy and offset.
 */
export function policyScheduleJob(settings: PolicySettings, blacklistedAmong: BlacklistedAmong): ScheduledJob {
  return {
    name: POLICY_SCHEDULE_JOB,
    intervalMs: settings.scheduleIntervalSeconds * 1_000,
    async run({ db, clock, events }): Promise<PolicyScheduleResult> {
      const now = clock.now();
      const moved = await runPolicyClock(db, now, { gracePeriodDays: settings.gracePeriodDays, events });
      const reminders = await runRenewalReminderJob(db, now, blacklistedAmong);
      return { clock: moved, reminders };
    },
  };
}
