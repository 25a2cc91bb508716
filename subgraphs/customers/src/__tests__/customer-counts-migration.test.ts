/**
 * Migration 004 on a store that already holds customers (an upgrade, not a fresh store): it fills the per-branch
 * counts from the customer rows, to the same counts the writes keep, so `totalCount` is right from the first request.
 */
import { migrateToLatest, openDatabase, type Knex } from '@icg/shared';
import { DEFAULT_AS_OF, DEFAULT_SEED, seedStores } from '@icg/synthetic';
import { createTestDatabases, TEST_DIALECTS, type TestDatabases } from '../../../../tests/support/test-database';
import { CUSTOMER_COUNTS_TABLE } from '../customer-counts';
import { TEST_STORE } from './test-store';

const byGroup = async (db: Knex) =>
  (
    (await db(CUSTOMER_COUNTS_TABLE).select('branch_path', 'kind', 'blacklisted', 'customers').orderBy(['branch_path', 'kind', 'blacklisted'])) as Record<
      string,
      unknown
    >[]
  ).map((row) => ({
    branchPath: row['branch_path'],
    kind: row['kind'],
    blacklisted: Boolean(Number(row['blacklisted'])),
    customers: Number(row['customers']),
  }));

describe.each(TEST_DIALECTS)('the customer counts migration on a store with customers, %s', (dialect) => {
  let databases: TestDatabases;
  let db: Knex;
  beforeAll(async () => {
    databases = createTestDatabases(dialect);
    await seedStores({ config: databases.config, stores: [TEST_STORE], customers: 300, seed: DEFAULT_SEED, asOf: DEFAULT_AS_OF });
    db = openDatabase(databases.config, 'customers');
  }, 120_000);
  afterAll(async () => {
    await db?.destroy();
    await databases?.cleanup();
  });

  it('fills the counts the seeder kept, from the rows alone', async () => {
    const kept = await byGroup(db);
    expect(kept.reduce((sum, group) => sum + group.customers, 0)).toBe(300);
    // The store as it was before 004: no counts table, 004 not recorded.
    await db.schema.dropTable(CUSTOMER_COUNTS_TABLE);
    await db('knex_migrations').where({ name: '004_customer_counts' }).delete();
    await migrateToLatest(db, TEST_STORE.manifest.migrations);
    expect(await byGroup(db)).toEqual(kept);
  });
});
