/**
 * canonicalJson: the text idempotency keys compare and the audit trail hashes, so it must not change for a value
 * however that value was built.
 */
import { canonicalJson } from '../canonical-json';

describe('canonicalJson', () => {
  it('orders object keys, leaves undefined members out and writes undefined array items as null', () => {
    expect(canonicalJson({ b: 1, a: [3, undefined, { d: undefined, c: 'x' }], e: null })).toBe('{"a":[3,null,{"c":"x"}],"b":1,"e":null}');
  });

  it('gives equal values built in another order the same text', () => {
    const built = { figures: { lossRatio: 0.5, claims: 2 }, rule: 'r' };
    const rebuilt = { rule: 'r', figures: { claims: 2, lossRatio: 0.5 } };
    expect(canonicalJson(rebuilt)).toBe(canonicalJson(built));
  });

  it('writes scalars, dates and escaped keys as JSON does', () => {
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson(new Date('2026-12-07T08:00:00Z'))).toBe('"2026-12-07T08:00:00.000Z"');
    expect(canonicalJson({ 'a"': true })).toBe('{"a\\"":true}');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
  });

  it('orders keys by UTF-16 code unit, upper case before lower case and digits first', () => {
    expect(canonicalJson({ b: 0, B: 0, '1': 0, é: 0, a: 0 })).toBe('{"1":0,"B":0,"a":0,"b":0,"é":0}');
  });
});
