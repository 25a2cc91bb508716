/**
 * Pure validators (and check-character helpers) for Chinese identifier formats.
 *
 * Validators are strict about normalisation: they expect upper-case letters and no
 * whitespace, so callers should normalise user input before validating.
 */

const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const RESIDENT_ID_CHECK_CHARS = '10X98765432';
const RESIDENT_ID_SHAPE = /^\d{17}[\dX]$/;
const EARLIEST_BIRTH_YEAR = 1900;

/** Check character (0-9 or X) of an 18-character resident ID, per GB 11643. */
export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) {
    throw new RangeError(`Resident ID body must be 17 digits, got "${first17}"`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += Number(first17[i]) * RESIDENT_ID_WEIGHTS[i]!;
  }
  return RESIDENT_ID_CHECK_CHARS[sum % 11]!;
}

/**
 * True for an 18-character resident ID whose birth date is a real calendar date between
 * 1900-01-01 and `asOf` (default: today, local time) and whose check character matches.
 * The area code is only checked for being six digits: the official list changes yearly.
 */
export function isValidResidentId(value: string, asOf: Date = new Date()): boolean {
  if (!RESIDENT_ID_SHAPE.test(value)) return false;
  const year = Number(value.slice(6, 10));
  const month = Number(value.slice(10, 12));
  const day = Number(value.slice(12, 14));
  if (year < EARLIEST_BIRTH_YEAR || !isCalendarDate(year, month, day)) return false;
  if (compareDates(year, month, day, asOf.getFullYear(), asOf.getMonth() + 1, asOf.getDate()) > 0) {
    return false;
  }
  return residentIdCheckChar(value.slice(0, 17)) === value[17];
}

/** Gender encoded by the sequence code: an odd 17th digit means male. */
export function residentIdGender(id: string): 'MALE' | 'FEMALE' {
  assertResidentIdShape(id);
  return Number(id[16]) % 2 === 1 ? 'MALE' : 'FEMALE';
}

/** Birth date encoded in the ID, as YYYY-MM-DD. */
export function residentIdBirthDate(id: string): string {
  assertResidentIdShape(id);
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

function assertResidentIdShape(id: string): void {
  if (!RESIDENT_ID_SHAPE.test(id)) {
    throw new RangeError(`Not an 18-character resident ID: "${id}"`);
  }
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= daysInMonth[month - 1]!;
}

function compareDates(y1: number, m1: number, d1: number, y2: number, m2: number, d2: number): number {
  return (y1 - y2) * 10000 + (m1 - m2) * 100 + (d1 - d2);
}

/** The 31 symbols of GB 32100 (digits and capitals without I, O, S, V, Z). */
export const USCC_SYMBOLS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const USCC_BODY = new RegExp(`^[${USCC_SYMBOLS}]{17}$`);
const USCC_SHAPE = new RegExp(`^[${USCC_SYMBOLS}]{18}$`);

/** Check character of a unified social credit code, per GB 32100. */
export function usccCheckChar(first17: string): string {
  if (!USCC_BODY.test(first17)) {
    throw new RangeError(`USCC body must be 17 of "${USCC_SYMBOLS}", got "${first17}"`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += USCC_SYMBOLS.indexOf(first17[i]!) * USCC_WEIGHTS[i]!;
  }
  return USCC_SYMBOLS[(31 - (sum % 31)) % 31]!;
}

/** True for an 18-character unified social credit code with a matching check character. */
export function isValidUscc(value: string): boolean {
  return USCC_SHAPE.test(value) && usccCheckChar(value.slice(0, 17)) === value[17];
}

/** Three-digit prefixes allocated to China Mobile, China Unicom and China Telecom. */
export const MOBILE_PREFIXES: readonly string[] = Object.freeze([
  // China Mobile
  '134',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '157',
  '158',
  '159',
  '182',
  '183',
  '184',
  '187',
  '188',
  '198',
  // China Unicom
  '130',
  '131',
  '132',
  '155',
  '156',
  '166',
  '175',
  '176',
  '185',
  '186',
  // China Telecom
  '133',
  '153',
  '173',
  '177',
  '180',
  '181',
  '189',
  '199',
]);
const MOBILE_PREFIX_SET = new Set(MOBILE_PREFIXES);

/** True for an 11-digit mainland mobile number with a known carrier prefix. */
export function isValidMobile(value: string): boolean {
  return /^\d{11}$/.test(value) && MOBILE_PREFIX_SET.has(value.slice(0, 3));
}

/** One-character abbreviations of the 31 mainland provincial-level divisions. */
export const PLATE_PROVINCES: readonly string[] = Object.freeze(Array.from('京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼'));
/** Letters and digits used on plates: I and O are excluded to avoid confusion with 1 and 0. */
const PLATE_ALNUM = '[A-HJ-NP-Z0-9]';
const PLATE_PATTERN = new RegExp(
  `^[${PLATE_PROVINCES.join('')}][A-HJ-NP-Z]` +
    `(?:${PLATE_ALNUM}{5}` + // ordinary plate
    `|[DF]${PLATE_ALNUM}{5}` + // new-energy small car (D = battery, F = hybrid)
    `|\\d{5}[DF])$`, // new-energy large vehicle
);

/** True for an ordinary (5-character) or new-energy (6-character) mainland licence plate. */
export function isValidPlate(value: string): boolean {
  return PLATE_PATTERN.test(value);
}

const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2] as const;
const VIN_LETTER_VALUES: Readonly<Record<string, number>> = {
  A: 1,
  B: 2,
  C: 3,
  D: 4,
  E: 5,
  F: 6,
  G: 7,
  H: 8,
  J: 1,
  K: 2,
  L: 3,
  M: 4,
  N: 5,
  P: 7,
  R: 9,
  S: 2,
  T: 3,
  U: 4,
  V: 5,
  W: 6,
  X: 7,
  Y: 8,
  Z: 9,
};
/** VIN characters: digits and capitals except I, O, Q. */
const VIN_SHAPE = /^[A-HJ-NPR-Z0-9]{17}$/;

/**
 * ISO 3779 check character for a 17-character VIN. Position 9 has weight 0, so whatever
 * placeholder it holds is ignored.
 */
export function vinCheckChar(vin17WithPlaceholder: string): string {
  if (!VIN_SHAPE.test(vin17WithPlaceholder)) {
    throw new RangeError(`VIN must be 17 characters without I, O, Q, got "${vin17WithPlaceholder}"`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const char = vin17WithPlaceholder[i]!;
    const value = /\d/.test(char) ? Number(char) : VIN_LETTER_VALUES[char]!;
    sum += value * VIN_WEIGHTS[i]!;
  }
  const remainder = sum % 11;
  return remainder === 10 ? 'X' : String(remainder);
}

/** True for a 17-character VIN whose 9th character is the correct ISO 3779 check character. */
export function isValidVin(value: string): boolean {
  return VIN_SHAPE.test(value) && vinCheckChar(value) === value[8];
}

/** Luhn (mod 10) check digit to append to `payload`. */
export function luhnCheckDigit(payload: string): string {
  if (!/^\d+$/.test(payload)) {
    throw new RangeError(`Luhn payload must be digits, got "${payload}"`);
  }
  return String((10 - (luhnSum(payload, true) % 10)) % 10);
}

/** True for a digit string (at least two digits) whose last digit is its Luhn check digit. */
export function isLuhnValid(value: string): boolean {
  return /^\d{2,}$/.test(value) && luhnSum(value, false) % 10 === 0;
}

/**
 * Luhn sum, doubling every second digit counted from the right. When the check digit is not
 * yet present, doubling starts with the rightmost digit.
 */
function luhnSum(digits: string, doubleRightmost: boolean): number {
  let sum = 0;
  let double = doubleRightmost;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = Number(digits[i]);
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum;
}
