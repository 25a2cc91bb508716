/**
 * Keyed-hash pseudonyms for customer keys (BI analysts, section 4) and audit records (section 7). Keyed, so
 * nobody without the secret can confirm a guessed ID or phone number by hashing it: those spaces are small.
 */
import { createHmac } from 'node:crypto';

export const PSEUDONYM_PREFIX = 'ps_';
/** 22 base64url characters = 132 bits of the HMAC. */
const PSEUDONYM_LENGTH = 22;
/** A short key would make the keyed hash guessable; 16 bytes = 128 bits. */
export const MIN_PSEUDONYM_SECRET_BYTES = 16;

/** `ps_` + the first 22 base64url characters of HMAC-SHA256(secret, value); deterministic per secret. */
export function pseudonymise(secret: string, value: string): string {
  if (Buffer.byteLength(secret, 'utf8') < MIN_PSEUDONYM_SECRET_BYTES) {
    throw new RangeError(`The pseudonym secret must be at least ${MIN_PSEUDONYM_SECRET_BYTES} bytes long`);
  }
  const digest = createHmac('sha256', secret).update(value, 'utf8').digest('base64url');
  return PSEUDONYM_PREFIX + digest.slice(0, PSEUDONYM_LENGTH);
}
