import { sqlTimestamp, type Knex } from '@icg/shared';

/**
 * Ids of the rows the hotline creates itself, from its auto-increment sequence (migration 003): concurrent
 * transactions each get their own without locking anything else. Offset above every id the source system issued
 * (seeded tickets nest under customer ids: customer × 100 + n), and within a ticket number's 10 digits.
 */
const TICKET_ID_OFFSET = 9_000_000_000;
/** Calls and return visits; below 2^53, so ids stay exact numbers in JavaScript. */
const CHILD_ID_OFFSET = 8_000_000_000_000_000;

async function nextInSequence(trx: Knex.Transaction, now: Date): Promise<number> {
  const [id] = await trx('service_requests_id_sequence').insert({ issued_at: sqlTimestamp(now) });
  return Number(id);
}

export async function newTicketId(trx: Knex.Transaction, now: Date): Promise<number> {
  return TICKET_ID_OFFSET + (await nextInSequence(trx, now));
}

export async function newChildRowId(trx: Knex.Transaction, now: Date): Promise<number> {
  return CHILD_ID_OFFSET + (await nextInSequence(trx, now));
}
