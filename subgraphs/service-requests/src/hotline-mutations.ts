/**
 * The hotline's mutations (issue 10, "Hotline"): open a ticket of every type, take a claim report or a complaint
 * by phone (the claim and the complaint are filed by their own systems, through an event recorded with the ticket),
 * and work a ticket through its lifecycle. Each one runs through runMutation: authorised by the policy's `actions`,
 * idempotent, versioned, audited, in one transaction with its outbox event; times come from the subgraph's clock.
 */
import { GraphQLError } from 'graphql';
import {
  BUSINESS_NUMBERS,
  expectVersion,
  invalidInput,
  medicalWordsIn,
  notFound,
  parseBusinessNumber,
  parseEntityId,
  parseExpectedVersion,
  parseIsoDate,
  parseMobile,
  parseText,
  recordEvent,
  rowScope,
  runMutation,
  scopeOfRow,
  sqlTimestamp,
  toIsoTimestamp,
  touch,
  updateVersioned,
  type ActionTarget,
  type Knex,
  type LineOfBusiness,
  type RecordChange,
  type ServiceRequestStatus,
  type ServiceRequestType,
  type WorkflowAction,
} from '@icg/shared';
import { entities } from './entities';
import type {
  AssignServiceRequestInput,
  ComplaintCategory,
  MutationResolvers,
  OpenServiceRequestInput,
  PauseServiceRequestInput,
  ReopenServiceRequestInput,
  ReportClaimByPhoneInput,
  ResolverContext,
  ServiceRequestStepInput,
  TakeComplaintCallInput,
} from './generated/schema-types';
import { serviceRequestRecord, type ScopedServiceRequestRecord } from './records';
import { planReturnVisit } from './return-visit-plan';
import { pauseMinutesEndingAt, SLA_TARGET_MINUTES } from './sla';
import {
  TABLES,
  type CustomerDirectoryRow,
  type PolicyDirectoryRow,
  type ServiceRequestChannel,
  type ServiceRequestPriority,
  type ServiceRequestRow,
  type StaffRegisterRow,
} from './tables';
import { ticketLifecycle } from './ticket-lifecycle';
import { newTicketNumber } from './ticket-numbers';

/** What every hotline mutation answers (and a retry gets back): the ticket, by its number. */
interface TicketResult {
  [key: string]: string;
  ticketNo: string;
}

const TICKET = 'service request';
const SUBJECT_MAX = 100;
const DESCRIPTION_MAX = 2_000;
const CALLER_NAME_MAX = 100;

/** A claim report's subject names the line only, never the loss (docs/access-model.md section 1). */
const CLAIM_REPORT_SUBJECTS: Readonly<Record<LineOfBusiness, string>> = {
  MOTOR: '车险报案',
  PROPERTY: '财产险报案',
  CARGO: '货运险报案',
  LIABILITY: '责任险报案',
  ENGINEERING: '工程险报案',
  ACCIDENT_HEALTH: '意健险报案',
};

const COMPLAINT_SUBJECTS: Readonly<Record<ComplaintCategory, string>> = {
  CLAIMS: '投诉：理赔',
  SALES: '投诉：销售',
  SURRENDER: '投诉：退保',
  UNDERWRITING: '投诉：核保',
  SERVICE: '投诉：服务',
};

/** Free text bound for a field that is not HEALTH: refused when it names an injury or an illness. */
export function textWithoutHealthFacts(value: unknown, field: string, rule: { maxLength: number; required?: boolean }): string | null {
  const text = parseText(value, field, rule);
  if (text !== null && medicalWordsIn(text).length > 0) {
    throw invalidInput(field, 'must not name injuries, illness or treatment: the claim or the complaint holds those, in its health fields');
  }
  return text;
}

interface CallerDetails {
  callerName: string | null;
  callerMobile: string | null;
}

function parseCaller(input: { callerName?: string | null; callerMobile?: string | null }): CallerDetails {
  return {
    callerName: parseText(input.callerName, 'input.callerName', { maxLength: CALLER_NAME_MAX }),
    callerMobile: input.callerMobile === null || input.callerMobile === undefined ? null : parseMobile(input.callerMobile, 'input.callerMobile'),
  };
}

/** The customer as the hotline's directory knows them, and (when named) one of their policies. */
interface Caller {
  customer: CustomerDirectoryRow;
  policy: PolicyDirectoryRow | null;
}

async function lookUpCaller(trx: Knex.Transaction, customerId: string, policyNo: string | null): Promise<Caller> {
  const customer = (await trx(TABLES.customerDirectory).where('customer_id', customerId).first()) as CustomerDirectoryRow | undefined;
  if (customer === undefined) throw invalidInput('input.customerId', 'is not a customer the hotline knows');
  if (policyNo === null) return { customer, policy: null };
  const policy = (await trx(TABLES.policyDirectory).where('policy_no', policyNo).first()) as PolicyDirectoryRow | undefined;
  if (policy === undefined || String(policy.customer_id) !== String(customer.customer_id))
    throw invalidInput('input.policyNo', "is not one of the customer's policies");
  return { customer, policy };
}

/** A new ticket's target: the scope it will have (the customer's branch and manager; no assignee yet). */
interface NewTicketTarget extends ActionTarget {
  caller: Caller;
}

function newTicketTarget(caller: Caller): NewTicketTarget {
  return { scope: rowScope(caller.customer.branch_path, caller.customer.customer_manager_staff_id), caller };
}

interface NewTicket {
  type: ServiceRequestType;
  channel: ServiceRequestChannel;
  priority: ServiceRequestPriority;
  subject: string;
  description: string | null;
  caller: CallerDetails;
  policyNo: string | null;
}

/** Inserts a ticket the agent has classified on the call (TRIAGED), with its SLA deadline from the clock. */
async function insertTicket(
  trx: Knex.Transaction,
  target: NewTicketTarget,
  ticket: NewTicket,
  now: Date,
): Promise<{ row: ServiceRequestRow; change: RecordChange }> {
  const { id, ticketNo } = await newTicketNumber(trx, now);
  const opened = sqlTimestamp(now);
  const row: ServiceRequestRow = {
    id,
    ticket_no: ticketNo,
    channel: ticket.channel,
    type: ticket.type,
    status: 'TRIAGED',
    priority: ticket.priority,
    subject: ticket.subject,
    description: ticket.description,
    caller_name: ticket.caller.callerName,
    caller_mobile: ticket.caller.callerMobile,
    customer_id: target.caller.customer.customer_id,
    policy_no: ticket.policyNo,
    spawned_claim_report_no: null,
    spawned_complaint_no: null,
    branch_id: target.caller.customer.branch_id,
    branch_path: target.caller.customer.branch_path,
    assignee_staff_id: null,
    customer_manager_staff_id: target.caller.customer.customer_manager_staff_id,
    opened_at: opened,
    triaged_at: opened,
    assigned_at: null,
    first_response_at: null,
    pending_since: null,
    resolved_at: null,
    closed_at: null,
    sla_due_at: sqlTimestamp(new Date(now.getTime() + SLA_TARGET_MINUTES[ticket.type] * 60_000)),
    sla_paused_minutes: 0,
    version: 1,
    pending_reason: null,
    reopened_at: null,
    reopen_reason: null,
    related_claim_report_no: null,
  };
  await trx(TABLES.serviceRequests).insert({ ...row, ...touch(now) });
  const fields = Object.fromEntries(Object.entries(row).map(([column, value]) => [column, { before: null, after: value }]));
  return { row, change: { recordKey: `ServiceRequest:${row.ticket_no}`, beforeVersion: null, afterVersion: 1, fields } };
}

/** The ticket a mutation answers with, read after its commit under the read rules (its SLA figures from the clock). */
export async function answeredTicket(context: ResolverContext, result: TicketResult): Promise<ScopedServiceRequestRecord> {
  const row = (await context.db(TABLES.serviceRequests).where('ticket_no', result.ticketNo).first()) as ServiceRequestRow | undefined;
  if (row === undefined) throw notFound(TICKET, 'ticketNo');
  return serviceRequestRecord(row, context.clock.now());
}

/** The input as it decides idempotency: everything but the key itself. */
function withoutKey<T extends { idempotencyKey: string }>(input: T): Omit<T, 'idempotencyKey'> {
  const { idempotencyKey: _key, ...rest } = input;
  return rest;
}

// --- Steps of an existing ticket ------------------------------------------------------------------------------

interface TicketTarget extends ActionTarget {
  row: ServiceRequestRow;
}

interface TicketStep {
  action: WorkflowAction;
  to: ServiceRequestStatus;
  /**
   * The states this step starts from, where several steps lead to the same state (progress, resume and reopen all
   * lead to IN_PROGRESS); by default every state the lifecycle lets reach `to`.
   */
  from?: readonly ServiceRequestStatus[];
  /** Columns the step sets, from the row as it stands (the version is set by the update). */
  changes(row: ServiceRequestRow, now: Date): Readonly<Record<string, unknown>>;
  /** Checks against the store, in the transaction, before anything is written. */
  check?(trx: Knex.Transaction, row: ServiceRequestRow): Promise<void>;
}

/** INVALID_TRANSITION for a step that leads to a state the ticket may reach, but by another step. */
function stepDoesNotApply(step: TicketStep, current: ServiceRequestStatus): GraphQLError {
  const allowed = ticketLifecycle.next(current);
  return new GraphQLError(
    `${step.action} applies to a ${TICKET} in state ${step.from!.join(' or ')}, not ${current}; allowed next: ${allowed.join(', ')} (by another step)`,
    { extensions: { code: 'INVALID_TRANSITION', currentState: current, requestedState: step.to, allowed: [...allowed] } },
  );
}

async function stepTicket(
  context: ResolverContext,
  input: ServiceRequestStepInput,
  extra: Record<string, unknown>,
  step: TicketStep,
): Promise<ScopedServiceRequestRecord> {
  const ticketNo = parseBusinessNumber(input.ticketNo, 'input.ticketNo', BUSINESS_NUMBERS.ticketNo);
  const expectedVersion = parseExpectedVersion(input.expectedVersion, 'input.expectedVersion');
  const result = await runMutation<TicketTarget, TicketResult>(context, {
    action: step.action,
    idempotencyKey: input.idempotencyKey,
    input: { ticketNo, expectedVersion, ...extra },
    async loadTarget(trx) {
      const row = (await trx(TABLES.serviceRequests).where('ticket_no', ticketNo).first()) as ServiceRequestRow | undefined;
      if (row === undefined) throw notFound(TICKET, 'ticketNo');
      return { row, scope: scopeOfRow('ServiceRequest', entities.ServiceRequest, row) };
    },
    async perform(trx, { row }, _decision, now) {
      // A stale version first: the caller decided on a state that is gone.
      expectVersion(TICKET, Number(row.version), expectedVersion);
      ticketLifecycle.assertTransition(row.status, step.to);
      if (step.from && !step.from.includes(row.status)) throw stepDoesNotApply(step, row.status);
      await step.check?.(trx, row);
      const changes = { status: step.to, ...step.changes(row, now) };
      const version = await updateVersioned(trx, {
        entity: TICKET,
        table: TABLES.serviceRequests,
        where: { id: row.id },
        expectedVersion,
        changes: { ...changes, ...touch(now) },
      });
      const before = row as unknown as Readonly<Record<string, unknown>>;
      const fields = Object.fromEntries(Object.entries(changes).map(([column, after]) => [column, { before: before[column] ?? null, after }]));
      return { result: { ticketNo }, changes: [{ recordKey: `ServiceRequest:${ticketNo}`, beforeVersion: expectedVersion, afterVersion: version, fields }] };
    },
  });
  return answeredTicket(context, result);
}

export const hotlineMutations = {
  async openServiceRequest(_root, { input }: { input: OpenServiceRequestInput }, context) {
    const customerId = parseEntityId(input.customerId, 'input.customerId');
    const policyNo = input.policyNo ? parseBusinessNumber(input.policyNo, 'input.policyNo', BUSINESS_NUMBERS.policyNo) : null;
    const ticket: NewTicket = {
      type: input.type,
      channel: input.channel,
      priority: input.priority,
      subject: textWithoutHealthFacts(input.subject, 'input.subject', { maxLength: SUBJECT_MAX, required: true })!,
      description: textWithoutHealthFacts(input.description, 'input.description', { maxLength: DESCRIPTION_MAX }),
      caller: parseCaller(input),
      policyNo,
    };
    const result = await runMutation<NewTicketTarget, TicketResult>(context, {
      action: 'serviceRequest.open',
      idempotencyKey: input.idempotencyKey,
      input: withoutKey(input),
      loadTarget: async (trx) => newTicketTarget(await lookUpCaller(trx, customerId, policyNo)),
      async perform(trx, target, _decision, now) {
        const { row, change } = await insertTicket(trx, target, ticket, now);
        // A return-visit ticket comes with its first visit, planned for its deadline (recordReturnVisit records it).
        const visit = row.type === 'RETURN_VISIT' ? await planReturnVisit(trx, row, row.sla_due_at, now) : undefined;
        return { result: { ticketNo: row.ticket_no }, changes: visit ? [change, visit] : [change] };
      },
    });
    return answeredTicket(context, result);
  },

  async reportClaimByPhone(_root, { input }: { input: ReportClaimByPhoneInput }, context) {
    const customerId = parseEntityId(input.customerId, 'input.customerId');
    const policyNo = parseBusinessNumber(input.policyNo, 'input.policyNo', BUSINESS_NUMBERS.policyNo);
    const lossDate = parseIsoDate(input.lossDate, 'input.lossDate', context.clock.now());
    if (lossDate === null) throw invalidInput('input.lossDate', 'is required');
    const description = textWithoutHealthFacts(input.description, 'input.description', { maxLength: DESCRIPTION_MAX });
    const caller = parseCaller(input);
    const result = await runMutation<NewTicketTarget, TicketResult>(context, {
      action: 'serviceRequest.claimReport',
      idempotencyKey: input.idempotencyKey,
      input: withoutKey(input),
      loadTarget: async (trx) => newTicketTarget(await lookUpCaller(trx, customerId, policyNo)),
      async perform(trx, target, _decision, now) {
        const line = target.caller.policy!.line_of_business;
        const ticket: NewTicket = {
          type: 'CLAIM_REPORT',
          channel: 'PHONE',
          priority: input.priority,
          subject: CLAIM_REPORT_SUBJECTS[line],
          description,
          caller,
          policyNo,
        };
        const { row, change } = await insertTicket(trx, target, ticket, now);
        // The claim is filed by the claims system when this event reaches it; both or neither commit here.
        await recordEvent(trx, context, {
          type: 'service-request.claim-reported',
          aggregate: `ServiceRequest:${row.ticket_no}`,
          payload: {
            ticketNo: row.ticket_no,
            customerId,
            policyNo,
            lossDate,
            cause: input.cause,
            reportedAt: now.toISOString(),
            branchId: String(row.branch_id),
            branchPath: row.branch_path,
            customerManagerStaffId: row.customer_manager_staff_id === null ? null : String(row.customer_manager_staff_id),
            customerSegment: input.customerSegment ?? 'STANDARD',
          },
        });
        return { result: { ticketNo: row.ticket_no }, changes: [change] };
      },
    });
    return answeredTicket(context, result);
  },

  async takeComplaintCall(_root, { input }: { input: TakeComplaintCallInput }, context) {
    const customerId = parseEntityId(input.customerId, 'input.customerId');
    const policyNo = input.policyNo ? parseBusinessNumber(input.policyNo, 'input.policyNo', BUSINESS_NUMBERS.policyNo) : null;
    const reportNo = input.reportNo ? parseBusinessNumber(input.reportNo, 'input.reportNo', BUSINESS_NUMBERS.reportNo) : null;
    const description = textWithoutHealthFacts(input.description, 'input.description', { maxLength: DESCRIPTION_MAX });
    const caller = parseCaller(input);
    const result = await runMutation<NewTicketTarget, TicketResult>(context, {
      action: 'serviceRequest.complaintCall',
      idempotencyKey: input.idempotencyKey,
      input: withoutKey(input),
      loadTarget: async (trx) => newTicketTarget(await lookUpCaller(trx, customerId, policyNo)),
      async perform(trx, target, _decision, now) {
        const ticket: NewTicket = {
          type: 'COMPLAINT',
          channel: 'PHONE',
          priority: input.priority,
          subject: COMPLAINT_SUBJECTS[input.category],
          description,
          caller,
          policyNo,
        };
        const { row, change } = await insertTicket(trx, target, ticket, now);
        // The complaint register accepts the complaint when this event reaches it.
        await recordEvent(trx, context, {
          type: 'service-request.complaint-call',
          aggregate: `ServiceRequest:${row.ticket_no}`,
          payload: {
            ticketNo: row.ticket_no,
            customerId,
            category: input.category,
            policyNo,
            reportNo,
            receivedAt: now.toISOString(),
            branchId: String(row.branch_id),
          },
        });
        return { result: { ticketNo: row.ticket_no }, changes: [change] };
      },
    });
    return answeredTicket(context, result);
  },

  async assignServiceRequest(_root, { input }: { input: AssignServiceRequestInput }, context) {
    const assignee = input.assigneeStaffId ? parseEntityId(input.assigneeStaffId, 'input.assigneeStaffId') : context.caller.staffId;
    return stepTicket(
      context,
      input,
      { assigneeStaffId: assignee },
      {
        action: 'serviceRequest.assign',
        to: 'ASSIGNED',
        // The assignee reads the ticket as theirs: a hotline agent, or a service-centre manager over its branch.
        async check(trx, row) {
          const register = (await trx(TABLES.staffRegister).where('id', assignee).first()) as StaffRegisterRow | undefined;
          const allowed =
            register !== undefined &&
            (register.role === 'HOTLINE_AGENT' || (register.role === 'SERVICE_CENTER_MANAGER' && row.branch_path.startsWith(register.branch_path)));
          if (!allowed)
            throw invalidInput('input.assigneeStaffId', "must be a hotline agent, or a service-centre manager of the ticket's branch or a branch above it");
        },
        changes: (row, now) => ({ assignee_staff_id: assignee, assigned_at: sqlTimestamp(now), triaged_at: row.triaged_at ?? sqlTimestamp(now) }),
      },
    );
  },

  async progressServiceRequest(_root, { input }: { input: ServiceRequestStepInput }, context) {
    return stepTicket(
      context,
      input,
      {},
      {
        action: 'serviceRequest.progress',
        to: 'IN_PROGRESS',
        from: ['ASSIGNED'],
        changes: (row, now) => ({ first_response_at: row.first_response_at ?? sqlTimestamp(now) }),
      },
    );
  },

  async pauseServiceRequest(_root, { input }: { input: PauseServiceRequestInput }, context) {
    return stepTicket(
      context,
      input,
      { reason: input.reason },
      {
        action: 'serviceRequest.pause',
        to: 'PENDING_CUSTOMER',
        changes: (_row, now) => ({ pending_since: sqlTimestamp(now), pending_reason: input.reason }),
      },
    );
  },

  async resumeServiceRequest(_root, { input }: { input: ServiceRequestStepInput }, context) {
    return stepTicket(
      context,
      input,
      {},
      {
        action: 'serviceRequest.resume',
        to: 'IN_PROGRESS',
        from: ['PENDING_CUSTOMER'],
        // The wait is taken off the SLA clock: whole minutes, from the clock.
        changes: (row, now) => ({
          sla_paused_minutes:
            row.sla_paused_minutes + (row.pending_since === null ? 0 : pauseMinutesEndingAt(new Date(toIsoTimestamp(row.pending_since)!), now)),
          pending_since: null,
          pending_reason: null,
        }),
      },
    );
  },

  async resolveServiceRequest(_root, { input }: { input: ServiceRequestStepInput }, context) {
    return stepTicket(context, input, {}, { action: 'serviceRequest.resolve', to: 'RESOLVED', changes: (_row, now) => ({ resolved_at: sqlTimestamp(now) }) });
  },

  async closeServiceRequest(_root, { input }: { input: ServiceRequestStepInput }, context) {
    return stepTicket(context, input, {}, { action: 'serviceRequest.close', to: 'CLOSED', changes: (_row, now) => ({ closed_at: sqlTimestamp(now) }) });
  },

  async reopenServiceRequest(_root, { input }: { input: ReopenServiceRequestInput }, context) {
    return stepTicket(
      context,
      input,
      { reason: input.reason },
      {
        action: 'serviceRequest.reopen',
        to: 'IN_PROGRESS',
        from: ['RESOLVED', 'CLOSED'],
        // Unresolved again: the SLA clock runs on against the original deadline.
        changes: (_row, now) => ({ resolved_at: null, closed_at: null, reopened_at: sqlTimestamp(now), reopen_reason: input.reason }),
      },
    );
  },
} satisfies MutationResolvers;
