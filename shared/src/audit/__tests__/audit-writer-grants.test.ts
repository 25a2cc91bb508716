import { randomBytes } from 'node:crypto';
import { databaseNameFor, openDatabase } from '../../database';
import { usingMysql } from '../../../../tests/support/test-database';
import { AUDIT_STORE, AUDIT_TABLE } from '../audit-store';
import { ThreadedAuditWriter } from '../threaded-audit-writer';
import { auditWriterDatabase } from '../audit-config';
import { verifyAuditChains } from '../verify-audit-chain';
import { auditEvent, openTestAuditStore, recordingLog, storedRows, TEST_CHAIN_KEY, TEST_SECRET, type TestAuditStore } from './audit-test-support';

// The documented MySQL set-up (README, "Audit store on MySQL"): migrations as the MYSQL_URL account, the serving
// processes' audit writer as an account holding INSERT and SELECT only on the audit database.
(usingMysql ? describe : describe.skip)('the audit writer on MySQL with an INSERT, SELECT-only account', () => {
  let store: TestAuditStore;
  const user = `icgt_aw_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');

  beforeAll(async () => {
    // Migrated by the administrative account, as the serving processes' start-up does with MYSQL_URL.
    store = await openTestAuditStore('mysql');
    await store.db.raw(`CREATE USER ??@'%' IDENTIFIED BY ?`, [user, password]);
    await store.db.raw(`GRANT INSERT, SELECT ON ??.* TO ??@'%'`, [databaseNameFor(store.config, AUDIT_STORE), user]);
  });

  afterAll(async () => {
    await store.db.raw(`DROP USER IF EXISTS ??@'%'`, [user]);
    await store.close();
  });

  function writerUrl(): string {
    const url = new URL(process.env.MYSQL_URL!);
    url.username = user;
    url.password = password;
    return url.toString();
  }

  it('writes and verifies through that account, which can neither update nor delete a record', async () => {
    const database = auditWriterDatabase(store.config, { writerMysqlUrl: writerUrl() });
    expect(database.mysqlUrl).toContain(user);
    const writer = new ThreadedAuditWriter({
      database,
      chain: 'customers#grants',
      pseudonymSecret: TEST_SECRET,
      chainKey: TEST_CHAIN_KEY,
      log: recordingLog(),
    });
    for (let index = 1; index <= 5; index++) writer.record(auditEvent(index));
    await writer.close();
    expect(await storedRows(store.db)).toHaveLength(5);
    expect(await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).toMatchObject({ ok: true, records: 5 });

    const serving = openDatabase(database, AUDIT_STORE);
    try {
      await expect(serving(AUDIT_TABLE).where({ sequence: 5 }).update({ decision: 'DENY' })).rejects.toThrow(/UPDATE command denied/);
      await expect(serving(AUDIT_TABLE).where({ sequence: 5 }).delete()).rejects.toThrow(/DELETE command denied/);
      await expect(serving.schema.dropTable(AUDIT_TABLE)).rejects.toThrow(/DROP command denied/);
    } finally {
      await serving.destroy();
    }
    expect(await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).toMatchObject({ ok: true, records: 5 });
  });
});
