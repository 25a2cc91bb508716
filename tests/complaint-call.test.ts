/**
 * A complaint call (issue 10, "nothing lost across systems"): the hotline agent takes the call, which opens
 * the COMPLAINT ticket in the hotline system and, through the outbox and the complaint-call event, accepts the
 * complaint in the complaint register — exactly once, even when the register is down while the call is taken,
 * and however often the event is delivered. Through the gateway, on SQLite and MariaDB over direct HTTP
 * delivery, and over NATS JetStream on MariaDB (support/stores-and-transports.ts).
 */
import { randomUUID } from 'node:crypto';
import { DELIVERY_TABLE, newEventId, OUTBOX_TABLE, SettableClock } from '@icg/shared';
import { actingAs, complaintPeople } from './support/complaint-workflow';
import { waitUntil } from './support/event-probes';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { STORES_AND_TRANSPORTS_UNDER_TEST } from './support/stores-and-transports';

const CALL_TIME = '2026-11-03T02:30:00.000Z';

const TAKE_CALL = `mutation TakeCall($input: TakeComplaintCallInput!) { takeComplaintCall(input: $input) { ticketNo type status } }`;

const COMPLAINTS_OF = `query ComplaintsOf($id: ID!) {
  customer(id: $id) {
    complaints {
      complaintNo source category status version acceptedAt dueDate deadlineDays
      respondentBranch { id }
      sourceTicket { ticketNo }
      steps { step actor { id } at form }
    }
  }
}`;

interface RegisteredComplaint {
  complaintNo: string;
  source: string;
  category: string;
  status: string;
  version: number;
  acceptedAt: string;
  dueDate: string;
  deadlineDays: number;
  respondentBranch: { id: string };
  sourceTicket: { ticketNo: string } | null;
  steps: { step: string; actor: { id: string } | null; at: string; form: string | null }[];
}

const agent = actingAs(complaintPeople().hotlineAgent);

describe.each(STORES_AND_TRANSPORTS_UNDER_TEST)('a complaint call on %s over %s', (dialect, transport) => {
  let graph: GraphUnderTest;
  const clock = new SettableClock(CALL_TIME);

  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: 20, clock, eventTransport: transport });
  }, 300_000);

  afterAll(async () => {
    await graph?.close();
  });

  async function takeCall(customerId: string, idempotencyKey = randomUUID()): Promise<string> {
    const response = await graph.query<{ takeComplaintCall: { ticketNo: string; type: string } | null }>(
      TAKE_CALL,
      { input: { idempotencyKey, customerId, category: 'CLAIMS', priority: 'HIGH', description: '客户来电投诉理赔进度缓慢。' } },
      agent,
    );
    const ticket = response.data?.takeComplaintCall;
    if (!ticket) throw new Error(`takeComplaintCall answered no ticket: ${JSON.stringify(response.errors)}`);
    expect(ticket.type).toBe('COMPLAINT');
    return ticket.ticketNo;
  }

  /** The register's complaints that came from this ticket, as the gateway answers for the customer. */
  async function complaintsFromTicket(customerId: string, ticketNo: string): Promise<RegisteredComplaint[]> {
    const response = await graph.query<{ customer: { complaints: RegisteredComplaint[] | null } | null }>(COMPLAINTS_OF, { id: customerId });
    return (response.data?.customer?.complaints ?? []).filter((complaint) => complaint.sourceTicket?.ticketNo === ticketNo);
  }

  const hotlineRelay = () => graph.subgraphs['service-requests']!.events.relay;

  it('accepts the complaint exactly once when the register was down while the call was taken', async () => {
    await graph.stopSubgraph('complaints');
    const ticketNo = await takeCall('2');
    // The ticket is committed with its event. Over HTTP the event waits in the hotline's outbox (the relay
    // keeps trying); over NATS it waits in the stream, for the register's durable consumer.
    if (transport === 'http') expect(await hotlineRelay().pendingCount()).toBeGreaterThanOrEqual(1);

    clock.advance(3_600_000);
    await graph.restartSubgraph('complaints');
    const complaints = await waitUntil(
      () => complaintsFromTicket('2', ticketNo),
      (found) => found.length > 0,
    );
    expect(
      await waitUntil(
        () => hotlineRelay().pendingCount(),
        (pending) => pending === 0,
      ),
    ).toBe(0);

    expect(complaints).toHaveLength(1);
    const callTime = CALL_TIME.replace('.000Z', 'Z');
    expect(complaints[0]).toMatchObject({
      source: 'HOTLINE',
      category: 'CLAIMS',
      status: 'ACCEPTED',
      version: 1,
      // Accepted when the agent took the call, not when the register caught up: due 15 days after it.
      acceptedAt: callTime,
      deadlineDays: 15,
      dueDate: '2026-11-18',
      steps: [{ step: 'ACCEPT', actor: null, at: callTime, form: 'REGISTRATION' }],
    });
    expect(complaints[0]!.complaintNo).toMatch(/^CP\d{12}$/);
    // Still one after the delivery has been confirmed.
    expect(await complaintsFromTicket('2', ticketNo)).toHaveLength(1);
    // And the ticket shows the complaint it became, once the register's answering event is delivered back.
    const ticket = await waitUntil(
      async () =>
        (
          await graph.query<{ serviceRequest: { spawnedComplaint: { complaintNo: string; status: string } | null } | null }>(
            'query ($ticketNo: String!) { serviceRequest(ticketNo: $ticketNo) { spawnedComplaint { complaintNo status } } }',
            { ticketNo },
          )
        ).data?.serviceRequest,
      (found) => found?.spawnedComplaint != null,
    );
    expect(ticket?.spawnedComplaint).toEqual({ complaintNo: complaints[0]!.complaintNo, status: 'ACCEPTED' });
  });

  it('makes one ticket and one complaint of a call retried with the same key', async () => {
    const key = randomUUID();
    const ticketNo = await takeCall('3', key);
    expect(await takeCall('3', key)).toBe(ticketNo);
    await waitUntil(
      () => complaintsFromTicket('3', ticketNo),
      (found) => found.length > 0,
    );
    expect(
      await waitUntil(
        () => hotlineRelay().pendingCount(),
        (pending) => pending === 0,
      ),
    ).toBe(0);
    expect(await complaintsFromTicket('3', ticketNo)).toHaveLength(1);
  });

  it('changes nothing when the same event is delivered again', async () => {
    const ticketNo = await takeCall('4');
    await waitUntil(
      () => complaintsFromTicket('4', ticketNo),
      (found) => found.length > 0,
    );
    expect(
      await waitUntil(
        () => hotlineRelay().pendingCount(),
        (pending) => pending === 0,
      ),
    ).toBe(0);

    // As after a crash between the register's answer and the hotline's bookkeeping: the relay sends it again.
    const hotline = graph.subgraphs['service-requests']!.db;
    const sequences = (
      await hotline(OUTBOX_TABLE)
        .where({ aggregate: `ServiceRequest:${ticketNo}` })
        .select('sequence')
    ).map((row: { sequence: number }) => row.sequence);
    expect(sequences).toHaveLength(1);
    await hotline(DELIVERY_TABLE).whereIn('sequence', sequences).update({ state: 'PENDING', next_attempt_at_ms: 0 });
    hotlineRelay().wake();
    expect(
      await waitUntil(
        () => hotlineRelay().pendingCount(),
        (pending) => pending === 0,
      ),
    ).toBe(0);

    expect(await complaintsFromTicket('4', ticketNo)).toHaveLength(1);
  });

  it('accepts one complaint per call even when the hotline sends the call twice under two event ids', async () => {
    const ticketNo = await takeCall('5');
    await waitUntil(
      () => complaintsFromTicket('5', ticketNo),
      (found) => found.length > 0,
    );
    expect(
      await waitUntil(
        () => hotlineRelay().pendingCount(),
        (pending) => pending === 0,
      ),
    ).toBe(0);

    // A second event for the same call: new to the register's inbox, so only the ticket number tells it apart.
    const hotline = graph.subgraphs['service-requests']!.db;
    const original = (await hotline(OUTBOX_TABLE)
      .where({ aggregate: `ServiceRequest:${ticketNo}` })
      .first()) as Record<string, unknown>;
    const eventId = newEventId();
    await hotline(OUTBOX_TABLE).insert({ ...original, sequence: undefined, event_id: eventId, recorded_at_ms: Date.now() });
    const copy = (await hotline(OUTBOX_TABLE).where({ event_id: eventId }).first('sequence')) as { sequence: number };
    await hotline(DELIVERY_TABLE).insert({ sequence: copy.sequence, consumer: 'complaints', state: 'PENDING', attempts: 0, next_attempt_at_ms: 0 });
    hotlineRelay().wake();
    expect(
      await waitUntil(
        () => hotlineRelay().pendingCount(),
        (pending) => pending === 0,
      ),
    ).toBe(0);
    const delivered = (await hotline(DELIVERY_TABLE).where({ sequence: copy.sequence }).first('state')) as { state: string };
    expect(delivered.state).toBe('DELIVERED');

    expect(await complaintsFromTicket('5', ticketNo)).toHaveLength(1);
  });
});
