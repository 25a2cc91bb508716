import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { systemClock } from '../../clock';
import { openDatabase, type Knex } from '../../database';
import { migrateToLatest } from '../../migrations';
import { DELIVERY_TABLE, EVENT_MIGRATIONS } from '../event-migrations';
import { createEventRecorder } from '../event-outbox';
import type { DeliveryOutcome, EventTransport, OutgoingEvent } from '../event-transport';
import type { EventCatalog } from '../event-types';
import { OutboxRelay } from '../outbox-relay';
import { integer, record } from '../payload-schema';

const TYPES = {
  'test.counted': { producer: 'sender', consumers: ['first', 'second'], description: 'A test type.', payload: record({ n: integer(0, 1_000) }) },
} satisfies EventCatalog;

/** A transport that answers as the test says and remembers what reached each consumer. */
class ScriptedTransport implements EventTransport {
  readonly name = 'http' as const;
  readonly attempts: { consumer: string; n: number }[] = [];
  constructor(private readonly answer: (consumer: string, n: number, attempt: number) => DeliveryOutcome) {}
  readonly batches: { consumer: string; ns: number[] }[] = [];
  /** Answers each event of the batch in order, as a receiver does, stopping after the first failure. */
  async deliverBatch(events: readonly OutgoingEvent[], consumer: string): Promise<DeliveryOutcome[]> {
    this.batches.push({ consumer, ns: events.map(({ envelope }) => (envelope.payload as { n: number }).n) });
    const outcomes: DeliveryOutcome[] = [];
    for (const { envelope } of events) {
      const n = (envelope.payload as { n: number }).n;
      this.attempts.push({ consumer, n });
      const outcome = this.answer(consumer, n, this.attempts.filter((attempt) => attempt.consumer === consumer && attempt.n === n).length);
      outcomes.push(outcome);
      if (outcome.kind === 'failed' || outcome.kind === 'deferred') break;
    }
    return outcomes;
  }
  async close() {}
  delivered(consumer: string): number[] {
    return this.attempts.filter((attempt) => attempt.consumer === consumer).map((attempt) => attempt.n);
  }
}

describe('the outbox relay', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'icg-relay-'));
  let db: Knex;
  const recorder = createEventRecorder<typeof TYPES>({ producer: 'sender', catalog: TYPES, clock: systemClock });
  const settings = { pollIntervalMs: 20, batchSize: 2, retryBaseMs: 10, retryMaxMs: 40, deliveryTimeoutMs: 1_000 };

  beforeAll(async () => {
    db = openDatabase({ mysqlUrl: undefined, mysqlDatabasePrefix: 'icg_', dataDir, poolMax: 1 }, 'relay');
    await migrateToLatest(db, EVENT_MIGRATIONS);
  });
  afterAll(async () => {
    await db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function record(...numbers: number[]): Promise<void> {
    for (const n of numbers)
      await db.transaction((trx) => recorder.record(trx, { type: 'test.counted', aggregate: `Count:${n % 2}`, payload: { n } }).then(() => undefined));
  }
  async function runUntilSettled(relay: OutboxRelay): Promise<void> {
    relay.start();
    for (let round = 0; round < 400 && (await relay.pendingCount()) > 0; round++) await new Promise((resolve) => setTimeout(resolve, 10));
    await relay.stop();
  }

  it('delivers in order per consumer; a failing event holds back the later ones to that consumer only, until it goes through', async () => {
    await db(DELIVERY_TABLE).delete();
    await record(1, 2, 3, 4, 5);
    // "first" fails event 2 three times; "second" takes everything at once.
    const transport = new ScriptedTransport((consumer, n, attempt) =>
      consumer === 'first' && n === 2 && attempt <= 3 ? { kind: 'failed', error: 'HTTP_503' } : { kind: 'delivered' },
    );
    const relay = new OutboxRelay({ db, producer: 'sender', consumers: ['first', 'second'], transport, settings, logger: pino({ level: 'silent' }) });
    await runUntilSettled(relay);
    expect(transport.delivered('first')).toEqual([1, 2, 2, 2, 2, 3, 4, 5]);
    expect(transport.delivered('second')).toEqual([1, 2, 3, 4, 5]);
    // Consecutive events go together, batchSize (2) at a time: one request per batch, not per event.
    expect(transport.batches.filter((batch) => batch.consumer === 'second').map((batch) => batch.ns)).toEqual([[1, 2], [3, 4], [5]]);
    // The batch [1, 2] to "first" confirmed 1 although 2 failed: the relay advances up to the first failure, and no further.
    expect(transport.batches.filter((batch) => batch.consumer === 'first').map((batch) => batch.ns)[0]).toEqual([1, 2]);
    expect(await db(DELIVERY_TABLE).where({ consumer: 'first' }).orderBy('sequence').pluck('state')).toEqual(Array(5).fill('DELIVERED'));
  });

  it('holds events back while the transport defers them, without counting attempts, and then delivers them in order', async () => {
    await db(DELIVERY_TABLE).delete();
    await record(31, 32, 33);
    // JetStream defers while the consumer has a message waiting: twice here, for "first" only.
    const transport = new ScriptedTransport((consumer, n, attempt) =>
      consumer === 'first' && n === 31 && attempt <= 2 ? { kind: 'deferred', retryInMs: 5 } : { kind: 'delivered' },
    );
    const relay = new OutboxRelay({ db, producer: 'sender', consumers: ['first', 'second'], transport, settings, logger: pino({ level: 'silent' }) });
    await runUntilSettled(relay);
    expect(transport.delivered('first')).toEqual([31, 31, 31, 32, 33]);
    const rows = await db(DELIVERY_TABLE).where({ consumer: 'first' }).orderBy('sequence').select('state', 'attempts');
    expect(rows).toEqual([31, 32, 33].map(() => ({ state: 'DELIVERED', attempts: 1 })));
  });

  it('does not let an event its consumer refuses for good hold back the rest', async () => {
    await db(DELIVERY_TABLE).delete();
    await record(6, 7, 8);
    const transport = new ScriptedTransport((_consumer, n) => (n === 7 ? { kind: 'rejected', error: 'HTTP_422' } : { kind: 'delivered' }));
    const relay = new OutboxRelay({ db, producer: 'sender', consumers: ['first', 'second'], transport, settings, logger: pino({ level: 'silent' }) });
    await runUntilSettled(relay);
    expect(transport.delivered('first')).toEqual([6, 7, 8]);
    expect(await db(DELIVERY_TABLE).where({ consumer: 'first' }).orderBy('sequence').pluck('state')).toEqual(['DELIVERED', 'REJECTED', 'DELIVERED']);
  });

  it('backs off exponentially while a consumer stays down, and reports the backlog', async () => {
    await db(DELIVERY_TABLE).delete();
    await record(9);
    const attemptedAt: number[] = [];
    const transport = new ScriptedTransport((consumer) => {
      if (consumer === 'first') attemptedAt.push(Date.now());
      return { kind: 'failed', error: 'UNREACHABLE' };
    });
    const relay = new OutboxRelay({
      db,
      producer: 'sender',
      consumers: ['first', 'second'],
      transport,
      settings: { ...settings, retryBaseMs: 50, retryMaxMs: 100_000 },
      logger: pino({ level: 'silent' }),
    });
    relay.start();
    for (let wait = 0; wait < 500 && attemptedAt.length < 4; wait++) await new Promise((resolve) => setTimeout(resolve, 10));
    await relay.stop();
    // Each wait at least doubles (50, 100, 200 ms): lower bounds, which hold however busy the machine is.
    const gaps = attemptedAt.slice(1, 4).map((at, index) => at - attemptedAt[index]!);
    expect(gaps).toHaveLength(3);
    gaps.forEach((gap, index) => expect(gap).toBeGreaterThanOrEqual(50 * 2 ** index - 2));
    expect(relay.backlog()).toEqual({ first: 1, second: 1 });
    const [row] = await db(DELIVERY_TABLE).where({ consumer: 'first' }).select('attempts', 'last_error');
    expect(row).toEqual({ attempts: attemptedAt.length, last_error: 'UNREACHABLE' });
  });
});
