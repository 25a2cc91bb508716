/**
 * Ids for new rows in tables whose ids are given (the seeded stores use no auto-increment). The highest id is read
 * with a locking read, so on MySQL two transactions allocating at once take turns instead of taking the same id;
 * SQLite serialises writes on its one connection anyway.
 */
import type { Knex } from 'knex';

export async function allocateId(trx: Knex.Transaction, table: string, column = 'id'): Promise<number> {
  // ORDER BY … LIMIT 1 rather than MAX(): MySQL answers MAX() from the index without taking the lock.
  const row = (await trx(table).select(column).orderBy(column, 'desc').limit(1).forUpdate().first()) as Record<string, unknown> | undefined;
  return row === undefined ? 1 : Number(row[column]) + 1;
}
