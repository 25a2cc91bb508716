/**
 * Event settings from the environment (read by config.ts, validated at start, a bad value named):
 * the subgraph's service key and its peers' public keys, where each consumer receives events, the
 * relay's timing, and NATS JetStream when NATS_URL is set.
 */
import { randomBytes, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type EnvReader } from '../env-reader';
import { envPrefix, subgraphPortVariable, subgraphUrlVariable } from '../subgraph-manifest';
import { eventPeersOf, type EventCatalog } from './event-types';
import { ed25519PrivateKey, ed25519PublicKey, type PeerKeyLookup } from './service-identity';

export const SERVICE_PRIVATE_KEY_ENV = 'SERVICE_PRIVATE_KEY';
/** `<PEER>_SERVICE_PUBLIC_KEY`: a producer's public key, for the subgraphs that receive its events. */
export const servicePublicKeyVariable = (subgraph: string): string => `${envPrefix(subgraph)}_SERVICE_PUBLIC_KEY`;
/** `<CONSUMER>_EVENTS_URL`: where a consumer receives events over HTTP (its `/events`). */
export const eventsUrlVariable = (subgraph: string): string => `${envPrefix(subgraph)}_EVENTS_URL`;
/** Under DATA_DIR when no key is configured: one key pair per subgraph, generated on first start. */
export const SERVICE_KEY_DIRECTORY = 'service-keys';
export const EVENTS_PATH = '/events';

export interface RelaySettings {
  /** Looks for undelivered events this often even without a wake-up (a commit wakes it at once). */
  pollIntervalMs: number;
  /** Events read per consumer per round. */
  batchSize: number;
  /** First wait after a failed delivery; doubles per attempt up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** One delivery attempt is given up (and retried) after this long. */
  deliveryTimeoutMs: number;
}

export const DEFAULT_RELAY_SETTINGS: RelaySettings = { pollIntervalMs: 1_000, batchSize: 100, retryBaseMs: 200, retryMaxMs: 30_000, deliveryTimeoutMs: 5_000 };

export interface NatsSettings {
  url: string;
  /** The JetStream stream holding every event (NATS_STREAM). */
  stream: string;
  /** Subjects are `<prefix>.<consumer>.<event type>` (NATS_SUBJECT_PREFIX). */
  subjectPrefix: string;
  /** How long the stream keeps an event a consumer has not taken (NATS_MAX_AGE_SECONDS). */
  maxAgeSeconds: number;
}

export const DEFAULT_NATS_STREAM = 'ICG_EVENTS';
export const DEFAULT_NATS_SUBJECT_PREFIX = 'icg.events';
export const DEFAULT_NATS_MAX_AGE_SECONDS = 7 * 86_400;

/** The service key pair: from the environment, or generated per subgraph under the data folder (the embedded default). */
export type ServiceKeySource =
  { kind: 'env'; privateKeyPem: string; peerPublicKeys: Readonly<Record<string, string>> } | { kind: 'data-dir'; directory: string };

export interface EventsConfig {
  keys: ServiceKeySource;
  /** Each consumer's `/events` URL, by subgraph name; a consumer without one keeps its events waiting in the outbox. */
  consumerUrls: Readonly<Record<string, string>>;
  relay: RelaySettings;
  /** Set when NATS_URL is: events travel through JetStream instead of direct HTTP. */
  nats?: NatsSettings;
}

/** The embedded default, for a subgraph run in another process (tests, benchmarks): keys under `dataDir`, HTTP. */
export function embeddedEventsConfig(dataDir: string, consumerUrls: Readonly<Record<string, string>> = {}): EventsConfig {
  return { keys: { kind: 'data-dir', directory: join(dataDir, SERVICE_KEY_DIRECTORY) }, consumerUrls, relay: DEFAULT_RELAY_SETTINGS };
}

/** A PEM inline (newlines may be written `\n`) or the path of a file holding one; a private key's path is never echoed. */
function pemFromVariable(variable: string, value: string, secret: boolean): string {
  if (value.startsWith('-----BEGIN')) return value.replace(/\\n/g, '\n');
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    throw new ConfigError(
      variable,
      `does not start with -----BEGIN, so it is read as ${secret ? 'a path' : `"${value}"`}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

function readServiceKeys(reader: EnvReader, producers: readonly string[], dataDir: string): ServiceKeySource {
  const privateValue = reader.optionalString(SERVICE_PRIVATE_KEY_ENV);
  if (privateValue === undefined) {
    const stray = producers.map(servicePublicKeyVariable).find((variable) => reader.optionalString(variable) !== undefined);
    if (stray) throw new ConfigError(SERVICE_PRIVATE_KEY_ENV, `must be set when ${stray} is (keys come from the environment or all from DATA_DIR)`);
    return { kind: 'data-dir', directory: join(dataDir, SERVICE_KEY_DIRECTORY) };
  }
  const privateKeyPem = pemFromVariable(SERVICE_PRIVATE_KEY_ENV, privateValue, true);
  if (!ed25519PrivateKey(privateKeyPem)) {
    throw new ConfigError(SERVICE_PRIVATE_KEY_ENV, 'must be an Ed25519 private key in PEM (PKCS#8), or the path of a file holding one');
  }
  const peerPublicKeys: Record<string, string> = {};
  // Deny by default: every producer this subgraph receives from must be named with its key.
  for (const producer of producers) {
    const variable = servicePublicKeyVariable(producer);
    const value = reader.optionalString(variable);
    if (value === undefined) throw new ConfigError(variable, `must be set: this subgraph receives events from ${producer}`);
    const pem = pemFromVariable(variable, value, false);
    if (!ed25519PublicKey(pem)) throw new ConfigError(variable, 'must be an Ed25519 public key in PEM (SPKI), or the path of a file holding one');
    peerPublicKeys[producer] = pem;
  }
  return { kind: 'env', privateKeyPem, peerPublicKeys };
}

/** `<C>_EVENTS_URL`, else `<C>_URL` with /graphql replaced by /events, else `<C>_PORT` on 127.0.0.1. */
function readConsumerUrls(reader: EnvReader, consumers: readonly string[]): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const consumer of consumers) {
    const explicit = reader.url(eventsUrlVariable(consumer), undefined, ['http:', 'https:']);
    const graphql = reader.url(subgraphUrlVariable(consumer), undefined, ['http:', 'https:']);
    const port = reader.optionalPort(subgraphPortVariable(consumer));
    const derived = graphql
      ? `${graphql.replace(/\/+$/, '').replace(/\/graphql$/, '')}${EVENTS_PATH}`
      : port !== undefined
        ? `http://127.0.0.1:${port}${EVENTS_PATH}`
        : undefined;
    const url = explicit ?? derived;
    if (url !== undefined) urls[consumer] = url;
  }
  return urls;
}

const NATS_STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const NATS_SUBJECT_PREFIX = /^[A-Za-z0-9_-]{1,32}(\.[A-Za-z0-9_-]{1,32}){0,4}$/;

function readNatsSettings(reader: EnvReader): NatsSettings | undefined {
  const url = reader.url('NATS_URL', undefined, ['nats:', 'tls:']);
  if (url === undefined) return undefined;
  if (!new URL(url).hostname) throw new ConfigError('NATS_URL', 'must name a host, e.g. nats://127.0.0.1:4222');
  const stream = reader.string('NATS_STREAM', DEFAULT_NATS_STREAM);
  if (!NATS_STREAM_NAME.test(stream)) throw new ConfigError('NATS_STREAM', `may contain only letters, digits, - and _ (at most 64), got "${stream}"`);
  const subjectPrefix = reader.string('NATS_SUBJECT_PREFIX', DEFAULT_NATS_SUBJECT_PREFIX);
  if (!NATS_SUBJECT_PREFIX.test(subjectPrefix)) {
    throw new ConfigError('NATS_SUBJECT_PREFIX', `must be 1 to 5 dot-separated tokens of letters, digits, - and _, got "${subjectPrefix}"`);
  }
  return { url, stream, subjectPrefix, maxAgeSeconds: reader.int('NATS_MAX_AGE_SECONDS', DEFAULT_NATS_MAX_AGE_SECONDS, { min: 60, max: 365 * 86_400 }) };
}

export function readEventsConfig(reader: EnvReader, subgraph: string, dataDir: string, catalog: EventCatalog): EventsConfig {
  const { consumers, producers } = eventPeersOf(catalog, subgraph);
  const retryBaseMs = reader.int('EVENT_RETRY_BASE_MS', DEFAULT_RELAY_SETTINGS.retryBaseMs, { min: 10, max: 60_000 });
  const retryMaxMs = reader.int('EVENT_RETRY_MAX_MS', DEFAULT_RELAY_SETTINGS.retryMaxMs, { min: 100, max: 3_600_000 });
  if (retryMaxMs < retryBaseMs) throw new ConfigError('EVENT_RETRY_MAX_MS', `must be at least EVENT_RETRY_BASE_MS (${retryBaseMs})`);
  const nats = readNatsSettings(reader);
  return {
    keys: readServiceKeys(reader, producers, dataDir),
    consumerUrls: readConsumerUrls(reader, consumers),
    relay: {
      pollIntervalMs: reader.int('EVENT_RELAY_POLL_MS', DEFAULT_RELAY_SETTINGS.pollIntervalMs, { min: 10, max: 60_000 }),
      batchSize: reader.int('EVENT_RELAY_BATCH', DEFAULT_RELAY_SETTINGS.batchSize, { min: 1, max: 1_000 }),
      retryBaseMs,
      retryMaxMs,
      deliveryTimeoutMs: reader.int('EVENT_DELIVERY_TIMEOUT_MS', DEFAULT_RELAY_SETTINGS.deliveryTimeoutMs, { min: 100, max: 120_000 }),
    },
    ...(nats ? { nats } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Key material at run time

/** A subgraph's own signing key and how it finds its peers' public keys. */
export interface ServiceKeys {
  privateKeyPem: string;
  peerKey: PeerKeyLookup;
  /** `env`: every peer named at start; `data-dir`: peers' public files read when first needed (a peer may start later). */
  source: ServiceKeySource['kind'];
}

const privateKeyFile = (directory: string, subgraph: string) => join(directory, `${subgraph}.ed25519.pem`);
export const servicePublicKeyFile = (directory: string, subgraph: string): string => join(directory, `${subgraph}.ed25519.pub.pem`);

/** Creates the key file unless another process got there first: written privately and hard-linked, so the name never holds half a key. */
function createPrivateKeyFile(path: string): void {
  const { privateKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, privateKey, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function ownKeyFromDirectory(directory: string, subgraph: string): string {
  mkdirSync(directory, { recursive: true });
  const path = privateKeyFile(directory, subgraph);
  if (!existsSync(path)) createPrivateKeyFile(path);
  const pem = readFileSync(path, 'utf8');
  const key = ed25519PrivateKey(pem);
  if (!key) throw new ConfigError(SERVICE_PRIVATE_KEY_ENV, `is not set and "${path}" is not an Ed25519 private key; delete it to have a new one generated`);
  const publicPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  const publicPath = servicePublicKeyFile(directory, subgraph);
  if (!existsSync(publicPath) || readFileSync(publicPath, 'utf8') !== publicPem) {
    const temporary = `${publicPath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(temporary, publicPem, { mode: 0o644 });
    renameSync(temporary, publicPath);
  }
  return pem;
}

/** The key material of `subgraph` from its configuration: generated on first use in the data-dir default. */
export function loadServiceKeys(source: ServiceKeySource, subgraph: string): ServiceKeys {
  if (source.kind === 'env') {
    const keys = new Map(Object.entries(source.peerPublicKeys).map(([peer, pem]) => [peer, ed25519PublicKey(pem)]));
    return { privateKeyPem: source.privateKeyPem, peerKey: (peer) => keys.get(peer) ?? undefined, source: 'env' };
  }
  const privateKeyPem = ownKeyFromDirectory(source.directory, subgraph);
  const found = new Map<string, KeyObject>();
  return {
    privateKeyPem,
    source: 'data-dir',
    peerKey(peer) {
      const known = found.get(peer);
      if (known) return known;
      let pem: string;
      try {
        pem = readFileSync(servicePublicKeyFile(source.directory, peer), 'utf8');
      } catch {
        return undefined;
      }
      const key = ed25519PublicKey(pem);
      if (key) found.set(peer, key);
      return key ?? undefined;
    },
  };
}
