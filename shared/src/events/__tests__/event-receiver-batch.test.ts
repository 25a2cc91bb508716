import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import { TEST_DIALECTS, createTestDatabases, type TestDatabases } from '../../../../tests/support/test-database';
import type { AuditEvent } from '../../audit/audit-record';
import { RequestAuditTrail } from '../../audit/request-audit-trail';
import { systemClock } from '../../clock';
import { dropMysqlDatabase, ensureMysqlDatabase, openDatabase, type Knex } from '../../database';
import { migrateToLatest } from '../../migrations';
import { newEventId } from '../event-id';
import { EVENT_MIGRATIONS, INBOX_TABLE } from '../event-migrations';
import { createEventRecorder } from '../event-outbox';
import { EventReceiver, type BatchReceiveOutcome, type EventHandler } from '../event-receiver';
import { eventBatchBody, type OutgoingEvent } from '../event-transport';
import type { EventCatalog, EventEnvelope } from '../event-types';
import { integer, record } from '../payload-schema';
import { createServiceTokenSigner, createServiceTokenVerifier } from '../service-identity';
import { AUDIT_HANDOFF_TABLE, auditHandoffMigration, hashAuditChange } from '../../audit';

const TYPES = {
  'test.noted': { producer: 'sender', consumers: ['receiver'], description: 'A test note.', payload: record({ n: integer(0, 1_000) }) },
  'test.other': { producer: 'other', consumers: ['receiver'], description: "Another producer's type.", payload: record({ n: integer(0, 1_000) }) },
} satisfies EventCatalog;

const pem = () => generateKeyPairSync('ed25519');
const senderKeys = pem();
const signer = createServiceTokenSigner('sender', senderKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const STORE = 'batch-receiver';

let sequence = 0;
/** An event as the sender's relay sends it: its envelope and exact JSON text. */
function outgoing(n: number, type: keyof typeof TYPES = 'test.noted'): OutgoingEvent {
  const envelope: EventEnvelope = {
    id: newEventId(),
    type,
    producer: type === 'test.noted' ? 'sender' : 'other',
    aggregate: `Note:${n}`,
    sequence: ++sequence,
    occurredAt: new Date().toISOString(),
    payload: { n },
  };
  return { envelope, body: JSON.stringify(envelope) };
}

describe.each(TEST_DIALECTS)('a batch of events at the receiver on %s', (dialect) => {
  let databases: TestDatabases;
  let db: Knex;
  let receiver: EventReceiver;
  /** Notes whose handler throws, as a handler whose store refuses a write does. */
  const failing = new Set<number>();
  /** The change records the receiver handed to the audit writer (after commits). */
  const audited: AuditEvent[] = [];

  beforeAll(async () => {
    databases = createTestDatabases(dialect);
    await ensureMysqlDatabase(databases.config, STORE);
    db = openDatabase(databases.config, STORE);
    await migrateToLatest(db, [...EVENT_MIGRATIONS, auditHandoffMigration]);
    await db.schema.createTable('noted', (columns) => {
      columns.increments('id').primary();
      columns.integer('n').notNullable();
    });
    const note: EventHandler = async (trx, event, context) => {
      const { n } = event.payload as { n: number };
      if (failing.has(n)) throw new Error('the store refused the write');
      await trx('noted').insert({ n });
      context.changes.record({ recordKey: `Note:${n}`, beforeVersion: null, afterVersion: 1, fields: { n: { before: null, after: n } } });
    };
    receiver = new EventReceiver({
      subgraph: 'receiver',
      db,
      catalog: TYPES,
      handlers: { 'test.noted': note, 'test.other': note },
      verifier: createServiceTokenVerifier('receiver', (peer) => (peer === 'sender' ? senderKeys.publicKey : undefined)),
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      events: createEventRecorder({ producer: 'receiver', catalog: TYPES, clock: systemClock }),
      changeAudit: new RequestAuditTrail({
        hashChange: (change) => hashAuditChange('test-pseudonym-secret-for-hashing', change),
        tryReserve: () => true,
        commitReserved: (events) => audited.push(...events),
        releaseReserved: () => undefined,
        healthy: () => true,
      }),
      policyVersion: 'test-policy',
      isReady: () => true,
      natsMaxAgeSeconds: 3_600,
    });
  });
  afterAll(async () => {
    await db?.destroy();
    if (databases?.dialect === 'mysql') await dropMysqlDatabase(databases.config, STORE);
    await databases?.cleanup();
  });

  async function send(events: OutgoingEvent[], options: { stopOnForbidden?: boolean; signFor?: string; body?: string } = {}): Promise<BatchReceiveOutcome> {
    const body = options.body ?? eventBatchBody(events);
    const token = await signer.sign({ receiver: 'receiver', eventId: options.signFor ?? events[0]!.envelope.id, body });
    return receiver.receiveBatch(Buffer.from(body), token, 'http', { stopOnForbidden: options.stopOnForbidden ?? true });
  }
  const statuses = (outcome: BatchReceiveOutcome) => (outcome.status === 'batch' ? outcome.results.map((result) => result.status) : outcome.status);
  const noted = async () => (await db('noted').orderBy('id').pluck('n')).map(Number);

  it('applies a batch in order, each event once: a duplicate and an event refused for good are skipped alone', async () => {
    const [one, two, three, four] = [outgoing(1), outgoing(2), outgoing(3), outgoing(4)];
    expect(statuses(await send([two!]))).toEqual(['applied']);
    const invalid = { ...three!, body: JSON.stringify({ ...three!.envelope, payload: { n: 5_000 } }) };
    const outcome = await send([one!, two!, invalid, four!]);
    expect(outcome).toEqual({
      status: 'batch',
      results: [
        { id: one!.envelope.id, status: 'applied' },
        { id: two!.envelope.id, status: 'duplicate' },
        { id: three!.envelope.id, status: 'rejected', field: 'payload.n', reason: 'must be a whole number from 0 to 1000' },
        { id: four!.envelope.id, status: 'applied' },
      ],
    });
    expect(await noted()).toEqual([2, 1, 4]);
    // The whole batch again: every event a duplicate, nothing written twice.
    expect(statuses(await send([one!, two!, four!]))).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await noted()).toEqual([2, 1, 4]);
  });

  it('stops at the first event that fails: the ones before it commit, it and the later ones are not applied until it goes through', async () => {
    await db('noted').delete();
    const [five, thirteen, fourteen] = [outgoing(5), outgoing(13), outgoing(14)];
    failing.add(13);
    expect(await send([five!, thirteen!, fourteen!])).toEqual({
      status: 'batch',
      results: [
        { id: five!.envelope.id, status: 'applied' },
        { id: thirteen!.envelope.id, status: 'failed' },
      ],
    });
    expect(await noted()).toEqual([5]);
    expect(await db(INBOX_TABLE).whereIn('event_id', [thirteen!.envelope.id, fourteen!.envelope.id]).count({ n: '*' })).toEqual([{ n: 0 }]);
    failing.delete(13);
    // The relay sends again from the first unconfirmed event.
    expect(statuses(await send([thirteen!, fourteen!]))).toEqual(['applied', 'applied']);
    expect(await noted()).toEqual([5, 13, 14]);
  });

  it("audits each applied event's changes as the receiving system's, under the event's id; a rolled-back event leaves no record", async () => {
    await db('noted').delete();
    await db(AUDIT_HANDOFF_TABLE).delete();
    audited.length = 0;
    const [forty, fortyOne, fortyTwo] = [outgoing(40), outgoing(41), outgoing(42)];
    failing.add(41);
    expect(statuses(await send([forty!, fortyOne!, fortyTwo!]))).toEqual(['applied', 'failed']);
    // 40 was applied twice over (the batch rolled back at 41, then 40 again alone): one record, from the commit.
    expect(audited.map((event) => [event.requestId, event.coordinate, event.recordKeys])).toEqual([
      [forty!.envelope.id, 'action:event:test.noted', ['Note:40']],
    ]);
    expect(audited[0]).toMatchObject({
      staffId: 'system:receiver',
      role: 'SYSTEM',
      purpose: null,
      decision: 'ALLOW',
      rule: 'system',
      policyVersion: 'test-policy',
      hashedChange: hashAuditChange('test-pseudonym-secret-for-hashing', { beforeVersion: null, afterVersion: 1, fields: { n: { before: null, after: 40 } } }),
    });
    // Its hand-over row committed with it (the writer here is a stand-in that never reports records stored); 41's rolled back.
    expect(((await db(AUDIT_HANDOFF_TABLE).select('decision_id')) as { decision_id: string }[]).map((row) => row.decision_id)).toEqual([
      audited[0]!.decisionId,
    ]);
    failing.delete(41);
    expect(statuses(await send([fortyOne!, fortyTwo!]))).toEqual(['applied', 'applied']);
    expect(audited.map((event) => event.recordKeys[0])).toEqual(['Note:40', 'Note:41', 'Note:42']);
    // A duplicate changes nothing and records nothing.
    expect(statuses(await send([fortyTwo!]))).toEqual(['duplicate']);
    expect(audited).toHaveLength(3);
  });

  it('stops at an event its sender may not send over HTTP (the relay retries it), skips it over JetStream (terminated as before)', async () => {
    await db('noted').delete();
    const [twenty, notTheSenders, twentyTwo] = [outgoing(20), outgoing(21, 'test.other'), outgoing(22)];
    expect(statuses(await send([twenty!, notTheSenders!, twentyTwo!]))).toEqual(['applied', 'forbidden']);
    expect(await noted()).toEqual([20]);
    expect(statuses(await send([notTheSenders!, twentyTwo!], { stopOnForbidden: false }))).toEqual(['forbidden', 'applied']);
    expect(await noted()).toEqual([20, 22]);
  });

  it('accepts a batch only with a token signed over its exact body and naming its first event', async () => {
    await db('noted').delete();
    const [thirty, thirtyOne] = [outgoing(30), outgoing(31)];
    expect(await send([thirty!, thirtyOne!], { signFor: thirtyOne!.envelope.id })).toMatchObject({ status: 'unauthenticated' });
    const signedBody = eventBatchBody([thirty!]);
    const token = await signer.sign({ receiver: 'receiver', eventId: thirty!.envelope.id, body: signedBody });
    const swapped = await receiver.receiveBatch(Buffer.from(eventBatchBody([thirty!, thirtyOne!])), token, 'http', { stopOnForbidden: true });
    expect(swapped).toMatchObject({ status: 'unauthenticated' });
    expect(await noted()).toEqual([]);
    expect(await send([], { body: '{"events":[]}', signFor: thirty!.envelope.id })).toMatchObject({ status: 'rejected', field: 'events' });
  });
});
