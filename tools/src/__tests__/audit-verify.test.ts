import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AUDIT_STORE, AUDIT_TABLE, AuditWriter, dropMysqlDatabase, openAuditStore, type DatabaseConfig, type Knex } from '@icg/shared';
import { freePort } from '../../../tests/support/free-port';
import { createTestDatabases, TEST_DIALECTS, type TestDatabases } from '../../../tests/support/test-database';
import { runAuditVerify } from '../audit-verify';

const REPO = resolve(__dirname, '../../..');
const BUILT_CLI = join(REPO, 'tools/dist/audit-verify.js');
const SECRET = 'audit-verify-test-secret-0123456789';

/** Whether `npm run build` (which `npm test` runs first) has built the CLI and the shared audit module. */
function cliIsBuilt(): boolean {
  return existsSync(BUILT_CLI) && existsSync(join(REPO, 'shared/dist/audit/verify-audit-chain.js'));
}

function runBuiltCli(config: DatabaseConfig): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: config.dataDir,
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
      const writer = new AuditWriter({ db, chain, pseudonymSecret: SECRET, log, flushIntervalMs: 60_000 });
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
          recordKey: `Customer:${index}`,
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
    expect(await runAuditVerify(databases.config)).toEqual({ exitCode: 0, message: 'audit chain intact: 12 records in 2 chains' });
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
      expect(await runAuditVerify(databases.config)).toEqual({
        exitCode: 1,
        message: `audit chain broken at record ${id} (chain claims#2, sequence 4): altered content: the stored hash does not match the record`,
      });
    });
  });

  // The real command, as `npm run audit:verify` runs it.
  (cliIsBuilt() ? it : it.skip)(
    'as a built command, prints the verdict on stdout with exit code 0 or 1',
    async () => {
      expect(await runBuiltCli(databases.config)).toMatchObject({ exitCode: 0, stdout: 'audit chain intact: 12 records in 2 chains\n' });
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
    const outcome = await runAuditVerify(config);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.message).toMatch(new RegExp(`^audit verify could not read mysql://auditor:\\*\\*\\*@127\\.0\\.0\\.1:${port}/icgt_none_audit: `));
    expect(outcome.message).not.toContain('s3cret');
  });
});
