import { identifierSeal, SEALED_IDENTIFIER_PREFIX, sealIdentifier, unsealIdentifier } from '../sealed-identifier';
import { pseudonymise } from '../pseudonym';

const SECRET = 'test-pseudonym-secret-0123456789';
const OTHER_SECRET = 'another-pseudonym-secret-9876543210';

describe('sealed identifiers', () => {
  it('seal the same value to the same text under one secret, and open it again', () => {
    for (const value of ['954', 'CU4821730596', 'PAH583920174652', 'azE6OTU0', '张三', '']) {
      const sealed = sealIdentifier(SECRET, value);
      expect(sealed.startsWith(SEALED_IDENTIFIER_PREFIX)).toBe(true);
      expect(sealed).toBe(sealIdentifier(SECRET, value));
      expect(unsealIdentifier(SECRET, sealed)).toBe(value);
      expect(sealed).not.toContain(value === '' ? 'never' : value);
    }
  });

  it('give different values different texts, and the same value a different text under another secret', () => {
    expect(sealIdentifier(SECRET, '954')).not.toBe(sealIdentifier(SECRET, '955'));
    expect(sealIdentifier(SECRET, '954')).not.toBe(sealIdentifier(OTHER_SECRET, '954'));
    // Not the audit trail's keyed hash of the same value either.
    expect(sealIdentifier(SECRET, '954')).not.toBe(pseudonymise(SECRET, '954'));
  });

  it('do not tell short ids apart by length', () => {
    expect(sealIdentifier(SECRET, '7')).toHaveLength(sealIdentifier(SECRET, '123456789012345').length);
  });

  it('open nothing but what the same secret sealed: raw values, forgeries, edits and other secrets are undefined', () => {
    const sealed = sealIdentifier(SECRET, 'CU4821730596');
    const body = sealed.slice(SEALED_IDENTIFIER_PREFIX.length);
    const flipped = `${SEALED_IDENTIFIER_PREFIX}${body.slice(0, 30)}${body[30] === 'A' ? 'B' : 'A'}${body.slice(31)}`;
    for (const text of [
      'CU4821730596',
      '954',
      pseudonymise(SECRET, 'CU4821730596'),
      flipped,
      `${sealed}AAAA`,
      sealed.slice(0, -4),
      `${SEALED_IDENTIFIER_PREFIX}${'A'.repeat(43)}`,
      `${SEALED_IDENTIFIER_PREFIX}not base64!`,
      `${SEALED_IDENTIFIER_PREFIX}${'A'.repeat(5000)}`,
    ]) {
      expect({ text, opened: unsealIdentifier(SECRET, text) }).toEqual({ text, opened: undefined });
    }
    expect(unsealIdentifier(OTHER_SECRET, sealed)).toBeUndefined();
  });

  it('refuse a secret too short to keep the seal unguessable', () => {
    expect(() => identifierSeal('short')).toThrow('at least 16 bytes');
  });
});
