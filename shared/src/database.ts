import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import knex, { type Knex } from 'knex';
import { DEFAULT_POOL_ACQUIRE_TIMEOUT_MS, DEFAULT_POOL_QUEUE_MAX, type DatabaseConfig } from './config';

export type { Knex };

export type DatabaseDialect = 'sqlite' | 'mysql';

/** Each system owns its own database: `icg_service_requests` on MySQL, `data/service-requests.sqlite` by default. */
export function databaseNameFor(config: DatabaseConfig, store: string): string {
  return `${config.mysqlDatabasePrefix}${store.replace(/-/g, '_')}`;
}

export function sqliteFileFor(config: DatabaseConfig, store: string): string {
  return resolve(config.dataDir, `${store}.sqlite`);
}

export function dialectOf(db: Knex): DatabaseDialect {
  const client = String(db.client.config.client);
  return client === 'mysql2' || client === 'mysql' ? 'mysql' : 'sqlite';
}

/** Where a store lives, for messages: never includes a password. */
export function describeDatabase(config: DatabaseConfig, store: string): string {
  if (!config.mysqlUrl) return sqliteFileFor(config, store);
  const url = new URL(config.mysqlUrl);
  const credentials = url.username ? `${url.username}${url.password ? ':***' : ''}@` : '';
  return `${url.protocol}//${credentials}${url.host}/${databaseNameFor(config, store)}`;
}

/** knex logs pool errors to the console; the subgraph logs database state itself (without SQL). */
const quietKnexLog = { warn() {}, error() {}, deprecate() {}, debug() {} };

function mysqlConnection(mysqlUrl: string, database?: string): Knex.MySql2ConnectionConfig {
  const url = new URL(mysqlUrl);
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    ...(database ? { database } : {}),
    charset: 'utf8mb4',
    // DATETIME columns are written and read as UTC strings so both dialects agree.
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    connectTimeout: 5_000,
  };
}

/**
 * Creates the store's MySQL database if missing. Separate from `openDatabase` so the caller decides
 * when to touch the server (at start-up, retried while the server is down).
 */
export async function ensureMysqlDatabase(config: DatabaseConfig, store: string): Promise<void> {
  if (!config.mysqlUrl) return;
  const admin = knex({ client: 'mysql2', connection: mysqlConnection(config.mysqlUrl), pool: { min: 0, max: 1 }, log: quietKnexLog });
  try {
    // A serving account may lack CREATE on a database provisioned for it (the audit store): look before creating.
    const [existing] = (await admin.raw('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [databaseNameFor(config, store)])) as [unknown[]];
    if (existing.length > 0) return;
    await admin.raw('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_bin', [databaseNameFor(config, store)]);
  } finally {
    await admin.destroy();
  }
}

export async function dropMysqlDatabase(config: DatabaseConfig, store: string): Promise<void> {
  if (!config.mysqlUrl) return;
  const admin = knex({ client: 'mysql2', connection: mysqlConnection(config.mysqlUrl), pool: { min: 0, max: 1 }, log: quietKnexLog });
  try {
    await admin.raw('DROP DATABASE IF EXISTS ??', [databaseNameFor(config, store)]);
  } finally {
    await admin.destroy();
  }
}

/**
 * A knex instance for one store. No connection is made here: knex connects on first use, so a
 * process can start (and serve /health) while its database is still down.
 */
export function openDatabase(config: DatabaseConfig, store: string): Knex {
  const acquireConnectionTimeout = config.poolAcquireTimeoutMs ?? DEFAULT_POOL_ACQUIRE_TIMEOUT_MS;
  const queueMax = config.poolQueueMax ?? DEFAULT_POOL_QUEUE_MAX;
  if (config.mysqlUrl) {
    return boundPoolQueue(
      knex({
        client: 'mysql2',
        connection: mysqlConnection(config.mysqlUrl, databaseNameFor(config, store)),
        pool: { min: 0, max: config.poolMax },
        acquireConnectionTimeout,
        log: quietKnexLog,
      }),
      store,
      queueMax,
    );
  }
  const filename = sqliteFileFor(config, store);
  mkdirSync(join(filename, '..'), { recursive: true });
  const db = knex({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    // One connection: better-sqlite3 is synchronous, more connections only add lock contention.
    pool: {
      min: 1,
      max: 1,
      afterCreate(connection: { pragma(statement: string): unknown }, done: (error: Error | null, connection: unknown) => void) {
        connection.pragma('journal_mode = WAL');
        connection.pragma('synchronous = NORMAL');
        connection.pragma('foreign_keys = ON');
        connection.pragma('busy_timeout = 5000');
        done(null, connection);
      },
    },
    acquireConnectionTimeout,
    log: quietKnexLog,
  });
  return boundPoolQueue(db, store, queueMax);
}

/**
 * A query refused because too many are already waiting for a connection. Reported to callers as
 * DATABASE_UNAVAILABLE (isDatabaseUnavailableError), as a pool timeout is: either way, try again shortly.
 */
export class DatabasePoolQueueFullError extends Error {
  override readonly name = 'DatabasePoolQueueFullError';
  readonly code = 'DB_POOL_QUEUE_FULL';
  constructor(store: string, queueMax: number) {
    super(`The ${store} database has ${queueMax} queries waiting for a connection already`);
  }
}

/** What knex's client exposes of its tarn pool: the queries waiting for a connection. */
interface PooledClient {
  acquireConnection(): Promise<unknown>;
  pool?: { numPendingAcquires(): number } | null;
}

/**
 * Bounds the queue in front of the pool. knex (tarn) queues every query that finds the pool busy, with no
 * limit: under overload the queue, and every request's latency with it, grows until the acquire timeout
 * fires. Past `queueMax` waiting queries, a query fails at once instead, so an exhausted pool answers.
 */
function boundPoolQueue(db: Knex, store: string, queueMax: number): Knex {
  const client = db.client as PooledClient;
  const acquire = client.acquireConnection.bind(client);
  client.acquireConnection = () => {
    if ((client.pool?.numPendingAcquires() ?? 0) >= queueMax) return Promise.reject(new DatabasePoolQueueFullError(store, queueMax));
    return acquire();
  };
  return db;
}

/** The part of a better-sqlite3 connection the fast insert path uses. */
interface SqliteConnection {
  prepare(sql: string): { run(values: unknown[]): unknown };
}

/** As knex binds values for better-sqlite3: dates as epoch milliseconds, booleans as 0/1. */
function sqliteValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return Number(value);
  if (value instanceof Date) return value.valueOf();
  return value;
}

/**
 * SQLite: one prepared single-row INSERT run per row on the transaction's connection. knex would
 * compile every chunk into one huge compound SELECT and prepare it afresh, which cost more than the
 * writing itself (the audit trail writes on the request path's event loop).
 */
async function insertIntoSqlite(db: Knex.Transaction, table: string, rows: readonly object[]): Promise<void> {
  // Every row's columns, as knex would insert them (a column a row lacks is written as null).
  const columnSet = new Set<string>();
  for (const row of rows) for (const column of Object.keys(row)) columnSet.add(column);
  const columns = [...columnSet];
  const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
  const sql = `insert into ${quoted(table)} (${columns.map(quoted).join(', ')}) values (${columns.map(() => '?').join(', ')})`;
  const connection = (await db.client.acquireConnection()) as SqliteConnection;
  try {
    const statement = connection.prepare(sql);
    for (const row of rows) statement.run(columns.map((column) => sqliteValue((row as Record<string, unknown>)[column])));
  } finally {
    await db.client.releaseConnection(connection);
  }
}

/**
 * Inserts rows in chunks that stay under both dialects' bound-parameter
 * limits. On SQLite inside a transaction, rows go through one prepared statement instead.
 */
export async function insertInChunks<Row extends object>(db: Knex | Knex.Transaction, table: string, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  if (dialectOf(db as Knex) === 'sqlite' && (db as Knex.Transaction).isTransaction) return insertIntoSqlite(db as Knex.Transaction, table, rows);
  const columns = Object.keys(rows[0]!).length || 1;
  // SQLite allows 32,766 bound parameters, MySQL 65,535; stay well below. knex writes a multi-row
  // SQLite insert as one compound SELECT, which SQLite caps at 500 terms.
  const rowLimit = dialectOf(db as Knex) === 'sqlite' ? 500 : Number.MAX_SAFE_INTEGER;
  const chunkSize = Math.max(1, Math.min(rowLimit, Math.floor(30_000 / columns)));
  for (let start = 0; start < rows.length; start += chunkSize) {
    await db.table(table).insert(rows.slice(start, start + chunkSize) as Row[]);
  }
}
