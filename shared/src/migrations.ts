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

export async function migrateToLatest(db: Knex, migrations: readonly Migration[]): Promise<void> {
  await db.migrate.latest({ migrationSource: new InlineMigrationSource(migrations) });
}
