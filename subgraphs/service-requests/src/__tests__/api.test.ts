import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { countStatements } from '../../../../tests/support/statement-counter';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { TEST_STORE } from './test-store';
import { CUSTOMER_TICKETS_QUERY, TICKET_FIELDS, customerRepresentations, ticketsOf, type TicketView } from './ticket-view';

const CUSTOMERS = 120;

/**
 * The same tickets as read before. A paused ticket's paused minutes follow the clock (the subgraph reads the system
 * time), so two reads a minute apart may differ by one there and nowhere else.
 */
function expectSameTickets(actual: readonly (TicketView | null)[], expected: readonly (TicketView | null)[]): void {
  const apartFromClock = (ticket: TicketView | null) => (ticket === null ? null : { ...ticket, slaPausedMinutes: 0 });
  expect(actual.map(apartFromClock)).toEqual(expected.map(apartFromClock));
  actual.forEach((ticket, index) => {
    const before = expected[index];
    if (ticket && before) expect(ticket.slaPausedMinutes - before.slaPausedMinutes).toBeGreaterThanOrEqual(0);
    if (ticket && before) expect(ticket.slaPausedMinutes - before.slaPausedMinutes).toBeLessThanOrEqual(1);
  });
}

describe.each(TEST_DIALECTS)('service-requests subgraph API (%s)', (dialect) => {
  let seeded: SeededSubgraph;
  let tickets: TicketView[];

  beforeAll(async () => {
    seeded = await startSeededSubgraph({ ...TEST_STORE, dialect, customers: CUSTOMERS, batchSize: Math.ceil(CUSTOMERS / 3) });
    tickets = await ticketsOf(
      seeded,
      seeded.facts.customers.map((customer) => customer.id),
    );
  });

  afterAll(async () => {
    await seeded?.close();
  });

  const withCalls = (): TicketView =>
    tickets.find((ticket) => ticket.callRecords.length > 1 && ticket.returnVisits.length > 0) ?? tickets.find((ticket) => ticket.callRecords.length > 0)!;

  describe('root queries', () => {
    it('finds a ticket by its number with its calls and visits', async () => {
      const expected = withCalls();
      const response = await seeded.query<{ serviceRequest: TicketView }>(`query($no: String!) { serviceRequest(ticketNo: $no) { ${TICKET_FIELDS} } }`, {
        no: expected.ticketNo,
      });
      expect(response.errors).toBeUndefined();
      expectSameTickets([response.data!.serviceRequest], [expected]);
      expect(response.data!.serviceRequest.callRecords.length).toBeGreaterThan(0);
    });

    it('finds the same ticket by its id', async () => {
      const expected = withCalls();
      const response = await seeded.query<{ serviceRequestById: TicketView }>(`query($id: ID!) { serviceRequestById(id: $id) { ${TICKET_FIELDS} } }`, {
        id: expected.id,
      });
      expect(response.errors).toBeUndefined();
      expectSameTickets([response.data!.serviceRequestById], [expected]);
    });

    it('answers null for a well-formed number or id that no ticket has', async () => {
      const response = await seeded.query<{ byNo: unknown; byId: unknown }>(
        `{ byNo: serviceRequest(ticketNo: "SR999999999999") { id } byId: serviceRequestById(id: "999999999999") { id } }`,
      );
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ byNo: null, byId: null });
    });

    it.each([
      ['serviceRequest(ticketNo: "SR12")', 'ticketNo'],
      ['serviceRequest(ticketNo: "sr202400000001")', 'ticketNo'],
      ['serviceRequestById(id: "abc")', 'id'],
      ['serviceRequestById(id: "0")', 'id'],
      ['serviceRequestById(id: "-5")', 'id'],
    ])('refuses %s as BAD_USER_INPUT naming %s', async (field, argumentName) => {
      const response = await seeded.query(`{ ${field} { id } }`);
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
      expect(response.errors![0]!.message).toContain(argumentName);
    });
  });

  describe('entity references', () => {
    it('resolves tickets by ticket number, in order, with null for unknown numbers', async () => {
      const [first, second] = tickets;
      const response = await seeded.query<{ _entities: (TicketView | null)[] }>(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on ServiceRequest { ${TICKET_FIELDS} } } }`,
        {
          r: [
            { __typename: 'ServiceRequest', ticketNo: second!.ticketNo },
            { __typename: 'ServiceRequest', ticketNo: 'SR999999999999' },
            { __typename: 'ServiceRequest', ticketNo: first!.ticketNo },
          ],
        },
      );
      expect(response.errors).toBeUndefined();
      expectSameTickets(response.data!._entities, [second!, null, first!]);
    });

    it('refuses a malformed ticket number in a representation', async () => {
      const response = await seeded.query(`query($r: [_Any!]!) { _entities(representations: $r) { ... on ServiceRequest { id } } }`, {
        r: [{ __typename: 'ServiceRequest', ticketNo: 'DROP TABLE' }],
      });
      expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'representations' });
    });

    it("lists a customer's tickets newest first, and none for an unknown customer", async () => {
      const customerId = seeded.facts.customers.find((customer) => tickets.filter((ticket) => ticket.customer.id === String(customer.id)).length >= 2)!.id;
      const response = await seeded.query<{ _entities: { id: string; serviceRequests: TicketView[] }[] }>(CUSTOMER_TICKETS_QUERY, {
        r: customerRepresentations([customerId, 999_999_999]),
      });
      expect(response.errors).toBeUndefined();
      const [known, unknown] = response.data!._entities;
      expect(known!.serviceRequests.length).toBeGreaterThanOrEqual(2);
      expect(known!.serviceRequests.every((ticket) => ticket.customer.id === String(customerId))).toBe(true);
      const openings = known!.serviceRequests.map((ticket) => ticket.openedAt);
      expect(openings).toEqual([...openings].sort().reverse());
      expect(unknown).toEqual({ id: '999999999', serviceRequests: [] });
    });

    it("filters a customer's tickets by type and status", async () => {
      const sample = tickets.find((ticket) => ticket.type === 'CLAIM_REPORT' && ticket.status === 'CLOSED')!;
      const customerTickets = tickets.filter((ticket) => ticket.customer.id === sample.customer.id);
      const response = await seeded.query<{
        _entities: { byType: { ticketNo: string }[]; byBoth: { ticketNo: string }[]; byStatus: { ticketNo: string }[] }[];
      }>(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer {
          byType: serviceRequests(type: CLAIM_REPORT) { ticketNo }
          byStatus: serviceRequests(status: CLOSED) { ticketNo }
          byBoth: serviceRequests(type: CLAIM_REPORT, status: CLOSED) { ticketNo }
        } } }`,
        { r: customerRepresentations([sample.customer.id]) },
      );
      expect(response.errors).toBeUndefined();
      const numbers = (predicate: (ticket: TicketView) => boolean) =>
        customerTickets
          .filter(predicate)
          .map((ticket) => ticket.ticketNo)
          .sort();
      const [customer] = response.data!._entities;
      expect(customer!.byType.map((ticket) => ticket.ticketNo).sort()).toEqual(numbers((ticket) => ticket.type === 'CLAIM_REPORT'));
      expect(customer!.byStatus.map((ticket) => ticket.ticketNo).sort()).toEqual(numbers((ticket) => ticket.status === 'CLOSED'));
      expect(customer!.byBoth.map((ticket) => ticket.ticketNo)).toContain(sample.ticketNo);
      expect(customer!.byBoth.map((ticket) => ticket.ticketNo).sort()).toEqual(
        numbers((ticket) => ticket.type === 'CLAIM_REPORT' && ticket.status === 'CLOSED'),
      );
    });

    it('refuses a malformed customer id in a representation', async () => {
      const response = await seeded.query(CUSTOMER_TICKETS_QUERY, { r: [{ __typename: 'Customer', id: '12; --' }] });
      expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'representations' });
    });

    it('rejects an unknown enum value in a filter before running anything', async () => {
      const response = await seeded.query(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { serviceRequests(type: PARKING) { id } } } }`,
        { r: customerRepresentations([1]) },
      );
      expect(response.errors![0]!.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    });
  });

  describe('batching', () => {
    const customerIdsWithTickets = (): number[] => [...new Set(tickets.map((ticket) => Number(ticket.customer.id)))];

    it("reads 50 customers' tickets, calls and visits with as many statements as 5", async () => {
      const ids = customerIdsWithTickets();
      expect(ids.length).toBeGreaterThanOrEqual(50);
      const statementsFor = (count: number) =>
        countStatements([seeded.running.db], async () => {
          const response = await seeded.query<{ _entities: { serviceRequests: TicketView[] }[] }>(CUSTOMER_TICKETS_QUERY, {
            r: customerRepresentations(ids.slice(0, count)),
          });
          expect(response.errors).toBeUndefined();
          expect(response.data!._entities.filter((customer) => customer.serviceRequests.length > 0)).toHaveLength(count);
        });
      const forFive = await statementsFor(5);
      const forFifty = await statementsFor(50);
      // Tickets, their calls, their visits: one statement each however many customers ask.
      expect(forFive).toBe(3);
      expect(forFifty).toBe(forFive);
    });

    it('resolves 50 ticket references with as many statements as 5', async () => {
      const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on ServiceRequest { ticketNo callRecords { id } returnVisits { id } customer { serviceRequests(status: CLOSED) { ticketNo } } } } }`;
      const statementsFor = (count: number) =>
        countStatements([seeded.running.db], async () => {
          const representations = tickets.slice(0, count).map((ticket) => ({ __typename: 'ServiceRequest', ticketNo: ticket.ticketNo }));
          const response = await seeded.query<{ _entities: { ticketNo: string }[] }>(query, { r: representations });
          expect(response.errors).toBeUndefined();
          expect(response.data!._entities.map((ticket) => ticket.ticketNo)).toEqual(representations.map((representation) => representation.ticketNo));
        });
      const forFive = await statementsFor(5);
      const forFifty = await statementsFor(50);
      expect(forFive).toBe(4);
      expect(forFifty).toBe(forFive);
    });
  });
});
