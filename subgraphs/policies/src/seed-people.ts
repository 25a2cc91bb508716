import { addDays, isoDate } from '@icg/shared';
import { AREA_CODES, fakerFor, generateMobile, generateResidentId, SeededRandom, type CustomerFact } from '@icg/synthetic';
import { BUSINESS_PARKS, RESIDENTIAL_ESTATES, STREETS } from './catalog';
import type { Gender, IdentityDocumentType, RelationshipToPolicyholder } from './domain';

/** Someone named on a policy: the policyholder, a family member or an employee of an organisation. */
export interface Person {
  name: string;
  idType: IdentityDocumentType;
  idNumber: string;
  mobile: string | null;
  gender: Gender | null;
  birthDate: string | null;
  relationship: RelationshipToPolicyholder;
  /** Set when the person is the customer (the only participant this system knows as a customer). */
  customerId: number | null;
}

const YEAR_DAYS = 365.25;
const EARLIEST_BIRTH = new Date('1930-01-01T00:00:00Z');

export function policyholderOf(customer: CustomerFact): Person {
  return {
    name: customer.name,
    idType: customer.idType,
    idNumber: customer.idNumber,
    mobile: customer.mobile,
    gender: customer.gender,
    birthDate: customer.birthDate,
    relationship: 'SELF',
    customerId: customer.id,
  };
}

/** The six-digit area code inside a resident ID, or inside a USCC after its two category digits. */
function areaCodeOf(customer: CustomerFact): string {
  return customer.idType === 'USCC' ? customer.idNumber.slice(2, 8) : customer.idNumber.slice(0, 6);
}

function birthDateFor(relationship: Exclude<RelationshipToPolicyholder, 'SELF'>, customer: CustomerFact, asOf: Date, random: SeededRandom): Date {
  const years = (count: number) => count * YEAR_DAYS;
  const customerBirth = customer.birthDate ? new Date(`${customer.birthDate}T00:00:00Z`) : addDays(asOf, -years(40));
  const offsetDays = random.int(0, 364);
  const drawn = {
    SPOUSE: addDays(customerBirth, years(random.int(-6, 6)) + offsetDays),
    CHILD: addDays(customerBirth, years(random.int(22, 38)) + offsetDays),
    PARENT: addDays(customerBirth, -years(random.int(22, 35)) - offsetDays),
    EMPLOYEE: addDays(asOf, -years(random.int(20, 58)) - offsetDays),
  }[relationship];
  // Adults are at least 20; a child is at least a year old; nobody was born before 1930.
  const latest = addDays(asOf, -years(relationship === 'CHILD' ? 1 : 20));
  return new Date(Math.max(EARLIEST_BIRTH.getTime(), Math.min(drawn.getTime(), latest.getTime())));
}

/**
 * A family member or employee of the customer. Seeded by customer and relationship, so the same
 * spouse appears on every policy of the customer.
 */
export function relatedPerson(
  seed: number,
  customer: CustomerFact,
  relationship: Exclude<RelationshipToPolicyholder, 'SELF'>,
  ordinal: number,
  asOf: Date,
): Person {
  const random = SeededRandom.for(seed, 'policy-person', customer.id, relationship, ordinal);
  const gender: Gender =
    relationship === 'SPOUSE' && customer.gender ? (customer.gender === 'MALE' ? 'FEMALE' : 'MALE') : random.chance(0.5) ? 'MALE' : 'FEMALE';
  const birth = birthDateFor(relationship, customer, asOf, random);
  const names = fakerFor(seed, 'policy-person', customer.id, relationship, ordinal).person;
  // Children and fathers usually carry the customer's surname.
  const sharesSurname =
    customer.kind === 'INDIVIDUAL' && ((relationship === 'CHILD' && customer.gender === 'MALE') || (relationship === 'PARENT' && gender === 'MALE'));
  const surname = sharesSurname ? customer.name.charAt(0) : names.lastName();
  const ageYears = (asOf.getTime() - birth.getTime()) / (YEAR_DAYS * 86_400_000);
  return {
    name: surname + names.firstName(gender === 'MALE' ? 'male' : 'female'),
    idType: 'RESIDENT_ID',
    idNumber: generateResidentId(random, { areaCode: areaCodeOf(customer), birthDate: isoDate(birth), gender }),
    mobile: ageYears < 16 ? null : generateMobile(random),
    gender,
    birthDate: isoDate(birth),
    relationship,
    customerId: null,
  };
}

/** `广东省深圳市南山区科技园路88号`: province and city first, so the ADDRESS mask keeps only them. */
function streetAddress(customer: CustomerFact, random: SeededRandom): string {
  const districts = AREA_CODES.filter((area) => area.city === customer.city).map((area) => area.district);
  const city = customer.city === customer.province ? '' : customer.city;
  const district = districts.length ? random.pick(districts) : '';
  return `${customer.province}${city}${district}${random.pick(STREETS)}${random.int(1, 999)}号`;
}

export function homeAddress(customer: CustomerFact, random: SeededRandom): string {
  return `${streetAddress(customer, random)}${random.pick(RESIDENTIAL_ESTATES)}${random.int(1, 32)}栋${random.int(1, 4)}单元${random.int(1, 33)}${String(random.int(1, 4)).padStart(2, '0')}室`;
}

export function businessAddress(customer: CustomerFact, random: SeededRandom): string {
  return `${streetAddress(customer, random)}${random.pick(BUSINESS_PARKS)}${random.int(1, 20)}号楼`;
}
