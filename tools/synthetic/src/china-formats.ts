/**
 * Deterministic generators of synthetic Chinese identifiers. All randomness comes from the
 * caller's RandomSource, so a seeded source reproduces the same values; every output passes
 * the matching validator in ../identifiers.
 */
import {
  MOBILE_PREFIXES,
  PLATE_PROVINCES,
  USCC_SYMBOLS,
  isValidResidentId,
  luhnCheckDigit,
  residentIdCheckChar,
  usccCheckChar,
  vinCheckChar,
} from '@icg/shared';

export interface RandomSource {
  /** Uniformly distributed in [0, 1). */
  next(): number;
}

/** Integer uniformly distributed in [min, max] (both inclusive). */
export function randomInt(rng: RandomSource, min: number, max: number): number {
  return min + Math.floor(rng.next() * (max - min + 1));
}

export function pick<T>(rng: RandomSource, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('Cannot pick from an empty list');
  return items[randomInt(rng, 0, items.length - 1)]!;
}

/** `length` characters drawn independently from `alphabet`. */
export function randomString(rng: RandomSource, alphabet: string, length: number): string {
  let result = '';
  for (let i = 0; i < length; i++) result += alphabet[randomInt(rng, 0, alphabet.length - 1)]!;
  return result;
}

export interface AreaCode {
  readonly code: string;
  readonly province: string;
  /** For the four municipalities the city is the municipality itself. */
  readonly city: string;
  readonly district: string;
}

/** A sample of real county-level administrative division codes (GB/T 2260). */
export const AREA_CODES: readonly AreaCode[] = Object.freeze([
  { code: '110101', province: '北京市', city: '北京市', district: '东城区' },
  { code: '110105', province: '北京市', city: '北京市', district: '朝阳区' },
  { code: '110108', province: '北京市', city: '北京市', district: '海淀区' },
  { code: '120101', province: '天津市', city: '天津市', district: '和平区' },
  { code: '120116', province: '天津市', city: '天津市', district: '滨海新区' },
  { code: '310101', province: '上海市', city: '上海市', district: '黄浦区' },
  { code: '310104', province: '上海市', city: '上海市', district: '徐汇区' },
  { code: '310115', province: '上海市', city: '上海市', district: '浦东新区' },
  { code: '500103', province: '重庆市', city: '重庆市', district: '渝中区' },
  { code: '130102', province: '河北省', city: '石家庄市', district: '长安区' },
  { code: '140105', province: '山西省', city: '太原市', district: '小店区' },
  { code: '210102', province: '辽宁省', city: '沈阳市', district: '和平区' },
  { code: '220102', province: '吉林省', city: '长春市', district: '南关区' },
  { code: '230102', province: '黑龙江省', city: '哈尔滨市', district: '道里区' },
  { code: '320102', province: '江苏省', city: '南京市', district: '玄武区' },
  { code: '320506', province: '江苏省', city: '苏州市', district: '吴中区' },
  { code: '330102', province: '浙江省', city: '杭州市', district: '上城区' },
  { code: '330106', province: '浙江省', city: '杭州市', district: '西湖区' },
  { code: '340104', province: '安徽省', city: '合肥市', district: '蜀山区' },
  { code: '350102', province: '福建省', city: '福州市', district: '鼓楼区' },
  { code: '350203', province: '福建省', city: '厦门市', district: '思明区' },
  { code: '360102', province: '江西省', city: '南昌市', district: '东湖区' },
  { code: '370202', province: '山东省', city: '青岛市', district: '市南区' },
  { code: '410105', province: '河南省', city: '郑州市', district: '金水区' },
  { code: '420106', province: '湖北省', city: '武汉市', district: '武昌区' },
  { code: '430104', province: '湖南省', city: '长沙市', district: '岳麓区' },
  { code: '440106', province: '广东省', city: '广州市', district: '天河区' },
  { code: '440304', province: '广东省', city: '深圳市', district: '福田区' },
  { code: '440305', province: '广东省', city: '深圳市', district: '南山区' },
  { code: '450103', province: '广西壮族自治区', city: '南宁市', district: '青秀区' },
  { code: '510107', province: '四川省', city: '成都市', district: '武侯区' },
  { code: '530102', province: '云南省', city: '昆明市', district: '五华区' },
  { code: '610113', province: '陕西省', city: '西安市', district: '雁塔区' },
  { code: '330203', province: '浙江省', city: '宁波市', district: '海曙区' },
  { code: '330302', province: '浙江省', city: '温州市', district: '鹿城区' },
  { code: '440604', province: '广东省', city: '佛山市', district: '禅城区' },
  { code: '320214', province: '江苏省', city: '无锡市', district: '新吴区' },
  { code: '510703', province: '四川省', city: '绵阳市', district: '涪城区' },
  { code: '511302', province: '四川省', city: '南充市', district: '顺庆区' },
]);

const DIGITS = '0123456789';

function resolveAreaCode(rng: RandomSource, areaCode: string | undefined): string {
  if (areaCode === undefined) return pick(rng, AREA_CODES).code;
  if (!/^\d{6}$/.test(areaCode)) throw new RangeError(`Area code must be 6 digits, got "${areaCode}"`);
  return areaCode;
}

export interface ResidentIdOptions {
  /** Six-digit area code; a random entry of AREA_CODES when omitted. */
  areaCode?: string;
  /** YYYY-MM-DD; must be a real date from 1900 up to today. */
  birthDate: string;
  gender: 'MALE' | 'FEMALE';
}

export function generateResidentId(rng: RandomSource, options: ResidentIdOptions): string {
  const areaCode = resolveAreaCode(rng, options.areaCode);
  const birthDigits = /^\d{4}-\d{2}-\d{2}$/.test(options.birthDate) ? options.birthDate.replace(/-/g, '') : '';
  // The last sequence digit carries gender: odd for men, even for women.
  const genderDigit = 2 * randomInt(rng, 0, 4) + (options.gender === 'MALE' ? 1 : 0);
  const body = `${areaCode}${birthDigits}${randomString(rng, DIGITS, 2)}${genderDigit}`;
  const id = body.length === 17 ? body + residentIdCheckChar(body) : '';
  // Delegating the date rules to the validator keeps generator and validator in agreement.
  if (!isValidResidentId(id)) {
    throw new RangeError(`Birth date must be a real YYYY-MM-DD date from 1900 to today, got "${options.birthDate}"`);
  }
  return id;
}

export interface UsccOptions {
  /** Six-digit area code; a random entry of AREA_CODES when omitted. */
  areaCode?: string;
}

/** Code of an enterprise ('9' = registered by market regulation, '1' = enterprise). */
export function generateUscc(rng: RandomSource, options: UsccOptions = {}): string {
  const areaCode = resolveAreaCode(rng, options.areaCode);
  const body = `91${areaCode}${randomString(rng, USCC_SYMBOLS, 9)}`;
  return body + usccCheckChar(body);
}

export function generateMobile(rng: RandomSource): string {
  return pick(rng, MOBILE_PREFIXES) + randomString(rng, DIGITS, 8);
}

export interface PlateOptions {
  /** One of PLATE_PROVINCES; random when omitted. */
  province?: string;
  /** Generate a six-character new-energy plate instead of an ordinary one. */
  newEnergy?: boolean;
}

/** Plate letters and digits: I and O are never issued. */
const PLATE_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const PLATE_ALNUM = PLATE_LETTERS + DIGITS;

export function generatePlate(rng: RandomSource, options: PlateOptions = {}): string {
  const province = options.province ?? pick(rng, PLATE_PROVINCES);
  if (!PLATE_PROVINCES.includes(province)) {
    throw new RangeError(`Unknown plate province abbreviation "${province}"`);
  }
  const prefix = province + randomString(rng, PLATE_LETTERS, 1);
  if (!options.newEnergy) return prefix + randomString(rng, PLATE_ALNUM, 5);
  const energyType = randomString(rng, 'DF', 1);
  // Half small cars (type letter first, then one alphanumeric and four digits), half large vehicles.
  return rng.next() < 0.5
    ? prefix + energyType + randomString(rng, PLATE_ALNUM, 1) + randomString(rng, DIGITS, 4)
    : prefix + randomString(rng, DIGITS, 5) + energyType;
}

/** VIN characters: digits and capitals except I, O, Q. */
const VIN_ALPHABET = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
/** Model-year codes allowed at position 10 (no U, Z or 0). */
const VIN_YEAR_CODES = 'ABCDEFGHJKLMNPRSTVWXY123456789';

export function generateVin(rng: RandomSource): string {
  const manufacturerAndDescriptor = randomString(rng, VIN_ALPHABET, 8);
  const yearPlantAndSerial = randomString(rng, VIN_YEAR_CODES, 1) + randomString(rng, VIN_ALPHABET, 1) + randomString(rng, DIGITS, 6);
  const withPlaceholder = `${manufacturerAndDescriptor}0${yearPlantAndSerial}`;
  return `${manufacturerAndDescriptor}${vinCheckChar(withPlaceholder)}${yearPlantAndSerial}`;
}

/** 19-digit UnionPay-style card number: starts with 62 and ends in a Luhn check digit. */
export function generateBankAccount(rng: RandomSource): string {
  const payload = '62' + randomString(rng, DIGITS, 16);
  return payload + luhnCheckDigit(payload);
}
