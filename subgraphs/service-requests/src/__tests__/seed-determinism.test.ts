import { DEFAULT_AS_OF, generateCompanyBatch, generateOrg } from '@icg/synthetic';
import { draftTickets, indexFacts } from '../seed-drafts';
import { ticketRows, type TicketRows } from '../seed-rows';

const SEED = 77;
const org = generateOrg(SEED);
const hotlineAgents = org.staffByRoleAndBranch('HOTLINE_AGENT', 1);

function rowsFor(firstCustomerId: number, lastCustomerId: number): TicketRows[] {
  const facts = indexFacts(generateCompanyBatch({ seed: SEED, asOf: DEFAULT_AS_OF, org, firstCustomerId, lastCustomerId }));
  return draftTickets(facts).map((draft) => ticketRows(draft, { seed: SEED, asOf: facts.asOf, hotlineAgents }));
}

describe('the service-requests seed', () => {
  it('gives the same rows for the same seed', () => {
    expect(rowsFor(1, 40)).toEqual(rowsFor(1, 40));
  });

  it('gives a customer the same tickets whichever batch the customer falls in', () => {
    const ofCustomers = (rows: TicketRows[], from: number, to: number) =>
      rows
        .filter(({ ticket }) => Number(ticket.customer_id) >= from && Number(ticket.customer_id) <= to)
        .sort((a, b) => Number(a.ticket.id) - Number(b.ticket.id));
    const overlap = ofCustomers(rowsFor(1, 60), 31, 60);
    expect(overlap.length).toBeGreaterThan(20);
    expect(ofCustomers(rowsFor(31, 90), 31, 60)).toEqual(overlap);
  });

  it('issues ids that never collide across batches', () => {
    const ids = [...rowsFor(1, 50), ...rowsFor(51, 100)].flatMap(({ ticket, calls, visits }) => [
      `t${ticket.id}`,
      ...calls.map((call) => `c${call.id}`),
      ...visits.map((visit) => `v${visit.id}`),
    ]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
