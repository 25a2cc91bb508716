import { badUserInput } from './errors';

/** Entity ids are positive integers rendered as strings (GraphQL `ID`). */
const ENTITY_ID = /^[1-9]\d{0,17}$/;

/** A well-formed id no store issues (the largest of 18 digits): what the warm-ups look records up by, finding none. */
export const ABSENT_ENTITY_ID = '9'.repeat(18);

/** A field or key holding an entity id by its name: `id`, or one ending in `Id` (`customerId`). */
export const isEntityIdName = (name: string): boolean => name === 'id' || /Id$/.test(name);

/** Validates an `ID` argument; a malformed id is the caller's error, an unknown one is just `null`. */
export function parseEntityId(value: unknown, argumentName: string): string {
  if (typeof value !== 'string' && typeof value !== 'number') throw badUserInput(argumentName, 'must be an ID');
  const text = String(value);
  if (!ENTITY_ID.test(text)) throw badUserInput(argumentName, 'must be a positive whole number id, e.g. "1024"');
  return text;
}

/** Validates a business number (customer, policy, claim, ticket, complaint) against its format. */
export function parseBusinessNumber(value: unknown, argumentName: string, format: BusinessNumberFormat): string {
  if (typeof value !== 'string' || !format.pattern.test(value)) {
    throw badUserInput(argumentName, `must be a ${format.description}, e.g. "${format.example}"`);
  }
  return value;
}

export interface BusinessNumberFormat {
  pattern: RegExp;
  description: string;
  example: string;
}

/**
 * Business numbers as the source systems issue them. Each is unique in its own system and is the
 * key other systems use to refer to a record.
 */
export const BUSINESS_NUMBERS = {
  customerNo: { pattern: /^CU\d{10}$/, description: 'customer number (CU + 10 digits)', example: 'CU0000000001' },
  policyNo: { pattern: /^P[A-Z]{2}\d{12}$/, description: 'policy number (P + line code + 12 digits)', example: 'PMO202400000001' },
  reportNo: { pattern: /^RPT\d{12}$/, description: 'claim report number (RPT + 12 digits)', example: 'RPT202400000001' },
  ticketNo: { pattern: /^SR\d{12}$/, description: 'service ticket number (SR + 12 digits)', example: 'SR202400000001' },
  complaintNo: { pattern: /^CP\d{12}$/, description: 'complaint number (CP + 12 digits)', example: 'CP202400000001' },
} as const satisfies Record<string, BusinessNumberFormat>;
