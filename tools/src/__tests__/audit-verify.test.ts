import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  AUDIT_STORE,
  AUDIT_TABLE,
  AuditCheckpointer,
  AuditWriter,
  CURRENT_AUDIT_FORMAT,
  auditRowToContent,
  dropMysqlDatabase,
  hashAuditRecord,
  openAuditStore,
  type AuditRecordContent,
  type DatabaseConfig,
  type Knex,
} from '@icg/shared';
import { freePort } from '../free-port';
import { createTestDatabases, TEST_DIALECTS, type TestDatabases } from '../../../tests/support/test-database';
import { runAuditVerify } from '../audit-verify';

const REPO = resolve(__dirname, '../../..');
const BUILT_CLI = join(REPO, 'tools/dist/audit-verify.js');
const SECRET = 'audit-verify-test-secret-0123456789';
const CHAIN_KEY = 'audit-verify-test-chain-key-01234567';

/** Where the writers checkpoint by default: `<DATA_DIR>/audit-checkpoints.jsonl`. */
function checkpointPathOf(config: DatabaseConfig): string {
  return join(config.dataDir, 'audit-checkpoints.jsonl');
}

function settingsOf(config: DatabaseConfig) {
  return { chainKey: CHAIN_KEY, checkpointPath: checkpointPathOf(config) };
}

/** Whether `npm run build` (which `npm test` runs first) has built the CLI and the shared audit module. */
function cliIsBuilt(): boolean {
  return existsSync(BUILT_CLI) && existsSync(join(REPO, 'shared/dist/audit/verify-audit-chain.js'));
}

function runBuiltCli(config: DatabaseConfig): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: config.dataDir,
    AUDIT_CHAIN_KEY: CHAIN_KEY,
    MYSQL_DATABASE_PREFIX: config.mysqlDatabasePrefix,
    MYSQL_URL: config.mysqlUrl ?? '',
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BUILT_CLI], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolvePromise({ exitCode, stdout, stderr }));
  });
}

describe.each(TEST_DIALECTS)('npm run audit:verify on %s', (dialect) => {
  let databases: TestDatabases;
  let db: Knex;

  beforeAll(async () => {
    databases = createTestDatabases(dialect);
    db = await openAuditStore(databases.config);
    const log = { error() {}, warn() {} };
    for (const chain of ['customers#1', 'claims#2']) {
      const checkpoints = new AuditCheckpointer({
        path: checkpointPathOf(databases.config),
        chainKey: CHAIN_KEY,
        intervalMs: 60_000,
        onError: () => undefined,
      });
      const writer = new AuditWriter({ db, chain, pseudonymSecret: SECRET, chainKey: CHAIN_KEY, checkpoints, log, flushIntervalMs: 60_000 });
      for (let index = 1; index <= 6; index++) {
        writer.record({
          requestId: `req-${index}`,
          occurredAt: new Date(),
          staffId: '7',
          role: 'CLAIMS_ADJUSTER',
          purpose: 'CLAIM_HANDLING',
          operationName: null,
          operationHash: 'd'.repeat(64),
          coordinate: 'Customer.idNumber',
          recordKeys: [`Customer:${index}`, `Customer:${index + 100}`],
          decision: 'ALLOW',
          rule: 'CLAIMS_ADJUSTER:RESTRICTED',
          policyVersion: '1',
        });
      }
      await writer.close();
    }
  });

  afterAll(async () => {
    await db?.destroy();
    if (databases) {
      await dropMysqlDatabase(databases.config, AUDIT_STORE);
      await databases.cleanup();
    }
  });

  it('reports an intact store with exit code 0', async () => {
    expect(await runAuditVerify(databases.config, settingsOf(databases.config))).toEqual({
      exitCode: 0,
      message: 'audit chain intact: 12 records in 2 chains, consistent with the checkpoints',
    });
  });

  /** Removes the rows matching `where` while `check` runs, then puts them back as they were. */
  async function withRowsRemoved(where: (query: Knex.QueryBuilder) => Knex.QueryBuilder, check: () => Promise<void>): Promise<void> {
    const rows = (await where(db(AUDIT_TABLE)).select('*')) as Record<string, unknown>[];
    expect(rows.length).toBeGreaterThan(0);
    await where(db(AUDIT_TABLE)).delete();
    try {
      await check();
    } finally {
      await db(AUDIT_TABLE).insert(rows);
    }
    expect((await runAuditVerify(databases.config, settingsOf(databases.config))).exitCode).toBe(0);
  }

  it("reports a chain whose newest records were deleted, against the chain's checkpoint", async () => {
    await withRowsRemoved(
      (query) => query.where('chain', 'claims#2').andWhere('sequence', '>', 4),
      async () => {
        expect(await runAuditVerify(databases.config, settingsOf(databases.config))).toMatchObject({
          exitCode: 1,
          message: expect.stringMatching(/^audit chain disagrees with its checkpoints: chain claims#2 ends at sequence 4, but was checkpointed at sequence 6 /),
        });
      },
    );
  });

  it('reports a chain deleted as a whole', async () => {
    await withRowsRemoved(
      (query) => query.where('chain', 'customers#1'),
      async () => {
        expect(await runAuditVerify(databases.config, settingsOf(databases.config))).toMatchObject({
          exitCode: 1,
          message: expect.stringMatching(/^audit chain disagrees with its checkpoints: chain customers#1 has no records, but was checkpointed at sequence 6 /),
        });
      },
    );
  });

  /** Edits sequence 3 of claims#2 and recomputes every hash from there on with `key`, as a forger would. */
  async function withRewrittenChain(key: string, check: () => Promise<void>): Promise<void> {
    const original = (await db(AUDIT_TABLE).where('chain', 'claims#2').orderBy('sequence').select('*')) as Record<string, unknown>[];
    let prevHash = String(original[1]!.hash);
    for (const row of original.slice(2)) {
      const stored = auditRowToContent(row);
      if (stored.format !== CURRENT_AUDIT_FORMAT) throw new Error('expected keyed records');
      const content: AuditRecordContent = { ...stored.content, prevHash, ...(stored.content.sequence === 3 ? { decision: 'DENY' } : {}) };
      const hash = hashAuditRecord(key, content);
      await db(AUDIT_TABLE).where({ id: stored.id }).update({ decision: content.decision, prev_hash: prevHash, hash });
      prevHash = hash;
    }
    try {
      await check();
    } finally {
      for (const row of original) await db(AUDIT_TABLE).where({ id: row.id }).update({ decision: row.decision, prev_hash: row.prev_hash, hash: row.hash });
    }
  }

  it('reports a record edited and the chain recomputed from it onwards without the chain key', async () => {
    await withRewrittenChain('a-guessed-key-that-is-not-the-one', async () => {
      const outcome = await runAuditVerify(databases.config, settingsOf(databases.config));
      expect(outcome.exitCode).toBe(1);
      expect(outcome.message).toMatch(/^audit chain broken at record \d+ \(chain claims#2, sequence 3\): altered content/);
    });
  });

  it('reports a chain recomputed even with the chain key, by its checkpointed head', async () => {
    await withRewrittenChain(CHAIN_KEY, async () => {
      const outcome = await runAuditVerify(databases.config, settingsOf(databases.config));
      expect(outcome).toEqual({
        exitCode: 1,
        message: expect.stringMatching(/^audit chain disagrees with its checkpoints: chain claims#2: the record at sequence 6 is not the one checkpointed at /),
      });
    });
  });

  /** Alters one record's decision while `check` runs, then restores it. */
  async function withTamperedRecord(check: (id: number) => Promise<void>): Promise<void> {
    const target = (await db(AUDIT_TABLE).where({ chain: 'claims#2', sequence: 4 }).first('id', 'decision')) as { id: number; decision: string };
    await db(AUDIT_TABLE).where({ id: target.id }).update({ decision: 'DENY' });
    try {
      await check(Number(target.id));
    } finally {
      await db(AUDIT_TABLE).where({ id: target.id }).update({ decision: target.decision });
    }
  }

  it('names the tampered record with exit code 1', async () => {
    await withTamperedRecord(async (id) => {
      expect(await runAuditVerify(databases.config, settingsOf(databases.config))).toEqual({
        exitCode: 1,
        message: `audit chain broken at record ${id} (chain claims#2, sequence 4): altered content: the stored hash does not match the record\n(or AUDIT_CHAIN_KEY is not the key this chain was written with)`,
      });
    });
  });

  // The real command, as `npm run audit:verify` runs it.
  (cliIsBuilt() ? it : it.skip)(
    'as a built command, prints the verdict on stdout with exit code 0 or 1',
    async () => {
      expect(await runBuiltCli(databases.config)).toMatchObject({
        exitCode: 0,
        stdout: 'audit chain intact: 12 records in 2 chains, consistent with the checkpoints\n',
      });
      await withTamperedRecord(async (id) => {
        expect(await runBuiltCli(databases.config)).toMatchObject({
          exitCode: 1,
          stdout: expect.stringMatching(new RegExp(`^audit chain broken at record ${id} \\(chain claims#2, sequence 4\\): altered content`)),
        });
      });
    },
    30_000,
  );
});

describe('npm run audit:verify without a reachable store', () => {
  it('exits 2 with a message that names the store but no password', async () => {
    const port = await freePort();
    const config: DatabaseConfig = { mysqlUrl: `mysql://auditor:s3cret@127.0.0.1:${port}`, mysqlDatabasePrefix: 'icgt_none_', dataDir: 'unused', poolMax: 1 };
    const outcome = await runAuditVerify(config, { chainKey: CHAIN_KEY, checkpointPath: join(config.dataDir, 'none.jsonl') });
    expect(outcome.exitCode).toBe(2);
    expect(outcome.message).toMatch(new RegExp(`^audit verify could not read mysql://auditor:\\*\\*\\*@127\\.0\\.0\\.1:${port}/icgt_none_audit: `));
    expect(outcome.message).not.toContain('s3cret');
  });
});
