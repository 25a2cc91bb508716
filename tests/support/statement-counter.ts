import type { Knex } from '@icg/shared';

/** Counts SQL statements issued through the given knex instances while `action` runs. */
export async function countStatements(databases: readonly Knex[], action: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const listener = () => {
    count++;
  };
  for (const db of databases) db.on('query', listener);
  try {
    await action();
  } finally {
    for (const db of databases) db.off('query', listener);
  }
  return count;
}
