import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  DEFAULT_SUPERGRAPH_PATH,
  EnvReader,
  loadDatabaseConfig,
  subgraphsOfSupergraph,
  loadGatewayConfig,
  loadSubgraphConfig,
  redactUrl,
} from '../config';
import { deriveSubgraphAssertionKey } from '../identity/identity-assertion';

/** Security material is generated into DATA_DIR on first use: keep it in a temp folder. */
const dataDir = mkdtempSync(join(tmpdir(), 'icg-config-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const SERVICE_REQUESTS = { name: 'service-requests', defaultPort: 4004 };
const base = { DATA_DIR: dataDir, AUTH_HS256_SECRET: 'a-development-secret-of-at-least-32-bytes' };

describe('EnvReader', () => {
  it('returns the fallback for unset and blank variables', () => {
    const reader = new EnvReader({ BLANK: '  ' });
    expect(reader.int('MISSING', 7)).toBe(7);
    expect(reader.int('BLANK', 7)).toBe(7);
    expect(reader.string('BLANK', 'x')).toBe('x');
  });

  it('names the variable and the expectation when a value is bad', () => {
    expect(() => new EnvReader({ PORT: 'eighty' }).port('PORT', 4000)).toThrow('Configuration error: PORT must be a whole number, got "eighty"');
    expect(() => new EnvReader({ PORT: '70000' }).port('PORT', 4000)).toThrow('PORT must be at most 65535');
    expect(() => new EnvReader({ FLAG: 'maybe' }).bool('FLAG', false)).toThrow('FLAG must be true or false');
    expect(() => new EnvReader({ LEVEL: 'loud' }).oneOf('LEVEL', ['info', 'warn'], 'info')).toThrow('LEVEL must be one of info, warn, got "loud"');
  });

  it('validates URLs and never echoes a password', () => {
    const reader = new EnvReader({ DB: 'postgres://u:secret@h/db', BAD: 'not a url' });
    expect(() => reader.url('DB', undefined, ['mysql:'])).toThrow('DB must use mysql:');
    expect(() => reader.url('BAD', undefined, ['mysql:'])).toThrow(ConfigError);
    expect(redactUrl('mysql://root:secret@127.0.0.1:3306')).toBe('mysql://root:***@127.0.0.1:3306');
  });
});

describe('loaded configuration', () => {
  it('defaults to the embedded store and the documented ports', () => {
    const database = loadDatabaseConfig({});
    expect(database.mysqlUrl).toBeUndefined();
    expect(database.dataDir).toBe('data');
    expect(loadSubgraphConfig(SERVICE_REQUESTS, base).port).toBe(4004);
    const gateway = loadGatewayConfig(base);
    expect(gateway.port).toBe(4000);
    expect(gateway.host).toBe('127.0.0.1');
    expect(gateway.subgraphUrls.claims).toBe('http://127.0.0.1:4003/graphql');
    expect(gateway.subgraphTimeoutMs).toBe(3000);
  });

  it('takes per-subgraph ports and URLs from the environment', () => {
    expect(loadSubgraphConfig(SERVICE_REQUESTS, { ...base, SERVICE_REQUESTS_PORT: '5004' }).port).toBe(5004);
    const gateway = loadGatewayConfig({ ...base, POLICIES_PORT: '5002', CLAIMS_URL: 'http://claims.internal:80/graphql' });
    expect(gateway.subgraphUrls.policies).toBe('http://127.0.0.1:5002/graphql');
    expect(gateway.subgraphUrls.claims).toBe('http://claims.internal:80/graphql');
  });

  it('takes the subgraphs from the supergraph it serves, so a new subgraph needs no gateway change', () => {
    const supergraphPath = join(dataDir, 'one-more-subgraph.graphql');
    const committed = readFileSync(DEFAULT_SUPERGRAPH_PATH, 'utf8');
    writeFileSync(
      supergraphPath,
      committed.replace('enum join__Graph {', 'enum join__Graph {\n  NEWCOMER @join__graph(name: "newcomer", url: "http://127.0.0.1:4099/graphql")'),
    );
    const gateway = loadGatewayConfig({ ...base, SUPERGRAPH_PATH: supergraphPath, NEWCOMER_PORT: '5099' });
    const committedNames = subgraphsOfSupergraph(committed).map(({ name }) => name);
    expect(committedNames.length).toBeGreaterThan(0);
    // A name the committed supergraph does not have (insights, the example of old, is composed in now).
    expect(committedNames).not.toContain('newcomer');
    expect(Object.keys(gateway.subgraphUrls).sort()).toEqual([...committedNames, 'newcomer'].sort());
    expect(gateway.subgraphUrls['newcomer']).toBe('http://127.0.0.1:5099/graphql');
    expect(() => loadGatewayConfig({ ...base, SUPERGRAPH_PATH: join(dataDir, 'missing.graphql') })).toThrow(
      /SUPERGRAPH_PATH must name a readable supergraph file/,
    );
  });

  it('gives the gateway and every subgraph the same generated keys and secrets on one machine, private files 0600', () => {
    const gateway = loadGatewayConfig(base);
    const customers = loadSubgraphConfig({ name: 'customers', defaultPort: 4001 }, base);
    const claims = loadSubgraphConfig({ name: 'claims', defaultPort: 4003 }, base);
    // One generated gateway secret; each subgraph derives a key of its own from it.
    expect(customers.security.assertionKey).toEqual({ key: deriveSubgraphAssertionKey(gateway.security.assertionSecret, 'customers') });
    expect(claims.security.assertionKey).toEqual({ key: deriveSubgraphAssertionKey(gateway.security.assertionSecret, 'claims') });
    expect(customers.security.assertionKey).not.toEqual(claims.security.assertionKey);
    expect(customers.security.audit.pseudonymSecret).toBe(claims.security.audit.pseudonymSecret);
    expect(customers.security.pseudonymSecret).not.toBe(customers.security.audit.pseudonymSecret);
    expect(statSync(join(dataDir, 'identity-assertion.secret')).mode & 0o777).toBe(0o600);
  });

  it('refuses to start a gateway without a way to verify tokens', () => {
    expect(() => loadGatewayConfig({ DATA_DIR: dataDir })).toThrow(/AUTH_HS256_SECRET/);
  });

  it('rejects a MySQL URL of another scheme and a bad database prefix', () => {
    expect(() => loadDatabaseConfig({ MYSQL_URL: 'http://127.0.0.1:3306' })).toThrow('MYSQL_URL must use mysql: or mariadb:');
    expect(() => loadDatabaseConfig({ MYSQL_DATABASE_PREFIX: 'bad-prefix;' })).toThrow('MYSQL_DATABASE_PREFIX');
  });
});
