import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Knex } from '../../database';
import { migrateToLatest } from '../../migrations';
import { AUDIT_HANDOFF_TABLE, AuditHandoff, auditHandoffMigration } from '../audit-handoff';
import type { AuditEvent } from '../audit-record';
import { auditEvent } from './audit-test-support';

/** The writer as the hand-over sees it: takes up to `room` events per call while `healthy`. */
class FakeWriter {
  readonly redelivered: AuditEvent[] = [];
  healthyNow = true;
  room = Number.POSITIVE_INFINITY;
  redeliver(events: readonly AuditEvent[]): number {
    const taken = events.slice(0, this.room);
    this.redelivered.push(...taken);
    return taken.length;
  }
  healthy(): boolean {
    return this.healthyNow;
  }
}

const quiet = { warn: () => undefined, info: () => undefined };

describe('AuditHandoff', () => {
  let dataDir: string;
  let db: Knex;
  let writer: FakeWriter;
  let handoff: AuditHandoff;

  /** A hand-over row `ageMs` old. */
  const handOver = (id: string, ageMs: number) =>
    db(AUDIT_HANDOFF_TABLE).insert({ decision_id: id, event: JSON.stringify(auditEvent(1, { decisionId: id })), handed_over_ms: Date.now() - ageMs });
  const rows = async () =>
    ((await db(AUDIT_HANDOFF_TABLE).orderBy('decision_id').select('decision_id')) as { decision_id: string }[]).map((row) => row.decision_id);

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'icg-handoff-'));
    db = openDatabase({ mysqlUrl: undefined, mysqlDatabasePrefix: 'icgt_', dataDir, poolMax: 1 }, 'handoff');
    await migrateToLatest(db, [auditHandoffMigration]);
    writer = new FakeWriter();
    handoff = new AuditHandoff({ db, writer, log: quiet, graceMs: 10_000, sweepIntervalMs: 60_000 });
  });
  afterEach(async () => {
    await handoff.close();
    await db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends only rows older than the grace period again, oldest first, and not again within the grace period', async () => {
    await handOver('young', 1_000);
    await handOver('old', 30_000);
    await handOver('older', 60_000);
    expect(await handoff.sweep()).toBe(2);
    expect(writer.redelivered.map((event) => event.decisionId)).toEqual(['older', 'old']);
    // Still on their way: the next sweep leaves them be.
    expect(await handoff.sweep()).toBe(0);
    expect(await rows()).toEqual(['old', 'older', 'young']);
  });

  it('sends nothing while the writer cannot write, and sends again what it could not take', async () => {
    await handOver('a', 30_000);
    await handOver('b', 20_000);
    writer.healthyNow = false;
    expect(await handoff.sweep()).toBe(0);
    writer.healthyNow = true;
    writer.room = 1;
    expect(await handoff.sweep()).toBe(1);
    writer.room = Number.POSITIVE_INFINITY;
    expect(await handoff.sweep()).toBe(1);
    expect(writer.redelivered.map((event) => event.decisionId)).toEqual(['a', 'b']);
  });

  it('clears the rows of records the audit store holds', async () => {
    await handOver('stored', 30_000);
    await handOver('pending', 30_000);
    handoff.stored(['stored']);
    await handoff.drain();
    expect(await rows()).toEqual(['pending']);
  });
});
