/**
 * Return visits through the gateway (issue 10, "Hotline"; DOMAIN.md section 5): a RETURN_VISIT ticket comes with its
 * first planned visit; the assignee records each attempt once — one that did not reach the customer plans the next,
 * one that did (with the customer's satisfaction) or that the customer declined resolves the ticket. Every refusal
 * names the field, the state or the action. On SQLite, and on MariaDB when MYSQL_URL is set.
 */
import { SettableClock } from '@icg/shared';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { actingAs, callers, mutate, newKey, refusal, staffWith, TICKET_FIELDS, type Caller, type Ticket } from './support/hotline-desk';
import { TEST_DIALECTS } from './support/test-database';
import type { ActingAs } from './support/test-security';

const START = '2026-11-02T02:00:00Z';

interface Visit {
  id: string;
  scheduledFor: string;
  visitedAt: string | null;
  outcome: string | null;
  satisfaction: number | null;
  agent: { id: string } | null;
}

type VisitTicket = Ticket & { returnVisits: Visit[] };

const FIELDS = `${TICKET_FIELDS} returnVisits { id scheduledFor visitedAt outcome satisfaction agent { id } }`;

describe.each(TEST_DIALECTS)('return visits on %s', (dialect) => {
  const clock = new SettableClock(START);
  let graph: GraphUnderTest;
  let people: Caller[];
  const agent = actingAs(staffWith('HOTLINE_AGENT')[0]!);
  const adjuster = actingAs(staffWith('CLAIMS_ADJUSTER')[0]!);

  beforeAll(async () => {
    graph = await startGraph({ dialect, clock, customers: 30 });
    people = await callers(graph, 4);
  }, 120_000);
  afterAll(async () => {
    await graph?.close();
  });

  const openTicket = async (caller: Caller, type = 'RETURN_VISIT'): Promise<VisitTicket> => {
    const { value, errors } = await mutate<VisitTicket>(
      graph,
      'openServiceRequest',
      'OpenServiceRequestInput',
      { idempotencyKey: newKey(), type, channel: 'PHONE', priority: 'NORMAL', customerId: caller.customerId, subject: '回访：服务评价' },
      FIELDS,
      agent,
    );
    expect(errors).toEqual([]);
    return value!;
  };

  const step = async (field: 'assignServiceRequest' | 'progressServiceRequest', ticket: VisitTicket): Promise<VisitTicket> => {
    const inputType = field === 'assignServiceRequest' ? 'AssignServiceRequestInput' : 'ServiceRequestStepInput';
    const { value, errors } = await mutate<VisitTicket>(
      graph,
      field,
      inputType,
      { idempotencyKey: newKey(), ticketNo: ticket.ticketNo, expectedVersion: ticket.version },
      FIELDS,
      agent,
    );
    expect(errors).toEqual([]);
    return value!;
  };

  /** A RETURN_VISIT ticket assigned to the agent and in progress, with its one planned visit. */
  const ticketInProgress = async (caller: Caller): Promise<VisitTicket> =>
    step('progressServiceRequest', await step('assignServiceRequest', await openTicket(caller)));

  const record = (ticket: VisitTicket, visit: Visit, fields: Record<string, unknown>, acting: ActingAs = agent, key = newKey()) =>
    mutate<VisitTicket>(
      graph,
      'recordReturnVisit',
      'RecordReturnVisitInput',
      { idempotencyKey: key, ticketNo: ticket.ticketNo, expectedVersion: ticket.version, returnVisitId: visit.id, ...fields },
      FIELDS,
      acting,
    );

  it('plans the first visit with the ticket, plans another after no answer, and resolves the ticket once the customer is reached', async () => {
    clock.set(START);
    const opened = await openTicket(people[0]!);
    expect(opened.returnVisits).toEqual([
      { id: expect.any(String), scheduledFor: opened.slaDueAt, visitedAt: null, outcome: null, satisfaction: null, agent: null },
    ]);
    const ticket = await ticketInProgress(people[0]!);
    const [first] = ticket.returnVisits;

    clock.set('2026-11-03T03:00:00Z');
    const afterNoAnswer = await record(ticket, first!, { outcome: 'NO_ANSWER' });
    expect(afterNoAnswer.errors).toEqual([]);
    const noAnswer = afterNoAnswer.value!;
    expect(noAnswer).toMatchObject({ status: 'IN_PROGRESS', version: ticket.version + 1, resolvedAt: null });
    // Listed in the order they are planned: the next attempt (the next day) before the first visit's deadline.
    expect(noAnswer.returnVisits).toEqual([
      { id: expect.any(String), scheduledFor: '2026-11-04T00:00:00Z', visitedAt: null, outcome: null, satisfaction: null, agent: null },
      {
        id: first!.id,
        scheduledFor: first!.scheduledFor,
        visitedAt: '2026-11-03T03:00:00Z',
        outcome: 'NO_ANSWER',
        satisfaction: null,
        agent: { id: agent.staffId },
      },
    ]);

    clock.set('2026-11-04T05:00:00Z');
    const second = noAnswer.returnVisits[0]!;
    const reached = await record(noAnswer, second, { outcome: 'REACHED', satisfaction: 4, notes: '客户对理赔时效表示满意' });
    expect(reached.errors).toEqual([]);
    expect(reached.value).toMatchObject({ status: 'RESOLVED', resolvedAt: '2026-11-04T05:00:00Z', version: noAnswer.version + 1 });
    expect(reached.value!.returnVisits).toHaveLength(2);
    expect(reached.value!.returnVisits[0]).toMatchObject({ id: second.id, outcome: 'REACHED', satisfaction: 4, visitedAt: '2026-11-04T05:00:00Z' });
  });

  it('plans a requested call back on the day the customer asked for, and resolves a declined visit', async () => {
    clock.set(START);
    const ticket = await ticketInProgress(people[1]!);
    const callBack = await record(ticket, ticket.returnVisits[0]!, { outcome: 'CALLBACK_REQUESTED', nextAttemptOn: '2026-11-06' });
    expect(callBack.errors).toEqual([]);
    expect(callBack.value!.returnVisits.map((visit) => [visit.outcome, visit.scheduledFor])).toEqual([
      ['CALLBACK_REQUESTED', ticket.returnVisits[0]!.scheduledFor],
      [null, '2026-11-06T00:00:00Z'],
    ]);
    const declined = await record(callBack.value!, callBack.value!.returnVisits[1]!, { outcome: 'DECLINED' });
    expect(declined.errors).toEqual([]);
    expect(declined.value).toMatchObject({ status: 'RESOLVED' });
  });

  it('refuses bad input naming the field, and never records a visit twice', async () => {
    clock.set(START);
    const ticket = await ticketInProgress(people[2]!);
    const visit = ticket.returnVisits[0]!;
    const badInput = async (fields: Record<string, unknown>, field: string) => {
      const { value, errors } = await record(ticket, visit, fields);
      expect(value).toBeNull();
      expect(refusal(errors)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: field });
    };
    await badInput({ outcome: 'REACHED' }, 'input.satisfaction');
    await badInput({ outcome: 'REACHED', satisfaction: 6 }, 'input.satisfaction');
    await badInput({ outcome: 'NO_ANSWER', satisfaction: 3 }, 'input.satisfaction');
    await badInput({ outcome: 'DECLINED', nextAttemptOn: '2026-11-05' }, 'input.nextAttemptOn');
    await badInput({ outcome: 'NO_ANSWER', nextAttemptOn: '2026-11-01' }, 'input.nextAttemptOn');
    // The notes are a narrative, not a HEALTH field: no injuries or illness in them.
    await badInput({ outcome: 'REACHED', satisfaction: 2, notes: '客户说住院治疗期间无人联系' }, 'input.notes');
    const { errors: notOurs } = await record(ticket, { ...visit, id: '1' }, { outcome: 'NO_ANSWER' });
    expect(refusal(notOurs)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.returnVisitId' });

    const key = newKey();
    const first = await record(ticket, visit, { outcome: 'NO_ANSWER' }, agent, key);
    expect(first.errors).toEqual([]);
    // The same request again (a retry) answers as the first did and records nothing more.
    const retry = await record(ticket, visit, { outcome: 'NO_ANSWER' }, agent, key);
    expect(retry.errors).toEqual([]);
    expect(retry.value!.returnVisits).toHaveLength(2);
    expect(retry.value!.version).toBe(first.value!.version);

    const twice = await record(first.value!, visit, { outcome: 'REACHED', satisfaction: 5 });
    expect(refusal(twice.errors)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'RECORDED' });
    const stale = await record(ticket, first.value!.returnVisits[0]!, { outcome: 'NO_ANSWER' });
    expect(refusal(stale.errors)).toMatchObject({ code: 'CONFLICT', expectedVersion: ticket.version, currentVersion: first.value!.version });
  });

  it('records visits only on RETURN_VISIT tickets in progress, and only for the roles the policy names', async () => {
    clock.set(START);
    const notStarted = await openTicket(people[3]!);
    const early = await record(notStarted, notStarted.returnVisits[0]!, { outcome: 'NO_ANSWER' });
    expect(refusal(early.errors)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'TRIAGED' });

    const enquiry = await openTicket(people[3]!, 'ENQUIRY');
    expect(enquiry.returnVisits).toEqual([]);
    const wrongType = await record(enquiry, notStarted.returnVisits[0]!, { outcome: 'NO_ANSWER' });
    expect(refusal(wrongType.errors)).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.ticketNo' });

    const ticket = await ticketInProgress(people[3]!);
    const forbidden = await record(ticket, ticket.returnVisits[0]!, { outcome: 'NO_ANSWER' }, adjuster);
    expect(refusal(forbidden.errors)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'serviceRequest.returnVisit' });
  });
});
