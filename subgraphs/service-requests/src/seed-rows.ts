import { latestTimestamp, sqlTimestamp } from '@icg/shared';
import { chineseName, generateMobile, SeededRandom, ticketNoFor, type StaffFact } from '@icg/synthetic';
import { isSlaBreached } from './sla';
import type { TicketDraft } from './seed-drafts';
import { SLA_TARGET_MINUTES, timelineAt, type TicketTimeline } from './seed-lifecycle';
import { visitNotes } from './seed-texts';
import type { CallDirection, CallRecordRow, ReturnVisitOutcome, ReturnVisitRow, ServiceRequestRow } from './tables';

/** A drafted ticket written out as rows: the ticket as it stands at the seed's clock, its calls and its return visits. */
export interface TicketRows {
  ticket: ServiceRequestRow;
  calls: CallRecordRow[];
  visits: ReturnVisitRow[];
}

export interface RowContext {
  seed: number;
  asOf: Date;
  /** Head-office hotline agents: they answer calls and own tickets. */
  hotlineAgents: readonly StaffFact[];
}

/** Children ids are the ticket id times ten plus their position. */
const CHILDREN_PER_TICKET = 10;

function at(value: Date | null): string | null {
  return value === null ? null : sqlTimestamp(value);
}

function plusSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

/** The hotline aims to answer within 60 seconds; most calls make it, a few wait longer. */
function hotlineWaitSeconds(random: SeededRandom): number {
  const [min, max] = random.weighted<readonly [number, number]>([
    [[3, 40], 85],
    [[41, 60], 10],
    [[61, 150], 5],
  ]);
  return random.int(min, max);
}

interface Caller {
  name: string;
  mobile: string;
}

/** Individuals mostly call themselves (sometimes a relative does); an organisation's contact person calls for it. */
function callerOf(draft: TicketDraft, seed: number): Caller {
  const { customer, random } = draft;
  if (customer.kind === 'ORGANISATION') {
    const contactGender = SeededRandom.for(seed, 'customer-contact', customer.id).chance(0.5) ? 'MALE' : 'FEMALE';
    return { name: chineseName([seed, 'customer-contact', customer.id], contactGender), mobile: customer.mobile };
  }
  if (random.chance(0.9)) return { name: customer.name, mobile: customer.mobile };
  return { name: chineseName([seed, 'relative-caller', draft.id], random.chance(0.5) ? 'MALE' : 'FEMALE'), mobile: generateMobile(random) };
}

const SATISFIED: readonly (readonly [number, number])[] = [
  [5, 55],
  [4, 25],
  [3, 10],
  [2, 6],
  [1, 4],
];
const LET_DOWN: readonly (readonly [number, number])[] = [
  [5, 15],
  [4, 25],
  [3, 25],
  [2, 20],
  [1, 15],
];

export function ticketRows(draft: TicketDraft, context: RowContext): TicketRows {
  const { random, plan, customer } = draft;
  const timeline = timelineAt(plan, draft.openedAt, context.asOf);
  const openingAgent = random.pick(context.hotlineAgents);
  const assignee = timeline.assignedAt === null ? null : random.chance(0.7) ? openingAgent : random.pick(context.hotlineAgents);
  const caller = callerOf(draft, context.seed);
  const slaDueAt = plusSeconds(draft.openedAt, SLA_TARGET_MINUTES[draft.type] * 60);
  const completedPauseMinutes = plan.pending && timeline.pendingEndedAt ? Math.floor(plan.pending.length / 60) : 0;
  const pendingSince = timeline.status === 'PENDING_CUSTOMER' ? timeline.pendingStartedAt : null;
  const breached = isSlaBreached({ slaDueAt, completedPauseMinutes, pendingSince, resolvedAt: timeline.resolvedAt }, context.asOf);

  const ticket: ServiceRequestRow = {
    id: draft.id,
    ticket_no: ticketNoFor(context.seed, draft.id, draft.openedAt),
    channel: draft.channel,
    type: draft.type,
    status: timeline.status,
    priority: draft.priority,
    subject: draft.words.subject,
    description: draft.words.description,
    caller_name: caller.name,
    caller_mobile: caller.mobile,
    customer_id: customer.id,
    policy_no: draft.policyNo,
    spawned_claim_report_no: draft.spawnedClaimReportNo,
    spawned_complaint_no: draft.spawnedComplaintNo,
    branch_id: customer.branchId,
    branch_path: customer.branchPath,
    assignee_staff_id: assignee?.id ?? null,
    customer_manager_staff_id: customer.primaryManagerStaffId,
    opened_at: sqlTimestamp(draft.openedAt),
    triaged_at: at(timeline.triagedAt),
    assigned_at: at(timeline.assignedAt),
    first_response_at: at(timeline.firstResponseAt),
    pending_since: at(pendingSince),
    resolved_at: at(timeline.resolvedAt),
    closed_at: at(timeline.closedAt),
    updated_at: latestTimestamp(
      draft.openedAt,
      at(timeline.triagedAt),
      at(timeline.assignedAt),
      at(timeline.firstResponseAt),
      at(pendingSince),
      at(timeline.resolvedAt),
      at(timeline.closedAt),
    ),
    sla_due_at: sqlTimestamp(slaDueAt),
    sla_paused_minutes: completedPauseMinutes,
    version: 1,
    // A seeded wait is for documents, the commonest reason.
    pending_reason: pendingSince === null ? null : 'DOCUMENTS',
    reopened_at: null,
    reopen_reason: null,
    related_claim_report_no: null,
  };

  const calls = new CallLog(draft.id, context.asOf, random);
  if (draft.openingCallSeconds !== null) {
    const openingWait = hotlineWaitSeconds(random);
    // Some callers gave up in the queue before getting through.
    if (random.chance(0.08)) calls.add('INBOUND', plusSeconds(draft.openedAt, -openingWait - random.int(180, 1_800)), random.int(45, 240), null, null);
    calls.add('INBOUND', draft.openedAt, openingWait, draft.openingCallSeconds, openingAgent.id);
  }
  const callsBack = draft.channel === 'PHONE' && ['ENQUIRY', 'POLICY_SERVICE', 'RENEWAL', 'RESCUE'].includes(draft.type);
  if (callsBack && timeline.firstResponseAt && assignee) calls.add('OUTBOUND', timeline.firstResponseAt, random.int(5, 25), random.int(60, 360), assignee.id);
  if (draft.channel === 'PHONE' && draft.type !== 'RETURN_VISIT' && timeline.pendingEndedAt && random.chance(0.6)) {
    calls.add('INBOUND', timeline.pendingEndedAt, hotlineWaitSeconds(random), random.int(60, 360), random.pick(context.hotlineAgents).id);
  }

  const visits = new VisitLog(draft.id, random, calls, breached ? LET_DOWN : SATISFIED);
  if (draft.type === 'RETURN_VISIT' && assignee) addReturnVisitAttempts(visits, timeline, plan.pending !== null, assignee.id, random);
  if (plan.followUpVisit && timeline.resolvedAt) {
    const attempt = plusSeconds(timeline.resolvedAt, plan.followUpVisit.attemptAfter);
    const outcome = random.weighted<ReturnVisitOutcome>([
      ['REACHED', 80],
      ['NO_ANSWER', 15],
      ['DECLINED', 5],
    ]);
    visits.add(
      plusSeconds(timeline.resolvedAt, plan.followUpVisit.scheduledAfter),
      attempt <= context.asOf ? attempt : null,
      outcome,
      random.pick(context.hotlineAgents).id,
    );
  }
  return { ticket, calls: calls.rows, visits: visits.rows };
}

/**
 * A return-visit ticket is the visit itself: the agent calls at the first response; when the ticket
 * waited for the customer, that call missed them and a second one after the wait got through.
 */
function addReturnVisitAttempts(visits: VisitLog, timeline: TicketTimeline, waitedForCustomer: boolean, agentId: number, random: SeededRandom): void {
  const reachedOrDeclined = (): ReturnVisitOutcome => (random.chance(0.88) ? 'REACHED' : 'DECLINED');
  const firstOutcome = waitedForCustomer
    ? random.weighted<ReturnVisitOutcome>([
        ['NO_ANSWER', 60],
        ['CALLBACK_REQUESTED', 40],
      ])
    : reachedOrDeclined();
  visits.add(timeline.plannedAt('IN_PROGRESS')!, timeline.firstResponseAt, firstOutcome, agentId);
  if (waitedForCustomer && timeline.pendingStartedAt) visits.add(timeline.plannedAt('IN_PROGRESS', 1)!, timeline.pendingEndedAt, reachedOrDeclined(), agentId);
}

/** Calls of one ticket; each is placed by the moment it connected (or was given up), which the clock has reached. */
class CallLog {
  readonly rows: CallRecordRow[] = [];

  constructor(
    private readonly ticketId: number,
    private readonly asOf: Date,
    private readonly random: SeededRandom,
  ) {}

  /** `talkSeconds` null: nobody answered; `waitSeconds` is then how long the phone rang or the caller queued. */
  add(direction: CallDirection, connectedAt: Date, waitSeconds: number, talkSeconds: number | null, agentStaffId: number | null): void {
    const id = this.ticketId * CHILDREN_PER_TICKET + this.rows.length;
    const answered = talkSeconds !== null;
    const endsAt = plusSeconds(connectedAt, talkSeconds ?? 0);
    const stillTalking = endsAt > this.asOf;
    this.rows.push({
      id,
      service_request_id: this.ticketId,
      direction,
      started_at: sqlTimestamp(plusSeconds(connectedAt, -waitSeconds)),
      answered_at: answered ? sqlTimestamp(connectedAt) : null,
      ended_at: stillTalking ? null : sqlTimestamp(endsAt),
      wait_seconds: waitSeconds,
      duration_seconds: stillTalking ? null : (talkSeconds ?? 0),
      answered_by_agent: answered,
      // An abandoned inbound call never reached an agent; an unanswered outbound call was still placed by one.
      agent_staff_id: answered || direction === 'OUTBOUND' ? agentStaffId : null,
      recording_url: answered ? recordingUrl(connectedAt, id, this.random) : null,
    });
  }
}

function recordingUrl(connectedAt: Date, callId: number, random: SeededRandom): string {
  const day = connectedAt.toISOString().slice(0, 10).replace(/-/g, '/');
  return `https://callcenter.insurer.example/recordings/${day}/${callId}-${random.int(1000, 9999)}.wav`;
}

/** Return visits of one ticket; every attempt is a phone call, logged with the ticket's calls. */
class VisitLog {
  readonly rows: ReturnVisitRow[] = [];

  constructor(
    private readonly ticketId: number,
    private readonly random: SeededRandom,
    private readonly calls: CallLog,
    private readonly satisfaction: readonly (readonly [number, number])[],
  ) {}

  add(scheduledFor: Date, visitedAt: Date | null, plannedOutcome: ReturnVisitOutcome, agentStaffId: number): void {
    const outcome = visitedAt === null ? null : plannedOutcome;
    const satisfaction = outcome === 'REACHED' ? this.random.weighted(this.satisfaction) : null;
    this.rows.push({
      id: this.ticketId * CHILDREN_PER_TICKET + this.rows.length,
      service_request_id: this.ticketId,
      agent_staff_id: agentStaffId,
      scheduled_for: sqlTimestamp(scheduledFor),
      visited_at: at(visitedAt),
      outcome,
      satisfaction,
      notes: outcome === null ? null : visitNotes(this.random, outcome, satisfaction),
    });
    if (visitedAt === null || outcome === null) return;
    if (outcome === 'NO_ANSWER') this.calls.add('OUTBOUND', visitedAt, this.random.int(30, 45), null, agentStaffId);
    else
      this.calls.add('OUTBOUND', visitedAt, this.random.int(5, 25), outcome === 'REACHED' ? this.random.int(120, 360) : this.random.int(15, 60), agentStaffId);
  }
}
