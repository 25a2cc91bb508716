import type { Knex } from '@icg/shared';

/**
 * Statements of the subgraph's background work, whatever request is being answered: the outbox relay's polls and the
 * audit hand-over's sweeps and clean-ups (both on `write_side_` tables).
 */
export const isBackgroundStatement = (sql: string): boolean => sql.includes('write_side_event_') || sql.includes('write_side_audit_handoff');

/** Counts SQL statements issued through the given knex instances while `action` runs (background work aside). */
export async function countStatements(databases: readonly Knex[], action: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const listener = (query: { sql: string }) => {
    if (!isBackgroundStatement(query.sql)) count++;
  };
  for (const db of databases) db.on('query', listener);
  try {
    await action();
  } finally {
    for (const db of databases) db.off('query', listener);
  }
  return count;
}
