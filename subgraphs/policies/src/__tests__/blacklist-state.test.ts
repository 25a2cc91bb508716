import {
  createEventRecorder,
  createLogger,
  EVENT_TYPES,
  newEventId,
  openDatabase,
  RequestAuditTrail,
  SettableClock,
  SystemChanges,
  type EventHandlerContext,
  type EventOf,
  type Knex,
  type ProductionEventCatalog,
} from '@icg/shared';
import { seedTestStore, type SeededStore } from '../../../../tests/support/seeded-subgraph';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { applyBlacklistChange, blacklistedAmong, refuseIfBlacklisted } from '../blacklist-state';
import { TEST_STORE } from './test-store';
import { hashAuditChange } from '@icg/shared';

type BlacklistChanged = EventOf<ProductionEventCatalog, 'customer.blacklist-changed'>;

const clock = new SettableClock('2026-12-01T08:00:00Z');
const context: EventHandlerContext = {
  subgraph: 'policies',
  clock,
  logger: createLogger('blacklist-state-test', 'silent'),
  events: createEventRecorder({ producer: 'policies', catalog: EVENT_TYPES, clock }),
  // Handlers note what they change; these tests read the store (the receiver's tests check the audit of system changes).
  changes: new SystemChanges(
    new RequestAuditTrail({
      hashChange: (change) => hashAuditChange('test-pseudonym-secret-for-hashing', change),
      tryReserve: () => true,
      commitReserved: () => undefined,
      releaseReserved: () => undefined,
      healthy: () => true,
    }),
    { subgraph: 'policies', action: 'event:test', requestId: 'test', policyVersion: 'test', at: new Date(0) },
  ),
};

function change(customerId: string, sequence: number, status: 'ACTIVE' | 'LIFTED' | 'EXPIRED'): BlacklistChanged {
  return {
    id: newEventId(),
    type: 'customer.blacklist-changed',
    producer: 'customers',
    aggregate: `Customer:${customerId}`,
    sequence,
    occurredAt: clock.now().toISOString(),
    payload: { customerId, customerNo: 'C00000000001', blacklisted: status === 'ACTIVE', status, effectiveAt: clock.now().toISOString() },
  };
}

/** The code a refusal check answers with, or null when it lets the customer through. */
async function refusal(db: Knex, customerId: string): Promise<unknown> {
  try {
    await refuseIfBlacklisted(db, customerId);
    return null;
  } catch (error) {
    return (error as { extensions?: { code?: unknown } }).extensions?.code;
  }
}

describe.each(TEST_DIALECTS)('policies blacklist refusal state on %s', (dialect) => {
  let store: SeededStore;
  let db: Knex;

  beforeAll(async () => {
    store = await seedTestStore({ ...TEST_STORE, dialect, customers: 400 });
    db = openDatabase(store.databases.config, 'policies');
  });

  afterAll(async () => {
    await db?.destroy();
    await store?.databases.cleanup();
  });

  it('refuses exactly the customers seeded as blacklisted', async () => {
    const blacklisted = store.facts.customers.filter((customer) => customer.blacklisted).map((customer) => String(customer.id));
    const others = store.facts.customers.filter((customer) => !customer.blacklisted).map((customer) => String(customer.id));
    expect(blacklisted.length).toBeGreaterThan(0);
    for (const customerId of blacklisted) expect(await refusal(db, customerId)).toBe('CUSTOMER_BLACKLISTED');
    expect(await refusal(db, others[0]!)).toBeNull();
    expect([...(await blacklistedAmong(db, [...blacklisted, ...others]))].sort()).toEqual([...blacklisted].sort());
  });

  it('follows the changes it receives: refused once active, let through once lifted, never back to an older state', async () => {
    const customerId = String(store.facts.customers.find((customer) => !customer.blacklisted)!.id);
    const active = change(customerId, 1_000_001, 'ACTIVE');
    await db.transaction((trx) => applyBlacklistChange(trx, active, context));
    expect(await refusal(db, customerId)).toBe('CUSTOMER_BLACKLISTED');

    const lifted = change(customerId, 1_000_002, 'LIFTED');
    await db.transaction((trx) => applyBlacklistChange(trx, lifted, context));
    expect(await refusal(db, customerId)).toBeNull();

    // An older change arriving late (it cannot over one transport, but the store must not depend on it).
    await db.transaction((trx) => applyBlacklistChange(trx, { ...active, id: newEventId() }, context));
    expect(await refusal(db, customerId)).toBeNull();
    expect(await db('blacklist_refusals').where('customer_id', customerId).first('status', 'event_id')).toEqual({ status: 'LIFTED', event_id: lifted.id });
  });

  it('a change that rolls back with its transaction leaves the customer as before', async () => {
    const customerId = String(store.facts.customers.filter((customer) => !customer.blacklisted)[1]!.id);
    await expect(
      db.transaction(async (trx) => {
        await applyBlacklistChange(trx, change(customerId, 1_000_010, 'ACTIVE'), context);
        throw new Error('the receiver failed after the handler');
      }),
    ).rejects.toThrow('the receiver failed');
    expect(await refusal(db, customerId)).toBeNull();
  });
});
