import { scopeOf } from '@icg/shared';
import { callRecordRecord, returnVisitRecord, serviceRequestRecord } from '../records';
import type { CallRecordRow, ReturnVisitRow, ServiceRequestRow } from '../tables';

const ticketRow: ServiceRequestRow = {
  id: 1_200,
  ticket_no: 'SR260000001200',
  channel: 'PHONE',
  type: 'ENQUIRY',
  status: 'IN_PROGRESS',
  priority: 'NORMAL',
  subject: '咨询：保单条款',
  description: '客户询问保单责任免除条款的具体含义，坐席已解答。',
  caller_name: '王芳',
  caller_mobile: '13812348000',
  customer_id: 12,
  policy_no: null,
  spawned_claim_report_no: null,
  spawned_complaint_no: null,
  branch_id: 9,
  branch_path: '/1/3/9/',
  assignee_staff_id: 42,
  customer_manager_staff_id: 7,
  opened_at: '2026-05-01 08:00:00',
  triaged_at: '2026-05-01 08:01:00',
  assigned_at: '2026-05-01 08:03:00',
  first_response_at: '2026-05-01 09:00:00',
  pending_since: null,
  resolved_at: null,
  closed_at: null,
  sla_due_at: '2026-05-02 08:00:00',
  sla_paused_minutes: 0,
  version: 3,
  pending_reason: null,
  reopened_at: null,
  reopen_reason: null,
  related_claim_report_no: null,
};

describe('records', () => {
  it("scopes a ticket to its branch, its assignee and the customer's manager, and names it for the audit trail", () => {
    const ticket = serviceRequestRecord(ticketRow, new Date('2026-05-01T10:00:00Z'));
    expect(scopeOf(ticket)).toEqual({ branchPath: '/1/3/9/', responsibleStaffIds: ['42', '7'], recordKey: `ServiceRequest:${ticketRow.ticket_no}` });
    expect(scopeOf(ticket.customer)).toEqual(scopeOf(ticket));
    expect(ticket).toMatchObject({
      id: '1200',
      openedAt: '2026-05-01T08:00:00Z',
      resolvedAt: null,
      customer: { id: '12' },
      assignee: { id: '42' },
      branch: { id: '9' },
      slaBreached: false,
    });
  });

  it('leaves staff who are not set out of the scope', () => {
    const ticket = serviceRequestRecord(
      { ...ticketRow, status: 'NEW', assignee_staff_id: null, customer_manager_staff_id: null },
      new Date('2026-05-01T10:00:00Z'),
    );
    expect(scopeOf(ticket)).toMatchObject({ branchPath: '/1/3/9/', responsibleStaffIds: [] });
    expect(ticket.assignee).toBeNull();
  });

  it("gives calls and visits their ticket's scope", () => {
    const ticket = serviceRequestRecord(ticketRow, new Date('2026-05-01T10:00:00Z'));
    const call: CallRecordRow = {
      id: 12_000,
      service_request_id: 1_200,
      direction: 'INBOUND',
      started_at: '2026-05-01 07:59:40',
      answered_at: '2026-05-01 08:00:00',
      ended_at: '2026-05-01 08:04:00',
      wait_seconds: 20,
      duration_seconds: 240,
      answered_by_agent: 1,
      agent_staff_id: 42,
      recording_url: 'https://callcenter.insurer.example/recordings/2026/05/01/12000.wav',
    };
    const visit: ReturnVisitRow = {
      id: 12_000,
      service_request_id: 1_200,
      agent_staff_id: 43,
      scheduled_for: '2026-05-02 10:00:00',
      visited_at: null,
      outcome: null,
      satisfaction: null,
      notes: null,
    };
    const callRecord = callRecordRecord(call, ticket);
    const returnVisit = returnVisitRecord(visit, ticket);
    expect(scopeOf(callRecord)).toBe(scopeOf(ticket));
    expect(scopeOf(returnVisit)).toBe(scopeOf(ticket));
    expect(callRecord).toMatchObject({ answeredByAgent: true, startedAt: '2026-05-01T07:59:40Z', agent: { id: '42' } });
    expect(returnVisit).toMatchObject({ scheduledFor: '2026-05-02T10:00:00Z', visitedAt: null, agent: { id: '43' } });
  });
});
