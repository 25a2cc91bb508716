/**
 * Sealed identifiers for roles whose policy pseudonymises identifiers (BI analysts; docs/access-model.md
 * section 9): every identifier that leads to a person leaves the subgraphs as `ps_…`, deterministic (the same
 * value seals the same in every query and every subgraph, so joins across answers still work) and reversible by
 * the servers only, so a pseudonymising caller can hand a sealed value back as a lookup argument, a cursor or an
 * entity key between subgraphs.
 *
 * Construction: SIV (deterministic authenticated encryption, Rogaway & Shrimpton) with HMAC-SHA256 as the PRF
 * and AES-256-CTR. The synthetic IV is the first 16 bytes of HMAC(macKey, plaintext) and doubles as the tag;
 * opening recomputes it, so a forged or altered value is refused. Both keys are derived with HKDF from the
 * pseudonym secret every subgraph already holds. The plaintext is padded to a multiple of 16 bytes, so the
 * length of a sealed id tells nothing about the number of digits of the id.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { MIN_PSEUDONYM_SECRET_BYTES } from './pseudonym';

export const SEALED_IDENTIFIER_PREFIX = 'ps_';
const SIV_BYTES = 16;
const BLOCK_BYTES = 16;
/** Identifiers are short; anything longer is not a sealed identifier (and is never decrypted). */
const MAX_SEALED_BYTES = SIV_BYTES + 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Memoised seals per request-heavy value set; cleared when full rather than grown without bound. */
const CACHE_LIMIT = 20_000;

export interface IdentifierSeal {
  /** `ps_` + base64url(SIV ‖ ciphertext): the same for the same value under the same secret. */
  seal(value: string): string;
  /** The value a `seal` of this secret produced, or undefined for anything else (raw, forged, altered, other secret). */
  unseal(text: string): string | undefined;
}

function pad(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  // ISO/IEC 7816-4 padding: 0x80, then zeros up to the next block boundary (always at least one byte).
  const padded = Buffer.alloc((Math.floor(bytes.length / BLOCK_BYTES) + 1) * BLOCK_BYTES);
  bytes.copy(padded);
  padded[bytes.length] = 0x80;
  return padded;
}

function unpad(padded: Buffer): Buffer | undefined {
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  return end >= 0 && padded[end] === 0x80 ? padded.subarray(0, end) : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

class SivIdentifierSeal implements IdentifierSeal {
  private readonly macKey: Buffer;
  private readonly encryptionKey: Buffer;
  private readonly sealed = new Map<string, string>();
  private readonly opened = new Map<string, string>();

  constructor(secret: string) {
    if (Buffer.byteLength(secret, 'utf8') < MIN_PSEUDONYM_SECRET_BYTES) {
      throw new RangeError(`The pseudonym secret must be at least ${MIN_PSEUDONYM_SECRET_BYTES} bytes long`);
    }
    // Distinct keys for the PRF and the cipher, neither equal to the secret the audit's keyed hash uses.
    this.macKey = Buffer.from(hkdfSync('sha256', secret, 'icg-sealed-identifier', 'siv-mac', 32));
    this.encryptionKey = Buffer.from(hkdfSync('sha256', secret, 'icg-sealed-identifier', 'ctr-encryption', 32));
  }

  seal(value: string): string {
    const known = this.sealed.get(value);
    if (known !== undefined) return known;
    const plaintext = pad(value);
    const siv = this.syntheticIv(plaintext);
    const cipher = createCipheriv('aes-256-ctr', this.encryptionKey, siv);
    const text = SEALED_IDENTIFIER_PREFIX + Buffer.concat([siv, cipher.update(plaintext), cipher.final()]).toString('base64url');
    remember(this.sealed, value, text);
    return text;
  }

  unseal(text: string): string | undefined {
    const known = this.opened.get(text);
    if (known !== undefined) return known;
    if (!text.startsWith(SEALED_IDENTIFIER_PREFIX)) return undefined;
    const body = text.slice(SEALED_IDENTIFIER_PREFIX.length);
    if (!BASE64URL.test(body) || body.length > Math.ceil((MAX_SEALED_BYTES * 4) / 3)) return undefined;
    const bytes = Buffer.from(body, 'base64url');
    // Canonical encoding only, so one value has exactly one sealed form.
    if (bytes.toString('base64url') !== body) return undefined;
    const ciphertext = bytes.subarray(SIV_BYTES);
    if (ciphertext.length < BLOCK_BYTES || ciphertext.length % BLOCK_BYTES !== 0) return undefined;
    const siv = bytes.subarray(0, SIV_BYTES);
    const decipher = createDecipheriv('aes-256-ctr', this.encryptionKey, siv);
    const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    if (!timingSafeEqual(this.syntheticIv(plaintext), siv)) return undefined;
    const unpadded = unpad(plaintext);
    if (!unpadded) return undefined;
    let value: string;
    try {
      value = utf8.decode(unpadded);
    } catch {
      return undefined;
    }
    remember(this.opened, text, value);
    return value;
  }

  private syntheticIv(plaintext: Buffer): Buffer {
    return createHmac('sha256', this.macKey).update(plaintext).digest().subarray(0, SIV_BYTES);
  }
}

function remember(cache: Map<string, string>, key: string, value: string): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
}

const sealsBySecret = new Map<string, IdentifierSeal>();

/** The seal of a pseudonym secret (one per secret and process: keys are derived once, seals memoised). */
export function identifierSeal(secret: string): IdentifierSeal {
  let seal = sealsBySecret.get(secret);
  if (!seal) {
    seal = new SivIdentifierSeal(secret);
    sealsBySecret.set(secret, seal);
  }
  return seal;
}

/** `identifierSeal(secret).seal(value)`. */
export function sealIdentifier(secret: string, value: string): string {
  return identifierSeal(secret).seal(value);
}

/** `identifierSeal(secret).unseal(text)`. */
export function unsealIdentifier(secret: string, text: string): string | undefined {
  return identifierSeal(secret).unseal(text);
}
