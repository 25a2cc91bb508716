import {
  dialectOf,
  isoDate,
  jobPageTransaction,
  recordEvent,
  toId,
  toIsoDate,
  touch,
  updateVersioned,
  type EventRecorder,
  type Knex,
  type RecordChange,
  type ScheduledJobContext,
} from '@icg/shared';
import type { PolicyStatus } from './domain';
import { datePlusDays } from './policy-input';
import { policyLifecycle } from './policy-lifecycle';
import type { PolicyRow } from './records';

/** Policies moved per transaction: bounded statements and locks however many dates arrive at once. */
const PAGE_SIZE = 200;

export interface PolicyClockResult {
  /** Bound policies whose cover started. */
  inForce: number;
  /** In-force policies whose unpaid premium outlasted the grace period. */
  lapsed: number;
  /** Policies whose term ended, with no renewal bound. */
  expired: number;
  /** Policies whose term ended with their renewal bound. */
  renewed: number;
}

export interface PolicyClockOptions {
  gracePeriodDays: number;
  /** The subgraph's outbox: a lapse is an event, in the transaction that records it. */
  events: EventRecorder;
  /** Only the policies of this branch and below (`/1/3/`); every policy when absent. */
  branchPath?: string;
  /** Told of every policy moved, for a run someone asked for (its audit records). */
  onChange?: (change: RecordChange) => void;
  /** On the job's timer: each page in the run's audited transaction (every policy moved recorded). */
  audited?: ScheduledJobContext['transaction'];
}

type Step = 'inForce' | 'lapsed' | 'expired' | 'renewed';

interface Transition {
  status: PolicyStatus;
  step: Step;
  changes: Partial<PolicyRow>;
}

/** What the date `today` does to one policy, if anything; lapse comes first, as it happens before expiry. */
export function clockTransition(row: PolicyRow, today: string, gracePeriodDays: number, renewalBound: boolean): Transition | null {
  const effectiveDate = toIsoDate(row.effective_date)!;
  const expiryDate = toIsoDate(row.expiry_date)!;
  if (row.status === 'BOUND' && effectiveDate <= today) return { status: 'IN_FORCE', step: 'inForce', changes: { status: 'IN_FORCE' } };
  if (row.status !== 'IN_FORCE') return null;
  const dueSince = toIsoDate(row.premium_due_since ?? null);
  const owed = row.payment_status === 'UNPAID' || row.payment_status === 'PARTIAL';
  if (owed && dueSince !== null) {
    const lapseDate = datePlusDays(dueSince, gracePeriodDays);
    if (lapseDate <= today && lapseDate < expiryDate) {
      return {
        status: 'LAPSED',
        step: 'lapsed',
        changes: { status: 'LAPSED', terminated_at: `${lapseDate} 00:00:00`, termination_reason: 'NON_PAYMENT', arrears_days: gracePeriodDays },
      };
    }
  }
  if (expiryDate <= today)
    return renewalBound
      ? { status: 'RENEWED', step: 'renewed', changes: { status: 'RENEWED' } }
      : { status: 'EXPIRED', step: 'expired', changes: { status: 'EXPIRED' } };
  return null;
}

/** Bound or in-force policies a date may have reached by `today`, after `afterId`. */
function duePage(trx: Knex.Transaction, today: string, options: PolicyClockOptions, afterId: number): Promise<PolicyRow[]> {
  const lapseCutoff = datePlusDays(today, -options.gracePeriodDays);
  const query = trx('policies')
    .where('id', '>', afterId)
    .modify((inBranch) => {
      if (options.branchPath !== undefined) inBranch.where('branch_path', 'like', `${options.branchPath}%`);
    })
    .where((due) =>
      due
        .where((bound) => bound.where('status', 'BOUND').where('effective_date', '<=', today))
        .orWhere((ending) => ending.where('status', 'IN_FORCE').where('expiry_date', '<=', today))
        .orWhere((unpaid) => unpaid.where('status', 'IN_FORCE').whereNotNull('premium_due_since').where('premium_due_since', '<=', lapseCutoff)),
    )
    .orderBy('id', 'asc')
    .limit(PAGE_SIZE);
  return dialectOf(trx) === 'mysql' ? query.forUpdate() : query;
}

async function boundRenewalsOf(trx: Knex.Transaction, policyNos: readonly string[]): Promise<Set<string>> {
  const rows: { prior_policy_no: string }[] = await trx('policies')
    .select('prior_policy_no')
    .whereIn('prior_policy_no', policyNos)
    .whereIn('status', ['BOUND', 'IN_FORCE']);
  return new Set(rows.map((row) => row.prior_policy_no));
}

async function movePage(db: Knex, now: Date, options: PolicyClockOptions, afterId: number, result: PolicyClockResult): Promise<number | null> {
  const today = isoDate(now);
  return jobPageTransaction(db, options.audited, options.onChange, async (trx, noteChange) => {
    const rows = await duePage(trx, today, options, afterId);
    if (rows.length === 0) return null;
    const renewed = await boundRenewalsOf(
      trx,
      rows.map((row) => row.policy_no),
    );
    for (const due of rows) {
      // A date far enough on may move a policy twice (bound → in force → expired): each step in turn.
      for (let row = due, transition = clockTransition(row, today, options.gracePeriodDays, renewed.has(row.policy_no)); transition !== null;) {
        policyLifecycle.assertTransition(row.status, transition.status);
        const version = await updateVersioned(trx, {
          entity: 'policy',
          table: 'policies',
          where: { id: toId(row.id) },
          expectedVersion: row.version ?? 1,
          changes: { ...transition.changes, ...touch(now) },
        });
        if (transition.step === 'lapsed') {
          await recordEvent(trx, options, {
            type: 'policy.lapsed',
            aggregate: `Policy:${row.policy_no}`,
            payload: {
              policyNo: row.policy_no,
              customerId: toId(row.customer_id),
              lapsedOn: String(transition.changes.terminated_at).slice(0, 10),
              branchId: toId(row.branch_id),
            },
          });
        }
        result[transition.step] += 1;
        noteChange({
          recordKey: `Policy:${row.policy_no}`,
          beforeVersion: row.version ?? 1,
          afterVersion: version,
          fields: Object.fromEntries(
            Object.entries(transition.changes).map(([column, after]) => [column, { before: row[column as keyof PolicyRow] ?? null, after }]),
          ),
        });
        row = { ...row, ...transition.changes, version };
        transition = clockTransition(row, today, options.gracePeriodDays, renewed.has(row.policy_no));
      }
    }
    return Number(rows.at(-1)!.id);
  });
}

/**
 * The policy clock: what the arrival of a date does to policies (DOMAIN.md section 4) as of `now`, the
 * injectable clock's time. Each policy moves at most once per date however often this runs, since a moved
 * policy no longer matches; on MySQL the rows are locked, so two runs at once take turns.
 */
export async function runPolicyClock(db: Knex, now: Date, options: PolicyClockOptions): Promise<PolicyClockResult> {
  const result: PolicyClockResult = { inForce: 0, lapsed: 0, expired: 0, renewed: 0 };
  for (let afterId: number | null = 0; afterId !== null;) afterId = await movePage(db, now, options, afterId, result);
  return result;
}
