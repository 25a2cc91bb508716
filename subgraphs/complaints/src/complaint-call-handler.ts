import { changedFields, recordEvent, sqlTimestamp, touch, type EventHandler, type EventOf, type ProductionEventCatalog } from '@icg/shared';
import { allocateComplaintNumbers, recordStep } from './complaint-store';
import { dueDateOf, STANDARD_DEADLINE_DAYS } from './deadlines';
import { levelOfPath, type OrgBranchRow } from './org-directory';

/**
 * A complaint call (service-request.complaint-call, from the hotline): the register accepts the complaint,
 * source HOTLINE, due 15 days after the call was taken. It runs in the register's transaction with the
 * inbox row, so each delivered event is applied once; the ticket number is unique among complaints as
 * well, so one call never makes two complaints, whatever the delivery does.
 *
 * The payload carries keys and codes only (shared/src/events/event-types.ts): no complainant's name or
 * mobile and no account of the grievance, which stay on the hotline's ticket (Complaint.sourceTicket); the
 * agent who took the call is on the ticket too, so the acceptance step names no actor here.
 */
export const acceptComplaintCall: EventHandler<EventOf<ProductionEventCatalog, 'service-request.complaint-call'>> = async (trx, event, context) => {
  const call = event.payload;
  const existing = await trx('complaints').where({ source_ticket_no: call.ticketNo }).first('id');
  if (existing) return;
  const branch = (await trx<OrgBranchRow>('complaint_org_branches').where({ id: call.branchId }).first()) as OrgBranchRow | undefined;
  // Not the sender's mistake to refuse for good: the org directory may lag; the relay retries.
  if (!branch) throw new Error(`complaint call ${event.id}: branch ${call.branchId} is not in the register's org directory`);
  const acceptedAt = new Date(call.receivedAt);
  const { id, complaintNo } = await allocateComplaintNumbers(trx);
  const complaint = {
    id,
    complaint_no: complaintNo,
    source: 'HOTLINE',
    complainant_name: null,
    complainant_mobile: null,
    customer_id: call.customerId,
    branch_id: branch.id,
    branch_path: branch.path,
    handler_staff_id: null,
    customer_manager_staff_id: null,
    respondent_staff_id: null,
    policy_no: call.policyNo,
    report_no: call.reportNo,
    category: call.category,
    line_of_business: null,
    facts: null,
    request: null,
    complexity: 'SIMPLE',
    status: 'ACCEPTED',
    accepted_at: sqlTimestamp(acceptedAt),
    deadline_days: STANDARD_DEADLINE_DAYS,
    due_date: dueDateOf(acceptedAt, STANDARD_DEADLINE_DAYS),
    escalation_level: levelOfPath(branch.path),
    review_requested: false,
    archived: false,
    version: 1,
    source_ticket_no: call.ticketNo,
  };
  await trx('complaints').insert({ ...touch(context.clock.now()), ...complaint });
  // Audited as the register's own change, under the hotline event's id.
  context.changes.record({
    recordKey: `Complaint:${complaintNo}`,
    beforeVersion: null,
    afterVersion: complaint.version,
    fields: changedFields(undefined, complaint),
  });
  await recordStep(trx, id, 'ACCEPT', null, acceptedAt, '服务专线来电受理，投诉内容见来电工单。');
  // In the same transaction: the hotline's ticket learns which complaint it became.
  await recordEvent(trx, context, {
    type: 'complaint.call-accepted',
    aggregate: `Complaint:${complaintNo}`,
    payload: { ticketNo: call.ticketNo, complaintNo, acceptedAt: acceptedAt.toISOString() },
  });
};
