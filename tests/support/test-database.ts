import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AUDIT_STORE, dropMysqlDatabase, type DatabaseConfig } from '@icg/shared';
import { SUBGRAPH_REGISTRY } from '@icg/tools';

export type TestDialect = 'sqlite' | 'mysql';

/** True when MYSQL_URL points at a MySQL/MariaDB server (CI sets it). */
export const usingMysql = Boolean(process.env.MYSQL_URL);

/** Integration suites run on every dialect available: SQLite always, MySQL/MariaDB when MYSQL_URL is set. */
export const TEST_DIALECTS: readonly TestDialect[] = usingMysql ? ['sqlite', 'mysql'] : ['sqlite'];

export interface TestDatabases {
  dialect: TestDialect;
  config: DatabaseConfig;
  /** Drops the MySQL databases or deletes the SQLite folder. */
  cleanup(): Promise<void>;
}

/** Lets .ci/run prove the MySQL suite ran (it fails the build otherwise). */
function recordDialect(dialect: TestDialect): void {
  const report = process.env.ICG_TEST_REPORT;
  if (report) appendFileSync(report, `${dialect}\n`);
}

/**
 * Fresh, isolated stores for one suite: a temp folder of SQLite files, or MySQL databases under a
 * random prefix so suites can run in parallel against one server. Without an argument: MySQL when
 * MYSQL_URL is set, else SQLite.
 */
export function createTestDatabases(dialect: TestDialect = usingMysql ? 'mysql' : 'sqlite'): TestDatabases {
  if (dialect === 'mysql' && !usingMysql) throw new Error('MySQL tests need MYSQL_URL');
  recordDialect(dialect);
  const dataDir = mkdtempSync(join(tmpdir(), 'icg-test-'));
  const config: DatabaseConfig = {
    mysqlUrl: dialect === 'mysql' ? process.env.MYSQL_URL : undefined,
    mysqlDatabasePrefix: `icgt_${randomBytes(4).toString('hex')}_`,
    dataDir,
    poolMax: 5,
  };
  return {
    dialect,
    config,
    async cleanup() {
      // The audit store lives beside the subgraphs' stores under the same prefix: dropped with them.
      if (dialect === 'mysql')
        for (const store of [...SUBGRAPH_REGISTRY.map(({ manifest }) => manifest.name), AUDIT_STORE]) await dropMysqlDatabase(config, store);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
