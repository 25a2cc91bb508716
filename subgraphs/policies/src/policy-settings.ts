import { ConfigError, EnvReader, envPrefix, type Environment } from '@icg/shared';

/** The policy admin system's own settings (DOMAIN.md marks these thresholds as defaults, not constants). */
export interface PolicySettings {
  /** Days an unpaid premium may stay overdue before the policy lapses. */
  gracePeriodDays: number;
  /** How often the policy schedule (time-driven transitions, renewal reminders) runs in the subgraph process; 0: never. */
  scheduleIntervalSeconds: number;
}

export const DEFAULT_POLICY_SETTINGS: PolicySettings = { gracePeriodDays: 60, scheduleIntervalSeconds: 3_600 };

export const GRACE_PERIOD_DAYS_VARIABLE = `${envPrefix('policies')}_GRACE_PERIOD_DAYS`;
export const SCHEDULE_INTERVAL_VARIABLE = `${envPrefix('policies')}_SCHEDULE_INTERVAL_SECONDS`;

/** POLICIES_GRACE_PERIOD_DAYS (1–365) and POLICIES_SCHEDULE_INTERVAL_SECONDS (0 to switch the schedule off, else 10–86400). */
export function loadPolicySettings(env: Environment = process.env): PolicySettings {
  const reader = new EnvReader(env);
  const scheduleIntervalSeconds = reader.int(SCHEDULE_INTERVAL_VARIABLE, DEFAULT_POLICY_SETTINGS.scheduleIntervalSeconds, { min: 0, max: 86_400 });
  // 0 switches the schedule off; a few seconds would only load the store.
  if (scheduleIntervalSeconds > 0 && scheduleIntervalSeconds < 10)
    throw new ConfigError(SCHEDULE_INTERVAL_VARIABLE, `must be 0 (off) or at least 10, got ${scheduleIntervalSeconds}`);
  return {
    gracePeriodDays: reader.int(GRACE_PERIOD_DAYS_VARIABLE, DEFAULT_POLICY_SETTINGS.gracePeriodDays, { min: 1, max: 365 }),
    scheduleIntervalSeconds,
  };
}
