/**
 * Whom the policy admin system refuses (DOMAIN.md section 5: a blacklisted customer may not be quoted,
 * bound or renewed). The customers system owns the blacklist; each change it makes (an entry approved,
 * lifted or expired) arrives here as a `customer.blacklist-changed` event and is applied, exactly once and
 * in order, to this store's own refusal table — so quote, bind and renew check it in their own transaction,
 * without calling another system, from a state as old as the event's delivery (BENCHMARKS.md, "Blacklist").
 */
import { sqlTimestamp, toBoolean, toId, type EventHandler, type EventHandlers, type EventOf, type Knex, type ProductionEventCatalog } from '@icg/shared';
import { GraphQLError } from 'graphql';

export const BLACKLIST_REFUSALS_TABLE = 'blacklist_refusals';

/** A row of `blacklist_refusals` (migration 003). */
export interface BlacklistRefusalRow {
  customer_id: number | string;
  blacklisted: boolean | number;
  status: string;
  effective_at: string;
  applied_at: string;
  event_id: string | null;
  event_sequence: number | string;
}

/** What a client gets for a blacklisted customer: the code and the customer, never the entry's (restricted) reason. */
export function customerBlacklisted(customerId: string): GraphQLError {
  return new GraphQLError('The customer is blacklisted: no quote, binding or renewal while the entry is active', {
    extensions: { code: 'CUSTOMER_BLACKLISTED', customerId },
  });
}

/** Throws CUSTOMER_BLACKLISTED when the customer is blacklisted by the latest change this store has applied. */
export async function refuseIfBlacklisted(db: Knex.Transaction | Knex, customerId: string): Promise<void> {
  const row = (await db(BLACKLIST_REFUSALS_TABLE).where('customer_id', customerId).first('blacklisted')) as
    Pick<BlacklistRefusalRow, 'blacklisted'> | undefined;
  if (row && toBoolean(row.blacklisted)) throw customerBlacklisted(customerId);
}

/** Which of the given customers are blacklisted now, in one query (for jobs that go through many customers). */
export async function blacklistedAmong(db: Knex.Transaction | Knex, customerIds: readonly string[]): Promise<Set<string>> {
  if (customerIds.length === 0) return new Set();
  const rows = (await db(BLACKLIST_REFUSALS_TABLE)
    .whereIn('customer_id', [...customerIds])
    .andWhere('blacklisted', true)
    .select('customer_id')) as Pick<BlacklistRefusalRow, 'customer_id'>[];
  return new Set(rows.map((row) => toId(row.customer_id)));
}

type BlacklistChanged = EventOf<ProductionEventCatalog, 'customer.blacklist-changed'>;

/**
 * Applies one blacklist change in the receiver's transaction (its id is already in the inbox, so a
 * redelivery never gets here). Events of one customer arrive in the customers system's commit order; the
 * sequence check keeps a newer state should an older event ever arrive after it all the same.
 */
export const applyBlacklistChange: EventHandler<BlacklistChanged> = async (trx, event, context) => {
  const { customerId, blacklisted, status, effectiveAt } = event.payload;
  const state = {
    blacklisted,
    status,
    effective_at: sqlTimestamp(new Date(effectiveAt)),
    applied_at: sqlTimestamp(context.clock.now()),
    event_id: event.id,
    event_sequence: event.sequence,
  };
  const current = (await trx(BLACKLIST_REFUSALS_TABLE).where('customer_id', customerId).forUpdate().first('event_sequence', 'blacklisted', 'status')) as
    Pick<BlacklistRefusalRow, 'event_sequence' | 'blacklisted' | 'status'> | undefined;
  // Audited as the policy admin system's own change, under the customers system's event id.
  const audited = () =>
    context.changes.record({
      recordKey: `BlacklistRefusal:${customerId}`,
      beforeVersion: null,
      afterVersion: null,
      fields: {
        blacklisted: { before: current === undefined ? null : toBoolean(current.blacklisted), after: blacklisted },
        status: { before: current?.status ?? null, after: status },
      },
    });
  if (current === undefined) {
    await trx(BLACKLIST_REFUSALS_TABLE).insert({ customer_id: customerId, ...state });
    audited();
    return;
  }
  if (Number(current.event_sequence) >= event.sequence) {
    context.logger.warn({ eventId: event.id, type: event.type }, 'blacklist change older than the state applied; kept the newer state');
    return;
  }
  await trx(BLACKLIST_REFUSALS_TABLE).where('customer_id', customerId).update(state);
  audited();
};

/** The policies manifest's handler for the customers system's blacklist events. */
export const blacklistEventHandlers: EventHandlers = { 'customer.blacklist-changed': applyBlacklistChange };

/**
 * Refusal rows for a seeded store: the customers seeded as blacklisted (their entries are ACTIVE in the
 * customers store, which seeds without events), as of the batch's clock.
 */
export function blacklistRefusalSeedRows(customers: readonly { id: number; blacklisted: boolean }[], asOf: Date): BlacklistRefusalRow[] {
  return customers
    .filter((customer) => customer.blacklisted)
    .map((customer) => ({
      customer_id: customer.id,
      blacklisted: true,
      status: 'ACTIVE',
      effective_at: sqlTimestamp(asOf),
      applied_at: sqlTimestamp(asOf),
      event_id: null,
      event_sequence: 0,
    }));
}
