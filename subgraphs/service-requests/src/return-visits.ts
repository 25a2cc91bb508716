/**
 * Recording a return visit (issue 10, "Hotline"; DOMAIN.md section 5: large and quality customers get a return
 * visit within 7 days after a claim closes). The claims system's `claim.closed` event opens the RETURN_VISIT ticket
 * with its first planned visit (hotline-event-handlers.ts); the assignee calls the customer and records here what
 * came of it. A visit's outcome is written once; a visit that did not reach the customer schedules the next attempt
 * on the same ticket, one that did (or that the customer declined) resolves the ticket.
 */
import { GraphQLError } from 'graphql';
import {
  addDays,
  BUSINESS_NUMBERS,
  expectVersion,
  invalidInput,
  isoDate,
  notFound,
  parseBusinessNumber,
  parseEntityId,
  parseExpectedVersion,
  parseIsoDate,
  runMutation,
  scopeOfRow,
  sqlTimestamp,
  touch,
  updateVersioned,
  type ActionTarget,
  type RecordChange,
} from '@icg/shared';
import { entities } from './entities';
import type { MutationResolvers, RecordReturnVisitInput, ReturnVisitOutcome } from './generated/schema-types';
import { answeredTicket, textWithoutHealthFacts } from './hotline-mutations';
import { planReturnVisit } from './return-visit-plan';
import { TABLES, type ReturnVisitRow, type ServiceRequestRow } from './tables';
import { ticketLifecycle } from './ticket-lifecycle';

const TICKET = 'service request';
const NOTES_MAX = 500;
/** Outcomes that end the visiting: the customer was reached, or does not want to be. */
const FINAL_OUTCOMES: ReadonlySet<ReturnVisitOutcome> = new Set(['REACHED', 'DECLINED']);

interface ReturnVisitTarget extends ActionTarget {
  ticket: ServiceRequestRow;
  visit: ReturnVisitRow;
}

interface VisitRecording {
  outcome: ReturnVisitOutcome;
  satisfaction: number | null;
  notes: string | null;
  /** The next attempt's day, for outcomes that call for one. */
  nextAttemptOn: string | null;
}

function parseRecording(input: RecordReturnVisitInput, today: Date): VisitRecording {
  const { outcome } = input;
  const satisfaction = input.satisfaction ?? null;
  if (outcome === 'REACHED') {
    if (satisfaction === null || !Number.isInteger(satisfaction) || satisfaction < 1 || satisfaction > 5)
      throw invalidInput('input.satisfaction', 'is required when the customer was reached: a whole number from 1 to 5');
  } else if (satisfaction !== null) {
    throw invalidInput('input.satisfaction', `is only recorded when the customer was reached, not for ${outcome}`);
  }
  const notes = textWithoutHealthFacts(input.notes, 'input.notes', { maxLength: NOTES_MAX });
  if (FINAL_OUTCOMES.has(outcome)) {
    if (input.nextAttemptOn !== null && input.nextAttemptOn !== undefined)
      throw invalidInput('input.nextAttemptOn', `is only for an outcome that calls for another attempt, not ${outcome}`);
    return { outcome, satisfaction, notes, nextAttemptOn: null };
  }
  const todayIso = isoDate(today);
  const nextAttemptOn = parseIsoDate(input.nextAttemptOn, 'input.nextAttemptOn') ?? isoDate(addDays(today, 1));
  if (nextAttemptOn < todayIso) throw invalidInput('input.nextAttemptOn', 'must be today or later');
  return { outcome, satisfaction, notes, nextAttemptOn };
}

/** INVALID_TRANSITION for a visit whose outcome is already on record: it is never overwritten. */
function visitAlreadyRecorded(visit: ReturnVisitRow): GraphQLError {
  return new GraphQLError(`This return visit was already recorded (${String(visit.outcome)}); record the next attempt's visit instead`, {
    extensions: { code: 'INVALID_TRANSITION', currentState: 'RECORDED', requestedState: 'RECORDED', allowed: [] },
  });
}

/** INVALID_TRANSITION for a ticket not being worked on: the assignee starts it (progressServiceRequest) first. */
function ticketNotInProgress(ticket: ServiceRequestRow): GraphQLError {
  return new GraphQLError(`A return visit is recorded on a ${TICKET} IN_PROGRESS, not ${ticket.status}`, {
    extensions: { code: 'INVALID_TRANSITION', currentState: ticket.status, requestedState: 'IN_PROGRESS', allowed: [...ticketLifecycle.next(ticket.status)] },
  });
}

export const returnVisitMutations = {
  async recordReturnVisit(_root, { input }: { input: RecordReturnVisitInput }, context) {
    const ticketNo = parseBusinessNumber(input.ticketNo, 'input.ticketNo', BUSINESS_NUMBERS.ticketNo);
    const returnVisitId = parseEntityId(input.returnVisitId, 'input.returnVisitId');
    const expectedVersion = parseExpectedVersion(input.expectedVersion, 'input.expectedVersion');
    const recording = parseRecording(input, context.clock.now());
    const result = await runMutation<ReturnVisitTarget, { ticketNo: string }>(context, {
      action: 'serviceRequest.returnVisit',
      idempotencyKey: input.idempotencyKey,
      input: { ticketNo, returnVisitId, expectedVersion, ...recording },
      async loadTarget(trx) {
        const ticket = (await trx(TABLES.serviceRequests).where('ticket_no', ticketNo).first()) as ServiceRequestRow | undefined;
        if (ticket === undefined) throw notFound(TICKET, 'ticketNo');
        if (ticket.type !== 'RETURN_VISIT') throw invalidInput('input.ticketNo', `is a ${ticket.type} ticket, not a RETURN_VISIT ticket`);
        const visit = (await trx(TABLES.returnVisits).where({ id: returnVisitId, service_request_id: ticket.id }).first()) as ReturnVisitRow | undefined;
        if (visit === undefined) throw invalidInput('input.returnVisitId', "is not one of this ticket's return visits");
        return { ticket, visit, scope: scopeOfRow('ServiceRequest', entities.ServiceRequest, ticket) };
      },
      async perform(trx, { ticket, visit }, _decision, now) {
        expectVersion(TICKET, Number(ticket.version), expectedVersion);
        if (visit.outcome !== null) throw visitAlreadyRecorded(visit);
        if (ticket.status !== 'IN_PROGRESS') throw ticketNotInProgress(ticket);
        const visited = {
          visited_at: sqlTimestamp(now),
          outcome: recording.outcome,
          satisfaction: recording.satisfaction,
          notes: recording.notes,
          agent_staff_id: context.caller.staffId,
        };
        await trx(TABLES.returnVisits).where('id', visit.id).update(visited);
        const changes: RecordChange[] = [
          {
            recordKey: `ReturnVisit:${visit.id}`,
            beforeVersion: null,
            afterVersion: null,
            fields: Object.fromEntries(
              Object.entries(visited).map(([column, after]) => [column, { before: (visit as unknown as Record<string, unknown>)[column] ?? null, after }]),
            ),
          },
        ];
        if (recording.nextAttemptOn !== null) changes.push(await planReturnVisit(trx, ticket, `${recording.nextAttemptOn} 00:00:00`, now));
        // The ticket's version moves either way: its visits changed, and a caller holding the old version decided on less.
        const ticketChanges: Record<string, unknown> = FINAL_OUTCOMES.has(recording.outcome) ? { status: 'RESOLVED', resolved_at: sqlTimestamp(now) } : {};
        if (ticketChanges['status'] !== undefined) ticketLifecycle.assertTransition(ticket.status, 'RESOLVED');
        const version = await updateVersioned(trx, {
          entity: TICKET,
          table: TABLES.serviceRequests,
          where: { id: ticket.id },
          expectedVersion,
          // updated_at for incremental extracts (BI's updatedSince), like every other write of a ticket.
          changes: { ...ticketChanges, ...touch(now) },
        });
        const before = ticket as unknown as Readonly<Record<string, unknown>>;
        changes.push({
          recordKey: `ServiceRequest:${ticketNo}`,
          beforeVersion: expectedVersion,
          afterVersion: version,
          fields: Object.fromEntries(Object.entries(ticketChanges).map(([column, after]) => [column, { before: before[column] ?? null, after }])),
        });
        return { result: { ticketNo }, changes };
      },
    });
    return answeredTicket(context, result);
  },
} satisfies MutationResolvers;
