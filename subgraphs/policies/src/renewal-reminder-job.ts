import {
  addDays,
  dialectOf,
  isoDate,
  jobPageTransaction,
  sqlTimestamp,
  toId,
  toIsoDate,
  type Knex,
  type RecordChange,
  type ScheduledJobContext,
} from '@icg/shared';
import { REMINDER_DAYS_BEFORE, type ReminderChannel } from './domain';
import type { PolicyRow, ReminderRow } from './records';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Policies looked at per transaction: bounded statements and locks however many expire at once. */
const PAGE_SIZE = 500;
/** What a reminder goes out by when the policy has no earlier reminder to follow. */
const DEFAULT_CHANNEL: ReminderChannel = 'SMS';

/** Which of the given customers are blacklisted now; reminders never go to them (DOMAIN.md section 5). */
export type BlacklistedAmong = (db: Knex.Transaction, customerIds: readonly string[]) => Promise<ReadonlySet<string>>;

export interface RenewalReminderJobOptions {
  /** Only the policies of this branch and below (`/1/3/`); every policy when absent. */
  branchPath?: string;
  /** Told of every reminder sent or withdrawn, for a run someone asked for (its audit records). */
  onChange?: (change: RecordChange) => void;
  /** On the job's timer: each page in the run's audited transaction (every reminder sent or withdrawn recorded). */
  audited?: ScheduledJobContext['transaction'];
}

export interface RenewalReminderJobResult {
  /** Reminders that went out on this run (new rows, or scheduled rows now due). */
  sent: number;
  /** Scheduled reminders that will not go out: a later one is due, the renewal is bound, or the customer is blacklisted. */
  cancelled: number;
}

type CandidatePolicy = Pick<PolicyRow, 'id' | 'policy_no' | 'customer_id' | 'expiry_date'>;

/** When the reminder `daysBefore` days before expiry is due: 09:00 Beijing time (01:00 UTC) that day, as the seed schedules them. */
export function reminderDueAt(expiryDate: string, daysBefore: number): Date {
  return new Date(Date.parse(`${expiryDate}T00:00:00Z`) - daysBefore * DAY_MS + HOUR_MS);
}

/**
 * A reminder's id is its policy's id × 100 + the offset's place in 60/30/15/7 (1–4), as the seed numbers
 * them: the primary key itself then says "one reminder per policy and offset", whoever writes it.
 */
export function reminderId(policyId: string, daysBefore: number): number {
  const place = (REMINDER_DAYS_BEFORE as readonly number[]).indexOf(daysBefore);
  if (place < 0) throw new Error(`no renewal reminder is sent ${daysBefore} days before expiry`);
  return Number(policyId) * 100 + place + 1;
}

/**
 * The offset whose reminder is due now: the latest one whose due time has passed, while the policy has
 * not expired. Earlier ones that were never sent (the job was not running) are skipped, not sent at once.
 */
export function dueOffset(expiryDate: string, now: Date): number | null {
  if (now.getTime() >= Date.parse(`${expiryDate}T00:00:00Z`)) return null;
  const due = REMINDER_DAYS_BEFORE.filter((daysBefore) => reminderDueAt(expiryDate, daysBefore) <= now);
  return due.length ? Math.min(...due) : null;
}

/**
 * Policies that may still be reminded: covering (or about to), expiring after today and within the widest
 * offset. On MySQL the rows are locked, so two runs at once take turns and the second sees the first's reminders.
 */
function candidatePage(trx: Knex.Transaction, now: Date, afterId: number, branchPath: string | undefined): Promise<CandidatePolicy[]> {
  const query = trx('policies')
    .select('id', 'policy_no', 'customer_id', 'expiry_date')
    .modify((inBranch) => {
      if (branchPath !== undefined) inBranch.where('branch_path', 'like', `${branchPath}%`);
    })
    .whereIn('status', ['BOUND', 'IN_FORCE'])
    .where('expiry_date', '>=', isoDate(now))
    .where('expiry_date', '<=', isoDate(addDays(now, Math.max(...REMINDER_DAYS_BEFORE) + 1)))
    .where('id', '>', afterId)
    .orderBy('id', 'asc')
    .limit(PAGE_SIZE);
  // SQLite runs one write transaction at a time already (and has no row locks).
  return dialectOf(trx) === 'mysql' ? query.forUpdate() : query;
}

/** Prior policies (by number) whose renewal is already bound: their holders need no reminder. */
async function renewedAmong(trx: Knex.Transaction, policyNos: readonly string[]): Promise<Set<string>> {
  const rows: { prior_policy_no: string }[] = await trx('policies')
    .select('prior_policy_no')
    .whereIn('prior_policy_no', policyNos)
    .whereIn('status', ['BOUND', 'IN_FORCE']);
  return new Set(rows.map((row) => row.prior_policy_no));
}

/** What one policy's reminders need now: cancel some scheduled ones, send one. */
interface ReminderPlan {
  cancel: number[];
  send: { existing: ReminderRow } | { create: ReminderRow } | null;
}

function planFor(policy: CandidatePolicy, own: readonly ReminderRow[], now: Date, withheld: boolean): ReminderPlan {
  const scheduled = own.filter((reminder) => reminder.status === 'SCHEDULED');
  if (withheld) return { cancel: scheduled.map((reminder) => Number(reminder.id)), send: null };
  const expiryDate = toIsoDate(policy.expiry_date)!;
  const daysBefore = dueOffset(expiryDate, now);
  if (daysBefore === null) return { cancel: [], send: null };
  // Scheduled reminders for earlier offsets are superseded by the one due now.
  const cancel = scheduled.filter((reminder) => reminder.days_before > daysBefore).map((reminder) => Number(reminder.id));
  const existing = own.find((reminder) => reminder.days_before === daysBefore);
  if (existing) return { cancel, send: existing.status === 'SCHEDULED' ? { existing } : null };
  const policyId = toId(policy.id);
  return {
    cancel,
    send: {
      create: {
        id: reminderId(policyId, daysBefore),
        policy_id: policyId,
        days_before: daysBefore,
        due_at: sqlTimestamp(reminderDueAt(expiryDate, daysBefore)),
        sent_at: sqlTimestamp(now),
        channel: own.at(-1)?.channel ?? DEFAULT_CHANNEL,
        status: 'SENT',
      },
    },
  };
}

/** One page of candidates in one transaction; the last policy id looked at, or null when none were left. */
async function remindPage(
  db: Knex,
  now: Date,
  afterId: number,
  blacklistedAmong: BlacklistedAmong,
  options: RenewalReminderJobOptions,
  result: RenewalReminderJobResult,
): Promise<number | null> {
  return jobPageTransaction(db, options.audited, options.onChange, async (trx, noteChange) => {
    const policies = await candidatePage(trx, now, afterId, options.branchPath);
    if (policies.length === 0) return null;
    const reminders: ReminderRow[] = await trx('renewal_reminders').whereIn(
      'policy_id',
      policies.map((policy) => toId(policy.id)),
    );
    const renewed = await renewedAmong(
      trx,
      policies.map((policy) => policy.policy_no),
    );
    const blacklisted = await blacklistedAmong(trx, [...new Set(policies.map((policy) => toId(policy.customer_id)))]);
    const cancel: number[] = [];
    for (const policy of policies) {
      const own = reminders.filter((reminder) => toId(reminder.policy_id) === toId(policy.id)).sort((a, b) => Number(a.id) - Number(b.id));
      const plan = planFor(policy, own, now, renewed.has(policy.policy_no) || blacklisted.has(toId(policy.customer_id)));
      cancel.push(...plan.cancel);
      const report = (daysBefore: number, before: string | null, after: string) =>
        noteChange({
          recordKey: `Policy:${policy.policy_no}`,
          beforeVersion: null,
          afterVersion: null,
          fields: { [`renewalReminder.${daysBefore}`]: { before, after } },
        });
      for (const reminder of own) if (plan.cancel.includes(Number(reminder.id))) report(reminder.days_before, 'SCHEDULED', 'CANCELLED');
      if (plan.send && 'existing' in plan.send) {
        const sent = await trx('renewal_reminders')
          .where({ id: plan.send.existing.id, status: 'SCHEDULED' })
          .update({ status: 'SENT', sent_at: sqlTimestamp(now) });
        result.sent += sent;
        if (sent) report(plan.send.existing.days_before, 'SCHEDULED', 'SENT');
      } else if (plan.send) {
        // The key is (policy, offset): should another writer have got there first, this one writes nothing.
        await trx('renewal_reminders').insert(plan.send.create).onConflict('id').ignore();
        result.sent += 1;
        report(plan.send.create.days_before, null, 'SENT');
      }
    }
    if (cancel.length) result.cancelled += await trx('renewal_reminders').whereIn('id', cancel).where('status', 'SCHEDULED').update({ status: 'CANCELLED' });
    return Number(policies.at(-1)!.id);
  });
}

/**
 * Sends the renewal reminders due at `now` (60/30/15/7 days before expiry, DOMAIN.md section 5): at most
 * one per policy and offset however often it runs, none for blacklisted customers or policies whose
 * renewal is bound. Reads no clock of its own: the caller passes the injectable clock's time.
 */
export async function runRenewalReminderJob(
  db: Knex,
  now: Date,
  blacklistedAmong: BlacklistedAmong,
  options: RenewalReminderJobOptions = {},
): Promise<RenewalReminderJobResult> {
  const result: RenewalReminderJobResult = { sent: 0, cancelled: 0 };
  for (let afterId: number | null = 0; afterId !== null;) afterId = await remindPage(db, now, afterId, blacklistedAmong, options, result);
  return result;
}
