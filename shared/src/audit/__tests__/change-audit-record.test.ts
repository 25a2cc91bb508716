import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pseudonymise } from '../../access/pseudonym';
import type { DatabaseConfig } from '../../config';
import { dropMysqlDatabase, type Knex } from '../../database';
import { CHANGE_AUDIT_FORMAT, type AuditEvent } from '../audit-record';
import { AUDIT_STORE, AUDIT_TABLE, openAuditStore } from '../audit-store';
import { AuditWriter } from '../audit-writer';
import { verifyAuditChains } from '../verify-audit-chain';

const SECRET = 'change-audit-pseudonym-secret-01';
const CHAIN_KEY = 'change-audit-chain-key-0123456789';
const DIALECTS = process.env.MYSQL_URL ? (['sqlite', 'mysql'] as const) : (['sqlite'] as const);

const MOBILE_BEFORE = '13812348000';
const MOBILE_AFTER = '13912345678';

function changeEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    requestId: 'req-change',
    occurredAt: new Date('2026-12-01T08:00:00.000Z'),
    staffId: '601',
    role: 'OPERATOR',
    purpose: null,
    operationName: 'ApproveCustomerChange',
    operationHash: 'b'.repeat(64),
    coordinate: 'action:customer.change.approve',
    recordKeys: ['Customer:42'],
    decision: 'ALLOW',
    rule: 'customer.change.approve/OPERATOR/BRANCH',
    policyVersion: '2026.12-2',
    decisionId: 'decision-1',
    change: {
      beforeVersion: 3,
      afterVersion: 4,
      fields: { mobile: { before: MOBILE_BEFORE, after: MOBILE_AFTER }, occupation: { before: null, after: '教师' } },
    },
    ...overrides,
  };
}

describe.each(DIALECTS)('change records (writes) in the audit trail on %s', (dialect) => {
  let config: DatabaseConfig;
  let db: Knex;
  let writer: AuditWriter;

  beforeEach(async () => {
    config = {
      mysqlUrl: dialect === 'mysql' ? process.env.MYSQL_URL : undefined,
      mysqlDatabasePrefix: `icgt_${randomBytes(4).toString('hex')}_`,
      dataDir: mkdtempSync(join(tmpdir(), 'icg-change-audit-')),
      poolMax: 2,
    };
    db = await openAuditStore(config);
    writer = new AuditWriter({
      db,
      chain: 'customers#change',
      pseudonymSecret: SECRET,
      chainKey: CHAIN_KEY,
      log: { error() {}, warn() {} },
      flushIntervalMs: 60_000,
    });
  });

  afterEach(async () => {
    await writer.close({ timeoutMs: 0 }).catch(() => undefined);
    await db.destroy();
    await dropMysqlDatabase(config, AUDIT_STORE);
    rmSync(config.dataDir, { recursive: true, force: true });
  });

  it('stores who, the action, the record, versions, decision and policy version, with every value hashed and none in clear', async () => {
    writer.record(changeEvent());
    await writer.flush();
    const [row] = (await db(AUDIT_TABLE)) as Record<string, unknown>[];
    expect(row).toMatchObject({
      format: CHANGE_AUDIT_FORMAT,
      staff_id: '601',
      role: 'OPERATOR',
      coordinate: 'action:customer.change.approve',
      decision: 'ALLOW',
      rule: 'customer.change.approve/OPERATOR/BRANCH',
      policy_version: '2026.12-2',
      record_pseudonyms: JSON.stringify([pseudonymise(SECRET, 'Customer:42')]),
    });
    const change = JSON.parse(String(row!['change'])) as {
      beforeVersion: number;
      afterVersion: number;
      fields: Record<string, { before: string | null; after: string | null }>;
    };
    expect(change.beforeVersion).toBe(3);
    expect(change.afterVersion).toBe(4);
    expect(change.fields['mobile']!.before).toMatch(/^ps_/);
    expect(change.fields['mobile']!.after).not.toBe(change.fields['mobile']!.before);
    expect(change.fields['occupation']).toEqual({ before: null, after: expect.stringMatching(/^ps_/) });
    // Keyed, deterministic: an auditor holding the key can check a value, nobody else can read one.
    expect(change.fields['mobile']!.after).toBe(pseudonymise(SECRET, `value:${JSON.stringify(MOBILE_AFTER)}`));
    const stored = JSON.stringify(row);
    for (const clear of [MOBILE_BEFORE, MOBILE_AFTER, '教师', 'Customer:42']) expect(stored).not.toContain(clear);
  });

  it('chains change records with read records, and the verifier finds an edited change', async () => {
    writer.record({ ...changeEvent(), coordinate: 'Customer.mobile', change: null, decision: 'MASK', rule: 'OPERATOR/CONFIDENTIAL/out' });
    writer.record(changeEvent());
    await writer.flush();
    expect(await verifyAuditChains(db, { chainKey: CHAIN_KEY })).toMatchObject({ ok: true, records: 2 });

    const row = (await db(AUDIT_TABLE).where('format', CHANGE_AUDIT_FORMAT).first()) as { id: number; change: string };
    const edited = JSON.parse(row.change) as { afterVersion: number };
    edited.afterVersion = 5;
    await db(AUDIT_TABLE)
      .where('id', row.id)
      .update({ change: JSON.stringify(edited) });
    expect(await verifyAuditChains(db, { chainKey: CHAIN_KEY })).toMatchObject({ ok: false, firstBroken: { id: row.id, reason: 'altered' } });
  });

  it('finds a change record turned into a read record', async () => {
    writer.record(changeEvent());
    await writer.flush();
    await db(AUDIT_TABLE).update({ format: 2, change: null });
    expect(await verifyAuditChains(db, { chainKey: CHAIN_KEY })).toMatchObject({ ok: false, firstBroken: { reason: 'altered' } });
  });
});
