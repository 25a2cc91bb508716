import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettableClock } from '../../clock';
import { openDatabase, type Knex } from '../../database';
import { migrateToLatest } from '../../migrations';
import { EVENT_ID, newEventId } from '../event-id';
import { DELIVERY_TABLE, EVENT_MIGRATIONS, OUTBOX_TABLE } from '../event-migrations';
import { createEventRecorder, EventRecordingError } from '../event-outbox';
import { checkEnvelope, EVENT_TYPES, eventPeersOf, type EventCatalog } from '../event-types';
import { entityId, flag, isoTimestamp, listOf, nullable, oneOf, record, text } from '../payload-schema';

/** A catalog of this test's own, so the checks are tested whatever the production payloads become. */
const TEST_TYPES = {
  'test.flagged': {
    producer: 'customers',
    consumers: ['policies'],
    description: 'A test type.',
    payload: record({ customerId: entityId, flagged: flag, status: oneOf(['ACTIVE', 'LIFTED']), effectiveAt: isoTimestamp }),
  },
} satisfies EventCatalog;

describe('the event catalog', () => {
  it('names a producer and its consumers for every type, never sending a type back to its producer', () => {
    for (const [type, definition] of Object.entries(EVENT_TYPES as EventCatalog)) {
      expect(type).toMatch(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/);
      expect(definition.consumers).not.toContain(definition.producer);
    }
    // The cross-system steps of issue 10.
    expect(eventPeersOf(EVENT_TYPES, 'customers').consumers).toContain('policies');
    expect(eventPeersOf(EVENT_TYPES, 'service-requests').consumers).toEqual(expect.arrayContaining(['claims', 'complaints']));
    expect(eventPeersOf(EVENT_TYPES, 'claims').consumers).toContain('service-requests');
  });

  it('checks payloads: a wrong value and a field it does not describe are refused with the field named', () => {
    const blacklist = TEST_TYPES['test.flagged'].payload;
    const valid = { customerId: '42', flagged: true, status: 'ACTIVE', effectiveAt: '2026-12-01T08:00:00.000Z' };
    expect(blacklist(valid, 'payload')).toEqual({ ok: true, value: valid });
    expect(blacklist({ ...valid, status: 'PROPOSED' }, 'payload')).toEqual({ ok: false, field: 'payload.status', reason: 'must be one of ACTIVE, LIFTED' });
    expect(blacklist({ ...valid, reason: 'fraud' }, 'payload')).toEqual({ ok: false, field: 'payload.reason', reason: 'is not a field of this payload' });
    expect(blacklist({ ...valid, customerId: undefined }, 'payload')).toMatchObject({ ok: false, field: 'payload.customerId' });
    expect(blacklist({ ...valid, effectiveAt: '2026-12-01' }, 'payload')).toMatchObject({ ok: false, field: 'payload.effectiveAt' });
  });

  it('checks lists item by item and their length; a nullable list may be missing (an event recorded before it was carried)', () => {
    const keys = record({ keys: nullable(listOf(entityId, 2)) });
    expect(keys({ keys: ['7', '8'] }, 'payload')).toEqual({ ok: true, value: { keys: ['7', '8'] } });
    expect(keys({}, 'payload')).toEqual({ ok: true, value: { keys: null } });
    expect(keys({ keys: ['7', 'VIN123'] }, 'payload')).toMatchObject({ ok: false, field: 'payload.keys[1]' });
    expect(keys({ keys: ['7', '8', '9'] }, 'payload')).toEqual({ ok: false, field: 'payload.keys', reason: 'must have at most 2 items' });
    expect(keys({ keys: '7' }, 'payload')).toEqual({ ok: false, field: 'payload.keys', reason: 'must be a list' });
  });

  it('checks envelopes: shape, known type, and the sender as the producer of its type', () => {
    const payload = { customerId: '42', flagged: false, status: 'LIFTED', effectiveAt: '2026-12-01T08:00:00.000Z' };
    const envelope = {
      id: newEventId(),
      type: 'test.flagged',
      producer: 'customers',
      aggregate: 'Customer:42',
      sequence: 1,
      occurredAt: '2026-12-01T08:00:00.000Z',
      payload,
    };
    expect(checkEnvelope(TEST_TYPES, envelope)).toEqual({ ok: true, value: envelope });
    expect(checkEnvelope(TEST_TYPES, { ...envelope, producer: 'policies' })).toEqual({
      ok: false,
      field: 'producer',
      reason: 'test.flagged is produced by customers only',
    });
    expect(checkEnvelope(TEST_TYPES, { ...envelope, type: 'test.deleted' })).toMatchObject({ ok: false, field: 'type' });
    expect(checkEnvelope(TEST_TYPES, { ...envelope, type: 'toString' })).toMatchObject({ ok: false, field: 'type' });
    expect(checkEnvelope(TEST_TYPES, { ...envelope, id: 'not-an-id' })).toMatchObject({ ok: false, field: 'id' });
    expect(checkEnvelope(TEST_TYPES, { ...envelope, extra: 1 })).toMatchObject({ ok: false, field: 'extra' });
  });
});

describe('event ids', () => {
  it('are UUIDv7, unique and increasing in the order they are made, also within one millisecond', () => {
    const ids = Array.from({ length: 2_000 }, () => newEventId(1_800_000_000_000));
    for (const id of ids) expect(id).toMatch(EVENT_ID);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(newEventId(1_800_000_000_001) > ids[ids.length - 1]!).toBe(true);
  });
});

const OUTBOX_TYPES = {
  'test.complaint-call': {
    producer: 'service-requests',
    consumers: ['complaints'],
    description: 'A test type.',
    payload: record({ ticketNo: text(/^SR\d{12}$/, 'a service ticket number (SR + 12 digits)'), customerId: entityId }),
  },
  'test.claim-closed': { producer: 'claims', consumers: ['service-requests'], description: 'A test type.', payload: record({ customerId: entityId }) },
} satisfies EventCatalog;

describe('the outbox', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'icg-outbox-'));
  let db: Knex;
  const clock = new SettableClock('2026-12-01T08:00:00.000Z');
  let commits = 0;
  const recorder = createEventRecorder<typeof OUTBOX_TYPES>({ producer: 'service-requests', catalog: OUTBOX_TYPES, clock, onCommitted: () => (commits += 1) });
  const complaint = { ticketNo: 'SR000000000101', customerId: '7' };

  beforeAll(async () => {
    db = openDatabase({ mysqlUrl: undefined, mysqlDatabasePrefix: 'icg_', dataDir, poolMax: 1 }, 'outbox');
    await migrateToLatest(db, EVENT_MIGRATIONS);
  });
  afterAll(async () => {
    await db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("records an event with one delivery per consumer, in the caller's transaction, and wakes the relay after the commit", async () => {
    const before = commits;
    const event = await db.transaction(async (trx) => {
      const recorded = await recorder.record(trx, { type: 'test.complaint-call', aggregate: 'ServiceRequest:SR000000000101', payload: complaint });
      expect(commits).toBe(before);
      return recorded;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(commits).toBe(before + 1);
    // occurredAt is the injectable clock's time, whatever the system clock says.
    expect(event).toMatchObject({ type: 'test.complaint-call', producer: 'service-requests', occurredAt: '2026-12-01T08:00:00.000Z', payload: complaint });
    expect(await db(DELIVERY_TABLE).where({ sequence: event.sequence }).select('consumer', 'state')).toEqual([{ consumer: 'complaints', state: 'PENDING' }]);
  });

  it('records nothing when the transaction rolls back', async () => {
    const count = async () => Number(((await db(OUTBOX_TABLE).count({ n: '*' })) as { n: number }[])[0]!.n);
    const before = await count();
    await expect(
      db.transaction(async (trx) => {
        await recorder.record(trx, {
          type: 'test.complaint-call',
          aggregate: 'ServiceRequest:SR000000000102',
          payload: { ...complaint, ticketNo: 'SR000000000102' },
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await count()).toBe(before);
  });

  it('refuses a type this subgraph does not produce and a payload that does not check', async () => {
    await db.transaction(async (trx) => {
      await expect(recorder.record(trx, { type: 'test.claim-closed', aggregate: 'Claim:RPT000000040101', payload: { customerId: '7' } })).rejects.toThrow(
        new EventRecordingError('service-requests may not record test.claim-closed: its producer is claims'),
      );
      await expect(
        recorder.record(trx, { type: 'test.complaint-call', aggregate: 'ServiceRequest:SR1', payload: { ...complaint, ticketNo: 'SR1' } }),
      ).rejects.toThrow('test.complaint-call: payload.ticketNo must be a service ticket number (SR + 12 digits)');
      await expect(recorder.record(trx, { type: 'test.complaint-call', aggregate: 'no key', payload: complaint })).rejects.toThrow(
        'aggregate must be a record key',
      );
    });
  });
});
