import { rowScope, runMutation, type RecordChange } from '@icg/shared';
import type { MutationResolvers } from './generated/schema-types';
import type { PolicySchedule } from './policy-schedule';

/** What a run answers (and a retry with the same key gets back): counts, no record of anyone. */
interface ScheduleRunResult {
  [count: string]: number;
  inForce: number;
  lapsed: number;
  expired: number;
  renewed: number;
  remindersSent: number;
  remindersCancelled: number;
}

/**
 * runPolicySchedule: a service-centre manager runs the policy schedule now for their branch and the branches
 * below it (it also runs by itself in the policies process). One transaction, audited: one record for the run
 * and one for each policy it moved or reminded.
 */
export function policyScheduleMutation(schedule: PolicySchedule): NonNullable<MutationResolvers['runPolicySchedule']> {
  return async (_root, { input }, context) => {
    const { idempotencyKey, ...request } = input;
    const branchPath = context.caller.branchPath;
    return runMutation<{ scope: ReturnType<typeof rowScope> }, ScheduleRunResult>(context, {
      action: 'policy.renewalReminders.run',
      idempotencyKey,
      input: request,
      // The run's records are the branch's policies: its scope is the caller's branch.
      loadTarget: () => Promise.resolve({ scope: { ...rowScope(branchPath), recordKey: `PolicySchedule:${branchPath}` } }),
      async perform(trx, _target, _decision, now) {
        const changes: RecordChange[] = [];
        const { clock, reminders } = await schedule.run({ db: trx, now, events: context.events, branchPath, onChange: (change) => changes.push(change) });
        const result: ScheduleRunResult = { ...clock, remindersSent: reminders.sent, remindersCancelled: reminders.cancelled };
        const run: RecordChange = {
          recordKey: `PolicySchedule:${branchPath}`,
          beforeVersion: null,
          afterVersion: null,
          fields: Object.fromEntries(Object.entries(result).map(([count, value]) => [count, { before: null, after: value }])),
        };
        return { result, changes: [run, ...changes] };
      },
    });
  };
}
