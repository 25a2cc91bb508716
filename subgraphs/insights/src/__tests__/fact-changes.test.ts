/**
 * What a refresh page writes (src/fact-changes.ts): only new and changed rows, and the keys of stored rows the graph no
 * longer has. Stored rows here are as MySQL reads them back (1/0 booleans, numeric decimals and ids); fresh rows as the
 * refresh builds them (booleans, two-place decimal text, string ids). The refresh itself, through the gateway on both
 * stores, is in tests/insights.test.ts.
 */
import { factChanges } from '../fact-changes';

const fresh = (overrides: Record<string, unknown> = {}) => ({
  policy_no: 'P1',
  customer_id: '42',
  written_premium: '880.00',
  cancelled_for_non_payment: false,
  bound_at: '2026-03-01 08:00:00',
  lapsed_on: null,
  updated_at: '2026-12-07 08:00:00',
  ...overrides,
});
const stored = (overrides: Record<string, unknown> = {}) => ({
  policy_no: 'P1',
  customer_id: 42,
  written_premium: 880,
  cancelled_for_non_payment: 0,
  bound_at: '2026-03-01 08:00:00',
  lapsed_on: null,
  updated_at: '2026-01-01 00:00:00',
  ...overrides,
});

describe('factChanges', () => {
  it('writes nothing for a row equal to the stored one, whatever the store hands back for booleans, decimals and ids', () => {
    expect(factChanges([stored()], [fresh()], 'policy_no')).toEqual({ writes: [], deletions: [] });
  });

  it('does not count updated_at as a change: the refresh stamps it on what it writes', () => {
    expect(factChanges([stored({ updated_at: '1999-01-01 00:00:00' })], [fresh()], 'policy_no').writes).toEqual([]);
  });

  it.each([
    ['a decimal', { written_premium: 881 }],
    ['a boolean', { cancelled_for_non_payment: 1 }],
    ['a timestamp', { bound_at: '2026-03-01 08:00:01' }],
    ['null against a value', { bound_at: null }],
    ['a value against null', { lapsed_on: '2026-06-01' }],
  ])('writes the row when %s differs', (_what, difference) => {
    expect(factChanges([stored(difference)], [fresh()], 'policy_no')).toEqual({ writes: [fresh()], deletions: [] });
  });

  it('writes a row the store lacks and deletes, by key, a stored row the graph did not send', () => {
    const changes = factChanges([stored({ policy_no: 'GONE' }), stored()], [fresh(), fresh({ policy_no: 'NEW' })], 'policy_no');
    expect(changes).toEqual({ writes: [fresh({ policy_no: 'NEW' })], deletions: ['GONE'] });
  });

  it('matches numeric keys to string keys (customer ids)', () => {
    const customer = { customer_id: '42', kind: 'PERSON', updated_at: 'now' };
    expect(factChanges([{ customer_id: 42, kind: 'PERSON' }], [customer], 'customer_id')).toEqual({ writes: [], deletions: [] });
  });
});
