import {
  BUSINESS_NUMBERS,
  invalidInput,
  medicalWordsIn,
  parseBusinessNumber,
  parseEntityId,
  parseExpectedVersion,
  parseMobile,
  parseOneOf,
  parseText,
  type TextRule,
} from '@icg/shared';

/**
 * The complaint mutations' input, checked before anything is read: every problem is BAD_USER_INPUT naming
 * the field (`input.facts`) and the reason. The register holds no health facts: every free text is refused
 * when it names an injury, an illness or a treatment (docs/access-model.md section 1). Those belong to the
 * claim (Claim.injuryNarrative), which the adjusters handling it read; a HEALTH field here would be read by
 * nobody who works complaints, since the policy denies HEALTH to complaint officers and managers.
 */

export const FACTS_TEXT: TextRule = { maxLength: 4_000 };
export const NOTE_TEXT: TextRule = { maxLength: 2_000 };
export const REASON_TEXT: TextRule = { maxLength: 1_000 };
export const NAME_TEXT: TextRule = { maxLength: 100 };

/** Compensation is yuan with at most two decimals, and no complaint is settled above this. */
export const MAX_COMPENSATION_YUAN = 10_000_000;

const field = (name: string): string => `input.${name}`;

/** The input object of a mutation: absent or not an object is a client error, never a crash. */
export function inputObject(value: unknown): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidInput('input', 'must be an object');
  return value as Readonly<Record<string, unknown>>;
}

export function complaintNoOf(input: Readonly<Record<string, unknown>>): string {
  return parseBusinessNumber(input['complaintNo'], field('complaintNo'), BUSINESS_NUMBERS.complaintNo);
}

export function expectedVersionOf(input: Readonly<Record<string, unknown>>): number {
  return parseExpectedVersion(input['expectedVersion'], field('expectedVersion'));
}

export function idOf(input: Readonly<Record<string, unknown>>, name: string): string {
  return parseEntityId(input[name], field(name));
}

export function optionalIdOf(input: Readonly<Record<string, unknown>>, name: string): string | null {
  const value = input[name];
  return value === null || value === undefined ? null : parseEntityId(value, field(name));
}

export function textOf(input: Readonly<Record<string, unknown>>, name: string, rule: TextRule): string | null {
  return parseText(input[name], field(name), rule);
}

export function requiredTextOf(input: Readonly<Record<string, unknown>>, name: string, rule: TextRule): string {
  return parseText(input[name], field(name), { ...rule, required: true })!;
}

/** Free text without health facts: refused when it names an injury, an illness or a treatment. */
export function textWithoutHealthFacts(input: Readonly<Record<string, unknown>>, name: string, rule: TextRule): string | null {
  const text = parseText(input[name], field(name), rule);
  const words = text === null ? [] : medicalWordsIn(text);
  if (words.length > 0) {
    throw invalidInput(field(name), `must not name an injury, illness or treatment (${words.join(', ')}): the complaint register holds none, the claim does`);
  }
  return text;
}

export function oneOf<T extends string>(input: Readonly<Record<string, unknown>>, name: string, allowed: readonly T[]): T {
  return parseOneOf(input[name], field(name), allowed);
}

export function optionalOneOf<T extends string>(input: Readonly<Record<string, unknown>>, name: string, allowed: readonly T[]): T | null {
  const value = input[name];
  return value === null || value === undefined ? null : parseOneOf(value, field(name), allowed);
}

export function optionalBusinessNumberOf(input: Readonly<Record<string, unknown>>, name: keyof typeof BUSINESS_NUMBERS): string | null {
  const value = input[name];
  return value === null || value === undefined ? null : parseBusinessNumber(value, field(name), BUSINESS_NUMBERS[name]);
}

export function optionalMobileOf(input: Readonly<Record<string, unknown>>, name: string): string | null {
  const value = input[name];
  return value === null || value === undefined ? null : parseMobile(value, field(name));
}

export function flagOf(input: Readonly<Record<string, unknown>>, name: string): boolean {
  const value = input[name];
  if (typeof value !== 'boolean') throw invalidInput(field(name), 'must be true or false');
  return value;
}

export function wholeNumberOf(input: Readonly<Record<string, unknown>>, name: string, min: number, max: number): number {
  const value = input[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidInput(field(name), `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** Yuan, positive, with at most two decimals; null when absent. */
export function optionalAmountOf(input: Readonly<Record<string, unknown>>, name: string): number | null {
  const value = input[name];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_COMPENSATION_YUAN) {
    throw invalidInput(field(name), `must be an amount in yuan above 0 and at most ${MAX_COMPENSATION_YUAN}`);
  }
  if (Math.round(value * 100) !== value * 100) throw invalidInput(field(name), 'must have at most two decimals');
  return value;
}

/** A step's note. */
export function stepNoteOf(input: Readonly<Record<string, unknown>>): string | null {
  return textWithoutHealthFacts(input, 'note', NOTE_TEXT);
}

export { field as inputField };
