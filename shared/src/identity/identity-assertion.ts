import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import { ConfigError, type EnvReader } from '../env-reader';
import { AuthenticationError } from './authentication-error';
import { COMPACT_JWS, MAX_CREDENTIAL_LENGTH, toAuthenticationError } from './jose-errors';
import { assertValidIdentity, identityFromClaims, identityToClaims, type StaffIdentity } from './staff-identity';

/**
 * Gateway → subgraph identity. The gateway drops any client-sent copy of this header and sends its
 * own: an EdDSA JWT of a few seconds naming the caller, the request, the one subgraph it is meant for
 * and the SHA-256 of the exact request body, so a subgraph called directly, an assertion replayed to
 * another subgraph, or one replayed with another operation gains nothing.
 */
export const IDENTITY_ASSERTION_HEADER = 'x-icg-identity';
export const IDENTITY_ASSERTION_ISSUER = 'icg-gateway';
/** Distinguishes an assertion from any other JWT, should keys ever be shared by mistake. */
export const IDENTITY_ASSERTION_TYPE = 'icg-identity+jwt';
/** Long enough for one gateway → subgraph call, short enough that a captured assertion is soon worthless. */
export const DEFAULT_ASSERTION_TTL_SECONDS = 10;
/** Verifiers refuse assertions living or issued longer than this, whatever their `exp` says. */
export const MAX_ASSERTION_TTL_SECONDS = 30;
const ASSERTION_ALGORITHM = 'EdDSA';
/** The gateway and subgraphs run on NTP-synchronised hosts; a tolerance near the lifetime would double it. */
export const ASSERTION_CLOCK_TOLERANCE_SECONDS = 2;
/** Printable ASCII without spaces, as request ids are logged and echoed in headers. */
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
/** SHA-256, hex: of the client's operation (`oph`) and of the subgraph request body (`bdh`). */
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The client's operation, as the gateway saw it, for the subgraphs' audit records. */
export interface AssertedOperation {
  name: string | null;
  /** SHA-256 (hex) of the client's operation document. */
  hash: string;
}

export type AssertedIdentity = StaffIdentity & { requestId: string; operation: AssertedOperation | null };

export interface AssertionTarget {
  /** The subgraph's name (`customers`, `policies`…), which becomes the assertion's audience. */
  subgraph: string;
  requestId: string;
  operation?: AssertedOperation | null;
  /** The exact bytes of the HTTP request body sent with the assertion; its SHA-256 is signed (`bdh`). */
  body: Uint8Array | string;
}

/** What the subgraph received with the assertion, which the assertion must have been signed for. */
export interface ReceivedRequest {
  /** The raw HTTP request body, byte for byte. */
  body: Uint8Array | string;
  /** The `x-request-id` header, if sent: it must then name the asserted request. */
  requestIdHeader?: string | undefined;
}

const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;

export interface AssertionSigner {
  sign(identity: StaffIdentity, target: AssertionTarget): Promise<string>;
}

export interface AssertionVerifier {
  /**
   * Verifies the `x-icg-identity` header value against the request it came with; throws
   * AuthenticationError when it does not hold a valid assertion signed for exactly that request.
   */
  verify(headerValue: string | undefined, received: ReceivedRequest): Promise<AssertedIdentity>;
}

/** SHA-256 (hex) of a request body, as the `bdh` claim carries it. */
export function requestBodyDigest(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}

export function createAssertionSigner(privateKeyPem: string, options: { ttlSeconds?: number } = {}): AssertionSigner {
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_ASSERTION_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_ASSERTION_TTL_SECONDS) {
    throw new TypeError(`Assertion ttlSeconds must be a whole number from 1 to ${MAX_ASSERTION_TTL_SECONDS}`);
  }
  // Imported once: parsing the PEM is the expensive part; an Ed25519 signature itself takes microseconds.
  const privateKey = ed25519PrivateKey(privateKeyPem);
  if (!privateKey) throw new TypeError('The identity assertion private key must be an Ed25519 private key in PEM form');

  return {
    async sign(identity, { subgraph, requestId, operation, body }) {
      assertValidIdentity(identity);
      if (!REQUEST_ID.test(requestId)) throw new TypeError('The request id must be 1 to 128 printable ASCII characters');
      if (subgraph === '') throw new TypeError('The assertion needs a subgraph name');
      if (operation && (!SHA256_HEX.test(operation.hash) || (operation.name !== null && !OPERATION_NAME.test(operation.name)))) {
        throw new TypeError('The operation needs a SHA-256 hex hash and a GraphQL name or null');
      }
      const now = Math.floor(Date.now() / 1000);
      const operationClaims = operation ? { oph: operation.hash, ...(operation.name ? { opn: operation.name } : {}) } : {};
      return new SignJWT({ ...identityToClaims(identity), rid: requestId, bdh: requestBodyDigest(body), ...operationClaims })
        .setProtectedHeader({ alg: ASSERTION_ALGORITHM, typ: IDENTITY_ASSERTION_TYPE })
        .setIssuer(IDENTITY_ASSERTION_ISSUER)
        .setAudience(subgraph)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(privateKey);
    },
  };
}

export function createAssertionVerifier(publicKeyPem: string, subgraph: string): AssertionVerifier {
  const publicKey = ed25519PublicKey(publicKeyPem);
  if (!publicKey) throw new TypeError('The identity assertion public key must be an Ed25519 public key in PEM form');
  const verifyOptions = {
    issuer: IDENTITY_ASSERTION_ISSUER,
    audience: subgraph,
    algorithms: [ASSERTION_ALGORITHM],
    typ: IDENTITY_ASSERTION_TYPE,
    clockTolerance: ASSERTION_CLOCK_TOLERANCE_SECONDS,
    maxTokenAge: MAX_ASSERTION_TTL_SECONDS,
    requiredClaims: ['exp', 'iat'],
  };

  return {
    async verify(headerValue, received) {
      const assertion = headerValue?.trim();
      if (!assertion) throw new AuthenticationError('Missing identity assertion', 'MISSING');
      // A repeated header arrives joined with ", " and fails here too.
      if (assertion.length > MAX_CREDENTIAL_LENGTH || !COMPACT_JWS.test(assertion)) {
        throw new AuthenticationError('Identity assertion is malformed', 'MALFORMED');
      }
      let payload: JWTPayload;
      try {
        payload = (await jwtVerify(assertion, publicKey, verifyOptions)).payload;
      } catch (error) {
        throw toAuthenticationError(error, 'Identity assertion');
      }
      // An assertion signed for a long life would outlast the replay window the short lifetime promises.
      if ((payload.exp ?? 0) - (payload.iat ?? 0) > MAX_ASSERTION_TTL_SECONDS) {
        throw new AuthenticationError('Identity assertion lifetime is too long', 'BAD_CLAIMS');
      }
      const result = identityFromClaims(payload);
      if (!result.ok) throw new AuthenticationError(`Identity assertion claims are invalid: ${result.invalidClaim}`, 'BAD_CLAIMS');
      const requestId = payload['rid'];
      if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId)) {
        throw new AuthenticationError('Identity assertion claims are invalid: rid', 'BAD_CLAIMS');
      }
      const bodyDigest = payload['bdh'];
      if (typeof bodyDigest !== 'string' || !SHA256_HEX.test(bodyDigest)) {
        throw new AuthenticationError('Identity assertion claims are invalid: bdh', 'BAD_CLAIMS');
      }
      assertSignedForRequest(bodyDigest, requestId, received);
      const hash = payload['oph'];
      const name = payload['opn'];
      if (
        (hash !== undefined && (typeof hash !== 'string' || !SHA256_HEX.test(hash))) ||
        (name !== undefined && (typeof name !== 'string' || !OPERATION_NAME.test(name)))
      ) {
        throw new AuthenticationError('Identity assertion claims are invalid: operation', 'BAD_CLAIMS');
      }
      const operation = typeof hash === 'string' ? { hash, name: typeof name === 'string' ? name : null } : null;
      return { ...result.identity, requestId, operation };
    },
  };
}

/**
 * The assertion must have been signed for this very request: a captured assertion replayed with another
 * operation, other variables or another request id is refused before anything runs.
 */
function assertSignedForRequest(bodyDigest: string, requestId: string, received: ReceivedRequest): void {
  const expected = Buffer.from(bodyDigest, 'hex');
  const actual = Buffer.from(requestBodyDigest(received.body), 'hex');
  if (!timingSafeEqual(expected, actual)) {
    throw new AuthenticationError('Identity assertion was not issued for this request body', 'REQUEST_MISMATCH');
  }
  if (received.requestIdHeader !== undefined && received.requestIdHeader !== requestId) {
    throw new AuthenticationError('Identity assertion was not issued for this request id', 'REQUEST_MISMATCH');
  }
}

// ---------------------------------------------------------------------------------------------
// Key configuration

export const ASSERTION_TTL_ENV = 'IDENTITY_ASSERTION_TTL_SECONDS';

/** How long the gateway's assertions live: IDENTITY_ASSERTION_TTL_SECONDS, 1 to 30, 10 by default. */
export function readAssertionTtlSeconds(reader: EnvReader): number {
  return reader.int(ASSERTION_TTL_ENV, DEFAULT_ASSERTION_TTL_SECONDS, { min: 1, max: MAX_ASSERTION_TTL_SECONDS });
}

export const ASSERTION_KEY_ENV = {
  privateKey: 'IDENTITY_ASSERTION_PRIVATE_KEY',
  publicKey: 'IDENTITY_ASSERTION_PUBLIC_KEY',
} as const;
export const GENERATED_ASSERTION_PRIVATE_KEY_FILE = 'identity-assertion-ed25519.pem';
export const GENERATED_ASSERTION_PUBLIC_KEY_FILE = 'identity-assertion-ed25519.pub.pem';

export interface AssertionKeys {
  /**
   * PKCS#8 PEM. Null only when just IDENTITY_ASSERTION_PUBLIC_KEY is configured: the usual set-up of
   * a subgraph in production, which verifies but never signs (see requireAssertionPrivateKey).
   */
  privateKeyPem: string | null;
  /** SPKI PEM. */
  publicKeyPem: string;
  /** env: from the variables; generated: created just now in the data folder; file: created earlier in the data folder. */
  source: 'env' | 'generated' | 'file';
}

/**
 * The assertion key pair. From IDENTITY_ASSERTION_PRIVATE_KEY / IDENTITY_ASSERTION_PUBLIC_KEY (PEM,
 * or a path to a PEM file) when set; otherwise from `<dataDir>/identity-assertion-ed25519.pem`,
 * generated on first use, so the gateway and subgraphs on one machine agree with no configuration.
 */
export function readAssertionKeys(reader: EnvReader, dataDir: string): AssertionKeys {
  const privateValue = reader.optionalString(ASSERTION_KEY_ENV.privateKey);
  const publicValue = reader.optionalString(ASSERTION_KEY_ENV.publicKey);
  if (privateValue === undefined && publicValue === undefined) return keysFromDataDir(dataDir);

  let privateKey: KeyObject | null = null;
  if (privateValue !== undefined) {
    privateKey = ed25519PrivateKey(pemFromVariable(ASSERTION_KEY_ENV.privateKey, privateValue, false));
    if (!privateKey) throw new ConfigError(ASSERTION_KEY_ENV.privateKey, 'must be an Ed25519 private key in PEM (PKCS#8), or the path of a file holding one');
  }
  let publicKey: KeyObject;
  if (publicValue !== undefined) {
    const parsed = ed25519PublicKey(pemFromVariable(ASSERTION_KEY_ENV.publicKey, publicValue, true));
    if (!parsed) throw new ConfigError(ASSERTION_KEY_ENV.publicKey, 'must be an Ed25519 public key in PEM (SPKI), or the path of a file holding one');
    publicKey = parsed;
    if (privateKey && !createPublicKey(privateKey).equals(publicKey)) {
      throw new ConfigError(ASSERTION_KEY_ENV.publicKey, `is not the public half of ${ASSERTION_KEY_ENV.privateKey}`);
    }
  } else {
    publicKey = createPublicKey(privateKey!);
  }
  return { privateKeyPem: privateKey ? privateKeyPemOf(privateKey) : null, publicKeyPem: publicKeyPemOf(publicKey), source: 'env' };
}

/** For the gateway, which must sign: fails start-up clearly when only the public key is configured. */
export function requireAssertionPrivateKey(keys: AssertionKeys): string {
  if (keys.privateKeyPem === null) {
    throw new ConfigError(
      ASSERTION_KEY_ENV.privateKey,
      `must be set where identity assertions are signed (the gateway); only ${ASSERTION_KEY_ENV.publicKey} is set`,
    );
  }
  return keys.privateKeyPem;
}

/**
 * A PEM given inline (newlines may be written as `\n`, as some deployment tools require) or a path.
 * The private key's path is not echoed: a key pasted without its BEGIN line would otherwise end up in a log.
 */
function pemFromVariable(variable: string, value: string, echoPath: boolean): string {
  if (value.startsWith('-----BEGIN')) return value.replace(/\\n/g, '\n');
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    const where = echoPath ? `"${value}"` : 'a path';
    throw new ConfigError(
      variable,
      `does not start with -----BEGIN, so it is read as ${where}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

function keysFromDataDir(dataDir: string): AssertionKeys {
  const privatePath = join(dataDir, GENERATED_ASSERTION_PRIVATE_KEY_FILE);
  const generated = existsSync(privatePath) ? false : createPrivateKeyFile(dataDir, privatePath);

  let privateKey: KeyObject | null = null;
  try {
    privateKey = ed25519PrivateKey(readFileSync(privatePath, 'utf8'));
  } catch {
    // Reported below with the remedy.
  }
  if (!privateKey) {
    throw new ConfigError(
      ASSERTION_KEY_ENV.privateKey,
      `is not set and "${privatePath}" is not a readable Ed25519 private key; delete it to have a new one generated`,
    );
  }
  const publicKeyPem = publicKeyPemOf(createPublicKey(privateKey));
  // The public half is derived from the private file, never read back, so a half-written copy can do no harm;
  // the file is for operators who move subgraphs to other machines.
  writePublicKeyFile(join(dataDir, GENERATED_ASSERTION_PUBLIC_KEY_FILE), publicKeyPem);
  return { privateKeyPem: privateKeyPemOf(privateKey), publicKeyPem, source: generated ? 'generated' : 'file' };
}

/**
 * Creates the private key file unless another process (the gateway and subgraphs start together)
 * got there first. The key is written to a private temporary file and hard-linked into place, so
 * the final name never holds a partial key and exactly one process wins. Returns whether we did.
 */
function createPrivateKeyFile(dataDir: string, privatePath: string): boolean {
  mkdirSync(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const temporaryPath = `${privatePath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporaryPath, privateKey, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporaryPath, privatePath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // File systems without hard links: an exclusive create still lets only one process win.
    try {
      writeFileSync(privatePath, privateKey, { mode: 0o600, flag: 'wx' });
      return true;
    } catch (fallbackError) {
      if ((fallbackError as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallbackError;
    }
  } finally {
    unlinkSync(temporaryPath);
  }
}

function writePublicKeyFile(publicPath: string, publicKeyPem: string): void {
  try {
    if (readFileSync(publicPath, 'utf8') === publicKeyPem) return;
  } catch {
    // Missing: write it.
  }
  const temporaryPath = `${publicPath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporaryPath, publicKeyPem, { mode: 0o644 });
  renameSync(temporaryPath, publicPath);
}

function ed25519PrivateKey(pem: string): KeyObject | null {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

function ed25519PublicKey(pem: string): KeyObject | null {
  try {
    const key = createPublicKey(pem);
    // createPublicKey also accepts a private key (deriving its public half); a public key setting must hold a public key.
    return key.asymmetricKeyType === 'ed25519' && !/PRIVATE KEY/.test(pem) ? key : null;
  } catch {
    return null;
  }
}

function privateKeyPemOf(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function publicKeyPemOf(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}
