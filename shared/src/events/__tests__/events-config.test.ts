import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvReader } from '../../env-reader';
import { EVENT_TYPES } from '../event-types';
import { DEFAULT_RELAY_SETTINGS, loadServiceKeys, readEventsConfig, servicePublicKeyFile, type EventsConfig } from '../events-config';

const dataDir = mkdtempSync(join(tmpdir(), 'icg-events-config-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};
const read = (subgraph: string, env: Record<string, string>): EventsConfig => readEventsConfig(new EnvReader(env), subgraph, dataDir, EVENT_TYPES);

describe('event settings from the environment', () => {
  it('default to keys under DATA_DIR, HTTP delivery and the default relay timing', () => {
    const config = read('customers', {});
    expect(config.keys).toEqual({ kind: 'data-dir', directory: join(dataDir, 'service-keys') });
    expect(config.nats).toBeUndefined();
    expect(config.relay).toEqual(DEFAULT_RELAY_SETTINGS);
    expect(config.consumerUrls).toEqual({});
  });

  it("find each consumer's /events from <NAME>_EVENTS_URL, else its GraphQL URL, else its port", () => {
    expect(
      read('service-requests', { CLAIMS_EVENTS_URL: 'https://claims.internal/events', COMPLAINTS_URL: 'http://complaints:4005/graphql' }).consumerUrls,
    ).toEqual({
      claims: 'https://claims.internal/events',
      complaints: 'http://complaints:4005/events',
    });
    expect(read('customers', { POLICIES_PORT: '14002' }).consumerUrls).toEqual({ policies: 'http://127.0.0.1:14002/events' });
    expect(() => read('customers', { POLICIES_EVENTS_URL: 'ftp://policies/events' })).toThrow('POLICIES_EVENTS_URL must use http: or https:');
  });

  it('take the own key and every producer it receives from out of the environment, naming what is missing or wrong', () => {
    const own = pair();
    const customers = pair();
    const config = read('policies', { SERVICE_PRIVATE_KEY: own.privatePem.replace(/\n/g, '\\n'), CUSTOMERS_SERVICE_PUBLIC_KEY: customers.publicPem });
    // A PEM on one line (newlines written \n, as in .env) is read as the key it holds.
    expect(config.keys).toMatchObject({ kind: 'env', privateKeyPem: own.privatePem });
    const keys = loadServiceKeys(config.keys, 'policies');
    expect(keys.peerKey('customers')?.export({ type: 'spki', format: 'pem' })).toBe(customers.publicPem);
    expect(keys.peerKey('claims')).toBeUndefined();
    // policies receives customer.blacklist-changed: without the customers key it would accept no event.
    expect(() => read('policies', { SERVICE_PRIVATE_KEY: own.privatePem })).toThrow(
      'Configuration error: CUSTOMERS_SERVICE_PUBLIC_KEY must be set: this subgraph receives events from customers',
    );
    expect(() => read('policies', { SERVICE_PRIVATE_KEY: own.privatePem, CUSTOMERS_SERVICE_PUBLIC_KEY: customers.privatePem })).toThrow(
      'CUSTOMERS_SERVICE_PUBLIC_KEY must be an Ed25519 public key in PEM (SPKI)',
    );
    expect(() => read('policies', { SERVICE_PRIVATE_KEY: 'not-a-key-file' })).toThrow(
      'SERVICE_PRIVATE_KEY does not start with -----BEGIN, so it is read as a path',
    );
    expect(() => read('policies', { CUSTOMERS_SERVICE_PUBLIC_KEY: customers.publicPem })).toThrow(
      'SERVICE_PRIVATE_KEY must be set when CUSTOMERS_SERVICE_PUBLIC_KEY is',
    );
  });

  it('switch to NATS JetStream when NATS_URL is set, and name a bad value', () => {
    expect(read('claims', { NATS_URL: 'nats://127.0.0.1:4222' }).nats).toEqual({
      url: 'nats://127.0.0.1:4222',
      stream: 'ICG_EVENTS',
      subjectPrefix: 'icg.events',
      maxAgeSeconds: 604_800,
    });
    expect(() => read('claims', { NATS_URL: 'http://127.0.0.1:4222' })).toThrow('Configuration error: NATS_URL must use nats: or tls:, got "http:"');
    expect(() => read('claims', { NATS_URL: 'not a url' })).toThrow('NATS_URL must be a URL');
    expect(() => read('claims', { NATS_URL: 'nats://127.0.0.1:4222', NATS_STREAM: 'has space' })).toThrow('NATS_STREAM may contain only');
    expect(() => read('claims', { NATS_URL: 'nats://127.0.0.1:4222', NATS_SUBJECT_PREFIX: 'icg.>' })).toThrow('NATS_SUBJECT_PREFIX must be');
  });

  it('validate the relay timing', () => {
    expect(read('claims', { EVENT_RELAY_POLL_MS: '250', EVENT_RETRY_BASE_MS: '100', EVENT_RETRY_MAX_MS: '5000' }).relay).toMatchObject({
      pollIntervalMs: 250,
      retryBaseMs: 100,
      retryMaxMs: 5000,
    });
    expect(() => read('claims', { EVENT_RETRY_BASE_MS: '1000', EVENT_RETRY_MAX_MS: '500' })).toThrow(
      'EVENT_RETRY_MAX_MS must be at least EVENT_RETRY_BASE_MS (1000)',
    );
    expect(() => read('claims', { EVENT_RELAY_BATCH: 'lots' })).toThrow('EVENT_RELAY_BATCH must be a whole number');
  });
});

describe('service keys under DATA_DIR (the embedded default)', () => {
  it("generate each subgraph's own key once, private to its owner, and publish its public half for the others", () => {
    const source = { kind: 'data-dir' as const, directory: join(dataDir, 'keys-once') };
    const first = loadServiceKeys(source, 'claims');
    expect(loadServiceKeys(source, 'claims').privateKeyPem).toBe(first.privateKeyPem);
    expect(statSync(join(source.directory, 'claims.ed25519.pem')).mode & 0o077).toBe(0);
    expect(existsSync(servicePublicKeyFile(source.directory, 'claims'))).toBe(true);
    // A peer that has not started yet is unknown until its public file appears.
    const receiver = loadServiceKeys(source, 'service-requests');
    expect(receiver.peerKey('complaints')).toBeUndefined();
    loadServiceKeys(source, 'complaints');
    expect(receiver.peerKey('complaints')?.asymmetricKeyType).toBe('ed25519');
    expect(receiver.peerKey('claims')?.asymmetricKeyType).toBe('ed25519');
  });
});
