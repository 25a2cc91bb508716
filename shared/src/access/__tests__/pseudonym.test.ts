import { createHmac } from 'node:crypto';
import { MIN_PSEUDONYM_SECRET_BYTES, pseudonymise } from '../pseudonym';

const SECRET = 'test-pseudonym-secret-0123456789';

describe('pseudonymise', () => {
  it('is ps_ plus 22 base64url characters of HMAC-SHA256(secret, value)', () => {
    const pseudonym = pseudonymise(SECRET, 'C000123');
    expect(pseudonym).toMatch(/^ps_[A-Za-z0-9_-]{22}$/);
    expect(pseudonym).toBe(`ps_${createHmac('sha256', SECRET).update('C000123').digest('base64url').slice(0, 22)}`);
  });

  it('is deterministic per secret and differs across secrets and values', () => {
    expect(pseudonymise(SECRET, '13812348000')).toBe(pseudonymise(SECRET, '13812348000'));
    expect(pseudonymise(SECRET, '13812348000')).not.toBe(pseudonymise(`${SECRET}!`, '13812348000'));
    expect(pseudonymise(SECRET, '13812348000')).not.toBe(pseudonymise(SECRET, '13812348001'));
    expect(pseudonymise(SECRET, '张三')).toMatch(/^ps_[A-Za-z0-9_-]{22}$/);
  });

  it('refuses a secret too short to keep the hash unguessable', () => {
    expect(() => pseudonymise('short', 'C000123')).toThrow(`at least ${MIN_PSEUDONYM_SECRET_BYTES} bytes`);
    expect(() => pseudonymise('', 'C000123')).toThrow(RangeError);
  });
});
