import type { Knex } from '@icg/shared';
import { newTicketId } from './row-ids';
import { TABLES } from './tables';

/**
 * A new ticket's id and number: SR, the two-digit year it opened and its id in 10 digits. Numbers the source system
 * issued are scattered over the whole range (seeded ones are a keyed permutation of their ids), so one may already
 * hold the number: the next id of the sequence is taken then.
 */
export async function newTicketNumber(trx: Knex.Transaction, openedAt: Date): Promise<{ id: number; ticketNo: string }> {
  const year = String(openedAt.getUTCFullYear() % 100).padStart(2, '0');
  for (;;) {
    const id = await newTicketId(trx, openedAt);
    if (id >= 10 ** 10) throw new Error(`Ticket id ${id} does not fit a ticket number`);
    const ticketNo = `SR${year}${String(id).padStart(10, '0')}`;
    if ((await trx(TABLES.serviceRequests).where('ticket_no', ticketNo).first('id')) === undefined) return { id, ticketNo };
  }
}
