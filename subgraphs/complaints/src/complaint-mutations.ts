import {
  allocateId,
  authorizeAction,
  COMPLAINT_CATEGORIES,
  COMPLAINT_SOURCES,
  expectVersion,
  invalidInput,
  invalidTransition,
  LINES_OF_BUSINESS,
  recordEvent,
  runMutation,
  sqlTimestamp,
  STAFF_ROLES,
  toIsoDate,
  toIsoTimestamp,
  touch,
  updateVersioned,
  type ActionTarget,
  type Knex,
  type RecordChange,
  type WorkflowAction,
} from '@icg/shared';
import {
  assertDeadlineRunning,
  assertUndecided,
  COMPLAINT_DEADLINE,
  COMPLAINT_ESCALATION,
  COMPLAINT_LIFECYCLE,
  COMPLAINT_REVIEW,
  deadlineStateOf,
  reviewStateOf,
} from './complaint-lifecycle';
import {
  complaintNoOf,
  expectedVersionOf,
  FACTS_TEXT,
  flagOf,
  textWithoutHealthFacts,
  idOf,
  inputField,
  inputObject,
  NAME_TEXT,
  NOTE_TEXT,
  oneOf,
  optionalAmountOf,
  optionalBusinessNumberOf,
  optionalIdOf,
  optionalMobileOf,
  optionalOneOf,
  REASON_TEXT,
  stepNoteOf,
  textOf,
  wholeNumberOf,
} from './complaint-input';
import {
  allocateComplaintNumbers,
  complaintRecordKey,
  complaintTarget,
  extensionRequestsOf,
  extensionsOf,
  lockComplaint,
  recordStep,
  type ComplaintTarget,
} from './complaint-store';
import { deadlineDays, deadlineExpiresAt, dueDateOf, nextExtensionDays, STANDARD_DEADLINE_DAYS } from './deadlines';
import type { MutationResolvers, ResolverContext } from './generated/schema-types';
import { handlingBranch, levelOfPath, requireBranch, requireStaff } from './org-directory';
import { complaintRecord, type ComplaintRow, type ScopedComplaintRecord } from './records';
import { COMPLAINT_OUTCOMES, ESCALATION_REASONS, REVIEW_OUTCOMES, ROOT_CAUSES, type ComplaintStep } from './workflow';

/**
 * The complaint workflow's mutations (README "Mutations", DOMAIN.md section 4). Each one: input checked
 * (BAD_USER_INPUT naming the field) → in one transaction: the complaint locked → the action authorised
 * by the policy file → idempotency key claimed → version, state machine and rules checked → the change,
 * its step, its events → audited. Every time comes from the request's clock.
 */

type Input = Readonly<Record<string, unknown>>;
type Columns = Record<string, unknown>;

const ENTITY = 'complaint';

/** What the retry of a mutation gets back: the complaint's key, never a personal value. */
type ComplaintResult = { complaintNo: string };

/** The fields a change sets, before and after, for the audit trail (it keeps only keyed hashes of them). */
function changedFields(row: ComplaintRow, columns: Columns): RecordChange['fields'] {
  return Object.fromEntries(Object.entries(columns).map(([column, after]) => [column, { before: (row as unknown as Columns)[column] ?? null, after }]));
}

/** The complaint as it is after a change, read afresh (the request's loaders may hold it from before). */
async function complaintAfterChange(context: ResolverContext, complaintNo: string): Promise<ScopedComplaintRecord | null> {
  const { loaders } = context;
  loaders.complaintByNo.clear(complaintNo);
  const row = await loaders.complaintByNo.load(complaintNo);
  if (!row) return null;
  const id = String(row.id);
  loaders.complaintById.clear(id);
  for (const children of [
    loaders.stepsByComplaintId,
    loaders.extensionsByComplaintId,
    loaders.extensionRequestsByComplaintId,
    loaders.escalationsByComplaintId,
  ]) {
    children.clear(id);
  }
  return complaintRecord(row);
}

interface ComplaintChangeDefinition {
  action: WorkflowAction;
  idempotencyKey: unknown;
  input: Input;
  /** The people on the complaint a two-person rule names (read inside the transaction). */
  people?: (trx: Knex.Transaction, row: ComplaintRow) => Promise<ActionTarget['people']>;
  /** Checks the complaint's state and writes what belongs to the change beside the complaint's row; returns the row's new columns. */
  apply(trx: Knex.Transaction, target: ComplaintTarget, now: Date): Promise<Columns>;
}

/** A change to an existing complaint: the version the caller read is checked before anything else of its state. */
async function changeComplaint(context: ResolverContext, definition: ComplaintChangeDefinition): Promise<ScopedComplaintRecord | null> {
  const complaintNo = complaintNoOf(definition.input);
  const expectedVersion = expectedVersionOf(definition.input);
  const result = await runMutation<ComplaintTarget, ComplaintResult>(context, {
    action: definition.action,
    idempotencyKey: definition.idempotencyKey,
    input: definition.input,
    async loadTarget(trx) {
      const row = await lockComplaint(trx, complaintNo);
      return complaintTarget(row, definition.people ? await definition.people(trx, row) : {});
    },
    async perform(trx, target, _decision, now) {
      expectVersion(ENTITY, Number(target.row.version), expectedVersion);
      const columns = await definition.apply(trx, target, now);
      const version = await updateVersioned(trx, {
        entity: ENTITY,
        table: 'complaints',
        where: { id: String(target.row.id) },
        expectedVersion,
        changes: { ...columns, ...touch(now) },
      });
      return {
        result: { complaintNo },
        changes: [
          { recordKey: complaintRecordKey(complaintNo), beforeVersion: expectedVersion, afterVersion: version, fields: changedFields(target.row, columns) },
        ],
      };
    },
  });
  return complaintAfterChange(context, result.complaintNo);
}

/** One step of the line: the status moves on, the step is recorded on its form with the caller and the time. */
async function takeStep(
  context: ResolverContext,
  trx: Knex.Transaction,
  target: ComplaintTarget,
  now: Date,
  step: ComplaintStep,
  input: Input,
  to: ComplaintRow['status'],
): Promise<Columns> {
  COMPLAINT_LIFECYCLE.assertTransition(target.row.status, to);
  await recordStep(trx, target.row.id, step, context.caller.staffId, now, stepNoteOf(input));
  return { status: to };
}

/**
 * The accountable unit named at verification or registration: a branch of the org tree, which the caller
 * must be allowed the same action on (a unit outside the caller's branch needs the complaint escalated to
 * a level above both). The complaint belongs to that unit from then on.
 */
async function respondentColumns(
  context: ResolverContext,
  trx: Knex.Transaction,
  action: WorkflowAction,
  target: ComplaintTarget,
  input: Input,
  now: Date,
): Promise<Columns | null> {
  const branchId = optionalIdOf(input, 'respondentBranchId');
  const staffId = optionalIdOf(input, 'respondentStaffId');
  if (branchId === null) {
    if (staffId !== null) throw invalidInput(inputField('respondentStaffId'), 'is given with respondentBranchId, the unit the member of staff works in');
    return null;
  }
  const branch = await requireBranch(trx, branchId, inputField('respondentBranchId'));
  if (staffId !== null) await requireStaff(trx, staffId, inputField('respondentStaffId'), STAFF_ROLES);
  authorizeAction(context, action, { scope: { ...target.scope, branchPath: branch.path } });
  return { branch_id: branch.id, branch_path: branch.path, respondent_staff_id: staffId, respondent_determined_at: sqlTimestamp(now) };
}

function isoTimestampOf(value: string | Date | null): string | null {
  const text = toIsoTimestamp(value);
  return text === null ? null : new Date(text).toISOString();
}

/** The deadline was met when the decision was notified, or the complaint withdrawn, before it expired. */
function metDeadline(row: ComplaintRow): boolean {
  const closed = [row.feedback_at, row.withdrawn_at].map(isoTimestampOf).filter((time): time is string => time !== null);
  const expiresAt = deadlineExpiresAt(toIsoDate(row.due_date)!);
  return closed.some((time) => new Date(time) < expiresAt);
}

const HANDLER_ROLES = ['COMPLAINT_OFFICER', 'SERVICE_CENTER_MANAGER'] as const;
const DECIDED_OUTCOMES = COMPLAINT_OUTCOMES.filter((outcome) => outcome !== 'WITHDRAWN');

export function createMutationResolvers(): MutationResolvers {
  return {
    async acceptComplaint(_root, args, context) {
      const input = inputObject(args.input);
      const customerId = idOf(input, 'customerId');
      const source = oneOf(input, 'source', COMPLAINT_SOURCES);
      // Complaint calls are accepted from the hotline's ticket (the complaint-call event), never typed in twice.
      if (source === 'HOTLINE') throw invalidInput(inputField('source'), 'HOTLINE complaints are accepted from the hotline ticket of the call');
      const category = oneOf(input, 'category', COMPLAINT_CATEGORIES);
      const respondentBranchId = idOf(input, 'respondentBranchId');
      const respondentStaffId = optionalIdOf(input, 'respondentStaffId');
      const policyNo = optionalBusinessNumberOf(input, 'policyNo');
      const reportNo = optionalBusinessNumberOf(input, 'reportNo');
      const lineOfBusiness = optionalOneOf(input, 'lineOfBusiness', LINES_OF_BUSINESS);
      const complainantName = textOf(input, 'complainantName', NAME_TEXT);
      const complainantMobile = optionalMobileOf(input, 'complainantMobile');
      const facts = textWithoutHealthFacts(input, 'facts', { ...FACTS_TEXT, required: true })!;
      const request = textWithoutHealthFacts(input, 'request', { ...NOTE_TEXT, required: true })!;
      const note = stepNoteOf(input);

      const result = await runMutation<ActionTarget & { scope: { branchPath: string }; branchId: string }, ComplaintResult>(context, {
        action: 'complaint.accept',
        idempotencyKey: args.idempotencyKey,
        input,
        // The new complaint belongs to the branch it is about: the caller must be allowed to accept there.
        async loadTarget(trx) {
          const branch = await requireBranch(trx, respondentBranchId, inputField('respondentBranchId'));
          return { branchId: branch.id, scope: { branchPath: branch.path, responsibleStaffIds: [], recordKey: 'Complaint:new' } };
        },
        async perform(trx, target, _decision, now) {
          if (respondentStaffId !== null) await requireStaff(trx, respondentStaffId, inputField('respondentStaffId'), STAFF_ROLES);
          const { id, complaintNo } = await allocateComplaintNumbers(trx);
          const columns = {
            id,
            complaint_no: complaintNo,
            source,
            complainant_name: complainantName,
            complainant_mobile: complainantMobile,
            customer_id: customerId,
            branch_id: target.branchId,
            branch_path: target.scope.branchPath,
            handler_staff_id: null,
            customer_manager_staff_id: null,
            respondent_staff_id: respondentStaffId,
            policy_no: policyNo,
            report_no: reportNo,
            category,
            line_of_business: lineOfBusiness,
            facts,
            request,
            complexity: 'SIMPLE',
            status: 'ACCEPTED',
            accepted_at: sqlTimestamp(now),
            deadline_days: STANDARD_DEADLINE_DAYS,
            due_date: dueDateOf(now, STANDARD_DEADLINE_DAYS),
            escalation_level: levelOfPath(target.scope.branchPath),
            review_requested: false,
            archived: false,
            version: 1,
          };
          await trx('complaints').insert({ ...columns, ...touch(now) });
          await recordStep(trx, id, 'ACCEPT', context.caller.staffId, now, note);
          return {
            result: { complaintNo },
            changes: [
              {
                recordKey: complaintRecordKey(complaintNo),
                beforeVersion: null,
                afterVersion: 1,
                fields: Object.fromEntries(Object.entries(columns).map(([column, after]) => [column, { before: null, after }])),
              },
            ],
          };
        },
      });
      return complaintAfterChange(context, result.complaintNo);
    },

    async verifyComplaint(_root, args, context) {
      const input = inputObject(args.input);
      return changeComplaint(context, {
        action: 'complaint.verify',
        idempotencyKey: args.idempotencyKey,
        input,
        async apply(trx, target, now) {
          const step = await takeStep(context, trx, target, now, 'VERIFY', input, 'VERIFIED');
          const respondent = await respondentColumns(context, trx, 'complaint.verify', target, input, now);
          return { ...step, ...respondent, verified_at: sqlTimestamp(now) };
        },
      });
    },

    async registerComplaint(_root, args, context) {
      const input = inputObject(args.input);
      return changeComplaint(context, {
        action: 'complaint.register',
        idempotencyKey: args.idempotencyKey,
        input,
        async apply(trx, target, now) {
          const step = await takeStep(context, trx, target, now, 'REGISTER', input, 'REGISTERED');
          const respondent = await respondentColumns(context, trx, 'complaint.register', target, input, now);
          if (respondent === null && target.row.respondent_determined_at === null) {
            throw invalidInput(inputField('respondentBranchId'), 'is required: verification did not determine the accountable unit, and registration must');
          }
          const branchId = String(respondent?.['branch_id'] ?? target.row.branch_id);
          await recordEvent(trx, context, {
            type: 'complaint.registered',
            aggregate: complaintRecordKey(target.row.complaint_no),
            payload: {
              complaintNo: target.row.complaint_no,
              customerId: String(target.row.customer_id),
              category: target.row.category,
              source: target.row.source,
              registeredAt: now.toISOString(),
              dueDate: toIsoDate(target.row.due_date)!,
              branchId,
            },
          });
          return { ...step, ...respondent, registered_at: sqlTimestamp(now) };
        },
      });
    },

    async transferComplaint(_root, args, context) {
      const input = inputObject(args.input);
      const handlerStaffId = idOf(input, 'handlerStaffId');
      return changeComplaint(context, {
        action: 'complaint.transfer',
        idempotencyKey: args.idempotencyKey,
        input,
        async apply(trx, target, now) {
          const step = await takeStep(context, trx, target, now, 'TRANSFER', input, 'TRANSFERRED');
          const handler = await requireStaff(trx, handlerStaffId, inputField('handlerStaffId'), HANDLER_ROLES);
          // 谁造成投诉谁负责处理: the handler works in the accountable unit, or in a branch above it.
          if (!target.row.branch_path.startsWith(handler.branchPath)) {
            throw invalidInput(inputField('handlerStaffId'), 'must work in the accountable unit (respondentBranch) or a branch above it');
          }
          return { ...step, handler_staff_id: handler.id, transferred_at: sqlTimestamp(now) };
        },
      });
    },

    async coordinateComplaint(_root, args, context) {
      const input = inputObject(args.input);
      return changeComplaint(context, {
        action: 'complaint.coordinate',
        idempotencyKey: args.idempotencyKey,
        input,
        async apply(trx, target, now) {
          return { ...(await takeStep(context, trx, target, now, 'COORDINATE', input, 'COORDINATING')), coordinated_at: sqlTimestamp(now) };
        },
      });
    },

    async handleComplaint(_root, args, context) {
      const input = inputObject(args.input);
      const outcome = oneOf(input, 'outcome', DECIDED_OUTCOMES);
      const rootCause = oneOf(input, 'rootCause', ROOT_CAUSES);
      const compensation = optionalAmountOf(input, 'compensationAmount');
      const rectification = textWithoutHealthFacts(input, 'rectification', NOTE_TEXT);
      const founded = outcome === 'UPHELD' || outcome === 'PARTIALLY_UPHELD';
      if (compensation !== null && !founded) throw invalidInput(inputField('compensationAmount'), 'is granted only on a complaint upheld in whole or in part');
      if (rectification === null && founded) throw invalidInput(inputField('rectification'), 'is required when the complaint is upheld in whole or in part');
      return changeComplaint(context, {
        action: 'complaint.handle',
        idempotencyKey: args.idempotencyKey,
        input,
        async apply(trx, target, now) {
          const step = await takeStep(context, trx, target, now, 'HANDLE', input, 'HANDLED');
          return { ...step, outcome, root_cause: rootCause, compensation_amount: compensation, rectification, handled_at: sqlTimestamp(now) };
        },
      });
    },

    async giveComplaintFeedback(_root, args, context) {
      const input = inputObject(args.input);
      return changeComplaint(context, {
        action: 'complaint.feedback',
        idempotencyKey: args.idempotencyKey,
        input,
        async apply(trx, target, now) {
          return { ...(await takeStep(context, trx, target, now, 'FEEDBACK', input, 'FEEDBACK_GIVEN')), feedback_at: sqlTimestamp(now) };
        },
      });
    },

    async archiveComplaint(_root, args, context) {
      const input = inputObject(args.input);
      return changeComplaint(context, {
        action: 'complaint.archive',
        idempotencyKey: args.idempotencyKey,
        input,
        async apply(trx, target, now) {
          const { row } = target;
          const review = reviewStateOf(Boolean(row.review_requested), row.review_decided_at !== null || row.review_outcome !== null);
          // A review the complainant asked for is decided before the case closes.
          if (review === 'REQUESTED') throw invalidTransition(COMPLAINT_REVIEW.name, review, 'ARCHIVED', COMPLAINT_REVIEW.next(review));
          const step = await takeStep(context, trx, target, now, 'ARCHIVE', input, 'ARCHIVED');
          await recordEvent(trx, context, {
            type: 'complaint.closed',
            aggregate: complaintRecordKey(row.complaint_no),
            payload: { complaintNo: row.complaint_no, customerId: String(row.customer_id), closedAt: now.toISOString(), onTime: metDeadline(row) },
          });
          return { ...step, archived: true, archived_at: sqlTimestamp(now) };
        },
      });
    },

    async withdrawComplaint(_root, args, context) {
      const input = inputObject(args.input);
      return changeComplaint(context, {
        action: 'complaint.withdraw',
        idempotencyKey: args.idempotencyKey,
        input,
        async apply(trx, target, now) {
          assertUndecided(target.row.status, 'HANDLED');
          // Recorded on the handling form, as a decision would be; the steps in between were never taken.
          await recordStep(trx, target.row.id, 'HANDLE', context.caller.staffId, now, stepNoteOf(input));
          const at = sqlTimestamp(now);
          return { status: 'HANDLED', outcome: 'WITHDRAWN', withdrawn_at: at, handled_at: at };
        },
      });
    },

    async extendComplaintDeadline(_root, args, context) {
      const input = inputObject(args.input);
      const reason = textWithoutHealthFacts(input, 'reason', { ...REASON_TEXT, required: true })!;
      return changeComplaint(context, {
        action: 'complaint.extend',
        idempotencyKey: args.idempotencyKey,
        input,
        async apply(trx, target, now) {
          const { row } = target;
          assertUndecided(row.status, 'EXTENDED');
          const extensions = await extensionsOf(trx, row.id);
          COMPLAINT_DEADLINE.assertTransition(deadlineStateOf(extensions.length, await extensionRequestsOf(trx, row.id)), 'EXTENDED');
          assertDeadlineRunning(toIsoDate(row.due_date)!, now, 'EXTENDED');
          // The complex case's extension is the accountable branch's own decision: asked for and approved at once.
          const days = nextExtensionDays(0)!;
          const at = sqlTimestamp(now);
          await trx('complaint_deadline_extensions').insert({
            id: await allocateId(trx, 'complaint_deadline_extensions'),
            complaint_id: row.id,
            sequence: 1,
            days,
            approved_by_staff_id: context.caller.staffId,
            approved_at: at,
            reason,
            notified_complainant_at: null,
            requested_by_staff_id: context.caller.staffId,
            requested_at: at,
          });
          const total = deadlineDays([days]);
          return { deadline_days: total, due_date: dueDateOf(new Date(toIsoTimestamp(row.accepted_at)!), total), complexity: 'COMPLEX' };
        },
      });
    },

    async requestFurtherComplaintExtension(_root, args, context) {
      const input = inputObject(args.input);
      const reason = textWithoutHealthFacts(input, 'reason', { ...REASON_TEXT, required: true })!;
      return changeComplaint(context, {
        action: 'complaint.extend',
        idempotencyKey: args.idempotencyKey,
        input,
        async apply(trx, target, now) {
          const { row } = target;
          assertUndecided(row.status, 'FURTHER_REQUESTED');
          const requests = await extensionRequestsOf(trx, row.id);
          COMPLAINT_DEADLINE.assertTransition(deadlineStateOf((await extensionsOf(trx, row.id)).length, requests), 'FURTHER_REQUESTED');
          assertDeadlineRunning(toIsoDate(row.due_date)!, now, 'FURTHER_REQUESTED');
          await trx('complaint_extension_requests').insert({
            id: await allocateId(trx, 'complaint_extension_requests'),
            complaint_id: row.id,
            sequence: requests.length + 1,
            days: nextExtensionDays(1)!,
            requested_by_staff_id: context.caller.staffId,
            requested_at: sqlTimestamp(now),
            reason,
            status: 'PENDING',
            decided_by_staff_id: null,
            decided_at: null,
          });
          // Only the request: the complaint itself changes when it is decided.
          return {};
        },
      });
    },

    async decideFurtherComplaintExtension(_root, args, context) {
      const input = inputObject(args.input);
      const approve = flagOf(input, 'approve');
      return changeComplaint(context, {
        action: 'complaint.extension.approve',
        idempotencyKey: args.idempotencyKey,
        input,
        // Two-person rule (policy file): whoever asked for the further extension does not decide it.
        async people(trx, row) {
          const pending = (await extensionRequestsOf(trx, row.id)).find((request) => request.status === 'PENDING');
          return { proposer: pending ? String(pending.requested_by_staff_id) : null };
        },
        async apply(trx, target, now) {
          const { row } = target;
          const requests = await extensionRequestsOf(trx, row.id);
          const extensions = await extensionsOf(trx, row.id);
          const to = approve ? 'FURTHER_EXTENDED' : 'EXTENDED';
          COMPLAINT_DEADLINE.assertTransition(deadlineStateOf(extensions.length, requests), to);
          const pending = requests.find((request) => request.status === 'PENDING')!;
          const at = sqlTimestamp(now);
          await trx('complaint_extension_requests')
            .where({ id: pending.id })
            .update({ status: approve ? 'APPROVED' : 'REJECTED', decided_by_staff_id: context.caller.staffId, decided_at: at });
          if (!approve) return {};
          assertDeadlineRunning(toIsoDate(row.due_date)!, now, to);
          await trx('complaint_deadline_extensions').insert({
            id: await allocateId(trx, 'complaint_deadline_extensions'),
            complaint_id: row.id,
            sequence: extensions.length + 1,
            days: pending.days,
            approved_by_staff_id: context.caller.staffId,
            approved_at: at,
            reason: pending.reason,
            notified_complainant_at: null,
            requested_by_staff_id: pending.requested_by_staff_id,
            requested_at: pending.requested_at,
          });
          const total = deadlineDays([...extensions.map((extension) => extension.days), pending.days]);
          return { deadline_days: total, due_date: dueDateOf(new Date(toIsoTimestamp(row.accepted_at)!), total), complexity: 'ESPECIALLY_COMPLEX' };
        },
      });
    },

    async recordComplaintExtensionNotice(_root, args, context) {
      const input = inputObject(args.input);
      const sequence = wholeNumberOf(input, 'extension', 1, 2);
      return changeComplaint(context, {
        action: 'complaint.extension.notify',
        idempotencyKey: args.idempotencyKey,
        input,
        async apply(trx, target, now) {
          const extension = (await extensionsOf(trx, target.row.id)).find((candidate) => candidate.sequence === sequence);
          if (!extension) throw invalidInput(inputField('extension'), `the complaint has no extension ${sequence}`);
          if (extension.notified_complainant_at !== null) {
            throw invalidInput(inputField('extension'), `the complainant was already told of extension ${sequence}`);
          }
          await trx('complaint_deadline_extensions')
            .where({ id: extension.id })
            .update({ notified_complainant_at: sqlTimestamp(now) });
          return {};
        },
      });
    },

    async escalateComplaint(_root, args, context) {
      const input = inputObject(args.input);
      const reason = oneOf(input, 'reason', ESCALATION_REASONS);
      return changeComplaint(context, {
        action: 'complaint.escalate',
        idempotencyKey: args.idempotencyKey,
        input,
        async apply(trx, target, now) {
          const { row } = target;
          assertUndecided(row.status, 'ESCALATED');
          const from = handlingBranch(row.branch_path, row.escalation_level);
          const level = COMPLAINT_ESCALATION.next(from.level)[0];
          // Head office is the top of the tree.
          if (level === undefined) throw invalidTransition(COMPLAINT_ESCALATION.name, from.level, 'ESCALATED', []);
          const branch = handlingBranch(row.branch_path, level);
          const sequence =
            Number(
              ((await trx('complaint_escalations').where({ complaint_id: row.id }).count({ escalations: '*' }).first()) as { escalations: number | string })
                .escalations,
            ) + 1;
          await trx('complaint_escalations').insert({
            id: await allocateId(trx, 'complaint_escalations'),
            complaint_id: row.id,
            sequence,
            from_level: from.level,
            to_level: level,
            branch_id: branch.id,
            reason,
            escalated_by_staff_id: context.caller.staffId,
            at: sqlTimestamp(now),
          });
          return { escalation_level: level };
        },
      });
    },

    async requestComplaintReview(_root, args, context) {
      const input = inputObject(args.input);
      return changeComplaint(context, {
        action: 'complaint.review.request',
        idempotencyKey: args.idempotencyKey,
        input,
        async apply(_trx, target, now) {
          const { row } = target;
          // After the decision was notified, and only of a decision: a withdrawal has none to review.
          if (row.status !== 'FEEDBACK_GIVEN')
            throw invalidTransition(COMPLAINT_LIFECYCLE.name, row.status, 'REVIEW_REQUESTED', COMPLAINT_LIFECYCLE.next(row.status));
          if (row.outcome === 'WITHDRAWN') COMPLAINT_REVIEW.assertTransition('DECIDED', 'REQUESTED');
          COMPLAINT_REVIEW.assertTransition(reviewStateOf(Boolean(row.review_requested), row.review_outcome !== null), 'REQUESTED');
          return { review_requested: true, review_requested_at: sqlTimestamp(now) };
        },
      });
    },

    async decideComplaintReview(_root, args, context) {
      const input = inputObject(args.input);
      const outcome = oneOf(input, 'outcome', REVIEW_OUTCOMES);
      return changeComplaint(context, {
        action: 'complaint.review.decide',
        idempotencyKey: args.idempotencyKey,
        input,
        // Two-person rule (policy file): the review is not decided by the officer who handled the complaint.
        async people(_trx, row) {
          return { handler: row.handler_staff_id === null ? null : String(row.handler_staff_id) };
        },
        async apply(_trx, target, now) {
          const { row } = target;
          COMPLAINT_REVIEW.assertTransition(reviewStateOf(Boolean(row.review_requested), row.review_outcome !== null), 'DECIDED');
          return { review_outcome: outcome, review_decided_at: sqlTimestamp(now) };
        },
      });
    },
  };
}
