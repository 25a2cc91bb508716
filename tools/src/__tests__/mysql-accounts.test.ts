import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import {
  AUDIT_MIGRATIONS,
  AUDIT_STORE,
  AUDIT_TABLE,
  dropMysqlDatabase,
  ensureMysqlDatabase,
  migrateToLatest,
  openDatabase,
  type DatabaseConfig,
  type Knex,
} from '@icg/shared';
import { SUBGRAPH_REGISTRY } from '../subgraph-registry';
import { newDockerSecret } from '../docker-env';
import { PERSISTED_OPERATIONS_TABLE, PersistedOperationRegistry } from '@icg/gateway';
import { graphMysqlAccounts, provisionMysqlAccounts, type MysqlAccount } from '../mysql-accounts';

const adminUrl = process.env.MYSQL_URL;
const SUBGRAPHS = SUBGRAPH_REGISTRY.map(({ manifest }) => manifest.name);
const manifestOf = (name: string) => SUBGRAPH_REGISTRY.find(({ manifest }) => manifest.name === name)!.manifest;
const ACCESS_DENIED = { code: expect.stringMatching(/ACCESS_DENIED/) as unknown };

// MySQL accounts exist on a MySQL/MariaDB server only: this suite runs when MYSQL_URL is set.
(adminUrl ? describe : describe.skip)('MySQL accounts of docker-compose.yml, made by provision-mysql', () => {
  // Accounts are server-wide: a random prefix keeps parallel suites and earlier runs apart.
  const prefix = `icgt_${randomBytes(3).toString('hex')}_`;
  const dataDir = mkdtempSync(join(tmpdir(), 'icg-accounts-'));
  const accounts = graphMysqlAccounts({ mysqlDatabasePrefix: prefix }, SUBGRAPHS);
  const passwords: Record<string, string> = Object.fromEntries(accounts.map(({ passwordVariable }) => [passwordVariable, newDockerSecret()]));
  const opened: Knex[] = [];

  const account = (role: MysqlAccount['role'], subgraph?: string) => accounts.find((candidate) => candidate.role === role && candidate.subgraph === subgraph)!;
  /** What the service of `account` gets as MYSQL_URL. */
  function configAs(of: MysqlAccount, password = passwords[of.passwordVariable]!): DatabaseConfig {
    const url = new URL(adminUrl!);
    url.username = of.user;
    url.password = password;
    return { mysqlUrl: url.toString(), mysqlDatabasePrefix: prefix, dataDir, poolMax: 1 };
  }
  function connect(of: MysqlAccount, store: string, password?: string): Knex {
    const db = openDatabase(configAs(of, password), store);
    opened.push(db);
    return db;
  }
  /** As a serving process does at start (prepareStoresWhenReachable): create if missing, then migrate. */
  async function migrateAs(of: MysqlAccount, store: string, migrations: Parameters<typeof migrateToLatest>[1]): Promise<void> {
    await ensureMysqlDatabase(configAs(of), store);
    await migrateToLatest(connect(of, store), migrations);
  }

  beforeAll(async () => {
    await provisionMysqlAccounts(adminUrl!, { mysqlDatabasePrefix: prefix, dataDir }, SUBGRAPHS, passwords);
    // The seed service's part: every subgraph's tables, made by the migration account.
    for (const name of SUBGRAPHS) await migrateAs(account('migrator'), name, manifestOf(name).migrations);
  });

  afterAll(async () => {
    await Promise.all(opened.map((db) => db.destroy()));
    const admin: DatabaseConfig = { mysqlUrl: adminUrl, mysqlDatabasePrefix: prefix, dataDir, poolMax: 1 };
    const db = openDatabase(admin, AUDIT_STORE);
    try {
      for (const { user } of accounts) await db.raw(`DROP USER IF EXISTS ?@'%'`, [user]);
    } finally {
      await db.destroy();
    }
    for (const store of [...SUBGRAPHS, AUDIT_STORE]) await dropMysqlDatabase(admin, store);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(SUBGRAPHS)('the %s subgraph starts with its own account: it migrates its database and the audit store check passes', async (name) => {
    const own = account('subgraph', name);
    await migrateAs(own, name, manifestOf(name).migrations);
    await migrateAs(own, AUDIT_STORE, AUDIT_MIGRATIONS);
    // And uses its tables: knex's own bookkeeping is one of them.
    await expect(connect(own, name)('knex_migrations').count({ n: '*' })).resolves.toEqual([{ n: manifestOf(name).migrations.length }]);
  });

  it("a subgraph's account cannot read another subgraph's database, nor the audit records, nor drop its own database", async () => {
    const customers = connect(account('subgraph', 'customers'), 'customers');
    await expect(customers.raw('SELECT * FROM ??.knex_migrations', [`${prefix}policies`])).rejects.toMatchObject(ACCESS_DENIED);
    await expect(customers.raw('SELECT * FROM ??.??', [`${prefix}audit`, AUDIT_TABLE])).rejects.toMatchObject(ACCESS_DENIED);
    await expect(customers.raw('DROP DATABASE ??', [`${prefix}customers`])).rejects.toMatchObject(ACCESS_DENIED);
  });

  it('the audit writer reads audit records but can neither change nor delete them, and reads no subgraph database', async () => {
    const writer = connect(account('audit-writer'), AUDIT_STORE);
    await expect(writer(AUDIT_TABLE).count({ n: '*' })).resolves.toEqual([{ n: 0 }]);
    await expect(writer(AUDIT_TABLE).update({ role: 'AUDITOR' })).rejects.toMatchObject(ACCESS_DENIED);
    await expect(writer(AUDIT_TABLE).delete()).rejects.toMatchObject(ACCESS_DENIED);
    await expect(writer.raw('SELECT * FROM ??.knex_migrations', [`${prefix}customers`])).rejects.toMatchObject(ACCESS_DENIED);
  });

  it("the gateway's account registers and reads persisted operations, and can neither change nor delete one", async () => {
    const gateway = connect(account('gateway'), AUDIT_STORE);
    const registry = new PersistedOperationRegistry(gateway, async () => true);
    const document = '{ __typename }';
    const sha256Hash = createHash('sha256').update(document).digest('hex');
    const operation = {
      sha256Hash,
      document,
      operationNames: [],
      registeredBy: '1',
      registeredRole: 'AUDITOR',
      registeredAt: new Date().toISOString(),
      policyVersion: 'test',
    };
    await expect(registry.register(operation)).resolves.toMatchObject({ created: true });
    await expect(new PersistedOperationRegistry(gateway, async () => true).find(sha256Hash)).resolves.toMatchObject({ document });
    await expect(gateway(PERSISTED_OPERATIONS_TABLE).update({ document: '{ x }' })).rejects.toMatchObject(ACCESS_DENIED);
    await expect(gateway(PERSISTED_OPERATIONS_TABLE).delete()).rejects.toMatchObject(ACCESS_DENIED);
  });

  it("the gateway's account passes the audit store check and reads nothing else", async () => {
    const gateway = account('gateway');
    await migrateAs(gateway, AUDIT_STORE, AUDIT_MIGRATIONS);
    await expect(connect(gateway, AUDIT_STORE)(AUDIT_TABLE).count({ n: '*' })).rejects.toMatchObject(ACCESS_DENIED);
    await expect(connect(gateway, AUDIT_STORE).raw('SELECT * FROM ??.knex_migrations', [`${prefix}claims`])).rejects.toMatchObject(ACCESS_DENIED);
  });

  it('provisioning again with a regenerated password resets the account to it', async () => {
    const claims = account('subgraph', 'claims');
    const previous = passwords[claims.passwordVariable]!;
    passwords[claims.passwordVariable] = newDockerSecret();
    await provisionMysqlAccounts(adminUrl!, { mysqlDatabasePrefix: prefix, dataDir }, SUBGRAPHS, passwords);
    await expect(connect(claims, 'claims').raw('SELECT 1')).resolves.toBeDefined();
    await expect(connect(claims, 'claims', previous).raw('SELECT 1')).rejects.toMatchObject(ACCESS_DENIED);
  });

  it('names the missing password variable instead of creating an account without one', async () => {
    const { CUSTOMERS_DB_PASSWORD: _omitted, ...withoutCustomers } = passwords;
    await expect(provisionMysqlAccounts(adminUrl!, { mysqlDatabasePrefix: prefix, dataDir }, SUBGRAPHS, withoutCustomers)).rejects.toThrow(
      'CUSTOMERS_DB_PASSWORD is not set: run npm run compose:env',
    );
  });
});
