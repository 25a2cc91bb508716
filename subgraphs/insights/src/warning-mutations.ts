/**
 * The warning desk (DOMAIN.md section 5): acknowledge, resolve or dismiss an early warning. Each runs through
 * runMutation: authorised by the policy's `actions` (insight.warning.*) in the warning's customer's scope, idempotent,
 * versioned and audited, in one transaction.
 */
import {
  defineStateMachine,
  expectVersion,
  notFound,
  parseBusinessNumber,
  parseExpectedVersion,
  parseText,
  runMutation,
  scopeOfRow,
  sqlTimestamp,
  updateVersioned,
  type ActionTarget,
  type WorkflowAction,
} from '@icg/shared';
import { entities } from './entities';
import type { DismissEarlyWarningInput, EarlyWarningStepInput, MutationResolvers, ResolverContext } from './generated/schema-types';
import type { EarlyWarningRow, EarlyWarningStatus } from './read-model';
import { earlyWarningRecord, type EarlyWarningRecord } from './records';
import { EARLY_WARNING_NUMBER } from './warning-numbers';

/** A warning is acknowledged, then resolved; or dismissed. Resolved and dismissed are final. */
export const EARLY_WARNING_LIFECYCLE = defineStateMachine('early warning', {
  OPEN: ['ACKNOWLEDGED', 'RESOLVED', 'DISMISSED'],
  ACKNOWLEDGED: ['RESOLVED', 'DISMISSED'],
  RESOLVED: [],
  DISMISSED: [],
} satisfies Record<EarlyWarningStatus, readonly EarlyWarningStatus[]>);

const WARNING = 'early warning';
const DISMISS_REASON_MAX = 500;

interface WarningTarget extends ActionTarget {
  row: EarlyWarningRow;
}

async function readWarning(db: ResolverContext['db'], earlyWarningNo: string): Promise<EarlyWarningRow | undefined> {
  return (await db('early_warnings').where('early_warning_no', earlyWarningNo).first()) as EarlyWarningRow | undefined;
}

/** The columns a step to `to` sets, by whom and when. */
function stepColumns(to: EarlyWarningStatus, staffId: string, at: string, reason: string | null): Record<string, unknown> {
  switch (to) {
    case 'ACKNOWLEDGED':
      return { acknowledged_at: at, acknowledged_by_staff_id: staffId };
    case 'RESOLVED':
      return { resolved_at: at, resolved_by_staff_id: staffId };
    case 'DISMISSED':
      return { dismissed_at: at, dismissed_by_staff_id: staffId, dismiss_reason: reason };
    default:
      return {};
  }
}

async function stepWarning(
  context: ResolverContext,
  input: EarlyWarningStepInput,
  action: WorkflowAction,
  to: EarlyWarningStatus,
  reason: string | null,
): Promise<EarlyWarningRecord> {
  const earlyWarningNo = parseBusinessNumber(input.earlyWarningNo, 'input.earlyWarningNo', EARLY_WARNING_NUMBER);
  const expectedVersion = parseExpectedVersion(input.expectedVersion, 'input.expectedVersion');
  const result = await runMutation<WarningTarget, { earlyWarningNo: string }>(context, {
    action,
    idempotencyKey: input.idempotencyKey,
    input: { earlyWarningNo, expectedVersion, ...(reason === null ? {} : { reason }) },
    async loadTarget(trx) {
      const row = await readWarning(trx, earlyWarningNo);
      if (row === undefined) throw notFound(WARNING, 'input.earlyWarningNo');
      return { row, scope: scopeOfRow('EarlyWarning', entities.EarlyWarning, row) };
    },
    async perform(trx, { row }, _decision, now) {
      // A stale version first: the caller decided on a state (or a level) that is gone.
      expectVersion(WARNING, Number(row.version), expectedVersion);
      EARLY_WARNING_LIFECYCLE.assertTransition(row.status, to);
      const at = sqlTimestamp(now);
      const columns = { status: to, updated_at: at, ...stepColumns(to, context.caller.staffId, at, reason) };
      const version = await updateVersioned(trx, { entity: WARNING, table: 'early_warnings', where: { id: row.id }, expectedVersion, changes: columns });
      const before = row as unknown as Readonly<Record<string, unknown>>;
      const fields = Object.fromEntries(Object.entries(columns).map(([column, after]) => [column, { before: before[column] ?? null, after }]));
      return {
        result: { earlyWarningNo },
        changes: [{ recordKey: `EarlyWarning:${earlyWarningNo}`, beforeVersion: expectedVersion, afterVersion: version, fields }],
      };
    },
  });
  const row = await readWarning(context.db, result.earlyWarningNo);
  if (row === undefined) throw notFound(WARNING, 'input.earlyWarningNo');
  return earlyWarningRecord(row);
}

export const warningMutations = {
  acknowledgeEarlyWarning: (_root, { input }, context) => stepWarning(context, input, 'insight.warning.acknowledge', 'ACKNOWLEDGED', null),
  resolveEarlyWarning: (_root, { input }, context) => stepWarning(context, input, 'insight.warning.resolve', 'RESOLVED', null),
  dismissEarlyWarning: (_root, { input }: { input: DismissEarlyWarningInput }, context) => {
    const reason = parseText(input.reason, 'input.reason', { maxLength: DISMISS_REASON_MAX, required: true });
    return stepWarning(context, input, 'insight.warning.dismiss', 'DISMISSED', reason);
  },
} satisfies MutationResolvers;
