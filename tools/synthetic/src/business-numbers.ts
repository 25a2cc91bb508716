/**
 * The synthetic company's business numbers: the formats the source systems issue (shared/src/ids.ts), with digits
 * that say nothing about any other record. Internal ids nest (a policy's id is its customer's id × 100 + n), so a
 * number spelled from an id would name the customer on every policy, claim, ticket and complaint; instead each
 * number is a keyed permutation of its record's id: unique (a permutation never repeats), deterministic (the same
 * seed gives the same company at any size and batch size), and unrelated to the customer's number.
 */
import { createHash } from 'node:crypto';
import type { LineOfBusiness } from '@icg/shared';

/** Feistel rounds: four make a keyed pseudo-random permutation (Luby–Rackoff). */
const ROUNDS = 4;

/**
 * `digits` digits (an even number, at most 16) that are a permutation of `id` keyed by the seed and the kind of
 * number: a balanced Feistel network over two halves of `digits / 2` decimal digits each.
 */
export function scrambledDigits(seed: number, kind: string, id: number, digits: number): string {
  if (digits % 2 !== 0 || digits < 2 || digits > 16) throw new RangeError(`scrambledDigits takes an even number of digits up to 16, not ${digits}`);
  const half = 10 ** (digits / 2);
  if (!Number.isSafeInteger(id) || id < 0 || id >= half * half) throw new RangeError(`Id ${id} does not fit ${digits} digits`);
  let left = Math.floor(id / half);
  let right = id % half;
  for (let round = 0; round < ROUNDS; round++) {
    const mixed = (left + roundValue(seed, kind, round, right, half)) % half;
    left = right;
    right = mixed;
  }
  return String(left * half + right).padStart(digits, '0');
}

function roundValue(seed: number, kind: string, round: number, value: number, modulus: number): number {
  const digest = createHash('sha256').update(`${seed}|${kind}|${round}|${value}`).digest();
  // 48 bits reduced modulo at most 10^8: a negligible bias.
  return digest.readUIntBE(0, 6) % modulus;
}

export const customerNoFor = (seed: number, customerId: number): string => `CU${scrambledDigits(seed, 'customer-no', customerId, 10)}`;

const LINE_CODES: Record<LineOfBusiness, string> = { MOTOR: 'MO', PROPERTY: 'PR', CARGO: 'CG', LIABILITY: 'LB', ENGINEERING: 'EN', ACCIDENT_HEALTH: 'AH' };
export const policyNoFor = (seed: number, policyId: number, line: LineOfBusiness): string =>
  `P${LINE_CODES[line]}${scrambledDigits(seed, 'policy-no', policyId, 12)}`;

/** 报案号. */
export const reportNoFor = (seed: number, claimId: number): string => `RPT${scrambledDigits(seed, 'report-no', claimId, 12)}`;

/** 立案号: CLM, the year the claim was registered and 12 digits of its own (not the report number's). */
export const registrationNoFor = (seed: number, claimId: number, registeredAt: Date): string =>
  `CLM${registeredAt.getUTCFullYear()}${scrambledDigits(seed, 'registration-no', claimId, 12)}`;

export const complaintNoFor = (seed: number, complaintId: number): string => `CP${scrambledDigits(seed, 'complaint-no', complaintId, 12)}`;

/** SR, the two-digit year the ticket opened, and 10 digits. */
export const ticketNoFor = (seed: number, ticketId: number, openedAt: Date): string =>
  `SR${String(openedAt.getUTCFullYear() % 100).padStart(2, '0')}${scrambledDigits(seed, 'ticket-no', ticketId, 10)}`;
