import { GraphQLError } from 'graphql';
import { loadAccessPolicy, type Caller } from '../../access';
import { AUDIT_HANDOFF_TABLE, auditHandoffMigration } from '../../audit/audit-handoff';
import type { AuditEvent } from '../../audit/audit-record';
import { hashAuditChange } from '../../audit/audit-writer';
import type { AuditedChange, ChangeAuditSink } from '../../audit/request-audit-trail';
import { SettableClock } from '../../clock';
import { dropMysqlDatabase, ensureMysqlDatabase, openDatabase, type Knex } from '../../database';
import { migrateToLatest } from '../../migrations';
import { rowScope } from '../../row-scope';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DatabaseConfig } from '../../config';
import { IDEMPOTENCY_TABLE, idempotencyKeysMigration } from '../idempotency-migration';
import { updateVersioned } from '../optimistic-version';
import { allocateId } from '../record-ids';
import { notFound, runMutation, type MutationContext } from '../run-mutation';

const STORE = 'workflow';
/** SQLite always; MariaDB/MySQL too when MYSQL_URL is set (as CI sets it). */
const DIALECTS = process.env.MYSQL_URL ? (['sqlite', 'mysql'] as const) : (['sqlite'] as const);

/** A store of this suite's own (the suite needs no subgraph, so not tests/support/test-database). */
function testDatabaseConfig(dialect: 'sqlite' | 'mysql'): DatabaseConfig {
  return {
    mysqlUrl: dialect === 'mysql' ? process.env.MYSQL_URL : undefined,
    mysqlDatabasePrefix: `icgt_${randomBytes(4).toString('hex')}_`,
    dataDir: mkdtempSync(join(tmpdir(), 'icg-workflow-')),
    poolMax: 5,
  };
}
const policy = loadAccessPolicy();
const manager: Caller = { staffId: '501', role: 'CUSTOMER_MANAGER', branchPath: '/1/3/9/', grade: 'REGULAR', purpose: null };
const hotline: Caller = { staffId: '701', role: 'HOTLINE_AGENT', branchPath: '/1/', grade: null, purpose: null };

/** Keeps change records as the request audit trail would, with room for `capacity` of them. */
class RecordingChangeAudit implements ChangeAuditSink {
  readonly records = new Map<string, AuditedChange>();
  private next = 0;
  constructor(private capacity = Number.POSITIVE_INFINITY) {}
  recordChange(_request: object, change: AuditedChange): string | undefined {
    if (this.records.size >= this.capacity) return undefined;
    const id = `decision-${++this.next}`;
    this.records.set(id, change);
    return id;
  }
  withdrawChange(_request: object, decisionId: string): void {
    this.records.delete(decisionId);
  }
  handOverEvents(_request: object, decisionIds: readonly string[]): AuditEvent[] {
    return decisionIds.flatMap((decisionId) => {
      const recorded = this.records.get(decisionId);
      if (recorded === undefined) return [];
      const { action, recordKey, change, ...shared } = recorded;
      return [{ ...shared, coordinate: `action:${action}`, recordKeys: [recordKey], decisionId, hashedChange: hashAuditChange(HASH_SECRET, change) }];
    });
  }
}
const HASH_SECRET = 'test-pseudonym-secret-for-hashing';

const widgetsMigration = {
  name: '001_widgets',
  async up(db: Knex) {
    await db.schema.createTable('widgets', (table) => {
      table.bigInteger('id').primary();
      table.string('branch_path', 200).notNullable();
      table.bigInteger('owner_staff_id').notNullable();
      table.string('name', 50).notNullable();
      table.integer('version').notNullable();
    });
  },
  async down(db: Knex) {
    await db.schema.dropTableIfExists('widgets');
  },
};

interface WidgetRow {
  id: number;
  name: string;
  version: number;
}

describe.each(DIALECTS)('runMutation on %s', (dialect) => {
  let config: DatabaseConfig;
  let db: Knex;
  let audit: RecordingChangeAudit;
  const clock = new SettableClock('2026-12-01T08:00:00Z');

  function contextOf(caller: Caller, changeAudit: ChangeAuditSink = audit): MutationContext {
    return { db, clock, policy, changeAudit, caller, requestId: 'request-1', operation: { name: 'Test', hash: 'a'.repeat(64) } };
  }

  /** Creates a widget owned by the manager ("customer.create" stands in for any creating action). */
  function createWidget(context: MutationContext, idempotencyKey: unknown, name: string, fail?: Error) {
    return runMutation(context, {
      action: 'customer.create',
      idempotencyKey,
      input: { name },
      loadTarget: async () => ({ scope: rowScope(context.caller.branchPath, context.caller.staffId) }),
      perform: async (trx) => {
        const id = await allocateId(trx, 'widgets');
        await trx('widgets').insert({ id, branch_path: context.caller.branchPath, owner_staff_id: context.caller.staffId, name, version: 1 });
        if (fail) throw fail;
        return {
          result: { widgetId: id },
          changes: [{ recordKey: `Widget:${id}`, beforeVersion: null, afterVersion: 1, fields: { name: { before: null, after: name } } }],
        };
      },
    });
  }

  /** Renames a widget at the version the caller saw ("customer.change.propose" stands in for any update). */
  function renameWidget(context: MutationContext, idempotencyKey: string, id: number, expectedVersion: number, name: string) {
    return runMutation(context, {
      action: 'customer.change.propose',
      idempotencyKey,
      input: { id, expectedVersion, name },
      loadTarget: async (trx) => {
        const row = (await trx('widgets').where({ id }).first()) as { branch_path: string; owner_staff_id: number } | undefined;
        if (!row) throw notFound('Widget', 'id');
        return { scope: { ...rowScope(row.branch_path, row.owner_staff_id), recordKey: `Widget:${id}` } };
      },
      perform: async (trx) => {
        const version = await updateVersioned(trx, { entity: 'Widget', table: 'widgets', where: { id }, expectedVersion, changes: { name } });
        return { result: { widgetId: id }, changes: [{ recordKey: `Widget:${id}`, beforeVersion: expectedVersion, afterVersion: version, fields: {} }] };
      },
    });
  }

  async function widgets(): Promise<WidgetRow[]> {
    return ((await db('widgets').orderBy('id')) as WidgetRow[]).map((row) => ({ id: Number(row.id), name: row.name, version: Number(row.version) }));
  }

  /** The change records handed over with their writes, not yet taken by the audit store. */
  async function handedOver(): Promise<{ decision_id: string; event: string }[]> {
    return (await db(AUDIT_HANDOFF_TABLE).orderBy('decision_id')) as { decision_id: string; event: string }[];
  }

  async function idempotencyRows(): Promise<number> {
    return Number(((await db(IDEMPOTENCY_TABLE).count({ n: '*' }).first()) as { n: number | string }).n);
  }

  async function rejection(promise: Promise<unknown>): Promise<GraphQLError> {
    const error: unknown = await promise.then(
      () => new Error('the mutation succeeded'),
      (caught: unknown) => caught,
    );
    if (error instanceof GraphQLError) return error;
    throw error;
  }

  beforeEach(async () => {
    config = testDatabaseConfig(dialect);
    await ensureMysqlDatabase(config, STORE);
    db = openDatabase(config, STORE);
    await migrateToLatest(db, [widgetsMigration, idempotencyKeysMigration, auditHandoffMigration]);
    audit = new RecordingChangeAudit();
  });

  afterEach(async () => {
    await db.destroy();
    await dropMysqlDatabase(config, STORE);
    rmSync(config.dataDir, { recursive: true, force: true });
  });

  it('writes once, stores the first result and audits the change with its versions and the grant', async () => {
    expect(await createWidget(contextOf(manager), 'key-1', 'first')).toEqual({ widgetId: 1 });
    expect(await widgets()).toEqual([{ id: 1, name: 'first', version: 1 }]);
    expect([...audit.records.values()]).toEqual([
      expect.objectContaining({
        action: 'customer.create',
        recordKey: 'Widget:1',
        decision: 'ALLOW',
        rule: 'customer.create/CUSTOMER_MANAGER/OWN',
        policyVersion: policy.version,
        staffId: '501',
        occurredAt: clock.now(),
        change: { beforeVersion: null, afterVersion: 1, fields: { name: { before: null, after: 'first' } } },
      }),
    ]);
  });

  it('hands the change record over in the write’s transaction, its values hashed, so a crash after the commit cannot lose it', async () => {
    await createWidget(contextOf(manager), 'key-1', 'first');
    const rows = await handedOver();
    expect(rows.map((row) => row.decision_id)).toEqual([...audit.records.keys()]);
    const event = JSON.parse(rows[0]!.event) as AuditEvent;
    expect(event).toMatchObject({ coordinate: 'action:customer.create', recordKeys: ['Widget:1'], decision: 'ALLOW', staffId: '501' });
    expect(event.hashedChange).toEqual(
      hashAuditChange(HASH_SECRET, { beforeVersion: null, afterVersion: 1, fields: { name: { before: null, after: 'first' } } }),
    );
    expect(rows[0]!.event).not.toContain('first');
    // A retry writes nothing, so hands nothing over either.
    await createWidget(contextOf(manager), 'key-1', 'first');
    expect(await handedOver()).toHaveLength(1);
  });

  it('answers a retry with the same key and input with the first result and writes nothing', async () => {
    const first = await createWidget(contextOf(manager), 'key-1', 'first');
    const retry = await createWidget(contextOf(manager), 'key-1', 'first');
    expect(retry).toEqual(first);
    expect(await widgets()).toHaveLength(1);
    expect(await idempotencyRows()).toBe(1);
    expect(audit.records.size).toBe(1);
  });

  it('refuses the same key with different input, and keeps keys apart per staff member', async () => {
    await createWidget(contextOf(manager), 'key-1', 'first');
    const error = await rejection(createWidget(contextOf(manager), 'key-1', 'second'));
    expect(error.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', action: 'customer.create' });
    // Another manager's key-1 is another key.
    const colleague: Caller = { ...manager, staffId: '502' };
    expect(await createWidget(contextOf(colleague), 'key-1', 'second')).toEqual({ widgetId: 2 });
    expect((await widgets()).map((widget) => widget.name)).toEqual(['first', 'second']);
  });

  it('writes once when two identical requests arrive at the same time', async () => {
    const results = await Promise.all([1, 2, 3].map(() => createWidget(contextOf(manager), 'same-key', 'concurrent')));
    expect(results).toEqual([{ widgetId: 1 }, { widgetId: 1 }, { widgetId: 1 }]);
    expect(await widgets()).toEqual([{ id: 1, name: 'concurrent', version: 1 }]);
    expect(await idempotencyRows()).toBe(1);
    expect(audit.records.size).toBe(1);
  });

  it('gives different keys at the same time different ids', async () => {
    const results = await Promise.all(['a', 'b', 'c'].map((key) => createWidget(contextOf(manager), key, `widget ${key}`)));
    expect(results.map((result) => result.widgetId).sort()).toEqual([1, 2, 3]);
  });

  it('leaves nothing behind when the change fails: no row, no key, no audit record, and the key can be used again', async () => {
    await expect(createWidget(contextOf(manager), 'key-1', 'first', new Error('boom'))).rejects.toThrow('boom');
    expect(await widgets()).toEqual([]);
    expect(await idempotencyRows()).toBe(0);
    expect(audit.records.size).toBe(0);
    expect(await handedOver()).toEqual([]);
    expect(await createWidget(contextOf(manager), 'key-1', 'first')).toEqual({ widgetId: 1 });
  });

  it('refuses the write when the audit queue cannot take its record', async () => {
    const full = new RecordingChangeAudit(0);
    const error = await rejection(createWidget(contextOf(manager, full), 'key-1', 'first'));
    expect(error.extensions).toEqual({ code: 'AUDIT_UNAVAILABLE' });
    expect(await widgets()).toEqual([]);
    expect(await idempotencyRows()).toBe(0);
  });

  it('refuses an action the role may not perform with FORBIDDEN_ACTION, writes nothing, and audits the refusal', async () => {
    const error = await rejection(createWidget(contextOf(hotline), 'key-1', 'first'));
    expect(error.extensions).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'customer.create', reason: 'NOT_GRANTED', policyVersion: policy.version });
    expect(await widgets()).toEqual([]);
    expect(await idempotencyRows()).toBe(0);
    const [refusal] = [...audit.records.values()];
    expect(refusal).toMatchObject({ decision: 'DENY', rule: 'customer.create/HOTLINE_AGENT/not-granted', change: { beforeVersion: null, afterVersion: null } });
    expect(error.extensions['decisionId']).toBe([...audit.records.keys()][0]);
  });

  it('refuses a stale version with CONFLICT and the current version, and updates at the version seen', async () => {
    await createWidget(contextOf(manager), 'create', 'first');
    expect(await renameWidget(contextOf(manager), 'rename-1', 1, 1, 'renamed')).toEqual({ widgetId: 1 });
    const error = await rejection(renameWidget(contextOf(manager), 'rename-2', 1, 1, 'lost update'));
    expect(error.extensions).toEqual({ code: 'CONFLICT', entity: 'Widget', expectedVersion: 1, currentVersion: 2 });
    expect(await widgets()).toEqual([{ id: 1, name: 'renamed', version: 2 }]);
  });

  it('lets only one of two updates at the same version win', async () => {
    await createWidget(contextOf(manager), 'create', 'first');
    const outcomes = await Promise.allSettled([
      renameWidget(contextOf(manager), 'rename-a', 1, 1, 'a'),
      renameWidget(contextOf(manager), 'rename-b', 1, 1, 'b'),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect((rejected?.reason as GraphQLError).extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    expect((await widgets())[0]!.version).toBe(2);
  });

  it('answers NOT_FOUND for a record that does not exist', async () => {
    const error = await rejection(renameWidget(contextOf(manager), 'rename', 99, 1, 'x'));
    expect(error.extensions).toEqual({ code: 'NOT_FOUND', entity: 'Widget', argumentName: 'id' });
  });

  it.each([
    ['', 'must be a non-empty string, e.g. a UUID'],
    [42, 'must be a non-empty string, e.g. a UUID'],
    ['x'.repeat(129), 'must be at most 128 characters'],
    ['has space', 'must be printable ASCII without spaces, e.g. a UUID'],
  ])('refuses the idempotency key %j with BAD_USER_INPUT naming it', async (key, reason) => {
    const error = await rejection(createWidget(contextOf(manager), key, 'first'));
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'idempotencyKey', reason });
    expect(await widgets()).toEqual([]);
  });
});
