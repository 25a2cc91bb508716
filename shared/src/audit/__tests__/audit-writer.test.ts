import { existsSync, readFileSync } from 'node:fs';
import { pseudonymise } from '../../access/pseudonym';
import { sqliteFileFor, type Knex } from '../../database';
import { createLogger } from '../../logger';
import { TEST_DIALECTS, usingMysql } from '../../../../tests/support/test-database';
import { TcpProxy } from '../../../../tests/support/tcp-proxy';
import { AUDIT_GENESIS_HASH, CURRENT_AUDIT_FORMAT, hashAuditRecord } from '../audit-record';
import { AUDIT_STORE, AUDIT_TABLE, auditRowToContent, openAuditStore } from '../audit-store';
import { AuditStoreUnavailableError, AuditWriter, hashAuditChange, type AuditLog, type AuditWriterOptions } from '../audit-writer';
import { verifyAuditChains } from '../verify-audit-chain';
import { auditEvent, eventually, openTestAuditStore, recordingLog, storedRows, TEST_CHAIN_KEY, TEST_SECRET, type TestAuditStore } from './audit-test-support';

/** Long enough that only record(), flush() and close() decide when a test's batches are written. */
const NO_TIMER = 60_000;

describe.each(TEST_DIALECTS)('AuditWriter on %s', (dialect) => {
  let store: TestAuditStore;
  const writers: AuditWriter[] = [];

  function newWriter(options: Partial<AuditWriterOptions> = {}): AuditWriter {
    const writer = new AuditWriter({
      db: store.db,
      chain: 'customers#test',
      pseudonymSecret: TEST_SECRET,
      chainKey: TEST_CHAIN_KEY,
      log: recordingLog(),
      ...options,
    });
    writers.push(writer);
    return writer;
  }

  beforeEach(async () => {
    store = await openTestAuditStore(dialect);
  });

  afterEach(async () => {
    // Stop leftover timers before the store goes away; a test that left records behind fails on its own.
    for (const writer of writers.splice(0)) await writer.close({ timeoutMs: 0 }).catch(() => undefined);
    await store.close();
  });

  it('queues without touching the database and writes in batched transactions', async () => {
    const statements: string[] = [];
    store.db.on('query', (query: { sql: string }) => statements.push(query.sql));
    const writer = newWriter({ flushIntervalMs: NO_TIMER, batchSize: 500 });

    for (let index = 1; index <= 1_200; index++) writer.record(auditEvent(index));

    // record() is synchronous: not one statement has been issued when the last call returns.
    expect(statements).toEqual([]);
    expect(writer.queuedCount).toBe(1_200);
    // Reaching batchSize starts a flush on its own, without flush() or the interval.
    await eventually(() => writer.queuedCount === 0);
    // One transaction per batch: 500 + 500 + 200 (SQLite inserts run as prepared statements, outside knex's query events).
    const transactions = statements.filter((sql) => /^commit/i.test(sql.trim()));
    expect(transactions).toHaveLength(3);
    expect(await store.db(AUDIT_TABLE).count({ n: '*' }).first()).toEqual({ n: 1_200 });
    expect(writer.healthy()).toBe(true);
  });

  it('flushes on its interval', async () => {
    const writer = newWriter({ flushIntervalMs: 30 });
    for (let index = 1; index <= 3; index++) writer.record(auditEvent(index));
    await eventually(async () => (await storedRows(store.db)).length === 3);
  });

  it('chains records: genesis first, each prevHash the hash before, each hash over its content', async () => {
    const writer = newWriter({ flushIntervalMs: NO_TIMER, batchSize: 4 });
    for (let index = 1; index <= 10; index++) writer.record(auditEvent(index, { decisionId: `d-${index}` }));
    await writer.flush();

    const rows = await storedRows(store.db);
    expect(rows.map((row) => Number(row.sequence))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    let previousHash = AUDIT_GENESIS_HASH;
    for (const row of rows) {
      const stored = auditRowToContent(row);
      if (stored.format !== CURRENT_AUDIT_FORMAT) throw new Error(`format ${stored.format}`);
      const { content, hash } = stored;
      expect(content.chain).toBe('customers#test');
      expect(content.prevHash).toBe(previousHash);
      // Keyed: the same chain recomputed without the key (or with another) gives other hashes.
      expect(hashAuditRecord(TEST_CHAIN_KEY, content)).toBe(hash);
      expect(hashAuditRecord('another-key-of-at-least-16-bytes', content)).not.toBe(hash);
      previousHash = hash;
    }
    const first = auditRowToContent(rows[0]!).content;
    expect(first).toMatchObject({
      requestId: 'req-1',
      occurredAt: '2024-05-01T08:30:00.001Z',
      staffId: '101',
      role: 'HOTLINE_AGENT',
      purpose: 'CUSTOMER_SERVICE',
      operationName: 'Customer360',
      coordinate: 'Customer.mobile',
      recordPseudonyms: [pseudonymise(TEST_SECRET, 'Customer:1')],
      decision: 'ALLOW',
      rule: 'HOTLINE_AGENT:RESTRICTED',
      policyVersion: '2024-05-01',
      decisionId: 'd-1',
    });
    expect(await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).toEqual({ ok: true, chains: 1, records: 10, legacyRecords: 0 });
  });

  it('continues an existing chain in a second writer with the same chain name', async () => {
    const first = newWriter({ flushIntervalMs: NO_TIMER });
    for (let index = 1; index <= 5; index++) first.record(auditEvent(index));
    await first.close();

    const second = newWriter({ flushIntervalMs: NO_TIMER });
    for (let index = 6; index <= 8; index++) second.record(auditEvent(index));
    await second.close();

    const rows = await storedRows(store.db);
    expect(rows.map((row) => Number(row.sequence))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rows[5]!.prev_hash).toBe(rows[4]!.hash);
    expect(await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).toEqual({ ok: true, chains: 1, records: 8, legacyRecords: 0 });
  });

  it('keeps separate chains for separate processes', async () => {
    const customers = newWriter({ chain: 'customers#a', flushIntervalMs: NO_TIMER });
    const claims = newWriter({ chain: 'claims#b', flushIntervalMs: NO_TIMER });
    for (let index = 1; index <= 4; index++) {
      customers.record(auditEvent(index));
      claims.record(auditEvent(index, { coordinate: 'Claim.diagnosis' }));
    }
    await Promise.all([customers.flush(), claims.flush()]);
    expect(await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).toEqual({ ok: true, chains: 2, records: 8, legacyRecords: 0 });
  });

  it('writes everything on close, then refuses (and counts) late records', async () => {
    const log = recordingLog();
    const writer = newWriter({ flushIntervalMs: NO_TIMER, batchSize: 10_000, log });
    for (let index = 1; index <= 50; index++) writer.record(auditEvent(index));
    expect(await storedRows(store.db)).toHaveLength(0);

    await writer.close();
    expect(await storedRows(store.db)).toHaveLength(50);
    expect(writer.healthy()).toBe(false);

    writer.record(auditEvent(51));
    expect(writer.droppedCount).toBe(1);
    expect(log.errors.some((line) => line.fields.dropped === 1)).toBe(true);
  });

  it('writes a change handed over with its values hashed as it is, and reports stored changes by decision id', async () => {
    const stored: string[] = [];
    const writer = newWriter({ flushIntervalMs: NO_TIMER, onChangesStored: (ids) => stored.push(...ids) });
    const change = { beforeVersion: 1, afterVersion: 2, fields: { mobile: { before: '13800000000', after: '13900000000' } } };
    writer.record(auditEvent(1, { decisionId: 'change-1', coordinate: 'action:customer.change.approve', hashedChange: hashAuditChange(TEST_SECRET, change) }));
    writer.record(auditEvent(2, { decisionId: 'change-2', coordinate: 'action:customer.change.approve', change }));
    writer.record(auditEvent(3, { decisionId: 'read-3' }));
    await writer.flush();
    const rows = (await store.db(AUDIT_TABLE).orderBy('id').select('decision_id', 'change')) as { decision_id: string; change: string | null }[];
    // Hashed before the hand-over or here: the same stored content, never the number.
    expect(rows[0]!.change).toBe(rows[1]!.change);
    expect(rows[0]!.change).not.toContain('1380000');
    // Only change records are reported (reads have no hand-over row).
    expect(stored).toEqual(['change-1', 'change-2']);
  });

  it('writes a redelivered change once: not again when a record with its decision id is stored, nor twice when sent twice', async () => {
    const stored: string[] = [];
    const writer = newWriter({ flushIntervalMs: NO_TIMER, onChangesStored: (ids) => stored.push(...ids) });
    const change = hashAuditChange(TEST_SECRET, { beforeVersion: null, afterVersion: 1, fields: { name: { before: null, after: 'x' } } });
    const handedOver = (index: number) => auditEvent(index, { decisionId: `change-${index}`, coordinate: 'action:customer.create', hashedChange: change });
    writer.record(handedOver(1));
    await writer.flush();
    // The process that wrote change-1 ended before its hand-over row was cleared; change-2's never reached the store.
    for (const event of [handedOver(1), handedOver(2), handedOver(2)]) writer.record({ ...event, redelivered: true });
    expect(writer.queuedCount).toBe(3);
    await writer.flush();
    const rows = (await store.db(AUDIT_TABLE).orderBy('id').select('decision_id')) as { decision_id: string }[];
    expect(rows.map((row) => row.decision_id)).toEqual(['change-1', 'change-2']);
    expect(stored.sort()).toEqual(['change-1', 'change-1', 'change-2']);
    expect(writer.queuedCount).toBe(0);
    // The chain stays whole.
    expect(await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).toEqual({ ok: true, chains: 1, records: 2, legacyRecords: 0 });
  });

  it('never stores a raw ID number, phone or name: only the keyed pseudonym of the record key', async () => {
    const rawKeys = ['Customer:110105199001011234', 'Customer:13812348000', 'Customer:张伟'];
    const writer = newWriter({ flushIntervalMs: NO_TIMER });
    for (const [index, recordKey] of rawKeys.entries()) writer.record(auditEvent(index, { recordKeys: [recordKey] }));
    await writer.close();

    const rows = await storedRows(store.db);
    const stored = JSON.stringify(rows);
    for (const raw of ['110105199001011234', '13812348000', '张伟']) expect(stored).not.toContain(raw);
    expect(rows.map((row) => JSON.parse(String(row.record_pseudonyms)) as string[])).toEqual(rawKeys.map((key) => [pseudonymise(TEST_SECRET, key)]));
    if (dialect === 'sqlite') {
      const file = sqliteFileFor(store.config, AUDIT_STORE);
      for (const path of [file, `${file}-wal`].filter(existsSync)) {
        const bytes = readFileSync(path);
        for (const raw of ['110105199001011234', '13812348000', '张伟']) expect(bytes.includes(Buffer.from(raw, 'utf8'))).toBe(false);
      }
    }
  });

  it('refuses a short pseudonym secret', () => {
    expect(() => newWriter({ pseudonymSecret: 'too-short' })).toThrow('at least 16 bytes');
  });

  it('fits over-long values to their columns so a batch cannot become unwritable', async () => {
    const writer = newWriter({ flushIntervalMs: NO_TIMER });
    writer.record(auditEvent(1, { operationName: `Q${'😀'.repeat(400)}`, requestId: 'r'.repeat(1_000) }));
    writer.record(auditEvent(2, { operationName: 'lone \uD800 surrogate' }));
    await writer.flush();
    const rows = await storedRows(store.db);
    expect(Array.from(String(rows[0]!.operation_name))).toHaveLength(256);
    expect(String(rows[0]!.request_id)).toHaveLength(128);
    expect(rows[1]!.operation_name).toBe('lone \uFFFD surrogate');
    expect((await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).ok).toBe(true);
  });

  it('fails closed while the store cannot take writes, keeps the records, and recovers in order', async () => {
    const log = recordingLog();
    const writer = newWriter({ flushIntervalMs: 20, retryDelayMs: 20, maxRetryDelayMs: 100, log });
    writer.record(auditEvent(1));
    await writer.flush();

    // The table disappears (SQLite cannot lose its server; on MySQL this is the same from the writer's side).
    await store.db.schema.renameTable(AUDIT_TABLE, 'audit_records_offline');
    for (let index = 2; index <= 6; index++) writer.record(auditEvent(index));
    await expect(writer.flush()).rejects.toBeInstanceOf(AuditStoreUnavailableError);
    expect(writer.healthy()).toBe(false);
    expect(writer.queuedCount).toBe(5);
    expect(log.errors.some((line) => /records kept for retry/.test(line.message))).toBe(true);
    // Logged failures name the driver's problem, not the statement with its values.
    expect(JSON.stringify(log.errors)).not.toMatch(/insert into/i);
    writer.record(auditEvent(7));

    await store.db.schema.renameTable('audit_records_offline', AUDIT_TABLE);
    await eventually(() => writer.healthy() && writer.queuedCount === 0);
    const rows = await storedRows(store.db);
    expect(rows.map((row) => row.request_id)).toEqual(['req-1', 'req-2', 'req-3', 'req-4', 'req-5', 'req-6', 'req-7']);
    expect(await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).toEqual({ ok: true, chains: 1, records: 7, legacyRecords: 0 });
  });

  it('does not write a batch twice when its commit succeeded but the client saw an error', async () => {
    let failNextCommit = true;
    // A knex whose transaction() commits and then reports a failure once, as a connection lost after COMMIT would.
    const flakyDb = new Proxy(store.db, {
      get(target, property, receiver) {
        if (property !== 'transaction') return Reflect.get(target, property, receiver) as unknown;
        return async (work: (trx: Knex.Transaction) => Promise<unknown>) => {
          const result = await target.transaction(work);
          if (failNextCommit) {
            failNextCommit = false;
            throw new Error('Connection lost: The server closed the connection.');
          }
          return result;
        };
      },
    });
    const writer = newWriter({ db: flakyDb, flushIntervalMs: NO_TIMER });
    for (let index = 1; index <= 3; index++) writer.record(auditEvent(index));
    await expect(writer.flush()).rejects.toBeInstanceOf(AuditStoreUnavailableError);
    expect(writer.healthy()).toBe(false);
    expect(writer.queuedCount).toBe(3);

    writer.record(auditEvent(4));
    await writer.flush();
    expect(writer.healthy()).toBe(true);
    const rows = await storedRows(store.db);
    expect(rows.map((row) => row.request_id)).toEqual(['req-1', 'req-2', 'req-3', 'req-4']);
    expect(await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).toEqual({ ok: true, chains: 1, records: 4, legacyRecords: 0 });
  });

  it('accepts a pino logger', () => {
    const log: AuditLog = createLogger('audit', 'silent');
    expect(() => newWriter({ log })).not.toThrow();
  });

  it('caps the queue: drops beyond it are counted, logged with the count, and make it unhealthy', async () => {
    const log = recordingLog();
    const writer = newWriter({ flushIntervalMs: NO_TIMER, batchSize: 1_000, maxQueued: 10, log });
    for (let index = 1; index <= 15; index++) writer.record(auditEvent(index));

    expect(writer.queuedCount).toBe(10);
    expect(writer.droppedCount).toBe(5);
    expect(writer.healthy()).toBe(false);
    // The first drop is reported at once; the rest are summed into later lines rather than one line each.
    expect(log.errors[0]!.fields).toMatchObject({ dropped: 1, droppedTotal: 1 });
    await eventually(() => log.errors.reduce((sum, line) => sum + Number(line.fields.dropped ?? 0), 0) === 5, 3_000);
    expect(log.errors.length).toBeLessThanOrEqual(2);

    await writer.flush();
    expect(writer.healthy()).toBe(true);
    expect(await storedRows(store.db)).toHaveLength(10);
  });
});

// A database server that goes away and comes back; SQLite has no server to lose.
(usingMysql ? describe : describe.skip)('AuditWriter when its MySQL server goes down', () => {
  it('is unhealthy during the outage, keeps every record, and drains once the server is back', async () => {
    const local = await openTestAuditStore('mysql');
    const target = new URL(process.env.MYSQL_URL!);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 3306));
    await proxy.start();
    const viaProxy = new URL(process.env.MYSQL_URL!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const db = await openAuditStore({ ...local.config, mysqlUrl: viaProxy.toString() });
    const writer = new AuditWriter({
      db,
      chain: 'customers#outage',
      pseudonymSecret: TEST_SECRET,
      chainKey: TEST_CHAIN_KEY,
      log: recordingLog(),
      flushIntervalMs: 20,
      retryDelayMs: 20,
      maxRetryDelayMs: 200,
    });
    try {
      writer.record(auditEvent(1));
      await writer.flush();

      await proxy.stop();
      for (let index = 2; index <= 4; index++) writer.record(auditEvent(index));
      await expect(writer.flush()).rejects.toBeInstanceOf(AuditStoreUnavailableError);
      expect(writer.healthy()).toBe(false);
      expect(writer.queuedCount).toBe(3);

      await proxy.start();
      await eventually(() => writer.healthy() && writer.queuedCount === 0, 20_000);
      expect(await verifyAuditChains(local.db, { chainKey: TEST_CHAIN_KEY })).toEqual({ ok: true, chains: 1, records: 4, legacyRecords: 0 });
    } finally {
      await writer.close({ timeoutMs: 0 }).catch(() => undefined);
      await db.destroy();
      await proxy.stop();
      await local.close();
    }
  }, 60_000);
});
