/**
 * Nothing committed goes unaudited (issue 10, "Audited"; docs/access-model.md, "Audit"): a write's change records
 * commit with it as hand-over rows in the subgraph's own store, leave once the audit store holds them, and a process
 * killed between its commit and that moment has them sent again by the sweep of the process started after it, once.
 * Real subgraph processes (the event probe's sender, audited as its own change) on SQLite and MariaDB.
 */
import { AUDIT_HANDOFF_TABLE, AUDIT_STORE, AUDIT_TABLE, openDatabase, pseudonymise, verifyAuditChains, type Knex } from '@icg/shared';
import { PROBE_NOTE_ACTION, PROBE_SENDER, probeNoteKey } from '../tools/src/event-probe/event-probe';
import { createProbeWorld, DIALECTS_UNDER_TEST, recordNotes, waitUntil, type ProbeWorld } from './support/event-probes';
import { TEST_AUDIT_CHAIN_KEY, TEST_PSEUDONYM_SECRET } from './support/test-security';

/** Short, so the test does not wait out production's minute; the sweep runs often. */
const GRACE_MS = 1_000;
const SWEEP_MS = 200;

interface StoredChange {
  decision_id: string;
  coordinate: string;
  staff_id: string;
  role: string;
  change: string;
}

describe.each(DIALECTS_UNDER_TEST)('the audit hand-over on %s', (dialect) => {
  let world: ProbeWorld;
  let senderStore: Knex;
  let auditStore: Knex;

  beforeAll(async () => {
    world = await createProbeWorld(dialect, 'http', { auditHandoff: { graceMs: GRACE_MS, sweepIntervalMs: SWEEP_MS } });
  });
  afterAll(async () => {
    await senderStore?.destroy();
    await auditStore?.destroy();
    await world?.close();
  });

  /** Opened once the sender has migrated both stores. */
  function openStores(): void {
    senderStore ??= openDatabase(world.database, PROBE_SENDER);
    auditStore ??= openDatabase(world.database, AUDIT_STORE);
  }

  const handedOver = async (): Promise<string[]> =>
    ((await senderStore(AUDIT_HANDOFF_TABLE).select('decision_id')) as { decision_id: string }[]).map((row) => row.decision_id);
  const changesOf = async (key: string, note: number): Promise<StoredChange[]> =>
    (await auditStore(AUDIT_TABLE)
      .where('record_pseudonyms', 'like', `%${pseudonymise(TEST_PSEUDONYM_SECRET, probeNoteKey(key, note))}%`)
      .select('decision_id', 'coordinate', 'staff_id', 'role', 'change')) as StoredChange[];

  it('clears a write’s hand-over rows once the audit store holds its records', async () => {
    const sender = await world.startSender();
    openStores();
    await recordNotes(sender.url, 'kept', 1, 3);
    for (const note of [1, 2, 3])
      expect(
        await waitUntil(
          () => changesOf('kept', note),
          (rows) => rows.length > 0,
        ),
      ).toHaveLength(1);
    expect(await waitUntil(handedOver, (rows) => rows.length === 0)).toEqual([]);
    await sender.close();
  });

  it('records a change once whose process was killed between its commit and the audit store', async () => {
    const child = await world.spawnSender(['--crash-after-commit']);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    // The process dies (SIGKILL) right after committing the note with its change record's hand-over row.
    await expect(recordNotes(`http://127.0.0.1:${world.senderPort}`, 'killed', 1, 1)).rejects.toThrow();
    expect(await exited).toBe('SIGKILL');
    openStores();
    const left = await handedOver();
    expect(left).toHaveLength(1);
    expect(await changesOf('killed', 1)).toEqual([]);

    // Started again over the same stores, the sender's sweep sends the row to its writer once the grace period is over.
    const sender = await world.startSender();
    const stored = await waitUntil(
      () => changesOf('killed', 1),
      (rows) => rows.length > 0,
    );
    expect(stored).toEqual([
      expect.objectContaining({ decision_id: left[0], coordinate: `action:${PROBE_NOTE_ACTION}`, staff_id: `system:${PROBE_SENDER}`, role: 'SYSTEM' }),
    ]);
    // The value is there as its keyed hash only.
    expect(JSON.parse(stored[0]!.change)).toMatchObject({
      beforeVersion: null,
      afterVersion: 1,
      fields: { note: { before: null, after: expect.any(String) } },
    });
    expect(await waitUntil(handedOver, (rows) => rows.length === 0)).toEqual([]);
    // Several sweeps later: still one record, and every chain verifies.
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 3 * SWEEP_MS));
    expect(await changesOf('killed', 1)).toHaveLength(1);
    expect(await verifyAuditChains(auditStore, { chainKey: TEST_AUDIT_CHAIN_KEY })).toMatchObject({ ok: true });
    await sender.close();
  });
});
