/**
 * Preloaded (`node --require`) into the subgraph processes by `bench:stack`: counts the SQL statements the process
 * sends through mysql2, from mysql2's own diagnostics channel (no code of the process is changed), and answers
 * the benchmark's `sql-statement-count` message over the IPC channel with the counts so far.
 */
import { subscribe } from 'node:diagnostics_channel';
import { SQL_STATEMENT_COUNT_REQUEST, type SqlStatementCount } from './sql-statement-count';

const count: SqlStatementCount = { selects: 0, statements: 0 };

subscribe('tracing:mysql2:query:start', (message) => {
  count.statements++;
  const query = (message as { query?: unknown }).query;
  if (typeof query === 'string' && /^\s*select\b/i.test(query)) count.selects++;
});

if (process.send) {
  process.on('message', (message) => {
    if (message === SQL_STATEMENT_COUNT_REQUEST) process.send?.({ sqlStatementCount: count });
  });
  // The channel must not keep the server alive, nor change how it stops.
  process.channel?.unref();
}
