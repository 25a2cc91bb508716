import { generatePlate, generateVin, SeededRandom, type CustomerFact, type PolicyFact } from '@icg/synthetic';
import {
  COMMERCIAL_VEHICLES,
  CONSTRUCTION_WORKS,
  DOMESTIC_ROUTES,
  DOMESTIC_TRANSPORT,
  GOODS,
  INDUSTRIES,
  INSTALLATION_WORKS,
  INTERNATIONAL_ROUTES,
  NEW_ENERGY_CARS,
  OBJECT_KIND,
  PASSENGER_CARS,
  PREMISES_KINDS,
  PRODUCT_KINDS,
  productFor,
  type CustomerKind,
  type Product,
} from './catalog';
import type { InsuredObjectKind, RelationshipToPolicyholder, SalesChannel } from './domain';
import { businessAddress, homeAddress, policyholderOf, relatedPerson, type Person } from './seed-people';

/**
 * What stays the same across a renewal chain (a policy and the policies renewing it): the product,
 * the sales channel, the people named and the things insured. Drawn from the chain's first policy,
 * so every renewal of a car insures the same car.
 */
export interface ChainPlan {
  product: Product;
  channel: SalesChannel;
  /** Insured people other than the policyholder; empty when the policyholder is the insured. */
  otherInsured: Person[];
  /** A designated beneficiary; null means the legal heirs (法定受益人), who are not named. */
  beneficiary: Person | null;
  /** Named drivers besides the policyholder (individuals) or instead of it (organisations). */
  drivers: Person[];
  /** Someone other than the policyholder who pays the premium. */
  payer: Person | null;
  objects: InsuredObjectPlan[];
}

export interface InsuredObjectPlan {
  kind: InsuredObjectKind;
  plate: string | null;
  vin: string | null;
  make: string | null;
  model: string | null;
  address: string | null;
  description: string | null;
}

const CHANNEL_MIX: Record<CustomerKind, readonly (readonly [SalesChannel, number])[]> = {
  INDIVIDUAL: [
    ['AGENT', 35],
    ['ONLINE', 22],
    ['TELESALES', 15],
    ['DIRECT', 12],
    ['BANCASSURANCE', 10],
    ['BROKER', 6],
  ],
  ORGANISATION: [
    ['BROKER', 35],
    ['DIRECT', 35],
    ['AGENT', 25],
    ['BANCASSURANCE', 5],
  ],
};

const FAMILY: readonly (readonly [Exclude<RelationshipToPolicyholder, 'SELF' | 'EMPLOYEE'>, number])[] = [
  ['SPOUSE', 0.4],
  ['CHILD', 0.4],
  ['PARENT', 0.2],
];

type Related = (relationship: Exclude<RelationshipToPolicyholder, 'SELF'>, ordinal?: number) => Person;

function employees(related: Related, count: number): Person[] {
  return Array.from({ length: count }, (_, index) => related('EMPLOYEE', index + 1));
}

function vehicle(random: SeededRandom, plate: string, fleet: boolean, asOfYear: number): InsuredObjectPlan {
  const newEnergy = plate.length === 8;
  const [make, model] = random.pick(newEnergy ? NEW_ENERGY_CARS : fleet && random.chance(0.4) ? COMMERCIAL_VEHICLES : PASSENGER_CARS);
  const usage = fleet ? '企业非营业' : '家庭自用';
  return { kind: 'VEHICLE', plate, vin: generateVin(random), make, model, address: null, description: `${random.int(asOfYear - 10, asOfYear)}年式，${usage}` };
}

function vehicles(random: SeededRandom, fact: PolicyFact, customer: CustomerFact, asOfYear: number): InsuredObjectPlan[] {
  const fleet = customer.kind === 'ORGANISATION';
  const firstPlate = fact.plate ?? generatePlate(random);
  const newEnergy = firstPlate.length === 8;
  const extraPlates = fleet ? Array.from({ length: random.int(0, 3) }, () => generatePlate(random, { province: firstPlate.charAt(0), newEnergy })) : [];
  return [firstPlate, ...extraPlates].map((plate) => vehicle(random, plate, fleet, asOfYear));
}

function objectFor(random: SeededRandom, product: Product, customer: CustomerFact): InsuredObjectPlan {
  const kind = OBJECT_KIND[product.objectProfile];
  const plain = (description: string, address: string | null = null): InsuredObjectPlan => ({
    kind,
    plate: null,
    vin: null,
    make: null,
    model: null,
    address,
    description,
  });
  switch (product.objectProfile) {
    case 'HOME':
      return plain(`住宅，建筑面积 ${random.int(60, 180)} 平方米`, homeAddress(customer, random));
    case 'PREMISES':
      return product.line === 'PROPERTY'
        ? plain('厂房、办公楼、机器设备及存货', businessAddress(customer, random))
        : plain(`营业场所：${random.pick(PREMISES_KINDS)}，面积约 ${random.int(500, 20_000)} 平方米`, businessAddress(customer, random));
    case 'PRODUCTS':
      return plain(`承保产品：${random.pick(PRODUCT_KINDS)}，年销售额约 ${random.int(500, 50_000)} 万元`);
    case 'SHIPMENT': {
      const [goods, unit] = random.pick(GOODS);
      const international = product.code === 'CAR-INT';
      const route = random.pick(international ? INTERNATIONAL_ROUTES : DOMESTIC_ROUTES);
      const transport = international ? '集装箱海运' : random.pick(DOMESTIC_TRANSPORT);
      return plain(`年度预约：${goods}，每批约 ${random.int(20, 800)}${unit}，${route}，${transport}`);
    }
    case 'WORKFORCE':
      return plain(`雇员 ${random.int(20, 800)} 人，行业：${random.pick(INDUSTRIES)}`);
    case 'GROUP':
      return plain(`团体被保险人 ${random.int(30, 1_200)} 人（在职员工）`);
    case 'PERSON':
      return plain(product.line === 'LIABILITY' ? '被保险人及其共同生活的家庭成员' : '被保险人 1 人');
    case 'RENOVATION':
      return plain(`住宅装修工程，工期 ${random.int(30, 120)} 天`, homeAddress(customer, random));
    case 'CONSTRUCTION':
      return plain(`${random.pick(CONSTRUCTION_WORKS)}新建工程，工期 ${random.int(12, 36)} 个月`, businessAddress(customer, random));
    case 'INSTALLATION':
      return plain(`${random.pick(INSTALLATION_WORKS)}安装工程，工期 ${random.int(3, 18)} 个月`, businessAddress(customer, random));
    case 'VEHICLE':
      throw new Error('vehicles are planned from the policy fact');
  }
}

/** The people named on the chain's policies besides the policyholder. */
function peopleFor(
  random: SeededRandom,
  product: Product,
  customer: CustomerFact,
  related: Related,
): Pick<ChainPlan, 'otherInsured' | 'beneficiary' | 'drivers' | 'payer'> {
  const individual = customer.kind === 'INDIVIDUAL';
  const people: Pick<ChainPlan, 'otherInsured' | 'beneficiary' | 'drivers' | 'payer'> = { otherInsured: [], beneficiary: null, drivers: [], payer: null };
  if (product.line === 'ACCIDENT_HEALTH') {
    if (!individual) {
      // A group policy lists its insured employees.
      people.otherInsured = employees(related, random.int(3, 6));
    } else if (random.chance(0.3)) {
      people.otherInsured = [related(random.weighted(FAMILY))];
    }
    // Only death benefits name a beneficiary; most people leave it to the legal heirs.
    if (individual && product.code === 'AH-PA' && random.chance(0.5)) {
      const insuredIsFamily = people.otherInsured.length > 0;
      people.beneficiary = insuredIsFamily ? policyholderOf(customer) : related(random.weighted(FAMILY));
    }
  }
  if (product.line === 'MOTOR') {
    if (!individual) people.drivers = employees(related, random.int(1, 3));
    else if (random.chance(0.35)) people.drivers = [related('SPOUSE')];
  }
  if (individual && random.chance(0.08))
    people.payer = related(
      random.weighted([
        ['SPOUSE', 0.7],
        ['PARENT', 0.3],
      ] as const),
    );
  return people;
}

export function planChain(seed: number, asOf: Date, root: PolicyFact, customer: CustomerFact): ChainPlan {
  const random = SeededRandom.for(seed, 'policy-chain', root.id);
  const product = productFor(root.lineOfBusiness, customer.kind, root.plate, random);
  const related: Related = (relationship, ordinal = 1) => relatedPerson(seed, customer, relationship, ordinal, asOf);
  return {
    product,
    channel: random.weighted(CHANNEL_MIX[customer.kind]),
    ...peopleFor(random, product, customer, related),
    objects: product.objectProfile === 'VEHICLE' ? vehicles(random, root, customer, asOf.getUTCFullYear()) : [objectFor(random, product, customer)],
  };
}
