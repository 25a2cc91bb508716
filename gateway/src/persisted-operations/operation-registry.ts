/**
 * The registry of persisted operations (README "For BI users"): GraphQL documents keyed by the sha256 of their text,
 * written once and never changed, so a hash always names the same document. It lives in a table of the audit store,
 * the one database the gateway already owns, with its own migration list (a table of its own for knex's bookkeeping,
 * so it never meets the audit store's).
 */
import { createHash } from 'node:crypto';
import type { Knex } from '@icg/shared';
import { BoundedLruCache } from '../access/bounded-lru-cache';

export const PERSISTED_OPERATIONS_TABLE = 'persisted_operations';
/** knex's bookkeeping for this table's migrations, apart from the audit store's `knex_migrations` (and its `_lock`). */
export const PERSISTED_OPERATIONS_MIGRATIONS_TABLE = 'persisted_operations_migrations';

/** Apollo's APQ hash: lower-case hex sha256 of the document text exactly as sent. */
export const SHA256_HASH = /^[0-9a-f]{64}$/;

export function sha256Of(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface PersistedOperation {
  sha256Hash: string;
  document: string;
  /** The names of the document's operations, in document order (an anonymous operation is not listed). */
  operationNames: readonly string[];
  registeredBy: string;
  registeredRole: string;
  /** ISO-8601 UTC. */
  registeredAt: string;
  /** The access policy's version that allowed the registration. */
  policyVersion: string;
}

interface Migration {
  name: string;
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

const MIGRATIONS: readonly Migration[] = [
  {
    name: '001_persisted_operations',
    async up(db) {
      await db.schema.createTable(PERSISTED_OPERATIONS_TABLE, (table) => {
        table.specificType('sha256_hash', 'char(64)').primary();
        // MEDIUMTEXT on MySQL: a document may be as long as a request body (MAX_BODY_BYTES, up to 10 MB).
        table.text('document', 'mediumtext').notNullable();
        table.string('operation_names', 1024).notNullable();
        table.string('registered_by', 64).notNullable();
        table.string('registered_role', 32).notNullable();
        // An ISO string, the same on both dialects (better-sqlite3 would store a Date as a number).
        table.string('registered_at', 24).notNullable();
        table.string('policy_version', 128).notNullable();
      });
    },
    async down(db) {
      await db.schema.dropTableIfExists(PERSISTED_OPERATIONS_TABLE);
    },
  },
];

class InlineMigrations implements Knex.MigrationSource<Migration> {
  getMigrations(): Promise<Migration[]> {
    return Promise.resolve([...MIGRATIONS]);
  }
  getMigrationName(migration: Migration): string {
    return migration.name;
  }
  getMigration(migration: Migration): Promise<Knex.Migration> {
    return Promise.resolve({ up: (db: Knex) => migration.up(db), down: (db: Knex) => migration.down(db) });
  }
}

/**
 * Creates or updates the registry's table in the audit store. The gateway runs it on first use; provisioning runs it
 * as the administrator, so a deployed gateway's account needs no more than INSERT and SELECT on the table.
 */
export async function migratePersistedOperations(auditStore: Knex): Promise<void> {
  await auditStore.migrate.latest({ migrationSource: new InlineMigrations(), tableName: PERSISTED_OPERATIONS_MIGRATIONS_TABLE });
}

interface OperationRow {
  sha256_hash: string;
  document: string;
  operation_names: string;
  registered_by: string;
  registered_role: string;
  registered_at: string;
  policy_version: string;
}

function fromRow(row: OperationRow): PersistedOperation {
  return {
    sha256Hash: row.sha256_hash,
    document: row.document,
    operationNames: row.operation_names === '' ? [] : row.operation_names.split(','),
    registeredBy: row.registered_by,
    registeredRole: row.registered_role,
    registeredAt: row.registered_at,
    policyVersion: row.policy_version,
  };
}

/** The registry could not be read or written (its database is down or not ready yet). */
export class RegistryUnavailable extends Error {
  override name = 'RegistryUnavailable';
}

const DEFAULT_CACHED_OPERATIONS = 1_000;

export class PersistedOperationRegistry {
  /** Registered documents never change, so a found one may be kept; a miss is not kept (another gateway may register it). */
  private readonly cache: BoundedLruCache<string, PersistedOperation>;
  private prepared: Promise<void> | undefined;

  /** `storeReady`: resolves true once the audit store exists (on MySQL its database is created by the gateway's start). */
  constructor(
    private readonly db: Knex,
    private readonly storeReady: () => Promise<boolean>,
    maxCachedOperations = DEFAULT_CACHED_OPERATIONS,
  ) {
    this.cache = new BoundedLruCache(maxCachedOperations);
  }

  /** Creates the table on first use; a failure is retried on the next use rather than remembered. */
  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      if (!(await this.storeReady())) throw new RegistryUnavailable('the gateway is stopping');
      await migratePersistedOperations(this.db);
    })().catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    return this.prepared;
  }

  private async withStore<T>(work: () => Promise<T>): Promise<T> {
    try {
      await this.prepare();
      return await work();
    } catch (error) {
      if (error instanceof RegistryUnavailable) throw error;
      // No SQL or connection details travel further: callers answer with a public error.
      throw new RegistryUnavailable('the persisted-operation registry is unavailable', { cause: error });
    }
  }

  /** The operation registered under `sha256Hash`, or undefined (also for anything that is not a sha256 hex string). */
  async find(sha256Hash: string): Promise<PersistedOperation | undefined> {
    if (!SHA256_HASH.test(sha256Hash)) return undefined;
    const cached = this.cache.get(sha256Hash);
    if (cached) return cached;
    const row = await this.withStore(() => this.db<OperationRow>(PERSISTED_OPERATIONS_TABLE).where({ sha256_hash: sha256Hash }).first());
    if (!row) return undefined;
    const operation = fromRow(row);
    this.cache.set(sha256Hash, operation);
    return operation;
  }

  /**
   * Stores the operation unless its hash is registered already; either way answers what is stored under the hash
   * and whether this call stored it. Two registrations of one document at once store it once.
   */
  async register(operation: PersistedOperation): Promise<{ operation: PersistedOperation; created: boolean }> {
    const existing = await this.find(operation.sha256Hash);
    if (existing) return { operation: existing, created: false };
    await this.withStore(() =>
      this.db(PERSISTED_OPERATIONS_TABLE)
        .insert({
          sha256_hash: operation.sha256Hash,
          document: operation.document,
          operation_names: operation.operationNames.join(','),
          registered_by: operation.registeredBy,
          registered_role: operation.registeredRole,
          registered_at: operation.registeredAt,
          policy_version: operation.policyVersion,
        })
        .onConflict('sha256_hash')
        .ignore(),
    );
    const stored = await this.find(operation.sha256Hash);
    if (!stored) throw new RegistryUnavailable('the registered operation could not be read back');
    const created = stored.registeredBy === operation.registeredBy && stored.registeredAt === operation.registeredAt;
    return { operation: stored, created };
  }
}
