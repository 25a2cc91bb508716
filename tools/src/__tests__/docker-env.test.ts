import { completeDockerEnv, dockerSecrets } from '../docker-env';

const SECRETS = dockerSecrets({ mysqlDatabasePrefix: 'icg_' }, ['customers', 'service-requests']);

/** The NAME=value pairs of an env file. */
function valuesOf(envFile: string): Map<string, string> {
  return new Map(
    envFile
      .split('\n')
      .flatMap((line) => (/^([A-Z_0-9]+)=(.+)$/.exec(line) ? [[line.split('=')[0]!, line.slice(line.indexOf('=') + 1)] as [string, string]] : [])),
  );
}

describe('npm run compose:env (.env for docker compose)', () => {
  it('generates every secret docker-compose.yml needs, each different and URL-safe', () => {
    const { content, added } = completeDockerEnv('', SECRETS);
    const values = valuesOf(content);
    expect(added).toEqual(
      expect.arrayContaining([
        'MYSQL_ROOT_PASSWORD',
        'AUTH_HS256_SECRET',
        'CUSTOMERS_DB_PASSWORD',
        'SERVICE_REQUESTS_DB_PASSWORD',
        'AUDIT_WRITER_DB_PASSWORD',
        'MIGRATOR_DB_PASSWORD',
        'GATEWAY_DB_PASSWORD',
      ]),
    );
    expect([...values.keys()].sort()).toEqual([...added].sort());
    for (const value of values.values()) expect(value).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(new Set(values.values()).size).toBe(values.size);
  });

  it('keeps the secrets already there (the MySQL volume holds accounts made with them) and adds only the missing ones', () => {
    const existing = '# mine\nMYSQL_ROOT_PASSWORD=kept-root-password-0123456789\nAUTH_HS256_SECRET=kept-token-secret-0123456789abcdef';
    const { content, added } = completeDockerEnv(existing, SECRETS);
    expect(content.startsWith(`${existing}\n`)).toBe(true);
    expect(added).not.toContain('MYSQL_ROOT_PASSWORD');
    expect(valuesOf(content).get('MYSQL_ROOT_PASSWORD')).toBe('kept-root-password-0123456789');
    expect(completeDockerEnv(content, SECRETS)).toEqual({ content, added: [] });
  });

  it('fills a variable left blank', () => {
    const { added } = completeDockerEnv('AUTH_HS256_SECRET=\n', SECRETS);
    expect(added).toContain('AUTH_HS256_SECRET');
  });
});
