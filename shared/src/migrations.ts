import type { Knex } from 'knex';

/** A migration compiled into the package (no file globbing, so it works from `src` under jest and from `dist`). */
export interface Migration {
  name: string;
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

class InlineMigrationSource implements Knex.MigrationSource<Migration> {
  constructor(private readonly migrations: readonly Migration[]) {}
  getMigrations(): Promise<Migration[]> {
    return Promise.resolve([...this.migrations]);
  }
  getMigrationName(migration: Migration): string {
    return migration.name;
  }
  getMigration(migration: Migration): Promise<Knex.Migration> {
    return Promise.resolve({ up: (db: Knex) => migration.up(db), down: (db: Knex) => migration.down(db) });
  }
}

/** knex's lock table: one row, `is_locked` 0 or 1. */
const MIGRATION_LOCK_TABLE = 'knex_migrations_lock';

/**
 * knex inserts its lock row when it finds the lock table empty, so processes migrating a fresh store at the same
 * moment can each insert one. With two rows the lock is never taken again (it must update exactly one row) and
 * every process fails with MigrationLocked for ever; keeping the first row lets the next attempt go through.
 */
async function keepOneMigrationLockRow(db: Knex): Promise<void> {
  if (!(await db.schema.hasTable(MIGRATION_LOCK_TABLE))) return;
  const rows = await db(MIGRATION_LOCK_TABLE).select<{ index: number }[]>('index').orderBy('index');
  if (rows.length > 1) await db(MIGRATION_LOCK_TABLE).where('index', '>', rows[0]!.index).del();
}

/** Migrates to the latest migration; a MigrationLocked failure is thrown for the caller to retry, with a doubled lock row removed first. */
export async function migrateToLatest(db: Knex, migrations: readonly Migration[]): Promise<void> {
  try {
    await db.migrate.latest({ migrationSource: new InlineMigrationSource(migrations) });
  } catch (error) {
    if ((error as Error | undefined)?.name === 'MigrationLocked') await keepOneMigrationLockRow(db);
    throw error;
  }
}
