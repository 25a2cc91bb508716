import Database from 'better-sqlite3';
import { createPool, type Pool } from 'mysql2/promise';
import { databaseNameFor, sqliteFileFor, type DatabaseConfig } from '@icg/shared';

/** The five systems' databases, read directly by the reference server (the same tables the subgraphs own). */
export const REFERENCE_STORES = ['customers', 'policies', 'claims', 'service-requests', 'complaints'] as const;
export type ReferenceStoreName = (typeof REFERENCE_STORES)[number];

export type SqlValue = string | number;

/** Plain reads over the five databases, counting every statement it sends. */
export interface ReferenceStore {
  readonly dialect: 'mysql' | 'sqlite';
  select<Row>(store: ReferenceStoreName, sql: string, params: readonly SqlValue[]): Promise<Row[]>;
  /** Statements sent since start: the benchmark's exact SQL count for this server. */
  statementCount(): number;
  /** Resolves once every database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The options the subgraphs' knex connections use (shared/src/database.ts), so values come back in the same shapes:
 * DATETIME as UTC strings, DECIMAL as numbers.
 */
function mysqlPool(mysqlUrl: string, database: string, connectionLimit: number): Pool {
  const url = new URL(mysqlUrl);
  return createPool({
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database,
    charset: 'utf8mb4',
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    connectTimeout: 5_000,
    connectionLimit,
  });
}

function openMysql(config: DatabaseConfig & { mysqlUrl: string }): ReferenceStore {
  let statements = 0;
  const pools = new Map<ReferenceStoreName, Pool>(
    REFERENCE_STORES.map((store) => [store, mysqlPool(config.mysqlUrl, databaseNameFor(config, store), config.poolMax)]),
  );
  const poolOf = (store: ReferenceStoreName): Pool => pools.get(store)!;
  return {
    dialect: 'mysql',
    async select<Row>(store: ReferenceStoreName, sql: string, params: readonly SqlValue[]): Promise<Row[]> {
      statements++;
      // query (text protocol), as knex sends it: counted by MariaDB's Com_select like the subgraphs' statements.
      const [rows] = await poolOf(store).query(sql, params as SqlValue[]);
      return rows as Row[];
    },
    statementCount: () => statements,
    async ping() {
      for (const pool of pools.values()) await pool.query('SELECT 1');
    },
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.end()));
    },
  };
}

function openSqlite(config: DatabaseConfig): ReferenceStore {
  let statements = 0;
  const databases = new Map<ReferenceStoreName, Database.Database>(
    REFERENCE_STORES.map((store) => {
      // Read-write mode although it only reads: a read-only handle cannot join a WAL database whose -shm file it would have to create.
      const database = new Database(sqliteFileFor(config, store), { fileMustExist: true });
      database.pragma('busy_timeout = 5000');
      return [store, database];
    }),
  );
  // Prepared once per SQL text: the loaders send a handful of shapes (one per IN-list length).
  const prepared = new Map<string, Database.Statement>();
  return {
    dialect: 'sqlite',
    async select<Row>(store: ReferenceStoreName, sql: string, params: readonly SqlValue[]): Promise<Row[]> {
      statements++;
      const key = `${store}\n${sql}`;
      let statement = prepared.get(key);
      if (!statement) {
        statement = databases.get(store)!.prepare(sql);
        prepared.set(key, statement);
      }
      return statement.all(...params) as Row[];
    },
    statementCount: () => statements,
    async ping() {
      for (const database of databases.values()) database.prepare('SELECT 1').get();
    },
    async close() {
      for (const database of databases.values()) database.close();
    },
  };
}

/** MySQL/MariaDB when the config names a server (one pool per database, DB_POOL_MAX each), else the SQLite files. */
export function openReferenceStore(config: DatabaseConfig): ReferenceStore {
  return config.mysqlUrl ? openMysql({ ...config, mysqlUrl: config.mysqlUrl }) : openSqlite(config);
}
