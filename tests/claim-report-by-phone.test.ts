/**
 * A claim report taken by phone writes to two systems (issue 10, "Nothing lost across systems"): the hotline's
 * ticket, and through the event the ticket's commit recorded, the claim (REPORTED) with its survey dispatch in
 * the claims system. Never one without the other: with the claims subgraph down, the report is taken, and once it
 * is back the claim and its survey task exist exactly once, and the ticket shows the claim. A retried report opens
 * neither twice. The way back too: a large customer's claim decided while the hotline is down gets its return visit,
 * once, when the hotline is back. Through the gateway, over HTTP on SQLite and MariaDB, over NATS JetStream on MariaDB.
 */
import { DELIVERY_TABLE, openAuditStore, OUTBOX_TABLE, SettableClock, type Knex } from '@icg/shared';
import { auditRecordsOf } from './support/crm-workflows';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { STORES_AND_TRANSPORTS_UNDER_TEST } from './support/stores-and-transports';
import { actingAs, callers, mutate, newKey, readTicket, staffWith, TICKET_FIELDS, waitUntil, type Caller, type Ticket } from './support/hotline-desk';

const START = '2026-11-02T02:00:00Z';

async function rowCount(query: Knex.QueryBuilder): Promise<number> {
  const [row] = (await query.count({ n: '*' })) as { n: number | string }[];
  return Number(row!.n);
}

interface FiledClaim {
  reportNo: string;
  status: string;
  reportChannel: string;
  reportedAt: string;
  lossDate: string;
  policy: { policyNo: string };
  customer: { id: string };
  reportTicket: { ticketNo: string } | null;
  surveyTasks: { status: string; dispatchedAt: string; surveyor: { id: string } | null }[];
  version: number;
}

/** A claim decided on: dispatched, surveyed, registered and denied by its branch's adjuster. */
const TO_DENIAL: readonly (readonly [string, string, Record<string, unknown>])[] = [
  ['dispatchSurveyor', 'DispatchSurveyorInput', {}],
  ['recordSurveyorOnSite', 'ClaimStepInput', {}],
  ['completeSurvey', 'CompleteSurveyInput', {}],
  ['registerClaim', 'RegisterClaimInput', { outstandingReserve: 8_000 }],
  ['denyClaim', 'ClaimReasonInput', { reason: '事故不在保险责任范围内' }],
];

const CLAIM_FIELDS =
  'reportNo status reportChannel reportedAt lossDate policy { policyNo } customer { id } reportTicket { ticketNo } surveyTasks { status dispatchedAt surveyor { id } } version';

describe.each(STORES_AND_TRANSPORTS_UNDER_TEST)('a claim reported by phone on %s over %s', (dialect, transport) => {
  const clock = new SettableClock(START);
  let graph: GraphUnderTest;
  let auditStore: Knex;
  let people: Caller[];
  const agent = actingAs(staffWith('HOTLINE_AGENT')[0]!);

  beforeAll(async () => {
    graph = await startGraph({ dialect, clock, eventTransport: transport });
    auditStore = await openAuditStore(graph.databases.config);
    people = await callers(graph, 8);
  }, 180_000);
  afterAll(async () => {
    await auditStore?.destroy();
    await graph?.close();
  });

  const report = (caller: Caller, key = newKey()) =>
    mutate<Ticket>(
      graph,
      'reportClaimByPhone',
      'ReportClaimByPhoneInput',
      {
        idempotencyKey: key,
        customerId: caller.customerId,
        policyNo: caller.policyNo,
        lossDate: '2026-11-01',
        cause: 'COLLISION',
        priority: 'HIGH',
        description: '客户来电报案：在人民路附近等红灯时被后车追尾，后保险杠受损',
        callerName: '李女士',
        callerMobile: '13912345678',
        customerSegment: 'LARGE',
      },
      TICKET_FIELDS,
      agent,
    );

  /** The customer's claims that came from this ticket, as the claims desk reads them. */
  async function claimsOfTicket(caller: Caller, ticketNo: string): Promise<FiledClaim[]> {
    const response = await graph.query<{ customer: { claims: FiledClaim[] | null } }>(
      `query C($id: ID!) { customer(id: $id) { claims { ${CLAIM_FIELDS} } } }`,
      {
        id: caller.customerId,
      },
    );
    if (response.errors?.length) throw new Error(JSON.stringify(response.errors));
    return (response.data!.customer.claims ?? []).filter((claim) => claim.reportTicket?.ticketNo === ticketNo);
  }

  const spawned = (ticketNo: string) =>
    waitUntil(
      () => readTicket(graph, ticketNo),
      (ticket) => ticket?.spawnedClaim !== null,
    );

  it('files the claim with its survey dispatch, and the ticket shows it once the claims system has it', async () => {
    const caller = people[0]!;
    const { value: ticket, errors } = await report(caller);
    expect(errors).toEqual([]);
    expect(ticket).toMatchObject({ type: 'CLAIM_REPORT', status: 'TRIAGED', channel: 'PHONE' });

    const linked = await spawned(ticket!.ticketNo);
    expect(linked!.spawnedClaim).not.toBeNull();
    const [claim, ...more] = await claimsOfTicket(caller, ticket!.ticketNo);
    expect(more).toEqual([]);
    expect(claim).toMatchObject({
      reportNo: linked!.spawnedClaim!.reportNo,
      status: 'REPORTED',
      reportChannel: 'HOTLINE',
      reportedAt: START,
      lossDate: '2026-11-01',
      policy: { policyNo: caller.policyNo },
      customer: { id: caller.customerId },
      version: 1,
    });
    expect(claim!.surveyTasks).toEqual([{ status: 'DISPATCHED', dispatchedAt: START, surveyor: null }]);
    // Written by the claims system, not by the agent: audited as its own change, under the hotline event's id.
    const [event] = (await graph.subgraphs['service-requests']!.db(OUTBOX_TABLE)
      .where({ aggregate: `ServiceRequest:${ticket!.ticketNo}`, type: 'service-request.claim-reported' })
      .select('event_id')) as { event_id: string }[];
    const [filed] = await auditRecordsOf(auditStore, 'event:service-request.claim-reported', `Claim:${claim!.reportNo}`, 1);
    expect(filed).toMatchObject({ staff_id: 'system:claims', role: 'SYSTEM', request_id: event!.event_id, decision: 'ALLOW' });
    expect(JSON.parse(String(filed!['change']))).toMatchObject({ beforeVersion: null, afterVersion: 1 });
    // The hotline's ticket learning its claim is the hotline's own change, under the claims system's event.
    await auditRecordsOf(auditStore, 'event:claim.reported', `ServiceRequest:${ticket!.ticketNo}`, 1);
  });

  it('never leaves the ticket without its claim: with the claims system down, the claim follows once it is back, exactly once', async () => {
    const caller = people[1]!;
    await graph.stopSubgraph('claims');
    let ticketNo: string;
    try {
      const { value: ticket, errors } = await report(caller);
      expect(errors).toEqual([]);
      ticketNo = ticket!.ticketNo;
      // The report waits at the hotline, undelivered (over NATS: in the stream, unacknowledged).
      const outbox = graph.subgraphs['service-requests']!.db;
      const [recorded] = (await outbox(OUTBOX_TABLE).where('aggregate', `ServiceRequest:${ticketNo}`).select('sequence', 'type')) as {
        sequence: number;
        type: string;
      }[];
      expect(recorded!.type).toBe('service-request.claim-reported');
      if (transport === 'http') {
        const attempts = await waitUntil(
          async () =>
            (await outbox(DELIVERY_TABLE).where({ sequence: recorded!.sequence, consumer: 'claims' }).first('state', 'attempts')) as {
              state: string;
              attempts: number;
            },
          (delivery) => delivery.attempts >= 2,
        );
        expect(attempts.state).toBe('PENDING');
      }
      expect((await readTicket(graph, ticketNo))!.spawnedClaim).toBeNull();
    } finally {
      await graph.restartSubgraph('claims');
    }
    const linked = await spawned(ticketNo);
    const claims = await claimsOfTicket(caller, ticketNo);
    expect(claims).toHaveLength(1);
    expect(claims[0]!.reportNo).toBe(linked!.spawnedClaim!.reportNo);
    expect(claims[0]!.surveyTasks).toHaveLength(1);
    // Exactly once in the claims store too (redeliveries after the restart are answered from the inbox).
    const claimsDb = graph.subgraphs['claims']!.db;
    expect(await rowCount(claimsDb('claims').where('source_ticket_no', ticketNo))).toBe(1);
    expect(await rowCount(claimsDb('survey_tasks').whereIn('claim_id', claimsDb('claims').where('source_ticket_no', ticketNo).select('id')))).toBe(1);
  });

  it('opens neither the ticket nor the claim twice when the agent retries the report', async () => {
    const caller = people[2]!;
    const key = newKey();
    const first = await report(caller, key);
    const retry = await report(caller, key);
    expect(retry.errors).toEqual([]);
    expect(retry.value!.ticketNo).toBe(first.value!.ticketNo);
    await spawned(first.value!.ticketNo);
    const tickets = await graph.query<{ customer: { serviceRequests: { ticketNo: string }[] } }>(
      'query T($id: ID!) { customer(id: $id) { serviceRequests(type: CLAIM_REPORT) { ticketNo } } }',
      { id: caller.customerId },
    );
    expect(tickets.data!.customer.serviceRequests.filter((ticket) => ticket.ticketNo === first.value!.ticketNo)).toHaveLength(1);
    expect(await claimsOfTicket(caller, first.value!.ticketNo)).toHaveLength(1);
    const outbox = graph.subgraphs['service-requests']!.db;
    expect(await rowCount(outbox(OUTBOX_TABLE).where('aggregate', `ServiceRequest:${first.value!.ticketNo}`))).toBe(1);
  });

  it('takes reports from many agents at once, each filed once with its own ticket and claim', async () => {
    const agents = staffWith('HOTLINE_AGENT').map(actingAs);
    const reporters = people.slice(4, 8);
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, index) =>
        mutate<Ticket>(
          graph,
          'reportClaimByPhone',
          'ReportClaimByPhoneInput',
          {
            idempotencyKey: newKey(),
            customerId: reporters[index % reporters.length]!.customerId,
            policyNo: reporters[index % reporters.length]!.policyNo,
            lossDate: '2026-11-01',
            cause: 'FIRE',
            priority: 'HIGH',
          },
          'ticketNo',
          agents[index % agents.length]!,
        ),
      ),
    );
    expect(answers.flatMap((answer) => answer.errors)).toEqual([]);
    const ticketNos = answers.map((answer) => answer.value!.ticketNo);
    expect(new Set(ticketNos).size).toBe(24);
    const filed = await Promise.all(ticketNos.map((ticketNo) => spawned(ticketNo)));
    expect(new Set(filed.map((ticket) => ticket!.spawnedClaim?.reportNo)).size).toBe(24);
  });

  it('opens the return visit for a claim closed while the hotline was down, once it is back, exactly once', async () => {
    const caller = people[3]!;
    const { value: ticket } = await report(caller);
    const reportNo = (await spawned(ticket!.ticketNo))!.spawnedClaim!.reportNo;
    const adjuster = actingAs(staffWith('CLAIMS_ADJUSTER', caller.branchPath)[0]!);
    const visits = async () => {
      const response = await graph.query<{ customer: { serviceRequests: Ticket[] } }>(
        `query V($id: ID!) { customer(id: $id) { serviceRequests(type: RETURN_VISIT) { ${TICKET_FIELDS} } } }`,
        { id: caller.customerId },
      );
      return response.data!.customer.serviceRequests.filter((visit) => visit.relatedClaim?.reportNo === reportNo);
    };
    await graph.stopSubgraph('service-requests');
    try {
      let version = 1;
      for (const [field, inputType, extra] of TO_DENIAL) {
        const { value, errors } = await mutate<{ version: number }>(
          graph,
          field,
          inputType,
          { idempotencyKey: newKey(), reportNo, expectedVersion: version, ...extra },
          'version',
          adjuster,
        );
        expect(errors).toEqual([]);
        version = value!.version;
      }
    } finally {
      await graph.restartSubgraph('service-requests');
    }
    const opened = await waitUntil(visits, (found) => found.length > 0);
    expect(opened).toEqual([expect.objectContaining({ type: 'RETURN_VISIT', status: 'TRIAGED', customer: { id: caller.customerId } })]);
    // Redeliveries after the restart change nothing: still one, once the closing is confirmed delivered.
    const claimsDb = graph.subgraphs['claims']!.db;
    const closed = (await claimsDb(OUTBOX_TABLE)
      .where({ aggregate: `Claim:${reportNo}`, type: 'claim.closed' })
      .first('sequence')) as { sequence: number };
    await waitUntil(
      async () => (await claimsDb(DELIVERY_TABLE).where({ sequence: closed.sequence, consumer: 'service-requests' }).first('state')) as { state: string },
      (delivery) => delivery.state === 'DELIVERED',
    );
    expect(await visits()).toHaveLength(1);
  });
});
