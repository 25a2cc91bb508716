import knex, { type Knex } from 'knex';
import { migrateToLatest, type Migration } from '../migrations';

const CREATE_NOTES: Migration = {
  name: '001_notes',
  up: (db) => db.schema.createTable('notes', (table) => table.increments('id')),
  down: (db) => db.schema.dropTable('notes'),
};
const CREATE_TAGS: Migration = {
  name: '002_tags',
  up: (db) => db.schema.createTable('tags', (table) => table.increments('id')),
  down: (db) => db.schema.dropTable('tags'),
};

describe('migrateToLatest', () => {
  let db: Knex;
  beforeEach(() => {
    db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('gets past a lock table left with two rows by processes that migrated a fresh store at the same moment', async () => {
    await migrateToLatest(db, [CREATE_NOTES]);
    // What the race leaves: each process found the lock table empty and inserted its row.
    await db('knex_migrations_lock').insert({ is_locked: 0 });

    // The attempt that meets it fails as knex does (the caller retries: prepareStoresWhenReachable)…
    await expect(migrateToLatest(db, [CREATE_NOTES, CREATE_TAGS])).rejects.toMatchObject({ name: 'MigrationLocked' });
    // …and the next one goes through.
    await migrateToLatest(db, [CREATE_NOTES, CREATE_TAGS]);
    expect(await db.schema.hasTable('tags')).toBe(true);
    expect(await db('knex_migrations_lock').select('is_locked')).toEqual([{ is_locked: 0 }]);
  });

  it('leaves a lock another process holds alone', async () => {
    await migrateToLatest(db, [CREATE_NOTES]);
    await db('knex_migrations_lock').update({ is_locked: 1 });
    await expect(migrateToLatest(db, [CREATE_NOTES, CREATE_TAGS])).rejects.toMatchObject({ name: 'MigrationLocked' });
    expect(await db('knex_migrations_lock').select('is_locked')).toEqual([{ is_locked: 1 }]);
    expect(await db.schema.hasTable('tags')).toBe(false);
  });
});
