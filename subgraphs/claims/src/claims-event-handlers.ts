/**
 * What the claims system does with the events it receives (docs/events.md). A claim report the hotline took by
 * phone becomes the claim (REPORTED, channel HOTLINE) and its survey dispatch order, in the receiver's transaction;
 * the event's id in the inbox makes a redelivery change nothing, and the ticket number (unique on claims) holds the
 * same line should a report ever arrive under another event id.
 */
import { changedFields, primaryManagerCopiesHandler, recordEvent, sqlTimestamp, touch, type EventHandlers } from '@icg/shared';
import type { ClaimRow, SurveyTaskRow } from './records';
import { newChildRowId, newClaimNumber } from './row-ids';

export const claimsEventHandlers: EventHandlers = {
  // Row scope: the claims of the customer follow their new primary manager.
  'customer.manager-changed': primaryManagerCopiesHandler([{ table: 'claims', entity: 'Claim', keyColumn: 'report_no' }]),

  async 'service-request.claim-reported'(trx, event, context) {
    const report = event.payload;
    if ((await trx('claims').where('source_ticket_no', report.ticketNo).first('id')) !== undefined) return;
    const now = context.clock.now();
    const { id, reportNo } = await newClaimNumber(trx, now);
    const reportedAt = sqlTimestamp(new Date(report.reportedAt));
    const claim: ClaimRow = {
      id,
      report_no: reportNo,
      registration_no: null,
      policy_no: report.policyNo,
      customer_id: report.customerId,
      loss_date: report.lossDate,
      reported_at: reportedAt,
      registered_at: null,
      documents_completed_at: null,
      adjusted_at: null,
      approved_at: null,
      closed_at: null,
      reopened_at: null,
      reopen_reason: null,
      status: 'REPORTED',
      closed_outcome: null,
      cause: report.cause,
      // The hotline's ticket holds the caller's words; the survey records what happened.
      loss_description: null,
      injury_narrative: null,
      report_channel: 'HOTLINE',
      // Decided once the loss is estimated; a fresh report is not on the fast track yet.
      small_claim: false,
      handler_staff_id: null,
      branch_id: report.branchId,
      branch_path: report.branchPath,
      customer_manager_staff_id: report.customerManagerStaffId,
      paid: 0,
      outstanding_reserve: 0,
      recoveries: 0,
      fraud_score: 0,
      special_investigation: false,
      investigation_outcome: null,
      investigation_concluded_at: null,
      version: 1,
      source_ticket_no: report.ticketNo,
      customer_segment: report.customerSegment,
      adjusted_amount: null,
      adjusted_by_staff_id: null,
      approved_amount: null,
      approved_by_staff_id: null,
      close_reason: null,
    };
    await trx('claims').insert({ ...claim, ...touch(now) });
    // The survey dispatch order, waiting for a surveyor (dispatchSurveyor); dispatched when the claims system took the report.
    const task: SurveyTaskRow = {
      id: await newChildRowId(trx, now),
      claim_id: id,
      status: 'DISPATCHED',
      dispatched_at: sqlTimestamp(now),
      on_site_at: null,
      completed_at: null,
      surveyor_staff_id: null,
      contacted_customer_within_minutes: null,
    };
    await trx('survey_tasks').insert(task);
    // Audited as the claims system's own change, under the hotline event's id.
    context.changes.record({ recordKey: `Claim:${reportNo}`, beforeVersion: null, afterVersion: claim.version, fields: changedFields(undefined, claim) });
    context.changes.record({ recordKey: `SurveyTask:${task.id}`, beforeVersion: null, afterVersion: null, fields: changedFields(undefined, task) });
    await recordEvent(trx, context, {
      type: 'claim.reported',
      aggregate: `Claim:${reportNo}`,
      payload: {
        reportNo,
        policyNo: report.policyNo,
        customerId: report.customerId,
        lossDate: report.lossDate,
        reportedAt: report.reportedAt,
        channel: 'HOTLINE',
        branchId: report.branchId,
        ticketNo: report.ticketNo,
      },
    });
  },
};
