import type { Worker } from 'node:worker_threads';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { AUDIT_TABLE } from '../audit-store';
import { AuditStoreUnavailableError } from '../audit-writer';
import { ThreadedAuditWriter, type ThreadedAuditWriterOptions } from '../threaded-audit-writer';
import { verifyAuditChains } from '../verify-audit-chain';
import { auditEvent, eventually, openTestAuditStore, recordingLog, storedRows, TEST_CHAIN_KEY, TEST_SECRET, type TestAuditStore } from './audit-test-support';

describe.each(TEST_DIALECTS)('ThreadedAuditWriter on %s', (dialect) => {
  let store: TestAuditStore;
  const writers: ThreadedAuditWriter[] = [];

  function newWriter(options: Partial<ThreadedAuditWriterOptions> = {}): ThreadedAuditWriter {
    const writer = new ThreadedAuditWriter({
      database: store.config,
      chain: 'claims#threaded',
      pseudonymSecret: TEST_SECRET,
      chainKey: TEST_CHAIN_KEY,
      log: recordingLog(),
      retryDelayMs: 20,
      maxRetryDelayMs: 100,
      ...options,
    });
    writers.push(writer);
    return writer;
  }

  const awayTable = `${AUDIT_TABLE}_away`;

  beforeEach(async () => {
    store = await openTestAuditStore(dialect);
  });

  afterEach(async () => {
    if (await store.db.schema.hasTable(awayTable)) await store.db.schema.renameTable(awayTable, AUDIT_TABLE);
    for (const writer of writers.splice(0)) await writer.close({ timeoutMs: 0 }).catch(() => undefined);
    await store.close();
  });

  it('writes recorded events from its worker thread as a verifiable chain of pseudonymised records', async () => {
    const writer = newWriter({ flushIntervalMs: 60_000, batchSize: 100 });
    for (let index = 1; index <= 250; index++) writer.record(auditEvent(index));
    // Nothing is written on the calling thread: until the worker reports, everything counts as queued.
    expect(writer.queuedCount).toBe(250);
    await writer.flush();

    const rows = await storedRows(store.db);
    expect(rows).toHaveLength(250);
    expect(rows.map((row) => Number(row.sequence))).toEqual(Array.from({ length: 250 }, (_, index) => index + 1));
    expect(rows.map((row) => row.request_id)).toEqual(Array.from({ length: 250 }, (_, index) => `req-${index + 1}`));
    expect(JSON.stringify(rows)).not.toContain('Customer:1');
    expect(await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).toMatchObject({ ok: true });
    expect(writer.queuedCount).toBe(0);
    expect(writer.healthy()).toBe(true);
  });

  it('hands events to the worker on its interval, without flush()', async () => {
    const writer = newWriter({ flushIntervalMs: 30 });
    for (let index = 1; index <= 3; index++) writer.record(auditEvent(index));
    await eventually(async () => (await storedRows(store.db)).length === 3);
  });

  it('fails closed while the store cannot take writes, keeps the records, and recovers in order', async () => {
    const log = recordingLog();
    const writer = newWriter({ flushIntervalMs: 10, log });
    writer.record(auditEvent(1));
    await writer.flush();
    await store.db.schema.renameTable(AUDIT_TABLE, awayTable);

    writer.record(auditEvent(2));
    writer.record(auditEvent(3));
    await expect(writer.flush()).rejects.toBeInstanceOf(AuditStoreUnavailableError);
    expect(writer.healthy()).toBe(false);
    expect(writer.queuedCount).toBe(2);
    // The worker's log lines reach this thread's logger, without the statement.
    expect(log.errors.some((line) => line.message.includes('records kept for retry'))).toBe(true);
    expect(JSON.stringify(log.errors)).not.toMatch(/insert into/i);

    await store.db.schema.renameTable(awayTable, AUDIT_TABLE);
    await eventually(() => writer.healthy() && writer.queuedCount === 0);
    expect((await storedRows(store.db)).map((row) => row.request_id)).toEqual(['req-1', 'req-2', 'req-3']);
    expect(await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).toMatchObject({ ok: true });
  });

  it('writes everything on close, then refuses and counts late records', async () => {
    const log = recordingLog();
    const writer = newWriter({ flushIntervalMs: 60_000, log });
    for (let index = 1; index <= 40; index++) writer.record(auditEvent(index));
    await writer.close();
    expect(await storedRows(store.db)).toHaveLength(40);

    writer.record(auditEvent(41));
    expect(writer.droppedCount).toBe(1);
    expect(writer.healthy()).toBe(false);
    expect(log.errors.at(-1)?.message).toMatch(/audit records dropped: 1/);
  });

  it('caps what is not yet written: drops beyond the cap are counted and make it unhealthy', async () => {
    const log = recordingLog();
    const writer = newWriter({ flushIntervalMs: 60_000, maxQueued: 5, log });
    for (let index = 1; index <= 8; index++) writer.record(auditEvent(index));
    expect(writer.droppedCount).toBe(3);
    expect(writer.healthy()).toBe(false);
    // The first drop is logged at once, the rest within a second, with the running total.
    expect(log.errors[0]?.fields).toMatchObject({ dropped: 1, droppedTotal: 1, maxQueued: 5 });
    await eventually(() => log.errors.some((line) => (line.fields as { droppedTotal?: number }).droppedTotal === 3), 3_000);
  });

  it('counts and logs the records a crashed worker held, and continues the chain in a new worker', async () => {
    const log = recordingLog();
    const writer = newWriter({ flushIntervalMs: 60_000, restartDelayMs: 10, log });
    writer.record(auditEvent(1));
    await writer.flush();
    await store.db.schema.renameTable(AUDIT_TABLE, awayTable);
    writer.record(auditEvent(2));
    await expect(writer.flush()).rejects.toBeInstanceOf(AuditStoreUnavailableError);

    // A crash, as an uncaught error in the worker would end it.
    await (writer as unknown as { worker: Worker }).worker.terminate();
    await eventually(() => log.errors.some((line) => /audit worker ended unexpectedly; 1 audit record\(s\) lost/.test(line.message)));
    expect(writer.droppedCount).toBe(1);
    expect(writer.healthy()).toBe(false);

    await store.db.schema.renameTable(awayTable, AUDIT_TABLE);
    await eventually(() => writer.healthy());
    writer.record(auditEvent(3));
    await writer.flush();
    const rows = await storedRows(store.db);
    expect(rows.map((row) => [row.request_id, Number(row.sequence)])).toEqual([
      ['req-1', 1],
      ['req-3', 2],
    ]);
    expect(await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).toMatchObject({ ok: true });
  });
});
