/**
 * The claims desk's mutations (issue 10, "Claims"): each step of the lifecycle with its guards (close only with a
 * zero outstanding reserve, reopen with a reason, approval within the approver's authority and never by the
 * handler, payments within what was approved), the side exits, and the conclusion of a special investigation (once,
 * never by the handler, told to insights). Each one runs through runMutation: authorised by the policy's `actions`,
 * idempotent, versioned, audited, in one transaction with its outbox event; times come from the subgraph's clock.
 */
import { GraphQLError } from 'graphql';
import {
  ActionRefused,
  BUSINESS_NUMBERS,
  expectVersion,
  invalidInput,
  invalidTransition,
  medicalWordsIn,
  notFound,
  parseBusinessNumber,
  parseEntityId,
  parseExpectedVersion,
  parseOneOf,
  parseText,
  recordEvent,
  runMutation,
  sqlTimestamp,
  toBoolean,
  toIsoTimestamp,
  touch,
  updateVersioned,
  type ActionTarget,
  type ClaimStatus,
  type Knex,
  type RecordChange,
  type WorkflowAction,
} from '@icg/shared';
import { approvalAuthority, readApprovalLimits, type ApprovalLimits } from './approval-authority';
import { claimLifecycle, CLOSING_OUTCOMES, RESERVE_STATUSES, surveyTaskLifecycle } from './claim-lifecycle';
import type {
  AdjustClaimInput,
  AssessClaimLossInput,
  ClaimReasonInput,
  ClaimStepInput,
  CompleteSurveyInput,
  ConcludeInvestigationInput,
  DispatchSurveyorInput,
  MutationResolvers,
  PayClaimInput,
  RegisterClaimInput,
  ResolverContext,
  SetClaimReserveInput,
} from './generated/schema-types';
import { newChildRowId } from './row-ids';
import {
  claimRecord,
  claimScope,
  INVESTIGATION_OUTCOMES,
  type ClaimPaymentRow,
  type ClaimRecord,
  type ClaimRow,
  type LossAssessmentRow,
  type SurveyTaskRow,
} from './records';

const CLAIM = 'claim';
const NARRATIVE_MAX = 2_000;
const REOPEN_REASON_MAX = 200;
const CLOSE_REASON_MAX = 500;
const PAYEE_NAME_MAX = 100;
/** The largest amount a DECIMAL(15,2) column holds, in fen. */
const MAX_FEN = 10 ** 15 - 1;

/** What every claims mutation answers (and a retry gets back): the claim, by its report number. */
interface ClaimResult {
  [key: string]: string;
  reportNo: string;
}

// --- Money: validated in yuan, compared in fen so no binary fraction decides a guard. -----------------------

function toFen(value: number | string | null): number {
  return Math.round(Number(value ?? 0) * 100);
}

function yuan(fen: number): number {
  return fen / 100;
}

/** Yuan with at most two decimal places, within the column, at least `minimumFen`. */
function parseMoney(value: unknown, field: string, minimumFen: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidInput(field, 'must be an amount in yuan');
  const fen = Math.round(value * 100);
  if (Math.abs(value * 100 - fen) > 1e-6) throw invalidInput(field, 'must have at most two decimal places');
  if (fen < minimumFen) throw invalidInput(field, minimumFen > 0 ? 'must be above 0' : 'must not be negative');
  if (fen > MAX_FEN) throw invalidInput(field, 'is too large');
  return fen;
}

/** Free text bound for a field that is not HEALTH: refused when it names an injury or an illness. */
function textWithoutHealthFacts(value: unknown, field: string, maxLength: number): string | null {
  const text = parseText(value, field, { maxLength });
  if (text !== null && medicalWordsIn(text).length > 0) throw invalidInput(field, 'must not name injuries, illness or treatment: put those in injuryNarrative');
  return text;
}

/** A step that is not a change of status, refused in this status: INVALID_TRANSITION with where the claim can go. */
function stepNotAllowed(status: ClaimStatus, requested: string, message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'INVALID_TRANSITION', currentState: status, requestedState: requested, allowed: [...claimLifecycle.next(status)] },
  });
}

let configuredLimits: ApprovalLimits | undefined;
/** Read once, from CLAIM_APPROVAL_LIMITS (validated; a bad value is named). */
function approvalLimits(): ApprovalLimits {
  configuredLimits ??= readApprovalLimits();
  return configuredLimits;
}

// --- One step of a claim ------------------------------------------------------------------------------------

interface ClaimTarget extends ActionTarget {
  row: ClaimRow;
}

/** What a step writes besides the claim's own columns: child rows and events, on the same transaction. */
interface StepWrites {
  /** The claim's new status, checked against the lifecycle; omitted for a step that keeps it. */
  to?: ClaimStatus;
  /** Claim columns to set (the version is set by the update). */
  columns: Readonly<Record<string, unknown>>;
  /** Further audited records (a payment, an assessment, a survey task). */
  children?: readonly RecordChange[];
  /** Runs after the claim's update, on the transaction (events, child rows). */
  after?: (trx: Knex.Transaction, updated: ClaimRow) => Promise<void>;
}

interface ClaimStep {
  action: WorkflowAction;
  /** Validates against the claim as it stands and says what to write. */
  plan(trx: Knex.Transaction, row: ClaimRow, now: Date): Promise<StepWrites>;
}

async function readClaim(db: Knex | Knex.Transaction, reportNo: string): Promise<ClaimRow | undefined> {
  return (await db('claims').where('report_no', reportNo).first()) as ClaimRow | undefined;
}

/** Inserted rows as audit fields: every column, from nothing. */
function created(recordKey: string, row: object): RecordChange {
  const fields = Object.fromEntries(Object.entries(row).map(([column, value]) => [column, { before: null, after: value as unknown }]));
  return { recordKey, beforeVersion: null, afterVersion: 1, fields };
}

async function stepClaim(context: ResolverContext, input: ClaimStepInput, extra: Record<string, unknown>, step: ClaimStep): Promise<ClaimRecord> {
  const reportNo = parseBusinessNumber(input.reportNo, 'input.reportNo', BUSINESS_NUMBERS.reportNo);
  const expectedVersion = parseExpectedVersion(input.expectedVersion, 'input.expectedVersion');
  const result = await runMutation<ClaimTarget, ClaimResult>(context, {
    action: step.action,
    idempotencyKey: input.idempotencyKey,
    input: { reportNo, expectedVersion, ...extra },
    async loadTarget(trx) {
      const row = await readClaim(trx, reportNo);
      if (row === undefined) throw notFound(CLAIM, 'reportNo');
      // The handler is who a two-person rule keeps from approving the claim.
      return { row, scope: claimScope(row), people: { handler: row.handler_staff_id === null ? null : String(row.handler_staff_id) } };
    },
    async perform(trx, { row }, _decision, now) {
      // A stale version first: the caller decided on a state that is gone.
      expectVersion(CLAIM, Number(row.version), expectedVersion);
      const writes = await step.plan(trx, row, now);
      if (writes.to !== undefined) claimLifecycle.assertTransition(row.status, writes.to);
      const columns = writes.to === undefined ? writes.columns : { status: writes.to, ...writes.columns };
      const version = await updateVersioned(trx, {
        entity: CLAIM,
        table: 'claims',
        where: { id: row.id },
        expectedVersion,
        changes: { ...columns, ...touch(now) },
      });
      const before = row as unknown as Readonly<Record<string, unknown>>;
      const fields = Object.fromEntries(Object.entries(columns).map(([column, after]) => [column, { before: before[column] ?? null, after }]));
      if (writes.after) await writes.after(trx, { ...row, ...columns, version } as ClaimRow);
      return {
        result: { reportNo },
        changes: [{ recordKey: `Claim:${reportNo}`, beforeVersion: expectedVersion, afterVersion: version, fields }, ...(writes.children ?? [])],
      };
    },
  });
  const row = await readClaim(context.db, result.reportNo);
  if (row === undefined) throw notFound(CLAIM, 'reportNo');
  return claimRecord(row);
}

/** The survey task a claim's survey steps work on: its newest one. */
async function currentSurveyTask(trx: Knex.Transaction, claim: ClaimRow): Promise<SurveyTaskRow | undefined> {
  return (await trx('survey_tasks').where('claim_id', claim.id).orderBy('id', 'desc').first()) as SurveyTaskRow | undefined;
}

/** Records `claim.closed` for the hotline (return visits) with the claim as it now stands. */
async function recordClosed(trx: Knex.Transaction, context: ResolverContext, claim: ClaimRow, closedAt: Date): Promise<void> {
  await recordEvent(trx, context, {
    type: 'claim.closed',
    aggregate: `Claim:${claim.report_no}`,
    payload: {
      reportNo: claim.report_no,
      policyNo: claim.policy_no,
      customerId: String(claim.customer_id),
      outcome: claim.closed_outcome!,
      closedAt: closedAt.toISOString(),
      branchId: String(claim.branch_id),
      branchPath: claim.branch_path,
      customerManagerStaffId: claim.customer_manager_staff_id === null ? null : String(claim.customer_manager_staff_id),
      customerSegment: claim.customer_segment,
    },
  });
}

/** Records `claim.reserve-changed` for the insights (incurred counts the outstanding reserve) with the reserve as set. */
async function recordReserveChanged(trx: Knex.Transaction, context: ResolverContext, claim: ClaimRow, changedAt: Date): Promise<void> {
  await recordEvent(trx, context, {
    type: 'claim.reserve-changed',
    aggregate: `Claim:${claim.report_no}`,
    payload: {
      reportNo: claim.report_no,
      customerId: String(claim.customer_id),
      outstandingReserve: yuan(toFen(claim.outstanding_reserve)).toFixed(2),
      changedAt: changedAt.toISOString(),
    },
  });
}

/** A side exit: the file closes with its outcome and reason, and the reserve is released. */
function sideExit(context: ResolverContext, input: ClaimReasonInput, action: WorkflowAction, to: ClaimStatus): Promise<ClaimRecord> {
  const reason = parseText(input.reason, 'input.reason', { maxLength: CLOSE_REASON_MAX, required: true });
  return stepClaim(
    context,
    input,
    { reason },
    {
      action,
      async plan(_trx, _row, now) {
        return {
          to,
          columns: { closed_at: sqlTimestamp(now), closed_outcome: CLOSING_OUTCOMES[to], close_reason: reason, outstanding_reserve: 0 },
          after: (trx, updated) => recordClosed(trx, context, updated, now),
        };
      },
    },
  );
}

export const claimMutations = {
  async dispatchSurveyor(_root, { input }: { input: DispatchSurveyorInput }, context) {
    const given = input.surveyorStaffId ? parseEntityId(input.surveyorStaffId, 'input.surveyorStaffId') : null;
    // An adjuster may send themselves; anyone else (the hotline) names the surveyor.
    if (given === null && context.caller.role !== 'CLAIMS_ADJUSTER') throw invalidInput('input.surveyorStaffId', 'is required unless you are the surveyor');
    const surveyor = given ?? context.caller.staffId;
    return stepClaim(
      context,
      input,
      { surveyorStaffId: surveyor },
      {
        action: 'claim.dispatch',
        async plan(trx, row, now) {
          // The surveyor becomes the handler, who reads the claim's health facts: an adjuster of its branch or above only.
          const register = (await trx('staff_register').where('id', surveyor).first('role', 'branch_path')) as
            { role: string; branch_path: string } | undefined;
          if (register === undefined || register.role !== 'CLAIMS_ADJUSTER' || !row.branch_path.startsWith(register.branch_path))
            throw invalidInput('input.surveyorStaffId', "must be a claims adjuster of the claim's branch or a branch above it");
          const task = await currentSurveyTask(trx, row);
          const children: RecordChange[] = [];
          let after: StepWrites['after'];
          if (task !== undefined && task.status === 'DISPATCHED') {
            after = async (inner) => {
              await inner('survey_tasks').where('id', task.id).update({ surveyor_staff_id: surveyor });
            };
            children.push({
              recordKey: `SurveyTask:${task.id}`,
              beforeVersion: null,
              afterVersion: null,
              fields: { surveyor_staff_id: { before: task.surveyor_staff_id, after: surveyor } },
            });
          } else {
            // A claim reported without a dispatch order gets one now.
            const id = await newChildRowId(trx, now);
            const newTask: SurveyTaskRow = {
              id,
              claim_id: row.id,
              status: 'DISPATCHED',
              dispatched_at: sqlTimestamp(now),
              on_site_at: null,
              completed_at: null,
              surveyor_staff_id: surveyor,
              contacted_customer_within_minutes: null,
            };
            after = async (inner) => {
              await inner('survey_tasks').insert(newTask);
            };
            children.push(created(`SurveyTask:${id}`, newTask));
          }
          // The surveyor handles the claim unless someone already does.
          return { to: 'DISPATCHED', columns: { handler_staff_id: row.handler_staff_id ?? surveyor }, children, after };
        },
      },
    );
  },

  async recordSurveyorOnSite(_root, { input }: { input: ClaimStepInput }, context) {
    return stepClaim(
      context,
      input,
      {},
      {
        action: 'claim.survey',
        async plan(trx, row, now) {
          if (row.status !== 'DISPATCHED')
            throw stepNotAllowed(row.status, 'ON_SITE', `The surveyor of a claim in state ${row.status} cannot be on site; a surveyor is dispatched first`);
          const task = (await currentSurveyTask(trx, row))!;
          surveyTaskLifecycle.assertTransition(task.status, 'ON_SITE');
          const dispatchedAt = new Date(toIsoTimestamp(task.dispatched_at)!);
          // Arrival is the latest the surveyor can have contacted the customer (target: 10 minutes).
          const minutes = Math.max(0, Math.floor((now.getTime() - dispatchedAt.getTime()) / 60_000));
          const changes = {
            status: 'ON_SITE',
            on_site_at: sqlTimestamp(now),
            contacted_customer_within_minutes: task.contacted_customer_within_minutes ?? minutes,
          };
          return {
            columns: {},
            children: [
              { recordKey: `SurveyTask:${task.id}`, beforeVersion: null, afterVersion: null, fields: { status: { before: task.status, after: 'ON_SITE' } } },
            ],
            after: async (inner) => {
              await inner('survey_tasks').where('id', task.id).update(changes);
            },
          };
        },
      },
    );
  },

  async completeSurvey(_root, { input }: { input: CompleteSurveyInput }, context) {
    const lossDescription = textWithoutHealthFacts(input.lossDescription, 'input.lossDescription', NARRATIVE_MAX);
    const injuryNarrative = parseText(input.injuryNarrative, 'input.injuryNarrative', { maxLength: NARRATIVE_MAX });
    return stepClaim(
      context,
      input,
      { lossDescription, injuryNarrative },
      {
        action: 'claim.survey',
        async plan(trx, row, now) {
          if (row.status !== 'DISPATCHED') throw invalidTransition(CLAIM, row.status, 'SURVEYED', claimLifecycle.next(row.status));
          const task = (await currentSurveyTask(trx, row))!;
          surveyTaskLifecycle.assertTransition(task.status, 'DONE');
          return {
            to: 'SURVEYED',
            columns: {
              ...(lossDescription === null ? {} : { loss_description: lossDescription }),
              ...(injuryNarrative === null ? {} : { injury_narrative: injuryNarrative }),
            },
            children: [
              { recordKey: `SurveyTask:${task.id}`, beforeVersion: null, afterVersion: null, fields: { status: { before: task.status, after: 'DONE' } } },
            ],
            after: async (inner) => {
              await inner('survey_tasks')
                .where('id', task.id)
                .update({ status: 'DONE', completed_at: sqlTimestamp(now) });
            },
          };
        },
      },
    );
  },

  async registerClaim(_root, { input }: { input: RegisterClaimInput }, context) {
    const reserveFen = parseMoney(input.outstandingReserve, 'input.outstandingReserve', 1);
    return stepClaim(
      context,
      input,
      { outstandingReserve: reserveFen },
      {
        action: 'claim.register',
        async plan(trx, row, now) {
          return {
            to: 'REGISTERED',
            columns: { registration_no: await registrationNumber(trx, row, now), registered_at: sqlTimestamp(now), outstanding_reserve: yuan(reserveFen) },
            after: (inner, updated) => recordReserveChanged(inner, context, updated, now),
          };
        },
      },
    );
  },

  async setClaimReserve(_root, { input }: { input: SetClaimReserveInput }, context) {
    const reserveFen = parseMoney(input.outstandingReserve, 'input.outstandingReserve', 0);
    return stepClaim(
      context,
      input,
      { outstandingReserve: reserveFen },
      {
        action: 'claim.reserve.set',
        async plan(_trx, row, now) {
          if (!RESERVE_STATUSES.includes(row.status))
            throw stepNotAllowed(
              row.status,
              'RESERVE_SET',
              `The reserve of a claim in state ${row.status} cannot be set: only from registration until the file closes`,
            );
          return { columns: { outstanding_reserve: yuan(reserveFen) }, after: (inner, updated) => recordReserveChanged(inner, context, updated, now) };
        },
      },
    );
  },

  async assessClaimLoss(_root, { input }: { input: AssessClaimLossInput }, context) {
    const assessedFen = parseMoney(input.assessedAmount, 'input.assessedAmount', 0);
    return stepClaim(
      context,
      input,
      { assessedAmount: assessedFen },
      {
        action: 'claim.assess',
        async plan(trx, row, now) {
          const id = await newChildRowId(trx, now);
          const assessment: LossAssessmentRow = {
            id,
            claim_id: row.id,
            assessed_at: sqlTimestamp(now),
            assessor_staff_id: context.caller.staffId,
            assessed_amount: yuan(assessedFen),
            approved_amount: null,
            notes: null,
          };
          return {
            to: 'ASSESSED',
            columns: {},
            children: [created(`LossAssessment:${id}`, assessment)],
            after: async (inner) => {
              await inner('loss_assessments').insert(assessment);
            },
          };
        },
      },
    );
  },

  async completeClaimDocuments(_root, { input }: { input: ClaimStepInput }, context) {
    return stepClaim(
      context,
      input,
      {},
      {
        action: 'claim.documentsComplete',
        plan: async (_trx, _row, now) => ({ to: 'DOCUMENTS_COMPLETE', columns: { documents_completed_at: sqlTimestamp(now) } }),
      },
    );
  },

  async adjustClaim(_root, { input }: { input: AdjustClaimInput }, context) {
    const payableFen = parseMoney(input.payableAmount, 'input.payableAmount', 0);
    return stepClaim(
      context,
      input,
      { payableAmount: payableFen },
      {
        action: 'claim.adjust',
        plan: async (_trx, _row, now) => ({
          to: 'ADJUSTED',
          // A new adjustment needs a new approval.
          columns: {
            adjusted_amount: yuan(payableFen),
            adjusted_by_staff_id: context.caller.staffId,
            adjusted_at: sqlTimestamp(now),
            approved_amount: null,
            approved_by_staff_id: null,
          },
        }),
      },
    );
  },

  async approveClaim(_root, { input }: { input: ClaimStepInput }, context) {
    return stepClaim(
      context,
      input,
      {},
      {
        action: 'claim.approve',
        async plan(_trx, row, now) {
          if (row.status !== 'ADJUSTED') throw invalidTransition(CLAIM, row.status, 'APPROVED', claimLifecycle.next(row.status));
          const amount = yuan(toFen(row.adjusted_amount));
          const authority = approvalAuthority(approvalLimits(), context.caller, amount);
          // Above the approver's authority: refused like any action the caller may not perform (and audited as such).
          if (!authority.allowed)
            throw new ActionRefused(
              'claim.approve',
              'AUTHORITY_LIMIT',
              `claim.approve/${context.caller.role}/authority:${authority.level ?? 'none'}:${authority.limit}`,
              context.policy.version,
            );
          return { to: 'APPROVED', columns: { approved_amount: amount, approved_by_staff_id: context.caller.staffId, approved_at: sqlTimestamp(now) } };
        },
      },
    );
  },

  async payClaim(_root, { input }: { input: PayClaimInput }, context) {
    const amountFen = parseMoney(input.amount, 'input.amount', 1);
    const payeeName = parseText(input.payeeName, 'input.payeeName', { maxLength: PAYEE_NAME_MAX, required: true })!;
    const payeeAccount = typeof input.payeeAccount === 'string' ? input.payeeAccount.replace(/\s+/g, '') : '';
    if (!/^\d{16,19}$/.test(payeeAccount)) throw invalidInput('input.payeeAccount', 'must be a bank account of 16 to 19 digits');
    return stepClaim(
      context,
      input,
      { amount: amountFen, payeeName, payeeAccount, method: input.method },
      {
        action: 'claim.pay',
        async plan(trx, row, now) {
          if (!['APPROVED', 'PAID'].includes(row.status)) throw invalidTransition(CLAIM, row.status, 'PAID', claimLifecycle.next(row.status));
          const unpaidFen = toFen(row.approved_amount) - toFen(row.paid);
          if (amountFen > unpaidFen)
            throw invalidInput('input.amount', `must be at most what is approved and not yet paid (${yuan(Math.max(0, unpaidFen)).toFixed(2)})`);
          const reserveFen = toFen(row.outstanding_reserve);
          if (amountFen > reserveFen)
            throw invalidInput('input.amount', `must be at most the outstanding reserve (${yuan(reserveFen).toFixed(2)}); raise the reserve first`);
          const id = await newChildRowId(trx, now);
          const payment: ClaimPaymentRow = {
            id,
            claim_id: row.id,
            paid_at: sqlTimestamp(now),
            amount: yuan(amountFen),
            payee_name: payeeName,
            payee_account: payeeAccount,
            method: input.method,
          };
          return {
            to: 'PAID',
            columns: { paid: yuan(toFen(row.paid) + amountFen), outstanding_reserve: yuan(reserveFen - amountFen) },
            children: [created(`ClaimPayment:${id}`, payment)],
            after: async (inner) => {
              await inner('claim_payments').insert(payment);
              await recordEvent(inner, context, {
                type: 'claim.paid',
                aggregate: `Claim:${row.report_no}`,
                payload: { reportNo: row.report_no, customerId: String(row.customer_id), amount: yuan(amountFen).toFixed(2), paidAt: now.toISOString() },
              });
            },
          };
        },
      },
    );
  },

  async closeClaim(_root, { input }: { input: ClaimStepInput }, context) {
    return stepClaim(
      context,
      input,
      {},
      {
        action: 'claim.close',
        async plan(_trx, row, now) {
          claimLifecycle.assertTransition(row.status, 'CLOSED');
          const reserveFen = toFen(row.outstanding_reserve);
          // A claim closes only when nothing more is expected to be paid on it.
          if (reserveFen !== 0)
            throw new GraphQLError(
              `A claim closes only with a zero outstanding reserve; ${yuan(reserveFen).toFixed(2)} is outstanding: release it first (setClaimReserve)`,
              {
                extensions: {
                  code: 'INVALID_TRANSITION',
                  currentState: row.status,
                  requestedState: 'CLOSED',
                  allowed: [...claimLifecycle.next(row.status)],
                  reason: 'OUTSTANDING_RESERVE',
                  outstandingReserve: yuan(reserveFen),
                },
              },
            );
          return {
            to: 'CLOSED',
            columns: { closed_at: sqlTimestamp(now), closed_outcome: CLOSING_OUTCOMES.CLOSED, close_reason: null },
            after: (trx, updated) => recordClosed(trx, context, updated, now),
          };
        },
      },
    );
  },

  async reopenClaim(_root, { input }: { input: ClaimReasonInput }, context) {
    const reason = parseText(input.reason, 'input.reason', { maxLength: REOPEN_REASON_MAX, required: true });
    return stepClaim(
      context,
      input,
      { reason },
      {
        action: 'claim.reopen',
        plan: async (_trx, _row, now) => ({ to: 'REOPENED', columns: { reopened_at: sqlTimestamp(now), reopen_reason: reason } }),
      },
    );
  },

  cancelClaim: (_root, { input }: { input: ClaimReasonInput }, context) => sideExit(context, input, 'claim.cancel', 'CANCELLED'),
  withdrawClaim: (_root, { input }: { input: ClaimReasonInput }, context) => sideExit(context, input, 'claim.withdraw', 'WITHDRAWN'),
  denyClaim: (_root, { input }: { input: ClaimReasonInput }, context) => sideExit(context, input, 'claim.deny', 'DENIED'),
  zeroCloseClaim: (_root, { input }: { input: ClaimReasonInput }, context) => sideExit(context, input, 'claim.zeroClose', 'ZERO_CLOSED'),

  async concludeSpecialInvestigation(_root, { input }: { input: ConcludeInvestigationInput }, context) {
    const outcome = parseOneOf(input.outcome, 'input.outcome', INVESTIGATION_OUTCOMES);
    return stepClaim(
      context,
      input,
      { outcome },
      {
        // Never the handler's (the policy's two-person rule): the finding is about the file they handle.
        action: 'claim.investigation.conclude',
        async plan(_trx, row, now) {
          if (!toBoolean(row.special_investigation))
            throw invalidInput('input.reportNo', 'must name a claim under special investigation; this claim is not under one');
          // The finding itself is RESTRICTED: the refusal does not tell it.
          if (row.investigation_outcome !== null)
            throw invalidInput('input.reportNo', 'names a claim whose special investigation is already concluded; a finding is concluded once');
          return {
            columns: { investigation_outcome: outcome, investigation_concluded_at: sqlTimestamp(now) },
            // Insights classifies a customer with confirmed fraud as poor (DOMAIN.md section 5).
            after: async (trx) => {
              await recordEvent(trx, context, {
                type: 'claim.investigation-concluded',
                aggregate: `Claim:${row.report_no}`,
                payload: {
                  reportNo: row.report_no,
                  customerId: String(row.customer_id),
                  fraudConfirmed: outcome === 'FRAUD_CONFIRMED',
                  concludedAt: now.toISOString(),
                },
              });
            },
          };
        },
      },
    );
  },
} satisfies MutationResolvers;

/**
 * 立案号: CLM, the year of registration and 12 digits: the claim's id, or the next free number after it when a
 * number the source system issued (seeded numbers are scattered over the whole range) already holds it.
 */
async function registrationNumber(trx: Knex.Transaction, row: ClaimRow, now: Date): Promise<string> {
  for (let candidate = Number(row.id); ; candidate++) {
    const number = `CLM${now.getUTCFullYear()}${String(candidate % 10 ** 12).padStart(12, '0')}`;
    if ((await trx('claims').where('registration_no', number).first('id')) === undefined) return number;
  }
}
