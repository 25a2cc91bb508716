/** Row-to-GraphQL value conversions that both dialects need (SQLite and MySQL return different shapes). */

/** DATETIME column (UTC `YYYY-MM-DD HH:MM:SS`) → ISO 8601 `YYYY-MM-DDTHH:MM:SSZ`. */
export function toIsoTimestamp(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${value.replace(' ', 'T').slice(0, 19)}Z`;
}

/** DATE column → `YYYY-MM-DD`. */
export function toIsoDate(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return value.slice(0, 10);
}

/** SQLite and MySQL both store booleans as 0/1. */
export function toBoolean(value: number | boolean | null | undefined): boolean {
  return value === true || value === 1;
}

export function toNumberOrNull(value: number | string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? value : Number(value);
}

/** Ids are BIGINT in the store and `ID` (string) in GraphQL. */
export function toId(value: number | string): string {
  return String(value);
}
