export { createPoliciesSubgraph, policiesSubgraph } from './server';
export type { PolicyLoaders } from './loaders';
export { runPolicyClock, type PolicyClockResult } from './policy-clock-job';
export { POLICY_SCHEDULE_JOB, type PolicyScheduleResult } from './policy-schedule';
export { DEFAULT_POLICY_SETTINGS, loadPolicySettings, type PolicySettings } from './policy-settings';
export { runRenewalReminderJob, type RenewalReminderJobResult } from './renewal-reminder-job';
