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

  async version(): Promise<string> {
    const [rows] = await this.connection.query('SELECT VERSION() AS version');
    return String((rows as { version: string }[])[0]?.version ?? 'unknown');
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
