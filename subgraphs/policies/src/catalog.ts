import type { CustomerFact, SeededRandom } from '@icg/synthetic';
import type { InsuredObjectKind, LineOfBusiness } from './domain';

/**
 * The product catalogue the seed sells from: products per line and customer kind, and the covers
 * each product carries (names as on Chinese policy schedules, after the 2020 motor reform clauses).
 */

export type CustomerKind = CustomerFact['kind'];

/** A cover's limit: the policy's sum insured, a multiple of it, or one of the usual fixed limits. */
export type CoverLimit = { kind: 'SUM_INSURED'; factor: number } | { kind: 'FIXED'; amounts: readonly number[] };

export interface CoverageTemplate {
  code: string;
  name: string;
  limit: CoverLimit;
  /** Relative share of the policy's written premium. */
  premiumWeight: number;
  deductibles: readonly number[];
  /** Optional covers are bought with this probability; mandatory ones have none. */
  takeUp?: number;
}

/** Shapes the insured-object rows a product's policies get. */
export type ObjectProfile =
  'VEHICLE' | 'HOME' | 'PREMISES' | 'SHIPMENT' | 'PRODUCTS' | 'WORKFORCE' | 'RENOVATION' | 'CONSTRUCTION' | 'INSTALLATION' | 'PERSON' | 'GROUP';

export interface Product {
  code: string;
  name: string;
  line: LineOfBusiness;
  objectProfile: ObjectProfile;
  coverages: readonly CoverageTemplate[];
}

const sumInsured = (factor = 1): CoverLimit => ({ kind: 'SUM_INSURED', factor });
const fixed = (...amounts: number[]): CoverLimit => ({ kind: 'FIXED', amounts });

const motorCovers = (prefix: '机动车' | '新能源汽车', codePrefix: string): CoverageTemplate[] => [
  { code: `${codePrefix}VD`, name: `${prefix}损失保险`, limit: sumInsured(), premiumWeight: 45, deductibles: [0, 0, 0, 300, 500, 1_000] },
  { code: `${codePrefix}TP`, name: `${prefix}第三者责任保险`, limit: fixed(1_000_000, 1_500_000, 2_000_000, 3_000_000), premiumWeight: 38, deductibles: [0] },
  { code: `${codePrefix}DR`, name: `${prefix}车上人员责任保险（司机）`, limit: fixed(10_000, 20_000, 50_000), premiumWeight: 3, deductibles: [0] },
  { code: `${codePrefix}PA`, name: `${prefix}车上人员责任保险（乘客）`, limit: fixed(40_000, 80_000, 200_000), premiumWeight: 5, deductibles: [0] },
  { code: `${codePrefix}MD`, name: '附加医保外医疗费用责任险', limit: fixed(10_000, 20_000), premiumWeight: 3, deductibles: [0], takeUp: 0.5 },
];

const PRODUCTS: readonly Product[] = [
  {
    code: 'MOT-PRV',
    name: '机动车商业保险（家庭自用汽车）',
    line: 'MOTOR',
    objectProfile: 'VEHICLE',
    coverages: [
      ...motorCovers('机动车', 'M'),
      { code: 'MWH', name: '附加车轮单独损失险', limit: fixed(5_000), premiumWeight: 2, deductibles: [0], takeUp: 0.3 },
      { code: 'MSC', name: '附加车身划痕损失险', limit: fixed(2_000, 5_000, 10_000), premiumWeight: 4, deductibles: [0], takeUp: 0.35 },
    ],
  },
  {
    code: 'MOT-NEV',
    name: '新能源汽车商业保险',
    line: 'MOTOR',
    objectProfile: 'VEHICLE',
    coverages: [
      ...motorCovers('新能源汽车', 'N'),
      { code: 'NGF', name: '附加外部电网故障损失险', limit: sumInsured(), premiumWeight: 2, deductibles: [0], takeUp: 0.4 },
      { code: 'NCP', name: '附加自用充电桩损失保险', limit: fixed(5_000, 10_000), premiumWeight: 1, deductibles: [0], takeUp: 0.5 },
    ],
  },
  {
    code: 'MOT-FLT',
    name: '机动车商业保险（企业非营业用汽车）',
    line: 'MOTOR',
    objectProfile: 'VEHICLE',
    coverages: motorCovers('机动车', 'F'),
  },
  {
    code: 'PRO-HOM',
    name: '家庭财产综合保险',
    line: 'PROPERTY',
    objectProfile: 'HOME',
    coverages: [
      { code: 'HBL', name: '房屋及室内附属设备', limit: sumInsured(), premiumWeight: 60, deductibles: [0, 200, 500] },
      { code: 'HCT', name: '室内财产', limit: sumInsured(0.2), premiumWeight: 25, deductibles: [0, 200] },
      { code: 'HTH', name: '附加盗抢险', limit: sumInsured(0.05), premiumWeight: 8, deductibles: [0], takeUp: 0.6 },
      { code: 'HWP', name: '附加管道破裂及水渍责任险', limit: fixed(50_000, 100_000), premiumWeight: 7, deductibles: [0, 200], takeUp: 0.5 },
    ],
  },
  {
    code: 'PRO-ENT',
    name: '企业财产综合险',
    line: 'PROPERTY',
    objectProfile: 'PREMISES',
    coverages: [
      { code: 'EPA', name: '财产综合险', limit: sumInsured(), premiumWeight: 70, deductibles: [1_000, 2_000, 5_000, 10_000] },
      { code: 'EMB', name: '附加机器损坏保险', limit: sumInsured(0.3), premiumWeight: 12, deductibles: [2_000, 5_000], takeUp: 0.5 },
      { code: 'ETH', name: '附加盗窃、抢劫保险', limit: sumInsured(0.1), premiumWeight: 6, deductibles: [1_000], takeUp: 0.5 },
      { code: 'EBI', name: '附加营业中断保险', limit: sumInsured(0.2), premiumWeight: 8, deductibles: [0], takeUp: 0.3 },
      { code: 'EEQ', name: '附加地震扩展条款', limit: sumInsured(0.5), premiumWeight: 4, deductibles: [10_000], takeUp: 0.2 },
    ],
  },
  {
    code: 'CAR-DOM',
    name: '国内水路、陆路货物运输保险（综合险）',
    line: 'CARGO',
    objectProfile: 'SHIPMENT',
    coverages: [
      { code: 'CDB', name: '国内货物运输综合险', limit: sumInsured(), premiumWeight: 85, deductibles: [500, 1_000, 2_000] },
      { code: 'CDT', name: '附加盗窃险', limit: sumInsured(0.5), premiumWeight: 15, deductibles: [500], takeUp: 0.4 },
    ],
  },
  {
    code: 'CAR-INT',
    name: '进出口货物运输保险（一切险）',
    line: 'CARGO',
    objectProfile: 'SHIPMENT',
    coverages: [
      { code: 'CIA', name: '海洋运输货物一切险', limit: sumInsured(), premiumWeight: 80, deductibles: [0, 1_000] },
      { code: 'CIW', name: '附加战争险', limit: sumInsured(), premiumWeight: 12, deductibles: [0], takeUp: 0.5 },
      { code: 'CIS', name: '附加罢工险', limit: sumInsured(), premiumWeight: 8, deductibles: [0], takeUp: 0.5 },
    ],
  },
  {
    code: 'LIA-PER',
    name: '个人责任保险',
    line: 'LIABILITY',
    objectProfile: 'PERSON',
    coverages: [
      { code: 'LPT', name: '个人第三者责任', limit: sumInsured(), premiumWeight: 85, deductibles: [0, 200] },
      { code: 'LPP', name: '附加宠物责任', limit: fixed(50_000, 100_000), premiumWeight: 15, deductibles: [0], takeUp: 0.3 },
    ],
  },
  {
    code: 'LIA-PUB',
    name: '公众责任保险',
    line: 'LIABILITY',
    objectProfile: 'PREMISES',
    coverages: [
      { code: 'LUA', name: '每次事故赔偿限额', limit: sumInsured(), premiumWeight: 70, deductibles: [1_000, 2_000, 5_000] },
      { code: 'LUP', name: '每人人身伤亡赔偿限额', limit: sumInsured(0.1), premiumWeight: 20, deductibles: [0] },
      { code: 'LUD', name: '财产损失赔偿限额', limit: sumInsured(0.3), premiumWeight: 10, deductibles: [1_000] },
    ],
  },
  {
    code: 'LIA-EMP',
    name: '雇主责任保险',
    line: 'LIABILITY',
    objectProfile: 'WORKFORCE',
    coverages: [
      { code: 'LED', name: '死亡伤残赔偿限额', limit: sumInsured(), premiumWeight: 70, deductibles: [0] },
      { code: 'LEM', name: '医疗费用赔偿限额', limit: sumInsured(0.1), premiumWeight: 20, deductibles: [0, 500] },
      { code: 'LEL', name: '误工费用赔偿限额', limit: sumInsured(0.05), premiumWeight: 10, deductibles: [0], takeUp: 0.6 },
    ],
  },
  {
    code: 'LIA-PRD',
    name: '产品责任保险',
    line: 'LIABILITY',
    objectProfile: 'PRODUCTS',
    coverages: [
      { code: 'LRL', name: '产品责任', limit: sumInsured(), premiumWeight: 85, deductibles: [2_000, 5_000] },
      { code: 'LRR', name: '附加产品召回费用保险', limit: sumInsured(0.1), premiumWeight: 15, deductibles: [5_000], takeUp: 0.3 },
    ],
  },
  {
    code: 'ENG-REN',
    name: '家庭装修工程保险',
    line: 'ENGINEERING',
    objectProfile: 'RENOVATION',
    coverages: [
      { code: 'GRM', name: '装修工程物质损失', limit: sumInsured(), premiumWeight: 75, deductibles: [500] },
      { code: 'GRT', name: '第三者责任', limit: fixed(200_000, 500_000), premiumWeight: 25, deductibles: [0] },
    ],
  },
  {
    code: 'ENG-CAR',
    name: '建筑工程一切险',
    line: 'ENGINEERING',
    objectProfile: 'CONSTRUCTION',
    coverages: [
      { code: 'GCM', name: '物质损失部分', limit: sumInsured(), premiumWeight: 75, deductibles: [10_000, 20_000, 50_000] },
      { code: 'GCT', name: '第三者责任部分', limit: sumInsured(0.1), premiumWeight: 15, deductibles: [5_000] },
      { code: 'GCD', name: '附加清除残骸费用扩展条款', limit: sumInsured(0.05), premiumWeight: 5, deductibles: [0], takeUp: 0.6 },
      { code: 'GCP', name: '附加专业费用扩展条款', limit: sumInsured(0.03), premiumWeight: 5, deductibles: [0], takeUp: 0.5 },
    ],
  },
  {
    code: 'ENG-EAR',
    name: '安装工程一切险',
    line: 'ENGINEERING',
    objectProfile: 'INSTALLATION',
    coverages: [
      { code: 'GEM', name: '物质损失部分', limit: sumInsured(), premiumWeight: 75, deductibles: [10_000, 20_000] },
      { code: 'GET', name: '第三者责任部分', limit: sumInsured(0.1), premiumWeight: 15, deductibles: [5_000] },
      { code: 'GEL', name: '附加负荷试车扩展条款', limit: sumInsured(0.5), premiumWeight: 10, deductibles: [20_000], takeUp: 0.5 },
    ],
  },
  {
    code: 'AH-PA',
    name: '个人意外伤害保险',
    line: 'ACCIDENT_HEALTH',
    objectProfile: 'PERSON',
    coverages: [
      { code: 'APD', name: '意外身故、伤残保险金', limit: sumInsured(), premiumWeight: 65, deductibles: [0] },
      { code: 'APM', name: '意外医疗保险金', limit: fixed(10_000, 20_000, 50_000), premiumWeight: 25, deductibles: [0, 100] },
      { code: 'APH', name: '意外住院津贴', limit: fixed(3_000, 6_000), premiumWeight: 10, deductibles: [0], takeUp: 0.5 },
    ],
  },
  {
    code: 'AH-MED',
    name: '个人短期医疗保险',
    line: 'ACCIDENT_HEALTH',
    objectProfile: 'PERSON',
    coverages: [
      { code: 'AMG', name: '一般医疗保险金', limit: sumInsured(), premiumWeight: 60, deductibles: [10_000] },
      { code: 'AMC', name: '重大疾病医疗保险金', limit: sumInsured(2), premiumWeight: 40, deductibles: [0] },
    ],
  },
  {
    code: 'AH-GPA',
    name: '团体意外伤害保险',
    line: 'ACCIDENT_HEALTH',
    objectProfile: 'GROUP',
    coverages: [
      { code: 'AGD', name: '意外身故、伤残保险金', limit: sumInsured(), premiumWeight: 70, deductibles: [0] },
      { code: 'AGM', name: '意外医疗保险金', limit: sumInsured(0.1), premiumWeight: 30, deductibles: [100] },
    ],
  },
  {
    code: 'AH-GMD',
    name: '团体补充医疗保险',
    line: 'ACCIDENT_HEALTH',
    objectProfile: 'GROUP',
    coverages: [
      { code: 'AGO', name: '门急诊医疗保险金', limit: fixed(5_000, 10_000), premiumWeight: 30, deductibles: [100, 300] },
      { code: 'AGI', name: '住院医疗保险金', limit: sumInsured(), premiumWeight: 70, deductibles: [0] },
    ],
  },
];

const productByCode = new Map(PRODUCTS.map((product) => [product.code, product]));
const product = (code: string): Product => productByCode.get(code)!;

/** A product of the catalogue by its code (what a quote names); undefined for a code it does not sell. */
export function findProduct(code: string): Product | undefined {
  return productByCode.get(code);
}

/** Every product code the catalogue sells, for messages that list the choices. */
export const PRODUCT_CODES: readonly string[] = PRODUCTS.map((entry) => entry.code);

/** The products a customer of this kind buys in a line, with their relative popularity. */
const PRODUCT_CHOICES: Record<CustomerKind, Record<Exclude<LineOfBusiness, 'MOTOR'>, readonly (readonly [string, number])[]>> = {
  INDIVIDUAL: {
    PROPERTY: [['PRO-HOM', 1]],
    CARGO: [['CAR-DOM', 1]],
    LIABILITY: [['LIA-PER', 1]],
    ENGINEERING: [['ENG-REN', 1]],
    ACCIDENT_HEALTH: [
      ['AH-PA', 0.6],
      ['AH-MED', 0.4],
    ],
  },
  ORGANISATION: {
    PROPERTY: [['PRO-ENT', 1]],
    CARGO: [
      ['CAR-DOM', 0.6],
      ['CAR-INT', 0.4],
    ],
    LIABILITY: [
      ['LIA-PUB', 0.4],
      ['LIA-EMP', 0.4],
      ['LIA-PRD', 0.2],
    ],
    ENGINEERING: [
      ['ENG-CAR', 0.65],
      ['ENG-EAR', 0.35],
    ],
    ACCIDENT_HEALTH: [
      ['AH-GPA', 0.6],
      ['AH-GMD', 0.4],
    ],
  },
};

/** Motor products follow the vehicle: new-energy plates have eight characters. */
export function productFor(line: LineOfBusiness, kind: CustomerKind, plate: string | null, random: SeededRandom): Product {
  if (line === 'MOTOR') return product(plate !== null && plate.length === 8 ? 'MOT-NEV' : kind === 'ORGANISATION' ? 'MOT-FLT' : 'MOT-PRV');
  return product(random.weighted(PRODUCT_CHOICES[kind][line]));
}

export const OBJECT_KIND: Record<ObjectProfile, InsuredObjectKind> = {
  VEHICLE: 'VEHICLE',
  HOME: 'PROPERTY',
  PREMISES: 'PROPERTY',
  PRODUCTS: 'PROPERTY',
  SHIPMENT: 'CARGO',
  PERSON: 'PERSON',
  WORKFORCE: 'PERSON',
  GROUP: 'PERSON',
  RENOVATION: 'PROJECT',
  CONSTRUCTION: 'PROJECT',
  INSTALLATION: 'PROJECT',
};

export const PASSENGER_CARS: readonly (readonly [string, string])[] = [
  ['大众', '朗逸'],
  ['大众', '速腾'],
  ['丰田', '卡罗拉'],
  ['丰田', '凯美瑞'],
  ['本田', '雅阁'],
  ['本田', '思域'],
  ['日产', '轩逸'],
  ['别克', '英朗'],
  ['吉利', '星瑞'],
  ['吉利', '博越'],
  ['长安', 'CS75 PLUS'],
  ['哈弗', 'H6'],
  ['奥迪', 'A4L'],
  ['宝马', '3系'],
  ['奔驰', 'C级'],
];
export const NEW_ENERGY_CARS: readonly (readonly [string, string])[] = [
  ['比亚迪', '秦PLUS DM-i'],
  ['比亚迪', '汉EV'],
  ['比亚迪', '宋PLUS DM-i'],
  ['特斯拉', 'Model 3'],
  ['特斯拉', 'Model Y'],
  ['蔚来', 'ES6'],
  ['小鹏', 'P7'],
  ['理想', 'L7'],
  ['广汽埃安', 'AION S'],
  ['五菱', '宏光MINIEV'],
  ['问界', 'M7'],
  ['极氪', '001'],
];
export const COMMERCIAL_VEHICLES: readonly (readonly [string, string])[] = [
  ['解放', 'J6P 牵引车'],
  ['东风', '天龙 KL'],
  ['福田', '欧曼 EST'],
  ['江铃', '全顺'],
  ['五菱', '荣光'],
  ['上汽大通', 'V80'],
];

export const STREETS: readonly string[] = [
  '人民路',
  '解放路',
  '中山路',
  '建设路',
  '和平路',
  '新华路',
  '长江路',
  '东风路',
  '学府路',
  '科技园路',
  '滨江大道',
  '世纪大道',
  '文化路',
  '工业大道',
  '园区大道',
  '迎宾大道',
];
export const RESIDENTIAL_ESTATES: readonly string[] = [
  '阳光花园',
  '锦绣华庭',
  '翠湖湾',
  '金地名都',
  '万科城',
  '碧桂园',
  '保利花园',
  '绿城桂花园',
  '世纪新城',
  '华润悦府',
];
export const BUSINESS_PARKS: readonly string[] = ['高新技术产业园', '经济开发区', '现代物流园', '科技创新园', '临港工业区', '商务中心区'];
export const PREMISES_KINDS: readonly string[] = ['商场', '酒店', '写字楼', '餐饮门店', '物业小区', '仓库'];
export const INDUSTRIES: readonly string[] = ['制造业', '建筑业', '物流运输', '餐饮服务', '信息技术', '批发零售'];
export const PRODUCT_KINDS: readonly string[] = ['家用电器', '儿童玩具', '包装食品', '电动自行车', '化妆品', '医疗器械'];
export const GOODS: readonly (readonly [string, string])[] = [
  ['电子元器件', '箱'],
  ['服装面料', '包'],
  ['家用电器', '台'],
  ['机械配件', '箱'],
  ['日用百货', '箱'],
  ['建筑钢材', '吨'],
  ['化工原料（非危险品）', '吨'],
  ['食品饮料', '托'],
  ['汽车零部件', '箱'],
  ['医疗器械', '箱'],
];
export const DOMESTIC_ROUTES: readonly string[] = ['上海—成都', '广州—武汉', '深圳—杭州', '南京—西安', '宁波—重庆', '苏州—郑州', '成都—昆明', '佛山—长沙'];
export const INTERNATIONAL_ROUTES: readonly string[] = ['上海港—汉堡港', '宁波港—洛杉矶港', '深圳盐田港—鹿特丹港', '广州南沙港—新加坡港', '青岛港—釜山港'];
export const DOMESTIC_TRANSPORT: readonly string[] = ['公路运输', '铁路运输', '水路运输'];
export const CONSTRUCTION_WORKS: readonly string[] = ['厂房', '办公楼', '住宅小区', '物流仓库', '学校教学楼', '市政道路'];
export const INSTALLATION_WORKS: readonly string[] = ['自动化生产线', '光伏发电设备', '中央空调系统', '锅炉及配套设备', '污水处理设备'];
