import DataLoader from 'dataloader';
import type { Knex } from 'knex';

export { DataLoader };

type Key = string | number;

/** Stay under SQLite's and MySQL's bound-parameter limits however many keys one batch brings. */
const MAX_KEYS_PER_STATEMENT = 1_000;

/** `SELECT … WHERE column IN (keys)`, split into statements of at most 1,000 keys. */
export async function selectWhereIn<Row>(
  db: Knex,
  table: string,
  column: string,
  keys: readonly Key[],
  refine: (query: Knex.QueryBuilder) => Knex.QueryBuilder = (query) => query,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (let start = 0; start < keys.length; start += MAX_KEYS_PER_STATEMENT) {
    const chunk = keys.slice(start, start + MAX_KEYS_PER_STATEMENT);
    rows.push(
      ...((await refine(
        db
          .table(table)
          .select(`${table}.*`)
          .whereIn(`${table}.${column}`, chunk as Key[]),
      )) as Row[]),
    );
  }
  return rows;
}

/**
 * One row per key (null where none): the batch function's rows re-ordered to the keys, as DataLoader
 * requires. Keys compare as strings so `7` and `"7"` (MySQL vs GraphQL ID) meet.
 */
export function rowLoader<K extends Key, Row>(fetchRows: (keys: readonly K[]) => Promise<Row[]>, keyOf: (row: Row) => Key): DataLoader<K, Row | null, string> {
  return new DataLoader<K, Row | null, string>(
    async (keys) => {
      const byKey = new Map<string, Row>();
      for (const row of await fetchRows(keys)) byKey.set(String(keyOf(row)), row);
      return keys.map((key) => byKey.get(String(key)) ?? null);
    },
    { cacheKeyFn: (key) => String(key), maxBatchSize: 5_000 },
  );
}

/** All rows per key (empty where none), each group in the order the batch function returned them. */
export function groupLoader<K extends Key, Row>(fetchRows: (keys: readonly K[]) => Promise<Row[]>, keyOf: (row: Row) => Key): DataLoader<K, Row[], string> {
  return new DataLoader<K, Row[], string>(
    async (keys) => {
      const groups = new Map<string, Row[]>();
      for (const row of await fetchRows(keys)) {
        const key = String(keyOf(row));
        const group = groups.get(key);
        if (group) group.push(row);
        else groups.set(key, [row]);
      }
      return keys.map((key) => groups.get(String(key)) ?? []);
    },
    { cacheKeyFn: (key) => String(key), maxBatchSize: 5_000 },
  );
}

/** Shorthand for the common case: rows of `table` whose `column` is one of the keys. */
export function tableRowLoader<Row>(
  db: Knex,
  table: string,
  column: string,
  refine?: (query: Knex.QueryBuilder) => Knex.QueryBuilder,
): DataLoader<Key, Row | null, string> {
  return rowLoader<Key, Row>(
    (keys) => selectWhereIn<Row>(db, table, column, keys, refine),
    (row) => (row as Record<string, Key>)[column]!,
  );
}

export function tableGroupLoader<Row>(
  db: Knex,
  table: string,
  column: string,
  refine?: (query: Knex.QueryBuilder) => Knex.QueryBuilder,
): DataLoader<Key, Row[], string> {
  return groupLoader<Key, Row>(
    (keys) => selectWhereIn<Row>(db, table, column, keys, refine),
    (row) => (row as Record<string, Key>)[column]!,
  );
}
