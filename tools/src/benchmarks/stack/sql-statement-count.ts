/** What the benchmark asks a server preloaded with `sql-statement-counter` over IPC, and what it answers. */
export const SQL_STATEMENT_COUNT_REQUEST = 'sql-statement-count';

export interface SqlStatementCount {
  selects: number;
  statements: number;
}
