import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, EnvReader, loadDatabaseConfig, loadGatewayConfig, loadSubgraphConfig, redactUrl } from '../config';

/** Security material is generated into DATA_DIR on first use: keep it in a temp folder. */
const dataDir = mkdtempSync(join(tmpdir(), 'icg-config-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
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
    expect(loadSubgraphConfig('service-requests', base).port).toBe(4004);
    const gateway = loadGatewayConfig(base);
    expect(gateway.port).toBe(4000);
    expect(gateway.host).toBe('127.0.0.1');
    expect(gateway.subgraphUrls.claims).toBe('http://127.0.0.1:4003/graphql');
    expect(gateway.subgraphTimeoutMs).toBe(3000);
  });

  it('takes per-subgraph ports and URLs from the environment', () => {
    expect(loadSubgraphConfig('service-requests', { ...base, SERVICE_REQUESTS_PORT: '5004' }).port).toBe(5004);
    const gateway = loadGatewayConfig({ ...base, POLICIES_PORT: '5002', CLAIMS_URL: 'http://claims.internal:80/graphql' });
    expect(gateway.subgraphUrls.policies).toBe('http://127.0.0.1:5002/graphql');
    expect(gateway.subgraphUrls.claims).toBe('http://claims.internal:80/graphql');
  });

  it('gives the gateway and every subgraph the same generated keys and secrets on one machine, private files 0600', () => {
    const gateway = loadGatewayConfig(base);
    const customers = loadSubgraphConfig('customers', base);
    const claims = loadSubgraphConfig('claims', base);
    expect(customers.security.assertionPublicKeyPem).toBe(claims.security.assertionPublicKeyPem);
    expect(gateway.security.assertionPrivateKeyPem).toContain('PRIVATE KEY');
    expect(customers.security.audit.pseudonymSecret).toBe(claims.security.audit.pseudonymSecret);
    expect(customers.security.pseudonymSecret).not.toBe(customers.security.audit.pseudonymSecret);
    expect(statSync(join(dataDir, 'identity-assertion-ed25519.pem')).mode & 0o777).toBe(0o600);
  });

  it('refuses to start a gateway without a way to verify tokens', () => {
    expect(() => loadGatewayConfig({ DATA_DIR: dataDir })).toThrow(/AUTH_HS256_SECRET/);
  });

  it('rejects a MySQL URL of another scheme and a bad database prefix', () => {
    expect(() => loadDatabaseConfig({ MYSQL_URL: 'http://127.0.0.1:3306' })).toThrow('MYSQL_URL must use mysql: or mariadb:');
    expect(() => loadDatabaseConfig({ MYSQL_DATABASE_PREFIX: 'bad-prefix;' })).toThrow('MYSQL_DATABASE_PREFIX');
  });
});
