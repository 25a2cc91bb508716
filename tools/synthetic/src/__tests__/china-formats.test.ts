import { isLuhnValid, isValidMobile, isValidPlate, isValidResidentId, isValidUscc, isValidVin, residentIdBirthDate, residentIdGender } from '@icg/shared';
import {
  AREA_CODES,
  type RandomSource,
  generateBankAccount,
  generateMobile,
  generatePlate,
  generateResidentId,
  generateUscc,
  generateVin,
  randomInt,
} from '../china-formats';

/** mulberry32: a tiny, well-known seeded PRNG, so the tests do not depend on Math.random. */
function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

const SAMPLE_SIZE = 2000;

function sample<T>(count: number, make: () => T): T[] {
  return Array.from({ length: count }, make);
}

/** A random real date from 1900-01-01 to 2020-12-31, as YYYY-MM-DD. */
function randomBirthDate(rng: RandomSource): string {
  const start = Date.UTC(1900, 0, 1);
  const end = Date.UTC(2020, 11, 31);
  const dayCount = (end - start) / 86_400_000;
  return new Date(start + randomInt(rng, 0, dayCount) * 86_400_000).toISOString().slice(0, 10);
}

/** Values that fail `isValid`, so a failing assertion names the offenders. */
function invalid(values: readonly string[], isValid: (value: string) => boolean): string[] {
  return values.filter((value) => !isValid(value));
}

describe('generated values pass their validators', () => {
  const rng = mulberry32(20240607);

  it('resident IDs', () => {
    const ids = sample(SAMPLE_SIZE, () => generateResidentId(rng, { birthDate: randomBirthDate(rng), gender: rng.next() < 0.5 ? 'MALE' : 'FEMALE' }));
    expect(invalid(ids, (id) => isValidResidentId(id))).toEqual([]);
  });

  it('unified social credit codes', () => {
    const codes = sample(SAMPLE_SIZE, () => generateUscc(rng));
    expect(invalid(codes, isValidUscc)).toEqual([]);
    for (const code of codes) expect(code.slice(0, 2)).toBe('91');
  });

  it('mobile numbers', () => {
    expect(
      invalid(
        sample(SAMPLE_SIZE, () => generateMobile(rng)),
        isValidMobile,
      ),
    ).toEqual([]);
  });

  it('ordinary and new-energy plates', () => {
    const ordinary = sample(SAMPLE_SIZE, () => generatePlate(rng));
    const newEnergy = sample(SAMPLE_SIZE, () => generatePlate(rng, { newEnergy: true }));
    expect(invalid(ordinary, isValidPlate)).toEqual([]);
    expect(invalid(newEnergy, isValidPlate)).toEqual([]);
    for (const plate of ordinary) expect(Array.from(plate)).toHaveLength(7);
    for (const plate of newEnergy) expect(Array.from(plate)).toHaveLength(8);
    // Both new-energy forms occur: small car (D/F third) and large vehicle (D/F last).
    expect(newEnergy.some((plate) => /^..[DF]/u.test(plate))).toBe(true);
    expect(newEnergy.some((plate) => /\d{5}[DF]$/.test(plate))).toBe(true);
  });

  it('VINs', () => {
    expect(
      invalid(
        sample(SAMPLE_SIZE, () => generateVin(rng)),
        isValidVin,
      ),
    ).toEqual([]);
  });

  it('bank card numbers', () => {
    const cards = sample(SAMPLE_SIZE, () => generateBankAccount(rng));
    expect(invalid(cards, isLuhnValid)).toEqual([]);
    for (const card of cards) expect(card).toMatch(/^62\d{17}$/);
  });
});

describe('determinism', () => {
  function generateEverything(seed: number): string[] {
    const rng = mulberry32(seed);
    return sample(50, () => [
      generateResidentId(rng, { birthDate: '1985-06-15', gender: 'FEMALE' }),
      generateUscc(rng),
      generateMobile(rng),
      generatePlate(rng, { newEnergy: rng.next() < 0.5 }),
      generateVin(rng),
      generateBankAccount(rng),
    ]).flat();
  }

  it('reproduces the same sequence from the same seed', () => {
    expect(generateEverything(42)).toEqual(generateEverything(42));
  });

  it('produces a different sequence from a different seed', () => {
    expect(generateEverything(42)).not.toEqual(generateEverything(43));
  });
});

describe('generator options', () => {
  const rng = mulberry32(7);

  it('resident IDs encode the requested birth date, gender and area code', () => {
    for (let i = 0; i < SAMPLE_SIZE; i++) {
      const birthDate = randomBirthDate(rng);
      const gender = i % 2 === 0 ? 'MALE' : 'FEMALE';
      const id = generateResidentId(rng, { birthDate, gender });
      expect([residentIdBirthDate(id), residentIdGender(id)]).toEqual([birthDate, gender]);
    }
    expect(generateResidentId(rng, { areaCode: '440305', birthDate: '2000-02-29', gender: 'MALE' })).toMatch(/^44030520000229\d{3}[\dX]$/);
  });

  it('resident IDs default to area codes from the table', () => {
    const knownCodes = new Set(AREA_CODES.map((area) => area.code));
    for (let i = 0; i < 200; i++) {
      const id = generateResidentId(rng, { birthDate: '1990-01-01', gender: 'MALE' });
      expect(knownCodes.has(id.slice(0, 6))).toBe(true);
    }
  });

  it('resident IDs refuse impossible birth dates and malformed area codes', () => {
    expect(() => generateResidentId(rng, { birthDate: '1949-02-31', gender: 'MALE' })).toThrow(RangeError);
    expect(() => generateResidentId(rng, { birthDate: '1899-12-31', gender: 'MALE' })).toThrow(RangeError);
    expect(() => generateResidentId(rng, { birthDate: '19900101', gender: 'MALE' })).toThrow(RangeError);
    expect(() => generateResidentId(rng, { birthDate: '2999-01-01', gender: 'MALE' })).toThrow(RangeError);
    expect(() => generateResidentId(rng, { areaCode: '1101', birthDate: '1990-01-01', gender: 'MALE' })).toThrow(RangeError);
  });

  it('USCCs embed the requested area code', () => {
    expect(generateUscc(rng, { areaCode: '330106' })).toMatch(/^91330106/);
  });

  it('plates use the requested province and reject unknown ones', () => {
    expect(generatePlate(rng, { province: '粤' }).startsWith('粤')).toBe(true);
    expect(() => generatePlate(rng, { province: '港' })).toThrow(RangeError);
  });

  it('area code table holds unique six-digit codes with names', () => {
    expect(AREA_CODES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(AREA_CODES.map((area) => area.code)).size).toBe(AREA_CODES.length);
    for (const area of AREA_CODES) {
      expect(area.code).toMatch(/^\d{6}$/);
      expect(area.province && area.city && area.district).toBeTruthy();
    }
  });
});
