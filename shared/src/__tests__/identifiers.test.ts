import {
  MOBILE_PREFIXES,
  PLATE_PROVINCES,
  USCC_SYMBOLS,
  isLuhnValid,
  isValidMobile,
  isValidPlate,
  isValidResidentId,
  isValidUscc,
  isValidVin,
  luhnCheckDigit,
  residentIdBirthDate,
  residentIdCheckChar,
  residentIdGender,
  usccCheckChar,
  vinCheckChar,
} from '../identifiers';

const RESIDENT_ID = '11010519491231002X';
const USCC = '91350100M000100Y43';
const VIN = '1M8GDM9AXKP042788';

/** Every string that differs from `value` in exactly one position, using characters of `alphabet`. */
function singleCharVariants(value: string, alphabet: string): string[] {
  const variants: string[] = [];
  for (let i = 0; i < value.length; i++) {
    for (const char of alphabet) {
      if (char !== value[i]) variants.push(value.slice(0, i) + char + value.slice(i + 1));
    }
  }
  return variants;
}

/** A resident ID with a correct check character around the given birth date (YYYYMMDD). */
function residentIdBornOn(yyyymmdd: string): string {
  const body = `110105${yyyymmdd}001`;
  return body + residentIdCheckChar(body);
}

describe('resident ID', () => {
  it('accepts the GB 11643 example', () => {
    expect(isValidResidentId(RESIDENT_ID)).toBe(true);
  });

  it('computes the known check character', () => {
    expect(residentIdCheckChar(RESIDENT_ID.slice(0, 17))).toBe('X');
  });

  it('rejects every single-character change of the example', () => {
    const variants = singleCharVariants(RESIDENT_ID, '0123456789X');
    expect(variants.length).toBeGreaterThan(100);
    for (const variant of variants) expect([variant, isValidResidentId(variant)]).toEqual([variant, false]);
  });

  it('rejects wrong length, bad characters and lower-case x', () => {
    expect(isValidResidentId(RESIDENT_ID.slice(0, 17))).toBe(false);
    expect(isValidResidentId(RESIDENT_ID + '0')).toBe(false);
    expect(isValidResidentId('')).toBe(false);
    expect(isValidResidentId('11010519491231002x')).toBe(false);
    expect(isValidResidentId('1101051949123100AX')).toBe(false);
  });

  it('rejects impossible calendar dates even with a matching check character', () => {
    expect(isValidResidentId(residentIdBornOn('19490231'))).toBe(false);
    expect(isValidResidentId(residentIdBornOn('19491301'))).toBe(false);
    expect(isValidResidentId(residentIdBornOn('19490100'))).toBe(false);
    expect(isValidResidentId(residentIdBornOn('19000229'))).toBe(false); // 1900 is not a leap year
    expect(isValidResidentId(residentIdBornOn('20000229'))).toBe(true); // 2000 is
  });

  it('rejects birth years before 1900', () => {
    expect(isValidResidentId(residentIdBornOn('18991231'))).toBe(false);
    expect(isValidResidentId(residentIdBornOn('19000101'))).toBe(true);
  });

  it('rejects birth dates after the reference date', () => {
    const id = residentIdBornOn('20300101');
    expect(isValidResidentId(id, new Date(2029, 11, 31))).toBe(false);
    expect(isValidResidentId(id, new Date(2030, 0, 1))).toBe(true);
    expect(isValidResidentId(residentIdBornOn('29991231'))).toBe(false); // default: today
  });

  it('extracts gender and birth date', () => {
    expect(residentIdGender(RESIDENT_ID)).toBe('FEMALE'); // sequence 002
    expect(residentIdGender(residentIdBornOn('19800101'))).toBe('MALE'); // sequence 001
    expect(residentIdBirthDate(RESIDENT_ID)).toBe('1949-12-31');
  });

  it('refuses to extract from malformed input', () => {
    expect(() => residentIdGender('123')).toThrow(RangeError);
    expect(() => residentIdBirthDate('123')).toThrow(RangeError);
    expect(() => residentIdCheckChar('1101051949123100')).toThrow(RangeError);
  });
});

describe('unified social credit code', () => {
  it('accepts the GB 32100 example and computes its check character', () => {
    expect(isValidUscc(USCC)).toBe(true);
    expect(usccCheckChar(USCC.slice(0, 17))).toBe('3');
  });

  it('rejects every single-character change of the example', () => {
    for (const variant of singleCharVariants(USCC, USCC_SYMBOLS)) {
      expect([variant, isValidUscc(variant)]).toEqual([variant, false]);
    }
  });

  it('rejects wrong length and symbols outside the 31-symbol set', () => {
    expect(isValidUscc(USCC.slice(0, 17))).toBe(false);
    expect(isValidUscc(USCC + '0')).toBe(false);
    expect(isValidUscc('91350100M000100Y4'.replace('M', 'I') + '3')).toBe(false);
    expect(isValidUscc(USCC.toLowerCase())).toBe(false);
    for (const excluded of 'IOSVZ') expect(USCC_SYMBOLS).not.toContain(excluded);
    expect(() => usccCheckChar('91350100O000100Y4')).toThrow(RangeError);
  });
});

describe('mobile number', () => {
  it('accepts numbers with carrier prefixes', () => {
    expect(isValidMobile('13812348000')).toBe(true);
    expect(isValidMobile('19912345678')).toBe(true);
    expect(isValidMobile('16612345678')).toBe(true);
  });

  it('rejects unallocated prefixes, wrong length and non-digits', () => {
    expect(isValidMobile('12012345678')).toBe(false);
    expect(isValidMobile('14012345678')).toBe(false);
    expect(isValidMobile('1401234567x')).toBe(false);
    expect(isValidMobile('1381234800')).toBe(false);
    expect(isValidMobile('138123480001')).toBe(false);
    expect(isValidMobile('+8613812348000')).toBe(false);
  });

  it('lists distinct three-digit prefixes', () => {
    expect(MOBILE_PREFIXES).toHaveLength(36);
    expect(new Set(MOBILE_PREFIXES).size).toBe(MOBILE_PREFIXES.length);
    for (const prefix of MOBILE_PREFIXES) expect(prefix).toMatch(/^1\d\d$/);
  });
});

describe('licence plate', () => {
  it('lists the 31 mainland provincial abbreviations', () => {
    expect(PLATE_PROVINCES).toHaveLength(31);
    expect(new Set(PLATE_PROVINCES).size).toBe(31);
  });

  it('accepts ordinary plates from every province', () => {
    expect(isValidPlate('粤B12345')).toBe(true);
    expect(isValidPlate('京AF0236')).toBe(true);
    for (const province of PLATE_PROVINCES) expect(isValidPlate(`${province}A8K2Z1`)).toBe(true);
  });

  it('accepts new-energy plates for small cars and large vehicles', () => {
    expect(isValidPlate('粤BD12345')).toBe(true);
    expect(isValidPlate('沪AF1A234')).toBe(true);
    expect(isValidPlate('粤B12345D')).toBe(true);
    expect(isValidPlate('粤B12345F')).toBe(true);
  });

  it('rejects I/O letters, wrong lengths and unknown provinces', () => {
    expect(isValidPlate('粤I12345')).toBe(false);
    expect(isValidPlate('粤O12345')).toBe(false);
    expect(isValidPlate('粤B1234')).toBe(false);
    expect(isValidPlate('粤B1234567')).toBe(false);
    expect(isValidPlate('粤BA12345')).toBe(false); // six characters but not a new-energy form
    expect(isValidPlate('粤B12I45')).toBe(false);
    expect(isValidPlate('港B12345')).toBe(false);
    expect(isValidPlate('粤b12345')).toBe(false);
  });
});

describe('VIN', () => {
  it('accepts a known-good VIN and computes its check character', () => {
    expect(isValidVin(VIN)).toBe(true);
    expect(vinCheckChar(VIN)).toBe('X');
    expect(vinCheckChar(VIN.slice(0, 8) + '0' + VIN.slice(9))).toBe('X');
  });

  it('rejects an altered VIN', () => {
    expect(isValidVin('1M8GDM9AXKP042789')).toBe(false);
    expect(isValidVin('1M8GDM9A1KP042788')).toBe(false);
    expect(isValidVin('2M8GDM9AXKP042788')).toBe(false);
  });

  it('rejects wrong length and the letters I, O, Q', () => {
    expect(isValidVin(VIN.slice(0, 16))).toBe(false);
    expect(isValidVin(VIN + '1')).toBe(false);
    expect(isValidVin('1M8GDM9AXKP0427I8')).toBe(false);
    expect(isValidVin('1M8GDM9AXKP0427O8')).toBe(false);
    expect(isValidVin('1M8GDM9AXKP0427Q8')).toBe(false);
    expect(isValidVin(VIN.toLowerCase())).toBe(false);
  });
});

describe('Luhn', () => {
  it('accepts well-known valid numbers', () => {
    expect(isLuhnValid('79927398713')).toBe(true);
    expect(isLuhnValid('4111111111111111')).toBe(true);
  });

  it('rejects a changed digit, non-digits and too-short input', () => {
    expect(isLuhnValid('79927398710')).toBe(false);
    expect(isLuhnValid('4111111111111112')).toBe(false);
    expect(isLuhnValid('7992739871a')).toBe(false);
    expect(isLuhnValid('0')).toBe(false);
    expect(isLuhnValid('')).toBe(false);
  });

  it('computes check digits that make the number valid', () => {
    expect(luhnCheckDigit('7992739871')).toBe('3');
    expect(luhnCheckDigit('411111111111111')).toBe('1');
    for (let payload = 0; payload < 1000; payload++) {
      const digits = String(payload).padStart(6, '0');
      expect(isLuhnValid(digits + luhnCheckDigit(digits))).toBe(true);
    }
  });
});
