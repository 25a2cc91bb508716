import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { AUDIT_GENESIS_HASH, hashAuditRecord, type AuditRecord } from '../audit-record';
import { AUDIT_TABLE, auditRecordToRow } from '../audit-store';
import { AuditWriter } from '../audit-writer';
import { verifyAuditChains } from '../verify-audit-chain';
import { auditEvent, openTestAuditStore, recordingLog, storedRows, TEST_CHAIN_KEY, TEST_SECRET, type TestAuditStore } from './audit-test-support';

describe.each(TEST_DIALECTS)('verifyAuditChains on %s', (dialect) => {
  let store: TestAuditStore;

  beforeEach(async () => {
    store = await openTestAuditStore(dialect);
  });

  afterEach(async () => {
    await store.close();
  });

  async function writeChain(chain: string, count: number): Promise<void> {
    const writer = new AuditWriter({
      db: store.db,
      chain,
      pseudonymSecret: TEST_SECRET,
      chainKey: TEST_CHAIN_KEY,
      log: recordingLog(),
      flushIntervalMs: 60_000,
      batchSize: 7,
    });
    for (let index = 1; index <= count; index++) writer.record(auditEvent(index));
    await writer.close();
  }

  /** The id of the chain's record with this sequence. */
  async function idOf(chain: string, sequence: number): Promise<number> {
    const row = (await store.db(AUDIT_TABLE).where({ chain, sequence }).first('id')) as { id: number };
    return Number(row.id);
  }

  it('reports an empty store as intact', async () => {
    expect(await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).toEqual({ ok: true, chains: 0, records: 0, legacyRecords: 0 });
  });

  it('names exactly the record whose decision was altered', async () => {
    await writeChain('customers#1', 20);
    const altered = await idOf('customers#1', 12);
    await store.db(AUDIT_TABLE).where({ id: altered }).update({ decision: 'DENY' });

    const result = await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY });
    expect(result).toMatchObject({ ok: false, chains: 1, records: 20 });
    expect(result.firstBroken).toMatchObject({ id: altered, chain: 'customers#1', sequence: 12, reason: 'altered' });
    expect(result.firstBroken!.detail).toMatch(/^altered content/);
  });

  it('reports a deleted record at the record after it, as a broken link', async () => {
    await writeChain('customers#1', 20);
    await store
      .db(AUDIT_TABLE)
      .where({ id: await idOf('customers#1', 8) })
      .delete();

    const result = await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY });
    expect(result).toMatchObject({ ok: false, chains: 1, records: 19 });
    expect(result.firstBroken).toMatchObject({ id: await idOf('customers#1', 9), sequence: 9, reason: 'broken-link' });
  });

  it('reports a deleted first record at the second, whose prevHash is not the genesis hash', async () => {
    await writeChain('customers#1', 3);
    await store
      .db(AUDIT_TABLE)
      .where({ id: await idOf('customers#1', 1) })
      .delete();
    expect((await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).firstBroken).toMatchObject({ sequence: 2, reason: 'broken-link' });
  });

  it('catches edits to the time, the pseudonym, a null column and the stored hash itself', async () => {
    await writeChain('customers#1', 10);
    const edits: Record<string, unknown>[] = [
      { occurred_at: '2024-05-01 08:30:01.005' },
      { record_pseudonyms: '["ps_BBBBBBBBBBBBBBBBBBBBBB"]' },
      { record_pseudonym: 'ps_BBBBBBBBBBBBBBBBBBBBBB' },
      { decision_id: 'forged' },
      { hash: 'f'.repeat(64) },
    ];
    for (const edit of edits) {
      const target = await idOf('customers#1', 5);
      const original = (await store.db(AUDIT_TABLE).where({ id: target }).first()) as Record<string, unknown>;
      await store.db(AUDIT_TABLE).where({ id: target }).update(edit);
      expect((await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).firstBroken).toMatchObject({ id: target, reason: 'altered' });
      const restore = Object.fromEntries(Object.keys(edit).map((column) => [column, original[column]]));
      await store.db(AUDIT_TABLE).where({ id: target }).update(restore);
      expect((await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).ok).toBe(true);
    }
  });

  it('names the altered record rather than the link after it when a sequence number is edited', async () => {
    await writeChain('customers#1', 10);
    const moved = await idOf('customers#1', 4);
    await store.db(AUDIT_TABLE).where({ id: moved }).update({ sequence: 50 });
    expect((await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY })).firstBroken).toMatchObject({ id: moved, reason: 'altered' });
  });

  it('reports a sequence gap in an otherwise well-linked chain', async () => {
    let prevHash = AUDIT_GENESIS_HASH;
    const records: AuditRecord[] = [];
    for (const sequence of [1, 2, 4, 5]) {
      const content = {
        chain: 'forged#1',
        sequence,
        requestId: `req-${sequence}`,
        occurredAt: '2024-05-01T08:30:00.000Z',
        staffId: '1',
        role: 'AUDITOR' as const,
        purpose: 'AUDIT' as const,
        operationName: null,
        operationHash: 'c'.repeat(64),
        coordinate: 'Customer.mobile',
        recordPseudonyms: ['ps_CCCCCCCCCCCCCCCCCCCCCC'],
        decision: 'ALLOW' as const,
        rule: 'AUDITOR:RESTRICTED',
        policyVersion: '1',
        decisionId: null,
        prevHash,
      };
      const hash = hashAuditRecord(TEST_CHAIN_KEY, content);
      records.push({ ...content, hash });
      prevHash = hash;
    }
    await store.db(AUDIT_TABLE).insert(records.map(auditRecordToRow));

    const result = await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY });
    expect(result).toMatchObject({ ok: false, chains: 1, records: 4 });
    expect(result.firstBroken).toMatchObject({ chain: 'forged#1', sequence: 4, reason: 'sequence-gap' });
    expect(result.firstBroken!.detail).toBe('sequence gap: expected sequence 3, found 4');
  });

  it('reads in pages, across chains, and reports the earliest-written break of all chains', async () => {
    await writeChain('a#1', 23);
    await writeChain('b#2', 23);
    await writeChain('c#3', 23);
    expect(await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY, pageSize: 5 })).toEqual({ ok: true, chains: 3, records: 69, legacyRecords: 0 });

    const rows = await storedRows(store.db);
    const rowsPerChain = (chain: string) => rows.filter((row) => row.chain === chain);
    // A break at a page boundary in chain c (written last) and one in chain b: b's has the lower id.
    const inC = rowsPerChain('c#3')[10]!;
    const inB = rowsPerChain('b#2')[19]!;
    await store.db(AUDIT_TABLE).where({ id: inC.id }).update({ rule: 'forged' });
    await store.db(AUDIT_TABLE).where({ id: inB.id }).update({ staff_id: '999' });

    const result = await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY, pageSize: 5 });
    expect(result).toMatchObject({ ok: false, chains: 3, records: 69 });
    expect(result.firstBroken).toMatchObject({ id: Number(inB.id), chain: 'b#2', sequence: 20, reason: 'altered' });
    // A page size of 2 still pages through the chain names (there are 3).
    expect(await verifyAuditChains(store.db, { chainKey: TEST_CHAIN_KEY, pageSize: 2 })).toMatchObject({
      chains: 3,
      records: 69,
      firstBroken: { id: Number(inB.id) },
    });
  });
});
