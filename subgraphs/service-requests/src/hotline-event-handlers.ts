/**
 * What the hotline does with the events it receives (docs/events.md), each applied once in the receiver's
 * transaction (the event id goes into the inbox with these writes):
 * - claim.reported: the claim a phone report spawned is filed; its ticket shows it from now on.
 * - customer.registered, policy.bound: the caller and policy directories learn the new customer or policy, so the
 *   desk finds them (they were seeded from the source systems and are kept current by these events).
 * - claim.closed: large and quality customers get a return-visit ticket, due 7 days after the claim closed
 *   (DOMAIN.md section 5). The segment is what the agent's desk showed when the claim was reported: no system of
 *   the graph classifies customers as large or quality yet (the insights issue will), so the claim carries it.
 */
import {
  addDays,
  changedFields,
  dialectOf,
  primaryManagerCopiesHandler,
  sqlTimestamp,
  touch,
  type EventHandlerContext,
  type EventHandlers,
  type Knex,
} from '@icg/shared';
import { planReturnVisit } from './return-visit-plan';
import { RETURN_VISIT_AFTER_CLAIM_DAYS } from './sla';
import { TABLES, type CustomerDirectoryRow, type PolicyDirectoryRow, type ServiceRequestRow } from './tables';
import { newTicketNumber } from './ticket-numbers';

/** The segments that get a return visit after a claim closes. */
const RETURN_VISIT_SEGMENTS: readonly string[] = ['LARGE', 'QUALITY'];
/** Files decided on: a cancelled report (a duplicate, no cover) or one the customer withdrew gets no visit. */
const RETURN_VISIT_OUTCOMES: readonly string[] = ['PAID', 'DENIED', 'ZERO_CLOSED'];

async function openReturnVisit(trx: Knex.Transaction, closed: ReturnVisitClaim, now: Date, context: EventHandlerContext): Promise<void> {
  const { id, ticketNo } = await newTicketNumber(trx, now);
  const due = addDays(new Date(closed.closedAt), RETURN_VISIT_AFTER_CLAIM_DAYS);
  const ticket: ServiceRequestRow = {
    id,
    ticket_no: ticketNo,
    // The hotline calls the customer.
    channel: 'PHONE',
    type: 'RETURN_VISIT',
    // Classified by the rule that opened it.
    status: 'TRIAGED',
    priority: 'NORMAL',
    subject: '回访：理赔结案',
    description: '理赔结案后回访，了解客户对理赔服务的评价。',
    caller_name: null,
    caller_mobile: null,
    customer_id: closed.customerId,
    policy_no: closed.policyNo,
    spawned_claim_report_no: null,
    spawned_complaint_no: null,
    branch_id: closed.branchId,
    branch_path: closed.branchPath,
    assignee_staff_id: null,
    customer_manager_staff_id: closed.customerManagerStaffId,
    opened_at: sqlTimestamp(now),
    triaged_at: sqlTimestamp(now),
    assigned_at: null,
    first_response_at: null,
    pending_since: null,
    resolved_at: null,
    closed_at: null,
    sla_due_at: sqlTimestamp(due),
    sla_paused_minutes: 0,
    version: 1,
    pending_reason: null,
    reopened_at: null,
    reopen_reason: null,
    related_claim_report_no: closed.reportNo,
  };
  await trx(TABLES.serviceRequests).insert({ ...ticket, ...touch(now) });
  context.changes.record({
    recordKey: `ServiceRequest:${ticketNo}`,
    beforeVersion: null,
    afterVersion: ticket.version,
    fields: changedFields(undefined, ticket),
  });
  // Planned for the last day it may happen.
  context.changes.record(await planReturnVisit(trx, ticket, sqlTimestamp(due), now));
}

/** The ticket (of `type`) learns the record it became, once: `column` is still empty; audited as the hotline's own change. */
async function linkTicket(
  trx: Knex.Transaction,
  context: EventHandlerContext,
  ticketNo: string,
  type: ServiceRequestRow['type'],
  column: 'spawned_claim_report_no' | 'spawned_complaint_no',
  value: string,
): Promise<void> {
  // Locked (MySQL) from the read of its version to the update, so a mutation in between cannot slip past the link.
  const read = trx(TABLES.serviceRequests).where({ ticket_no: ticketNo, type }).whereNull(column).first('version');
  const ticket = (await (dialectOf(trx) === 'mysql' ? read.forUpdate() : read)) as Pick<ServiceRequestRow, 'version'> | undefined;
  if (ticket === undefined) return;
  const version = Number(ticket.version);
  const updated = await trx(TABLES.serviceRequests)
    .where({ ticket_no: ticketNo, type })
    .whereNull(column)
    .update({ [column]: value, version: version + 1, ...touch(context.clock.now()) });
  if (updated > 0)
    context.changes.record({
      recordKey: `ServiceRequest:${ticketNo}`,
      beforeVersion: version,
      afterVersion: version + 1,
      fields: { [column]: { before: null, after: value } },
    });
}

interface ReturnVisitClaim {
  reportNo: string;
  policyNo: string;
  customerId: string;
  closedAt: string;
  branchId: string;
  branchPath: string;
  customerManagerStaffId: string | null;
}

export const hotlineEventHandlers: EventHandlers = {
  // Row scope: the customer's tickets, and the directory new tickets take their scope from, follow the new manager.
  'customer.manager-changed': primaryManagerCopiesHandler([
    { table: TABLES.serviceRequests, entity: 'ServiceRequest', keyColumn: 'ticket_no' },
    { table: TABLES.customerDirectory, entity: 'CustomerDirectoryEntry', keyColumn: 'customer_id' },
  ]),

  async 'claim.reported'(trx, event, context) {
    const { ticketNo, reportNo } = event.payload;
    // Claims reported by other channels have no ticket here.
    if (ticketNo === null) return;
    await linkTicket(trx, context, ticketNo, 'CLAIM_REPORT', 'spawned_claim_report_no', reportNo);
  },

  async 'complaint.call-accepted'(trx, event, context) {
    const { ticketNo, complaintNo } = event.payload;
    await linkTicket(trx, context, ticketNo, 'COMPLAINT', 'spawned_complaint_no', complaintNo);
  },

  // The directories the desk looks callers up in were seeded from the source systems; these keep them current.
  async 'customer.registered'(trx, event, context) {
    const { customerId, branchId, branchPath, primaryManagerStaffId } = event.payload;
    const row: CustomerDirectoryRow = {
      customer_id: customerId,
      branch_id: branchId,
      branch_path: branchPath,
      customer_manager_staff_id: primaryManagerStaffId,
    };
    const before = (await trx(TABLES.customerDirectory).where('customer_id', customerId).first()) as CustomerDirectoryRow | undefined;
    await trx(TABLES.customerDirectory).insert(row).onConflict('customer_id').merge();
    const fields = changedFields(before, row);
    if (Object.keys(fields).length > 0)
      context.changes.record({ recordKey: `CustomerDirectoryEntry:${customerId}`, beforeVersion: null, afterVersion: null, fields });
  },

  async 'policy.bound'(trx, event, context) {
    const { policyNo, customerId, lineOfBusiness } = event.payload;
    const row: PolicyDirectoryRow = { policy_no: policyNo, customer_id: customerId, line_of_business: lineOfBusiness };
    const before = (await trx(TABLES.policyDirectory).where('policy_no', policyNo).first()) as PolicyDirectoryRow | undefined;
    await trx(TABLES.policyDirectory).insert(row).onConflict('policy_no').merge();
    const fields = changedFields(before, row);
    if (Object.keys(fields).length > 0)
      context.changes.record({ recordKey: `PolicyDirectoryEntry:${policyNo}`, beforeVersion: null, afterVersion: null, fields });
  },

  async 'claim.closed'(trx, event, context) {
    const closed = event.payload;
    if (closed.customerSegment === null || !RETURN_VISIT_SEGMENTS.includes(closed.customerSegment)) return;
    if (!RETURN_VISIT_OUTCOMES.includes(closed.outcome)) return;
    await openReturnVisit(trx, closed, context.clock.now(), context);
  },
};
