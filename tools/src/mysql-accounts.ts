/**
 * The MySQL accounts of a deployment, derived from the subgraph manifests: one per subgraph with rights on its own
 * database only, the gateway's, the audit writer (INSERT, SELECT on the audit store) and the migration account the
 * seed runs with. `provisionMysqlAccounts` creates them (or resets their passwords) as the server's administrator.
 */
import {
  ConfigError,
  AUDIT_MIGRATIONS,
  AUDIT_STORE,
  databaseNameFor,
  ensureMysqlDatabase,
  migrateToLatest,
  openDatabase,
  type DatabaseConfig,
} from '@icg/shared';
import { PERSISTED_OPERATIONS_MIGRATIONS_TABLE, PERSISTED_OPERATIONS_TABLE, migratePersistedOperations } from '@icg/gateway';

export type MysqlAccountRole = 'migrator' | 'subgraph' | 'gateway' | 'audit-writer';

/** One grant: privileges on a whole database (`table` unset) or on one of its tables. */
export interface MysqlGrant {
  privileges: readonly string[];
  database: string;
  table?: string;
}

export interface MysqlAccount {
  role: MysqlAccountRole;
  /** The subgraph the account serves (role `subgraph` only). */
  subgraph?: string;
  user: string;
  /** The environment variable (written into `.env` by `npm run compose:env`) holding the account's password. */
  passwordVariable: string;
  grants: readonly MysqlGrant[];
}

/** What migrations need on a database: its tables, indexes and foreign keys, and (seed --reset) dropping it. */
// CREATE VIEW and SHOW VIEW: a migration may define views (the hotline's monthly report reads three).
const MIGRATOR_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'ALTER', 'INDEX', 'REFERENCES', 'CREATE VIEW', 'SHOW VIEW'];
/** A subgraph reads and writes its rows and migrates its own tables at start; it cannot drop its database. */
const SUBGRAPH_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'ALTER', 'INDEX', 'REFERENCES', 'CREATE VIEW', 'SHOW VIEW'];
/** Append-only: the audit writer can neither change nor delete a record. */
const AUDIT_WRITER_PRIVILEGES = ['INSERT', 'SELECT'];
/** knex's bookkeeping tables, in every migrated database. */
const MIGRATIONS_TABLE = 'knex_migrations';
const MIGRATIONS_LOCK_TABLE = 'knex_migrations_lock';
/** MySQL's longest user name. */
const MAX_USER_LENGTH = 32;

/**
 * Every serving process runs the audit store's migrations at start. Once the migration account has applied them,
 * that is a check which reads knex's list and takes and releases its lock: no right on the audit records themselves.
 */
function auditMigrationCheckGrants(auditDatabase: string): MysqlGrant[] {
  return [
    { privileges: ['SELECT'], database: auditDatabase, table: MIGRATIONS_TABLE },
    { privileges: ['SELECT', 'UPDATE'], database: auditDatabase, table: MIGRATIONS_LOCK_TABLE },
  ];
}

/**
 * The gateway's registry of persisted operations, a table of the audit store (README "For BI users"): registered
 * documents are only ever added and read; its migrations, applied at provisioning, are only checked.
 */
function persistedOperationsGrants(auditDatabase: string): MysqlGrant[] {
  return [
    { privileges: ['SELECT', 'INSERT'], database: auditDatabase, table: PERSISTED_OPERATIONS_TABLE },
    { privileges: ['SELECT'], database: auditDatabase, table: PERSISTED_OPERATIONS_MIGRATIONS_TABLE },
    { privileges: ['SELECT', 'UPDATE'], database: auditDatabase, table: `${PERSISTED_OPERATIONS_MIGRATIONS_TABLE}_lock` },
  ];
}

/** `service-requests` → `SERVICE_REQUESTS_DB_PASSWORD`, like the manifests' other per-subgraph variables. */
function passwordVariableFor(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_DB_PASSWORD`;
}

/** The accounts for `subgraphs` under MYSQL_DATABASE_PREFIX `config.mysqlDatabasePrefix` (also the users' prefix). */
export function graphMysqlAccounts(config: Pick<DatabaseConfig, 'mysqlDatabasePrefix'>, subgraphs: readonly string[]): MysqlAccount[] {
  const prefix = config.mysqlDatabasePrefix;
  const database = (store: string) => databaseNameFor({ ...config, mysqlUrl: undefined, dataDir: '', poolMax: 1 }, store);
  const auditDatabase = database(AUDIT_STORE);
  const accounts: MysqlAccount[] = [
    {
      role: 'migrator',
      user: `${prefix}migrator`,
      passwordVariable: passwordVariableFor('migrator'),
      grants: [...subgraphs, AUDIT_STORE].map((store) => ({ privileges: MIGRATOR_PRIVILEGES, database: database(store) })),
    },
    {
      role: 'audit-writer',
      user: `${prefix}audit_writer`,
      passwordVariable: passwordVariableFor('audit-writer'),
      grants: [{ privileges: AUDIT_WRITER_PRIVILEGES, database: auditDatabase }],
    },
    {
      role: 'gateway',
      user: `${prefix}gateway`,
      passwordVariable: passwordVariableFor('gateway'),
      grants: [...auditMigrationCheckGrants(auditDatabase), ...persistedOperationsGrants(auditDatabase)],
    },
    ...subgraphs.map((subgraph): MysqlAccount => ({
      role: 'subgraph',
      subgraph,
      user: database(subgraph),
      passwordVariable: passwordVariableFor(subgraph),
      grants: [{ privileges: SUBGRAPH_PRIVILEGES, database: database(subgraph) }, ...auditMigrationCheckGrants(auditDatabase)],
    })),
  ];
  const seen = new Set<string>();
  for (const { user, passwordVariable } of accounts) {
    if (user.length > MAX_USER_LENGTH) throw new Error(`MySQL user name ${user} is longer than ${MAX_USER_LENGTH} characters: shorten the subgraph's name`);
    if (seen.has(user) || seen.has(passwordVariable)) throw new Error(`MySQL user ${user} (${passwordVariable}) is claimed twice: rename the subgraph`);
    seen.add(user).add(passwordVariable);
  }
  return accounts;
}

const quoteIdentifier = (name: string) => `\`${name.replace(/`/g, '``')}\``;

/** The user is bound as a parameter. */
function grantStatement(grant: MysqlGrant): string {
  const on = `${quoteIdentifier(grant.database)}.${grant.table === undefined ? '*' : quoteIdentifier(grant.table)}`;
  return `GRANT ${grant.privileges.join(', ')} ON ${on} TO ?@'%'`;
}

/** Passwords by variable; one missing is named. */
export type AccountPasswords = Readonly<Record<string, string | undefined>>;

function passwordOf(account: MysqlAccount, passwords: AccountPasswords): string {
  const password = passwords[account.passwordVariable];
  if (!password) throw new ConfigError(account.passwordVariable, 'is not set: run npm run compose:env');
  return password;
}

/**
 * As the administrator at `adminUrl`: creates the databases of `subgraphs` and the audit store, migrates the audit
 * store (the serving accounts' grants name its knex tables), then creates each account or resets its password to the
 * given one (so a regenerated `.env` takes effect) and leaves it exactly the rights listed. Idempotent.
 */
export async function provisionMysqlAccounts(
  adminUrl: string,
  config: Pick<DatabaseConfig, 'mysqlDatabasePrefix' | 'dataDir'>,
  subgraphs: readonly string[],
  passwords: AccountPasswords,
): Promise<MysqlAccount[]> {
  const accounts = graphMysqlAccounts(config, subgraphs);
  const resolved = accounts.map((account) => ({ account, password: passwordOf(account, passwords) }));
  const admin: DatabaseConfig = { ...config, mysqlUrl: adminUrl, poolMax: 1 };
  for (const store of [...subgraphs, AUDIT_STORE]) await ensureMysqlDatabase(admin, store);
  // Statements on accounts are server-wide; the audit store's connection serves for them too.
  const db = openDatabase(admin, AUDIT_STORE);
  try {
    await migrateToLatest(db, AUDIT_MIGRATIONS);
    await migratePersistedOperations(db);
    for (const { account, password } of resolved) {
      await db.raw(`CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?`, [account.user, password]);
      await db.raw(`ALTER USER ?@'%' IDENTIFIED BY ?`, [account.user, password]);
      await db.raw(`REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@'%'`, [account.user]);
      for (const grant of account.grants) await db.raw(grantStatement(grant), [account.user]);
    }
  } finally {
    await db.destroy();
  }
  return accounts;
}
