import { GraphQLError } from 'graphql';

/** Error codes a client may see. Anything else is masked to INTERNAL_SERVER_ERROR before it leaves a server. */
export const PUBLIC_ERROR_CODES = [
  'BAD_USER_INPUT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'FORBIDDEN_FIELD',
  'DATABASE_UNAVAILABLE',
  'SUBGRAPH_UNAVAILABLE',
  'SUBGRAPH_TIMEOUT',
  'QUERY_TOO_COMPLEX',
  // Write side (issue "CRM workflows as mutations").
  'FORBIDDEN_ACTION',
  'INVALID_TRANSITION',
  'CONFLICT',
  'IDEMPOTENCY_KEY_REUSED',
  'CUSTOMER_BLACKLISTED',
  'NOT_FOUND',
  'DUPLICATE_CUSTOMER',
  'AUDIT_UNAVAILABLE',
] as const;
export type PublicErrorCode = (typeof PUBLIC_ERROR_CODES)[number];

const publicCodes: ReadonlySet<string> = new Set(PUBLIC_ERROR_CODES);
export function isPublicErrorCode(code: unknown): code is PublicErrorCode {
  return typeof code === 'string' && publicCodes.has(code);
}

/** A client error about one argument: the argument is named, with the reason, never with internals. */
export function badUserInput(argumentName: string, reason: string): GraphQLError {
  return new GraphQLError(`Invalid argument "${argumentName}": ${reason}`, {
    extensions: { code: 'BAD_USER_INPUT', argumentName, reason },
  });
}

export function databaseUnavailable(subgraph: string): GraphQLError {
  return new GraphQLError(`The ${subgraph} database is unavailable; try again shortly`, {
    extensions: { code: 'DATABASE_UNAVAILABLE', subgraph },
  });
}

/** Network-level failures from knex drivers (mysql2, better-sqlite3) that mean "the store is not reachable". */
const UNAVAILABLE_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'SQLITE_CANTOPEN',
  'SQLITE_BUSY',
  'SQLITE_IOERR',
  // Too many queries already waiting for a pooled connection (database.ts bounds that queue).
  'DB_POOL_QUEUE_FULL',
]);

export function isDatabaseUnavailableError(error: unknown): boolean {
  // Duck-typed: drivers throw plain objects, and errors from another realm (jest) fail instanceof.
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_ERROR_CODES.has(code)) return true;
  // mysql2 marks errors that killed the connection as fatal (e.g. a query on a connection the server dropped).
  if ((error as { fatal?: unknown }).fatal === true) return true;
  // knex reports pool exhaustion while the server is down as a plain timeout error.
  return (error as { name?: unknown }).name === 'KnexTimeoutError';
}

/**
 * A database error as it may be shown or logged: knex prefixes driver errors with the statement and
 * its values (personal data), so only the driver's part is kept, with its code. Duck-typed, as drivers
 * throw plain objects and errors from another realm (jest) fail `instanceof Error`.
 */
export function driverErrorMessage(error: unknown): string {
  const text = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  if (typeof text !== 'string') return String(error);
  const code = (error as { code?: unknown }).code;
  const separator = text.lastIndexOf(' - ');
  const message = separator >= 0 ? text.slice(separator + 3) : text;
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
