/**
 * Validating a mutation's input: every problem is BAD_USER_INPUT naming the field (`input.mobile`) and the reason,
 * never a stack, a statement or a value the caller did not send.
 */
import { GraphQLError } from 'graphql';
import { isValidMobile, isValidResidentId, isValidUscc } from '../identifiers';

/** BAD_USER_INPUT for one input field; `argumentName` as `badUserInput` gives it, `field` naming the same path. */
export function invalidInput(field: string, reason: string): GraphQLError {
  return new GraphQLError(`Invalid argument "${field}": ${reason}`, { extensions: { code: 'BAD_USER_INPUT', argumentName: field, field, reason } });
}

export interface TextRule {
  /** Longest value accepted, in characters (the column's width). */
  maxLength: number;
  /** Trimmed empty text counts as missing. */
  required?: boolean;
}

/** Trimmed text within the column's width; null when absent and not required. */
export function parseText(value: unknown, field: string, rule: TextRule): string | null {
  if (value === null || value === undefined) {
    if (rule.required) throw invalidInput(field, 'is required');
    return null;
  }
  if (typeof value !== 'string') throw invalidInput(field, 'must be text');
  const text = value.trim();
  if (text === '') {
    if (rule.required) throw invalidInput(field, 'must not be empty');
    return null;
  }
  if (Array.from(text).length > rule.maxLength) throw invalidInput(field, `must be at most ${rule.maxLength} characters`);
  return text;
}

/** The version the caller saw: a whole number of at least 1. */
export function parseExpectedVersion(value: unknown, field = 'expectedVersion'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw invalidInput(field, 'must be the version you read, a whole number of at least 1');
  return value;
}

export function parseOneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalidInput(field, `must be one of ${allowed.join(', ')}`);
}

/** An 18-character resident ID (GB 11643) with a valid birth date and check character. */
export function parseResidentId(value: unknown, field: string, asOf: Date): string {
  const text = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!isValidResidentId(text, asOf)) throw invalidInput(field, 'must be an 18-character resident ID with a valid birth date and check character');
  return text;
}

/** An 18-character unified social credit code (GB 32100) with a valid check character. */
export function parseUscc(value: unknown, field: string): string {
  const text = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!isValidUscc(text)) throw invalidInput(field, 'must be an 18-character unified social credit code with a valid check character');
  return text;
}

/** A mainland mobile number: 11 digits on a carrier prefix. */
export function parseMobile(value: unknown, field: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!isValidMobile(text)) throw invalidInput(field, 'must be an 11-digit mobile number on a mainland carrier prefix, e.g. 13812348000');
  return text;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export function parseEmail(value: unknown, field: string, maxLength: number): string | null {
  const text = parseText(value, field, { maxLength });
  if (text !== null && !EMAIL.test(text)) throw invalidInput(field, 'must be an email address, e.g. name@example.cn');
  return text;
}

/** YYYY-MM-DD naming a real calendar day, not after `latest` when given. */
export function parseIsoDate(value: unknown, field: string, latest?: Date): string | null {
  if (value === null || value === undefined) return null;
  const invalid = () => invalidInput(field, 'must be a date, YYYY-MM-DD');
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw invalid();
  const time = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(time) || !new Date(time).toISOString().startsWith(value)) throw invalid();
  if (latest !== undefined && time > latest.getTime()) throw invalidInput(field, 'must not be in the future');
  return value;
}
