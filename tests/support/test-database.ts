import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { dropMysqlDatabase, SUBGRAPHS, type DatabaseConfig } from '@icg/shared';

/** True when the suite runs against MySQL/MariaDB (CI sets MYSQL_URL). */
export const usingMysql = Boolean(process.env.MYSQL_URL);
export const databaseLabel = usingMysql ? 'mysql' : 'sqlite';

export interface TestDatabases {
  config: DatabaseConfig;
  /** Drops the MySQL databases or deletes the SQLite folder. */
  cleanup(): Promise<void>;
}

/**
 * Fresh, isolated stores for one test file: a temp folder of SQLite files, or MySQL databases under
 * a random prefix so test files can run in parallel against one server.
 */
export function createTestDatabases(): TestDatabases {
  const dataDir = mkdtempSync(join(tmpdir(), 'icg-test-'));
  const config: DatabaseConfig = {
    mysqlUrl: process.env.MYSQL_URL,
    mysqlDatabasePrefix: `icgt_${randomBytes(4).toString('hex')}_`,
    dataDir,
    poolMax: 5,
  };
  return {
    config,
    async cleanup() {
      if (usingMysql) for (const subgraph of SUBGRAPHS) await dropMysqlDatabase(config, subgraph.name);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
