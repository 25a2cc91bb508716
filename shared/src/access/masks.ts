/**
 * Deterministic masked renderings (docs/access-model.md section 2): the same input always gives the same output.
 *
 * Lengths are counted in Unicode code points. An input too short for its rule is masked entirely rather
 * than shown: each style keeps its characters only when at least as many stay hidden as the rule hides on
 * the shortest valid value of that kind, so an odd value never reveals more than the rule allows.
 */
import type { MaskStyle } from './access-policy';

const STAR = '*';
/** Free-form values (email local part, address tail) get a fixed run of stars so their length stays hidden. */
const FIXED_EMAIL_STARS = '***';
const FIXED_ADDRESS_STARS = '****';

interface EndsRule {
  keepHead: number;
  keepTail: number;
  /** Fewer hidden code points than this and nothing is kept. */
  minHidden: number;
}

/** Keep counts from section 2; `minHidden` is what the canonical value hides at its shortest valid length. */
const ENDS_RULES: Readonly<Record<Exclude<MaskStyle, 'EMAIL' | 'ADDRESS'>, EndsRule>> = {
  // 18 characters (15-digit IDs were retired in 2013): 4 + 10 hidden + 4.
  RESIDENT_ID: { keepHead: 4, keepTail: 4, minHidden: 10 },
  // 11 digits: 3 + 4 hidden + 4.
  MOBILE: { keepHead: 3, keepTail: 4, minHidden: 4 },
  // A one-character name would otherwise be shown whole.
  NAME: { keepHead: 1, keepTail: 0, minHidden: 1 },
  // Card numbers are 16 to 19 digits: at least 12 hidden before the last 4.
  BANK_ACCOUNT: { keepHead: 0, keepTail: 4, minHidden: 12 },
  // Province + letter, 3 (ordinary) or 4 (new-energy) hidden, last 2.
  PLATE: { keepHead: 2, keepTail: 2, minHidden: 3 },
};

/** Separators that are formatting, not content: dropped so `6222 0212…` and `6222-0212…` mask alike. */
const SEPARATORS: Readonly<Partial<Record<MaskStyle, RegExp>>> = {
  RESIDENT_ID: /[\s-]/g,
  MOBILE: /[\s-]/g,
  BANK_ACCOUNT: /[\s-]/g,
  PLATE: /[\s·•.-]/g,
  ADDRESS: /\s/g,
};

export function applyMask(style: MaskStyle, value: string): string {
  const separators = SEPARATORS[style];
  const normalised = separators ? value.replace(separators, '') : value;
  switch (style) {
    case 'EMAIL':
      return maskEmail(normalised);
    case 'ADDRESS':
      return maskAddress(normalised);
    default:
      return keepEnds(normalised, ENDS_RULES[style]);
  }
}

/** `null` stays `null` (a missing value is not a secret). */
export function maskValue(style: MaskStyle, value: string | null): string | null {
  return value === null ? null : applyMask(style, value);
}

function keepEnds(value: string, rule: EndsRule): string {
  const codePoints = Array.from(value);
  const hidden = codePoints.length - rule.keepHead - rule.keepTail;
  if (hidden < rule.minHidden) return STAR.repeat(codePoints.length);
  return codePoints.slice(0, rule.keepHead).join('') + STAR.repeat(hidden) + codePoints.slice(codePoints.length - rule.keepTail).join('');
}

/** `zhangsan@example.cn` → `z***@example.cn`; a one-character local part is not shown at all. */
function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  const domain = value.slice(at + 1);
  // Not an address (no local part or no domain): nothing is kept.
  if (at < 1 || domain === '') return FIXED_EMAIL_STARS;
  const local = Array.from(value.slice(0, at));
  return (local.length >= 2 ? local[0]! : '') + FIXED_EMAIL_STARS + '@' + domain;
}

/** Municipalities and SARs are province and city at once. */
const PROVINCE_LEVEL_CITIES = ['北京市', '天津市', '上海市', '重庆市', '香港特别行政区', '澳门特别行政区'];
const PROVINCES = [
  '河北省',
  '山西省',
  '辽宁省',
  '吉林省',
  '黑龙江省',
  '江苏省',
  '浙江省',
  '安徽省',
  '福建省',
  '江西省',
  '山东省',
  '河南省',
  '湖北省',
  '湖南省',
  '广东省',
  '海南省',
  '四川省',
  '贵州省',
  '云南省',
  '陕西省',
  '甘肃省',
  '青海省',
  '台湾省',
  '内蒙古自治区',
  '广西壮族自治区',
  '西藏自治区',
  '宁夏回族自治区',
  '新疆维吾尔自治区',
];
/**
 * The prefecture-level unit after the province: a city (市), prefecture (地区) or league (盟) of at most
 * 4 characters before the suffix (乌鲁木齐市, 大兴安岭地区, 锡林郭勒盟), or an autonomous prefecture of at
 * most 8 (克孜勒苏柯尔克孜自治州). A bare 州 does not end it (广州市, 杭州市 would be cut to 广州, 杭州);
 * every autonomous prefecture ends in 自治州. Characters that mark a district, county, town, street or
 * building never belong to the name, so an address without a city part cannot have its district or
 * street kept by a later 市 (`南山区…市场`). A heuristic: when in doubt it keeps less, never more.
 */
const CITY_NAME_CHAR = '(?:(?![区县旗镇乡村路街巷道号园楼栋室弄])\\p{Script=Han})';
const CITY = new RegExp(`^(?:${CITY_NAME_CHAR}{1,4}?(?:市|地区|盟)|${CITY_NAME_CHAR}{1,8}?自治州)`, 'u');

/** `广东省深圳市南山区…` → `广东省深圳市****`; unrecognised addresses keep nothing. */
function maskAddress(address: string): string {
  const provinceLevelCity = PROVINCE_LEVEL_CITIES.find((name) => address.startsWith(name));
  if (provinceLevelCity) return provinceLevelCity + FIXED_ADDRESS_STARS;
  const province = PROVINCES.find((name) => address.startsWith(name));
  if (!province) return FIXED_ADDRESS_STARS;
  const city = CITY.exec(address.slice(province.length))?.[0] ?? '';
  return province + city + FIXED_ADDRESS_STARS;
}
