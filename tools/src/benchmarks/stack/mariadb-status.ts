import { createConnection, type Connection } from 'mysql2/promise';

/**
 * The database server's own counters, read over one connection of the benchmark's: statements of every
 * client, so a figure taken while others use the server includes their statements too.
 */
export class MariadbStatus {
  private constructor(private readonly connection: Connection) {}

  static async connect(mysqlUrl: string): Promise<MariadbStatus> {
    const url = new URL(mysqlUrl);
    const connection = await createConnection({
      host: url.hostname,
      port: url.port ? Number(url.port) : 3306,
      user: decodeURIComponent(url.username || 'root'),
      password: decodeURIComponent(url.password),
      connectTimeout: 5_000,
    });
    return new MariadbStatus(connection);
  }

  /** SELECT statements the server has run since it started (`Com_select`; SHOW statements are not among them). */
  async selects(): Promise<number> {
    const [rows] = await this.connection.query("SHOW GLOBAL STATUS LIKE 'Com_select'");
    return Number((rows as { Value: string }[])[0]?.Value ?? Number.NaN);
  }

  /** The server's version and its InnoDB buffer pool: at 1,000,000 customers the pool decides how much is read from disk, the redo log how often a bulk load waits on a checkpoint. */
  async version(): Promise<string> {
    const [rows] = await this.connection.query('SELECT VERSION() AS version, @@innodb_buffer_pool_size AS pool, @@innodb_log_file_size AS log');
    const row = (rows as { version: string; pool: number | string; log: number | string }[])[0];
    if (!row) return 'unknown';
    return `${row.version} (InnoDB buffer pool ${Math.round(Number(row.pool) / 1024 ** 2).toLocaleString('en')} MiB, redo log ${Math.round(Number(row.log) / 1024 ** 2).toLocaleString('en')} MiB)`;
  }

  /**
   * Other clients' sessions running a statement right now (not sleeping, not on a database named `ownPrefix…`, not
   * this one): a sign that someone else's statements are in the counters.
   */
  async busyForeignSessions(ownPrefix: string): Promise<number> {
    const [rows] = await this.connection.query(
      "SELECT COUNT(*) AS sessions FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND COMMAND <> 'Sleep' AND (DB IS NULL OR DB NOT LIKE ?)",
      [`${ownPrefix}%`],
    );
    return Number((rows as { sessions: number | string }[])[0]?.sessions ?? 0);
  }

  async close(): Promise<void> {
    await this.connection.end();
  }
}
