import { GraphQLError } from 'graphql';
import { connectionFromRows, decodeCursor, encodeCursor, MAX_PAGE_SIZE, readPageSize } from '../pagination';

function badInput(action: () => unknown): { argumentName?: unknown; code?: unknown } {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return (error as GraphQLError).extensions as { argumentName?: unknown; code?: unknown };
  }
  throw new Error('expected a BAD_USER_INPUT error');
}

describe('page size', () => {
  it('defaults to 20 and allows up to the maximum', () => {
    expect(readPageSize(undefined)).toBe(20);
    expect(readPageSize(MAX_PAGE_SIZE)).toBe(200);
  });

  it('refuses sizes above the maximum or below zero, naming the argument', () => {
    expect(badInput(() => readPageSize(201))).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'first' });
    expect(badInput(() => readPageSize(-1))).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'first' });
  });
});

describe('cursors', () => {
  it('round-trip the key', () => {
    expect(decodeCursor(encodeCursor(1234))).toBe('1234');
  });

  it('reject anything not made by the API', () => {
    expect(badInput(() => decodeCursor('not a cursor!'))).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
    expect(badInput(() => decodeCursor(Buffer.from('k1:DROP TABLE').toString('base64url')))).toMatchObject({ argumentName: 'after' });
    expect(badInput(() => decodeCursor(Buffer.from('12').toString('base64url')))).toMatchObject({ argumentName: 'after' });
  });
});

describe('connectionFromRows', () => {
  it('uses the extra row only to tell that a next page exists', () => {
    const page = connectionFromRows([{ id: 1 }, { id: 2 }, { id: 3 }], 2, (row) => row.id, false);
    expect(page.nodes).toEqual([{ id: 1 }, { id: 2 }]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, endCursor: encodeCursor(2) });
    expect(connectionFromRows([{ id: 1 }], 2, (row) => row.id, true).pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });
});
