import { badUserInput } from './errors';

export const DEFAULT_PAGE_SIZE = 20;
/** The largest page any connection serves; larger requests are refused rather than silently cut. */
export const MAX_PAGE_SIZE = 200;

export function readPageSize(first: number | null | undefined, argumentName = 'first'): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0) throw badUserInput(argumentName, 'must be a whole number, 0 or more');
  if (first > MAX_PAGE_SIZE) throw badUserInput(argumentName, `must be at most ${MAX_PAGE_SIZE}`);
  return first;
}

const CURSOR_PREFIX = 'k1:';

/** Keyset cursor: opaque to clients, it carries the last key of the page. */
export function encodeCursor(key: string | number): string {
  return Buffer.from(`${CURSOR_PREFIX}${key}`, 'utf8').toString('base64url');
}

/** Returns the key inside a cursor made by `encodeCursor`; anything else is BAD_USER_INPUT. */
export function decodeCursor(cursor: string | null | undefined, argumentName = 'after', keyPattern: RegExp = /^[1-9]\d{0,17}$/): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw badUserInput(argumentName, 'is not a cursor returned by this API');
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const key = decoded.startsWith(CURSOR_PREFIX) ? decoded.slice(CURSOR_PREFIX.length) : undefined;
  if (key === undefined || !keyPattern.test(key)) throw badUserInput(argumentName, 'is not a cursor returned by this API');
  return key;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<Node> {
  edges: { cursor: string; node: Node }[];
  nodes: Node[];
  pageInfo: PageInfo;
}

/**
 * Builds a Relay connection from `pageSize + 1` rows fetched after the cursor; the extra row only
 * tells whether a next page exists.
 */
export function connectionFromRows<Node>(
  rows: readonly Node[],
  pageSize: number,
  keyOf: (node: Node) => string | number,
  hasCursor: boolean,
): Connection<Node> {
  const nodes = rows.slice(0, pageSize);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: rows.length > pageSize,
      hasPreviousPage: hasCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
