import type { Knex } from '@icg/shared';

/** The outbox relay's statements: it polls in the background, whatever request is being answered. */
export const isEventRelayStatement = (sql: string): boolean => sql.includes('write_side_event_');

/** Counts SQL statements issued through the given knex instances while `action` runs (the event relay's aside). */
export async function countStatements(databases: readonly Knex[], action: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const listener = (query: { sql: string }) => {
    if (!isEventRelayStatement(query.sql)) count++;
  };
  for (const db of databases) db.on('query', listener);
  try {
    await action();
  } finally {
    for (const db of databases) db.off('query', listener);
  }
  return count;
}
