/**
 * Customer managers (客户经理, DOMAIN.md section 2; README "Mutations"): the service-centre manager assigns, transfers
 * and releases a customer's primary manager — at most one per customer, held by the database itself
 * (manager_assignments.current_primary_customer_id is unique), and a large customer's of principal grade or above
 * (CUSTOMERS_LARGE_CUSTOMER_MINIMUM_GRADE); grades change and are re-certified yearly, approved at the level the
 * grade needs (senior and principal by a provincial branch, the others by a city branch: the approver's branch level
 * decides), every decision kept; managers submit monthly visit reports and report major customer events. Each
 * mutation runs through `runMutation`: authorised by the policy's `actions`, idempotent, versioned and audited.
 */
import {
  ActionRefused,
  allocateId,
  defineStateMachine,
  expectVersion,
  invalidInput,
  isInScope,
  isoDate,
  MANAGER_GRADES,
  medicalWordsIn,
  notFound,
  parseEntityId,
  parseExpectedVersion,
  parseIsoDate,
  parseText,
  recordEvent,
  runMutation,
  scopeOfRow,
  sqlTimestamp,
  toIsoDate,
  updateVersioned,
  type ActionDecision,
  type ActionTarget,
  type Knex,
  type ManagerGrade,
  type RecordChange,
  type RowScope,
} from '@icg/shared';
import type { CustomersSettings } from './customers-settings';
import { entities } from './entities';
import type { BranchLevel, MajorCustomerEventInput, MutationResolvers, ResolverContext, VisitReportInput } from './generated/schema-types';
import { largeCustomersAmong } from './large-customers';
import { certificationMachine, certificationStatus, isMonth, lastEndedMonth } from './manager-deadlines';
import {
  customerManagerRecord,
  customerRecord,
  visitReportRecord,
  type BranchRow,
  type CustomerRow,
  type GradeHistoryRow,
  type ManagerAssignmentRow,
  type StaffRow,
} from './records';
import { majorCustomerEventRecord, type GradeChangeRow, type MajorCustomerEventRow } from './workflow-records';

/**
 * A customer's primary manager: UNASSIGNED (a prospect, or released), ASSIGNED, or TRANSFERRED (taken over from
 * another manager). Assigning needs nobody primary; transferring and releasing need someone.
 */
export type PrimaryManagerState = 'UNASSIGNED' | 'ASSIGNED' | 'TRANSFERRED';
export const primaryManagerMachine = defineStateMachine<PrimaryManagerState>('customer primary manager', {
  UNASSIGNED: ['ASSIGNED'],
  ASSIGNED: ['TRANSFERRED', 'UNASSIGNED'],
  TRANSFERRED: ['TRANSFERRED', 'UNASSIGNED'],
});

/** The state from the customer's current primary assignment (periods from before the write side count as ASSIGNED). */
export function primaryManagerStateOf(current: Pick<ManagerAssignmentRow, 'started_by'> | undefined): PrimaryManagerState {
  if (current === undefined) return 'UNASSIGNED';
  return current.started_by === 'TRANSFERRED' ? 'TRANSFERRED' : 'ASSIGNED';
}

/** Grades rank highest first (MANAGER_GRADES); `grade` meets `minimum` when it ranks the same or higher. */
export function meetsGrade(grade: ManagerGrade, minimum: ManagerGrade): boolean {
  return MANAGER_GRADES.indexOf(grade) <= MANAGER_GRADES.indexOf(minimum);
}

/** Province-approved grades (DOMAIN.md section 2). */
const PROVINCE_APPROVED: readonly ManagerGrade[] = ['SENIOR', 'PRINCIPAL'];
const LEVEL_RANK: Readonly<Record<BranchLevel, number>> = { HEAD_OFFICE: 0, PROVINCE: 1, CITY: 2 };

/**
 * The org level that approves `grade` for a manager of a branch at `managerLevel`: PROVINCE for senior and principal,
 * CITY for the others — or the manager's own level, for a manager above city level (no city branch is above them).
 */
export function approvingLevel(grade: ManagerGrade, managerLevel: BranchLevel): BranchLevel {
  const wanted: BranchLevel = PROVINCE_APPROVED.includes(grade) ? 'PROVINCE' : 'CITY';
  return LEVEL_RANK[managerLevel] < LEVEL_RANK[wanted] ? managerLevel : wanted;
}

const SUMMARY_WIDTH = 2_000;
const DESCRIPTION_WIDTH = 1_000;
const MOST_VISITS_A_MONTH = 100;

function customerScope(row: CustomerRow): RowScope {
  return scopeOfRow('Customer', entities.Customer, row);
}

function managerScope(row: StaffRow): RowScope {
  return scopeOfRow('CustomerManager', entities.CustomerManager, row);
}

/** Free text bound for a field that is not HEALTH: trimmed, within its width, no injury, illness or treatment. */
function parseNarrative(value: unknown, field: string, maxLength: number): string {
  const text = parseText(value, field, { maxLength, required: true })!;
  if (medicalWordsIn(text).length > 0) throw invalidInput(field, 'must not name injuries, illness or treatment: this field is not for health facts');
  return text;
}

async function lockedCustomer(trx: Knex.Transaction, id: string, argumentName: string): Promise<CustomerRow> {
  const customer = (await trx('customers').where({ id }).forUpdate().first()) as CustomerRow | undefined;
  if (!customer) throw notFound('Customer', argumentName);
  return customer;
}

async function staffMember(trx: Knex.Transaction, id: string | number): Promise<StaffRow | undefined> {
  return (await trx('staff').where({ id }).first()) as StaffRow | undefined;
}

async function branchOf(trx: Knex.Transaction, id: string | number): Promise<BranchRow | undefined> {
  return (await trx('branches').where({ id }).first()) as BranchRow | undefined;
}

// --- Primary manager: assign, transfer, release ---------------------------------------------------------------

type PrimaryManagerAction = 'manager.assign' | 'manager.transfer' | 'manager.release';
const TARGET_STATE: Readonly<Record<PrimaryManagerAction, PrimaryManagerState>> = {
  'manager.assign': 'ASSIGNED',
  'manager.transfer': 'TRANSFERRED',
  'manager.release': 'UNASSIGNED',
};

/** The manager a customer is given: a customer manager with a grade, in the caller's scope for the action. */
async function incomingManager(
  trx: Knex.Transaction,
  context: ResolverContext,
  decision: ActionDecision,
  managerId: string,
  customer: CustomerRow,
  now: Date,
  settings: CustomersSettings,
): Promise<StaffRow> {
  const manager = await staffMember(trx, managerId);
  if (!manager || manager.role !== 'CUSTOMER_MANAGER' || manager.grade === null) throw invalidInput('managerId', 'is not a customer manager');
  if (!isInScope(decision.scope, context.caller, managerScope(manager))) throw invalidInput('managerId', 'is not a manager of your branch');
  if (!meetsGrade(manager.grade, settings.largeCustomerMinimumGrade)) {
    const large = await largeCustomersAmong(trx, [String(customer.id)], now, settings.largeCustomerPremiumYuan);
    if (large.size > 0)
      throw invalidInput(
        'managerId',
        `must be of grade ${settings.largeCustomerMinimumGrade} or above: the customer is a large customer (grade ${manager.grade})`,
      );
  }
  return manager;
}

/** The last day of a period that ends today: yesterday, or its first day if it began today. */
function lastDayBefore(now: Date, from: string): string {
  const yesterday = isoDate(new Date(now.getTime() - 86_400_000));
  return yesterday < from ? from : yesterday;
}

async function changePrimaryManager(
  context: ResolverContext,
  settings: CustomersSettings,
  action: PrimaryManagerAction,
  args: { customerId: unknown; managerId?: unknown; expectedVersion: unknown; idempotencyKey: unknown },
) {
  const customerId = parseEntityId(args.customerId, 'customerId');
  const managerId = args.managerId === undefined ? null : parseEntityId(args.managerId, 'managerId');
  const seen = parseExpectedVersion(args.expectedVersion);
  const to = TARGET_STATE[action];
  await runMutation<ActionTarget & { customer: CustomerRow }, { customerId: string }>(context, {
    action,
    idempotencyKey: args.idempotencyKey,
    input: { customerId, managerId, expectedVersion: seen },
    loadTarget: async (trx) => {
      const customer = await lockedCustomer(trx, customerId, 'customerId');
      return { scope: customerScope(customer), customer };
    },
    perform: async (trx, { customer }, decision, now) => {
      const current = (await trx('manager_assignments').where({ current_primary_customer_id: customer.id }).first()) as ManagerAssignmentRow | undefined;
      primaryManagerMachine.assertTransition(primaryManagerStateOf(current), to);
      expectVersion('CustomerPrimaryManager', Number(customer.primary_manager_version ?? 1), seen);
      const manager = managerId === null ? null : await incomingManager(trx, context, decision, managerId, customer, now, settings);
      if (manager && current && String(current.manager_staff_id) === String(manager.id))
        throw invalidInput('managerId', "is already the customer's primary manager");
      if (current) {
        await trx('manager_assignments')
          .where({ id: current.id })
          .update({
            assigned_to: lastDayBefore(now, toIsoDate(current.assigned_from)!),
            current_primary_customer_id: null,
            ended_by: to === 'UNASSIGNED' ? 'RELEASED' : 'TRANSFERRED',
            ended_by_staff_id: context.caller.staffId,
          });
      }
      if (manager) {
        await trx('manager_assignments').insert({
          id: await allocateId(trx, 'manager_assignments'),
          customer_id: customer.id,
          manager_staff_id: manager.id,
          is_primary: true,
          assigned_from: isoDate(now),
          assigned_to: null,
          // Unique: a concurrent assignment of another primary manager fails here even past every check above.
          current_primary_customer_id: customer.id,
          started_by: to,
          started_by_staff_id: context.caller.staffId,
        });
      }
      const version = await updateVersioned(trx, {
        entity: 'CustomerPrimaryManager',
        table: 'customers',
        where: { id: customer.id },
        expectedVersion: seen,
        versionColumn: 'primary_manager_version',
        changes: { customer_manager_staff_id: manager?.id ?? null },
      });
      // Every system keeping the customer's records moves its row scope to the new manager (docs/events.md).
      await recordEvent(trx, context, {
        type: 'customer.manager-changed',
        aggregate: `Customer:${customer.id}`,
        payload: {
          customerId: String(customer.id),
          customerNo: customer.customer_no,
          primaryManagerStaffId: manager ? String(manager.id) : null,
          effectiveAt: now.toISOString(),
        },
      });
      const change: RecordChange = {
        recordKey: `Customer:${customer.id}`,
        beforeVersion: seen,
        afterVersion: version,
        fields: { primaryManager: { before: current ? String(current.manager_staff_id) : null, after: manager ? String(manager.id) : null } },
      };
      return { result: { customerId }, changes: [change] };
    },
  });
  context.loaders.customerById.clear(customerId);
  context.loaders.managerAssignmentsByCustomer.clear(customerId);
  const row = await context.loaders.customerById.load(customerId);
  return row ? customerRecord(row, context.clock.now()) : null;
}

// --- Grades: change and yearly re-certification ------------------------------------------------------------

interface ManagerTarget extends ActionTarget {
  manager: StaffRow;
}

async function managerTarget(trx: Knex.Transaction, id: string): Promise<ManagerTarget> {
  const manager = (await trx('staff').where({ id }).forUpdate().first()) as StaffRow | undefined;
  if (!manager || manager.role !== 'CUSTOMER_MANAGER' || manager.grade === null) throw notFound('CustomerManager', 'managerId');
  return { scope: { ...managerScope(manager), recordKey: `CustomerManager:${id}` }, manager };
}

/**
 * The approver's branch must be at the level the grade is approved at; refused like any other action refusal
 * (FORBIDDEN_ACTION, audited), the reason APPROVAL_LEVEL. Returns the approving branch.
 */
async function approvingBranch(
  trx: Knex.Transaction,
  context: ResolverContext,
  decision: ActionDecision,
  manager: StaffRow,
  grade: ManagerGrade,
): Promise<BranchRow> {
  const managerBranch = await branchOf(trx, manager.branch_id);
  const approver = await staffMember(trx, context.caller.staffId);
  const approverBranch = approver ? await branchOf(trx, approver.branch_id) : undefined;
  const level = approvingLevel(grade, managerBranch?.level ?? 'CITY');
  if (!approverBranch || approverBranch.level !== level)
    throw new ActionRefused(decision.action, 'APPROVAL_LEVEL', `${decision.rule}/approval-level:${level}`, decision.policyVersion);
  return approverBranch;
}

/** A manager who stays primary manager of a large customer keeps the grade large customers need. */
async function refuseGradeBelowLargeCustomers(trx: Knex.Transaction, manager: StaffRow, grade: ManagerGrade, now: Date, settings: CustomersSettings) {
  if (meetsGrade(grade, settings.largeCustomerMinimumGrade)) return;
  const portfolio = (await trx('customers').where({ customer_manager_staff_id: manager.id }).select('id')) as { id: number | string }[];
  const large = await largeCustomersAmong(
    trx,
    portfolio.map((row) => String(row.id)),
    now,
    settings.largeCustomerPremiumYuan,
  );
  if (large.size > 0)
    throw invalidInput(
      'grade',
      `must stay ${settings.largeCustomerMinimumGrade} or above while the manager is primary manager of ${large.size} large customer(s): transfer them first`,
    );
}

type GradeAction = 'manager.grade.change' | 'manager.grade.recertify';

async function decideGrade(
  context: ResolverContext,
  settings: CustomersSettings,
  action: GradeAction,
  args: { managerId: unknown; grade: ManagerGrade; expectedVersion: unknown; idempotencyKey: unknown },
) {
  const managerId = parseEntityId(args.managerId, 'managerId');
  const seen = parseExpectedVersion(args.expectedVersion);
  const grade = args.grade;
  await runMutation<ManagerTarget, { managerId: string }>(context, {
    action,
    idempotencyKey: args.idempotencyKey,
    input: { managerId, grade, expectedVersion: seen },
    loadTarget: (trx) => managerTarget(trx, managerId),
    perform: async (trx, { manager }, decision, now) => {
      const history = (await trx('manager_grade_history').where({ staff_id: manager.id }).orderBy('year', 'desc').first()) as GradeHistoryRow | undefined;
      const recertifying = action === 'manager.grade.recertify';
      if (recertifying)
        certificationMachine.assertTransition(
          certificationStatus(toIsoDate(history?.approved_on ?? null), settings.recertificationNoticeDays, now),
          'CERTIFIED',
        );
      expectVersion('CustomerManager', Number(manager.version ?? 1), seen);
      if (!recertifying && grade === manager.grade) throw invalidInput('grade', `is already the manager's grade (${grade})`);
      const branch = await approvingBranch(trx, context, decision, manager, grade);
      await refuseGradeBelowLargeCustomers(trx, manager, grade, now, settings);
      const version = await updateVersioned(trx, {
        entity: 'CustomerManager',
        table: 'staff',
        where: { id: manager.id },
        expectedVersion: seen,
        changes: { grade },
      });
      // The year after the last certified one, or this year when years went by without one.
      const year = recertifying ? Math.max(history ? Number(history.year) + 1 : 0, now.getUTCFullYear()) : null;
      const decisionRow: GradeChangeRow = {
        id: await allocateId(trx, 'manager_grade_changes'),
        staff_id: manager.id,
        kind: recertifying ? 'RECERTIFICATION' : 'CHANGE',
        from_grade: manager.grade!,
        to_grade: grade,
        certification_year: year,
        approved_by_staff_id: context.caller.staffId,
        approved_by_level: branch.level,
        approved_by_branch_id: branch.id,
        approved_at: sqlTimestamp(now),
      };
      await trx('manager_grade_changes').insert(decisionRow);
      if (year !== null) {
        const certification: GradeHistoryRow = {
          staff_id: manager.id,
          year,
          grade,
          approved_by_level: branch.level,
          approved_by_branch_id: branch.id,
          approved_on: isoDate(now),
        };
        await trx('manager_grade_history').insert(certification);
      }
      return {
        result: { managerId },
        changes: [
          {
            recordKey: `CustomerManager:${managerId}`,
            beforeVersion: seen,
            afterVersion: version,
            fields: { grade: { before: manager.grade, after: grade }, ...(year === null ? {} : { certificationYear: { before: null, after: year } }) },
          },
        ],
      };
    },
  });
  for (const loader of [context.loaders.staffById, context.loaders.gradeHistoryByStaff, context.loaders.gradeChangesByStaff]) loader.clear(managerId);
  return customerManagerRecord(await context.loaders.staffById.load(managerId));
}

// --- Visit reports and major customer events ---------------------------------------------------------------

function parseVisitReport(input: VisitReportInput, now: Date) {
  const customerId = parseEntityId(input.customerId, 'input.customerId');
  if (typeof input.month !== 'string' || !isMonth(input.month)) throw invalidInput('input.month', 'must be a month, YYYY-MM');
  if (input.month > lastEndedMonth(now)) throw invalidInput('input.month', `must be a month that has ended (${lastEndedMonth(now)} or earlier)`);
  if (!Number.isInteger(input.visitCount) || input.visitCount < 0 || input.visitCount > MOST_VISITS_A_MONTH)
    throw invalidInput('input.visitCount', `must be a whole number from 0 to ${MOST_VISITS_A_MONTH}`);
  const summary = parseNarrative(input.summary, 'input.summary', SUMMARY_WIDTH);
  return { customerId, month: input.month, visitCount: input.visitCount, summary };
}

function parseMajorEvent(input: MajorCustomerEventInput, now: Date) {
  const customerId = parseEntityId(input.customerId, 'input.customerId');
  const occurredOn = parseIsoDate(input.occurredOn, 'input.occurredOn', now);
  if (occurredOn === null) throw invalidInput('input.occurredOn', 'is required');
  const description = parseNarrative(input.description, 'input.description', DESCRIPTION_WIDTH);
  return { customerId, kind: input.kind, occurredOn, description };
}

async function customerTarget(trx: Knex.Transaction, id: string): Promise<ActionTarget & { customer: CustomerRow }> {
  const customer = await lockedCustomer(trx, id, 'input.customerId');
  return { scope: customerScope(customer), customer };
}

/** The mutations of the customer-manager workflow, with the CRM's settings (thresholds, due days). */
export function customerManagerMutations(settings: CustomersSettings) {
  return {
    assignPrimaryManager: (_root, args, context) => changePrimaryManager(context, settings, 'manager.assign', args),
    transferPrimaryManager: (_root, args, context) => changePrimaryManager(context, settings, 'manager.transfer', args),
    releasePrimaryManager: (_root, args, context) => changePrimaryManager(context, settings, 'manager.release', args),
    changeManagerGrade: (_root, args, context) => decideGrade(context, settings, 'manager.grade.change', args),
    recertifyManager: (_root, args, context) => decideGrade(context, settings, 'manager.grade.recertify', args),

    submitVisitReport: async (_root, { input, idempotencyKey }, context) => {
      const report = parseVisitReport(input, context.clock.now());
      await runMutation<ActionTarget & { customer: CustomerRow }, { customerId: string; month: string }>(context, {
        action: 'manager.visitReport.submit',
        idempotencyKey,
        input: report,
        loadTarget: (trx) => customerTarget(trx, report.customerId),
        perform: async (trx, { customer }, _decision, now) => {
          // Checked against the clock again: a retry next month still gets its first answer, a new report a fresh check.
          if (report.month > lastEndedMonth(now)) throw invalidInput('input.month', `must be a month that has ended (${lastEndedMonth(now)} or earlier)`);
          if (await trx('visit_reports').where({ customer_id: customer.id, month: report.month }).first('month'))
            throw invalidInput('input.month', `already has a visit report for this customer (${report.month})`);
          await trx('visit_reports').insert({
            customer_id: customer.id,
            month: report.month,
            manager_staff_id: context.caller.staffId,
            visit_count: report.visitCount,
            summary: report.summary,
            submitted_at: sqlTimestamp(now),
          });
          return {
            result: { customerId: report.customerId, month: report.month },
            changes: [
              {
                recordKey: `VisitReport:${customer.id}:${report.month}`,
                beforeVersion: null,
                afterVersion: 1,
                fields: { visitCount: { before: null, after: report.visitCount }, summary: { before: null, after: report.summary } },
              },
            ],
          };
        },
      });
      context.loaders.customerById.clear(report.customerId);
      const customer = await context.loaders.customerById.load(report.customerId);
      const row = (await context.db('visit_reports').where({ customer_id: report.customerId, month: report.month }).first()) as
        Parameters<typeof visitReportRecord>[0] | undefined;
      return customer && row ? visitReportRecord(row, customerScope(customer)) : null;
    },

    reportMajorCustomerEvent: async (_root, { input, idempotencyKey }, context) => {
      const event = parseMajorEvent(input, context.clock.now());
      const { eventId } = await runMutation<ActionTarget & { customer: CustomerRow }, { eventId: string }>(context, {
        action: 'customer.majorEvent.report',
        idempotencyKey,
        input: event,
        loadTarget: (trx) => customerTarget(trx, event.customerId),
        perform: async (trx, { customer }, _decision, now) => {
          const id = await allocateId(trx, 'major_customer_events');
          const row: MajorCustomerEventRow = {
            id,
            customer_id: customer.id,
            kind: event.kind,
            occurred_on: event.occurredOn,
            description: event.description,
            reported_by_staff_id: context.caller.staffId,
            reported_at: sqlTimestamp(now),
          };
          await trx('major_customer_events').insert(row);
          return {
            result: { eventId: String(id) },
            changes: [
              {
                recordKey: `MajorCustomerEvent:${id}`,
                beforeVersion: null,
                afterVersion: 1,
                fields: Object.fromEntries(Object.entries(event).map(([field, value]) => [field, { before: null, after: value }])),
              },
            ],
          };
        },
      });
      context.loaders.customerById.clear(event.customerId);
      const customer = await context.loaders.customerById.load(event.customerId);
      const row = (await context.db('major_customer_events').where({ id: eventId }).first()) as MajorCustomerEventRow | undefined;
      return customer && row ? majorCustomerEventRecord(row, customerScope(customer)) : null;
    },
  } satisfies MutationResolvers;
}
