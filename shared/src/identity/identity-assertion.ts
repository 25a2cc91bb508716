import { createHash, createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { jwtVerify, type JWTPayload } from 'jose';
import { ConfigError, type EnvReader } from '../env-reader';
import { readOrCreateSecretFile } from '../secret-files';
import { AuthenticationError } from './authentication-error';
import { COMPACT_JWS, MAX_CREDENTIAL_LENGTH, toAuthenticationError } from './jose-errors';
import { assertValidIdentity, identityFromClaims, identityToClaims, type StaffIdentity } from './staff-identity';

/**
 * Gateway → subgraph identity. The gateway drops any client-sent copy of this header and sends its
 * own: a JWT of a few seconds naming the caller, the request, the one subgraph it is meant for and the
 * SHA-256 of the exact request body, so a subgraph called directly, an assertion replayed to another
 * subgraph, or one replayed with another operation gains nothing.
 *
 * It is MACed (HS256, HMAC-SHA256), not signed: an Ed25519 signature cost the gateway about 120 µs per
 * subgraph call and its verification each subgraph about twice that (issue 12's profile: a fifth of
 * the gateway's CPU), an HMAC a few µs. A MAC key can mint as well as check, so each subgraph holds a
 * key of its own, derived by the gateway from one secret (HKDF-SHA256 with the subgraph's name): a
 * subgraph's key lets nobody mint for another subgraph, and a subgraph minting for itself gains nothing.
 */
export const IDENTITY_ASSERTION_HEADER = 'x-icg-identity';
export const IDENTITY_ASSERTION_ISSUER = 'icg-gateway';
/** Distinguishes an assertion from any other JWT, should keys ever be shared by mistake. */
export const IDENTITY_ASSERTION_TYPE = 'icg-identity+jwt';
/** HMAC-SHA256 with the subgraph's own key. */
export const IDENTITY_ASSERTION_ALGORITHM = 'HS256';
/** Long enough for one gateway → subgraph call, short enough that a captured assertion is soon worthless. */
export const DEFAULT_ASSERTION_TTL_SECONDS = 10;
/** Verifiers refuse assertions living or issued longer than this, whatever their `exp` says. */
export const MAX_ASSERTION_TTL_SECONDS = 30;
/** The gateway and subgraphs run on NTP-synchronised hosts; a tolerance near the lifetime would double it. */
export const ASSERTION_CLOCK_TOLERANCE_SECONDS = 2;
/** A subgraph's key: 32 bytes (HMAC-SHA256's full strength), written base64url (43 characters). */
export const ASSERTION_KEY_BYTES = 32;
/** The gateway secret the subgraphs' keys are derived from: at least as many bytes as a key. */
export const MIN_ASSERTION_SECRET_BYTES = 32;
/** HKDF salt: versioned, so a change of derivation can never yield an old key by accident. */
const ASSERTION_KEY_SALT = 'icg-identity-assertion/v1';
/** Printable ASCII without spaces, as request ids are logged and echoed in headers. */
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
/** SHA-256, hex: of the client's operation (`oph`) and of the subgraph request body (`bdh`). */
const SHA256_HEX = /^[0-9a-f]{64}$/;
const BASE64URL_KEY = /^[A-Za-z0-9_-]{43}$/;

/** The client's operation, as the gateway saw it, for the subgraphs' audit records. */
export interface AssertedOperation {
  name: string | null;
  /** SHA-256 (hex) of the client's operation document. */
  hash: string;
}

export type AssertedIdentity = StaffIdentity & { requestId: string; operation: AssertedOperation | null };

export interface AssertionTarget {
  /** The subgraph's name (`customers`, `policies`…), which becomes the assertion's audience and picks its key. */
  subgraph: string;
  requestId: string;
  operation?: AssertedOperation | null;
  /** The exact bytes of the HTTP request body sent with the assertion; its SHA-256 is MACed (`bdh`). */
  body: Uint8Array | string;
}

/** What the subgraph received with the assertion, which the assertion must have been issued for. */
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
   * AuthenticationError when it does not hold a valid assertion issued for exactly that request.
   */
  verify(headerValue: string | undefined, received: ReceivedRequest): Promise<AssertedIdentity>;
}

/** SHA-256 (hex) of a request body, as the `bdh` claim carries it. */
export function requestBodyDigest(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * The key one subgraph checks assertions with (base64url, 32 bytes): HKDF-SHA256 of the gateway secret,
 * with the subgraph's name as the context, so every subgraph's key is independent of every other's and
 * none reveals the secret.
 */
export function deriveSubgraphAssertionKey(gatewaySecret: string, subgraph: string): string {
  assertUsableSecret(gatewaySecret);
  if (subgraph === '') throw new TypeError('The assertion key needs a subgraph name');
  return Buffer.from(hkdfSync('sha256', gatewaySecret, ASSERTION_KEY_SALT, `subgraph:${subgraph}`, ASSERTION_KEY_BYTES)).toString('base64url');
}

function assertUsableSecret(gatewaySecret: string): void {
  if (Buffer.byteLength(gatewaySecret, 'utf8') < MIN_ASSERTION_SECRET_BYTES) {
    throw new TypeError(`The identity assertion secret must be at least ${MIN_ASSERTION_SECRET_BYTES} bytes long`);
  }
}

/** The key as HMAC takes it; null unless it is exactly 32 bytes written base64url. */
function macKey(subgraphKey: string): KeyObject | null {
  if (!BASE64URL_KEY.test(subgraphKey)) return null;
  const bytes = Buffer.from(subgraphKey, 'base64url');
  return bytes.length === ASSERTION_KEY_BYTES ? createSecretKey(bytes) : null;
}

const base64urlJson = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** The protected header is always the same: encoded once. */
const ENCODED_HEADER = base64urlJson({ alg: IDENTITY_ASSERTION_ALGORITHM, typ: IDENTITY_ASSERTION_TYPE });

/**
 * The gateway's signer: one secret, a key per subgraph derived on first use (the subgraphs are those of
 * the supergraph, so the cache stays small). The compact JWS is built here rather than through jose,
 * whose generic path costs more than the MAC itself; the subgraphs verify it with jose.
 */
export function createAssertionSigner(gatewaySecret: string, options: { ttlSeconds?: number } = {}): AssertionSigner {
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_ASSERTION_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_ASSERTION_TTL_SECONDS) {
    throw new TypeError(`Assertion ttlSeconds must be a whole number from 1 to ${MAX_ASSERTION_TTL_SECONDS}`);
  }
  assertUsableSecret(gatewaySecret);
  const keys = new Map<string, KeyObject>();
  const keyFor = (subgraph: string): KeyObject => {
    let key = keys.get(subgraph);
    if (key === undefined) {
      key = macKey(deriveSubgraphAssertionKey(gatewaySecret, subgraph))!;
      keys.set(subgraph, key);
    }
    return key;
  };

  return {
    async sign(identity, { subgraph, requestId, operation, body }) {
      assertValidIdentity(identity);
      if (!REQUEST_ID.test(requestId)) throw new TypeError('The request id must be 1 to 128 printable ASCII characters');
      if (subgraph === '') throw new TypeError('The assertion needs a subgraph name');
      if (operation && (!SHA256_HEX.test(operation.hash) || (operation.name !== null && !OPERATION_NAME.test(operation.name)))) {
        throw new TypeError('The operation needs a SHA-256 hex hash and a GraphQL name or null');
      }
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        ...identityToClaims(identity),
        rid: requestId,
        bdh: requestBodyDigest(body),
        ...(operation ? { oph: operation.hash, ...(operation.name ? { opn: operation.name } : {}) } : {}),
        iss: IDENTITY_ASSERTION_ISSUER,
        aud: subgraph,
        iat: now,
        exp: now + ttlSeconds,
      };
      const signingInput = `${ENCODED_HEADER}.${base64urlJson(payload)}`;
      return `${signingInput}.${createHmac('sha256', keyFor(subgraph)).update(signingInput).digest('base64url')}`;
    },
  };
}

/** A subgraph's verifier: its own key (deriveSubgraphAssertionKey), and its name as the only audience accepted. */
export function createAssertionVerifier(subgraphKey: string, subgraph: string): AssertionVerifier {
  const key = macKey(subgraphKey);
  if (!key) throw new TypeError(`The identity assertion key must be ${ASSERTION_KEY_BYTES} bytes written base64url (43 characters)`);
  const verifyOptions = {
    issuer: IDENTITY_ASSERTION_ISSUER,
    audience: subgraph,
    // Only HS256: an EdDSA assertion of the old scheme, `none` or any other algorithm is refused by name.
    algorithms: [IDENTITY_ASSERTION_ALGORITHM],
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
        payload = (await jwtVerify(assertion, key, verifyOptions)).payload;
      } catch (error) {
        throw toAuthenticationError(error, 'Identity assertion');
      }
      // An assertion issued for a long life would outlast the replay window the short lifetime promises.
      if ((payload.exp ?? 0) - (payload.iat ?? 0) > MAX_ASSERTION_TTL_SECONDS) {
        throw new AuthenticationError('Identity assertion lifetime is too long', 'BAD_CLAIMS');
      }
      // jose accepts an audience array naming this subgraph among others; the gateway issues one audience only.
      if (typeof payload.aud !== 'string') throw new AuthenticationError('Identity assertion audience is not accepted', 'BAD_AUDIENCE');
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
      assertIssuedForRequest(bodyDigest, requestId, received);
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
 * The assertion must have been issued for this very request: a captured assertion replayed with another
 * operation, other variables or another request id is refused before anything runs.
 */
function assertIssuedForRequest(bodyDigest: string, requestId: string, received: ReceivedRequest): void {
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

/** The variables: the gateway's secret and one subgraph's key, each inline or (`_FILE`) as the path of a file holding it. */
export const ASSERTION_KEY_ENV = {
  secret: 'IDENTITY_ASSERTION_SECRET',
  secretFile: 'IDENTITY_ASSERTION_SECRET_FILE',
  key: 'IDENTITY_ASSERTION_KEY',
  keyFile: 'IDENTITY_ASSERTION_KEY_FILE',
} as const;
/** Under DATA_DIR: the gateway secret generated on first use when none is configured (one machine). */
export const GENERATED_ASSERTION_SECRET_FILE = 'identity-assertion.secret';
/** The file name a provisioned subgraph key is written under (tools/src/assertion-keys.ts). */
export const SUBGRAPH_ASSERTION_KEY_FILE = 'identity-assertion.key';
/** The Ed25519 settings before issue 12: refused, so a deployment still setting them learns why its keys are not used. */
const RETIRED_ASSERTION_VARIABLES = ['IDENTITY_ASSERTION_PRIVATE_KEY', 'IDENTITY_ASSERTION_PUBLIC_KEY'] as const;

/** How a subgraph knows its key: given as such, or (one machine, tests) derived from the gateway secret by its name. */
export type SubgraphAssertionKey = { key: string } | { gatewaySecret: string };

/** The subgraph's own key from either form. */
export function subgraphAssertionKeyOf(source: SubgraphAssertionKey, subgraph: string): string {
  return 'key' in source ? source.key : deriveSubgraphAssertionKey(source.gatewaySecret, subgraph);
}

function refuseRetiredVariables(reader: EnvReader): void {
  for (const variable of RETIRED_ASSERTION_VARIABLES) {
    if (reader.optionalString(variable) !== undefined) {
      throw new ConfigError(
        variable,
        `is no longer read: identity assertions are HMAC-SHA256 now; set ${ASSERTION_KEY_ENV.secret} (the gateway) and ${ASSERTION_KEY_ENV.key} (each subgraph its own), see docs/subgraph-contract.md`,
      );
    }
  }
}

/** `variable` or `fileVariable` (a path), never both; the file's content is trimmed. Its path is echoed, never its content. */
function inlineOrFile(reader: EnvReader, variable: string, fileVariable: string): string | undefined {
  const inline = reader.optionalString(variable);
  const path = reader.optionalString(fileVariable);
  if (inline !== undefined && path !== undefined) throw new ConfigError(fileVariable, `and ${variable} are both set; set one`);
  if (path === undefined) return inline;
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(fileVariable, `names "${path}", which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * The gateway secret: IDENTITY_ASSERTION_SECRET (or _FILE) when set; otherwise `<dataDir>/identity-assertion.secret`,
 * generated on first use, so the gateway and subgraphs on one machine agree with no configuration.
 */
export function readAssertionSecret(reader: EnvReader, dataDir: string): string {
  refuseRetiredVariables(reader);
  const configured = inlineOrFile(reader, ASSERTION_KEY_ENV.secret, ASSERTION_KEY_ENV.secretFile);
  const secret = configured ?? readOrCreateSecretFile(resolve(dataDir, GENERATED_ASSERTION_SECRET_FILE), ASSERTION_KEY_ENV.secret);
  if (Buffer.byteLength(secret, 'utf8') < MIN_ASSERTION_SECRET_BYTES) {
    const where = configured === undefined ? `is unset and ${resolve(dataDir, GENERATED_ASSERTION_SECRET_FILE)} holds` : 'holds';
    throw new ConfigError(ASSERTION_KEY_ENV.secret, `${where} fewer than ${MIN_ASSERTION_SECRET_BYTES} bytes`);
  }
  return secret;
}

/**
 * A subgraph's key: IDENTITY_ASSERTION_KEY (or _FILE), its own key alone, as a deployment gives it; otherwise
 * derived from the gateway secret (readAssertionSecret: the variable or the data folder's file, one machine).
 * Both set must agree, so a stale key file is found at start rather than by refused calls.
 */
export function readSubgraphAssertionKey(reader: EnvReader, dataDir: string, subgraph: string): string {
  refuseRetiredVariables(reader);
  const configured = inlineOrFile(reader, ASSERTION_KEY_ENV.key, ASSERTION_KEY_ENV.keyFile);
  if (configured === undefined) return deriveSubgraphAssertionKey(readAssertionSecret(reader, dataDir), subgraph);
  const variable = reader.optionalString(ASSERTION_KEY_ENV.keyFile) === undefined ? ASSERTION_KEY_ENV.key : ASSERTION_KEY_ENV.keyFile;
  if (!macKey(configured))
    throw new ConfigError(variable, `must hold ${ASSERTION_KEY_BYTES} bytes written base64url (43 characters, as tools/dist/assertion-keys.js writes it)`);
  if (inlineOrFile(reader, ASSERTION_KEY_ENV.secret, ASSERTION_KEY_ENV.secretFile) !== undefined) {
    const derived = deriveSubgraphAssertionKey(readAssertionSecret(reader, dataDir), subgraph);
    if (!timingSafeEqual(Buffer.from(derived), Buffer.from(configured))) {
      throw new ConfigError(variable, `is not the ${subgraph} key of ${ASSERTION_KEY_ENV.secret}; set one of them, or provision the key again`);
    }
  }
  return configured;
}
