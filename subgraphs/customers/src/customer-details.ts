/**
 * A customer's basic and additional information as one value (README "Mutations", customer record maintenance):
 * what a version of the record holds and what a change request proposes. Stored as JSON in customer_versions and
 * customer_change_requests; read back field by field under the Customer fields' classifications (CustomerDetails).
 */
import { canonicalJson, invalidInput, parseEmail, parseIsoDate, parseMobile, parseText, residentIdBirthDate, residentIdGender } from '@icg/shared';
import type { AddressKind, AddressRow, ChangeRequestField, ChangeRequestRow, CustomerKind, CustomerRow, Gender, IncomeBand } from './records';

export interface AddressDetails {
  kind: AddressKind;
  province: string;
  city: string;
  line: string;
}

export interface CustomerDetails {
  name: string | null;
  gender: Gender | null;
  birthDate: string | null;
  mobile: string | null;
  email: string | null;
  addresses: AddressDetails[] | null;
  occupation: string | null;
  incomeBand: IncomeBand | null;
  marketingConsent: boolean | null;
  doNotSolicit: boolean | null;
}

export type DetailField = keyof CustomerDetails;

/** The fields in the order a request lists them, each with the ChangeRequestField that names it. */
export const DETAIL_FIELDS: Readonly<Record<DetailField, ChangeRequestField>> = {
  name: 'NAME',
  gender: 'GENDER',
  birthDate: 'BIRTH_DATE',
  mobile: 'MOBILE',
  email: 'EMAIL',
  addresses: 'ADDRESS',
  occupation: 'OCCUPATION',
  incomeBand: 'INCOME_BAND',
  marketingConsent: 'MARKETING_CONSENT',
  doNotSolicit: 'DO_NOT_SOLICIT',
};
const DETAIL_FIELD_NAMES = Object.keys(DETAIL_FIELDS) as DetailField[];

/** Fields only a person has (schema.graphql: "People only"). */
const PERSON_ONLY_FIELDS: readonly DetailField[] = ['gender', 'birthDate', 'occupation', 'incomeBand'];

/** Column widths (001_initial). */
const WIDTH = { name: 200, email: 100, occupation: 50, province: 50, city: 50, line: 200 } as const;

/** The record's details: the customer row and its address rows. */
export function detailsOfCustomer(row: CustomerRow, addresses: readonly AddressRow[]): CustomerDetails {
  return {
    name: row.name,
    gender: row.gender,
    birthDate: row.birth_date === null ? null : String(row.birth_date).slice(0, 10),
    mobile: row.mobile,
    email: row.email,
    addresses: [...addresses]
      .sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0))
      .map((address) => ({ kind: address.kind, province: address.province, city: address.city, line: address.line })),
    occupation: row.occupation,
    incomeBand: row.income_band,
    marketingConsent: Boolean(Number(row.marketing_consent)),
    doNotSolicit: Boolean(Number(row.do_not_solicit)),
  };
}

export function parseCustomerDetails(json: string): Partial<CustomerDetails> {
  return JSON.parse(json) as Partial<CustomerDetails>;
}

/**
 * What a change request proposes: its JSON, or for a single-field request from before the write side the one field
 * it names (an address there is free text, so it has no structured value and must be completed before approval).
 */
export function proposalOfRow(row: ChangeRequestRow): Partial<CustomerDetails> | null {
  if (row.proposed !== null && row.proposed !== undefined) return parseCustomerDetails(row.proposed);
  switch (row.field) {
    case 'MOBILE':
      return { mobile: row.proposed_value };
    case 'EMAIL':
      return { email: row.proposed_value };
    case 'OCCUPATION':
      return { occupation: row.proposed_value };
    case 'INCOME_BAND':
      return { incomeBand: row.proposed_value as IncomeBand };
    case 'MARKETING_CONSENT':
      return { marketingConsent: row.proposed_value === 'true' };
    default:
      return null;
  }
}

/** The fields a proposal changes, in DETAIL_FIELDS order; a legacy request without a structured value names its field. */
export function changedFieldsOf(proposal: Partial<CustomerDetails> | null, legacyField: ChangeRequestField): ChangeRequestField[] {
  if (proposal === null) return [legacyField];
  return DETAIL_FIELD_NAMES.filter((name) => proposal[name] !== undefined).map((name) => DETAIL_FIELDS[name]);
}

export function changedDetailFields(proposal: Partial<CustomerDetails>): DetailField[] {
  return DETAIL_FIELD_NAMES.filter((name) => proposal[name] !== undefined);
}

/** Whether two details agree on one field (addresses compared as a set, in kind order). */
export function sameValue(a: Partial<CustomerDetails>, b: Partial<CustomerDetails>, field: DetailField): boolean {
  return canonicalJson(a[field] ?? null) === canonicalJson(b[field] ?? null);
}

/** The input of createCustomer and of a change: the GraphQL input objects, already shaped by the schema. */
export interface DetailsInput {
  name?: string | null;
  gender?: Gender | null;
  birthDate?: string | null;
  mobile?: string | null;
  email?: string | null;
  addresses?: readonly { kind: AddressKind; province: string; city: string; line: string }[] | null;
  occupation?: string | null;
  incomeBand?: IncomeBand | null;
  marketingConsent?: boolean | null;
  doNotSolicit?: boolean | null;
}

/**
 * Validates details given as input (`path` prefixes the field names in errors, e.g. `changes.mobile`): each value
 * present is checked and normalised, person-only fields are refused for organisations. Absent and null mean "not
 * given". Returns only the fields given.
 */
export function parseDetailsInput(input: DetailsInput, kind: CustomerKind, path: string, today: Date): Partial<CustomerDetails> {
  const field = (name: string) => `${path}.${name}`;
  const details: Partial<CustomerDetails> = {};
  const given = (name: DetailField) => input[name] !== undefined && input[name] !== null;
  if (kind === 'ORGANISATION') {
    const personOnly = PERSON_ONLY_FIELDS.find(given);
    if (personOnly) throw invalidInput(field(personOnly), 'is for people only, not organisations');
  }
  if (given('name')) details.name = parseText(input.name, field('name'), { maxLength: WIDTH.name, required: true });
  if (given('gender')) details.gender = input.gender!;
  if (given('birthDate')) details.birthDate = parseIsoDate(input.birthDate, field('birthDate'), today);
  if (given('mobile')) details.mobile = parseMobile(input.mobile, field('mobile'));
  if (given('email')) details.email = parseEmail(input.email, field('email'), WIDTH.email);
  if (given('addresses')) details.addresses = parseAddresses(input.addresses!, field('addresses'));
  if (given('occupation')) details.occupation = parseText(input.occupation, field('occupation'), { maxLength: WIDTH.occupation, required: true });
  if (given('incomeBand')) details.incomeBand = input.incomeBand!;
  if (given('marketingConsent')) details.marketingConsent = input.marketingConsent!;
  if (given('doNotSolicit')) details.doNotSolicit = input.doNotSolicit!;
  return details;
}

function parseAddresses(addresses: NonNullable<DetailsInput['addresses']>, path: string): AddressDetails[] {
  const seen = new Set<AddressKind>();
  const parsed = addresses.map((address, index) => {
    const at = `${path}[${index}]`;
    if (seen.has(address.kind)) throw invalidInput(`${at}.kind`, `lists a second ${address.kind} address; give at most one of each kind`);
    seen.add(address.kind);
    return {
      kind: address.kind,
      province: parseText(address.province, `${at}.province`, { maxLength: WIDTH.province, required: true })!,
      city: parseText(address.city, `${at}.city`, { maxLength: WIDTH.city, required: true })!,
      line: parseText(address.line, `${at}.line`, { maxLength: WIDTH.line, required: true })!,
    };
  });
  return parsed.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}

/** A person's gender and birth date must be the ones their resident ID encodes. */
export function checkAgainstResidentId(details: Partial<CustomerDetails>, residentId: string, path: string): void {
  if (details.gender !== undefined && details.gender !== null && details.gender !== residentIdGender(residentId))
    throw invalidInput(`${path}.gender`, 'does not match the gender the resident ID encodes');
  if (details.birthDate !== undefined && details.birthDate !== null && details.birthDate !== residentIdBirthDate(residentId))
    throw invalidInput(`${path}.birthDate`, 'does not match the birth date the resident ID encodes');
}

/** A customer who asked not to be solicited cannot have given marketing consent at the same time. */
export function checkConsent(result: Pick<CustomerDetails, 'marketingConsent' | 'doNotSolicit'>, path: string): void {
  if (result.marketingConsent === true && result.doNotSolicit === true)
    throw invalidInput(`${path}.marketingConsent`, 'cannot be true while doNotSolicit is true (the customer asked not to be solicited)');
}
