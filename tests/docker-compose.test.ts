import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { subgraphPortVariable, subgraphUrlVariable } from '@icg/shared';
import { REPOSITORY_ROOT, SUBGRAPH_REGISTRY } from '@icg/tools';
import { COMPOSE_DATABASE_PREFIX, staleWorkspaceFiles } from '../tools/src/workspace-files';
import { dockerSecrets } from '../tools/src/docker-env';
import { SERVER_NODE_FLAGS } from '../tools/src/server-node-flags';

interface ComposeService {
  volumes?: string[];
  ports?: string[];
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const SUBGRAPHS = SUBGRAPH_REGISTRY.map(({ manifest }) => manifest);
const composeText = readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const dockerfile = readFileSync(join(__dirname, '..', 'Dockerfile'), 'utf8');
/** `${NAME:?…}`: compose substitutes NAME from the uncommitted .env and refuses to start without it. */
const REQUIRED_SECRET = /^\$\{([A-Z0-9_]+):\?[^}]+\}$/;
const SECRET_NAMES = new Set(
  dockerSecrets(
    { mysqlDatabasePrefix: COMPOSE_DATABASE_PREFIX },
    SUBGRAPHS.map(({ name }) => name),
  ).map(({ variable }) => variable),
);
/** The account a service's MySQL URL logs in as, and its password as written in the compose file. */
function credentialsOf(url: string | undefined): { user: string; password: string } {
  const match = /^mysql:\/\/([^:@]+):(.+)@mysql:3306$/.exec(url ?? '');
  if (!match) throw new Error(`not a MySQL URL with credentials: ${url}`);
  return { user: match[1]!, password: match[2]! };
}

describe('files generated from the subgraph manifests', () => {
  it('are current (npm run generate rewrites them)', () => {
    expect(staleWorkspaceFiles(REPOSITORY_ROOT, SUBGRAPH_REGISTRY)).toEqual([]);
  });
});

describe('docker-compose.yml', () => {
  it('runs MySQL 8.4 LTS, pinned to an exact release, with a health check', () => {
    expect(services['mysql']!.image).toMatch(/^mysql:8\.4\.\d+$/);
    expect(services['mysql']!.healthcheck?.test.join(' ')).toContain('mysqladmin ping');
  });

  it.each(SUBGRAPHS.map((subgraph) => [subgraph.name, subgraph.defaultPort] as const))(
    'runs the %s subgraph on MySQL with a readiness check on port %i',
    (name, port) => {
      const service = services[name]!;
      expect(service).toBeDefined();
      expect(service.command).toEqual(['node', `subgraphs/${name}/dist/main.js`]);
      expect(service.environment?.['MYSQL_URL']).toMatch(/^mysql:\/\/.+@mysql:3306$/);
      expect(service.environment?.[subgraphPortVariable(name)]).toBe(String(port));
      expect(service.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${port}/ready`);
      expect(service.depends_on?.['seed']?.condition).toBe('service_completed_successfully');
    },
  );

  it('points the gateway at every subgraph and starts it once they are healthy', () => {
    const gateway = services['gateway']!;
    for (const { name, defaultPort } of SUBGRAPHS) {
      expect(gateway.environment?.[subgraphUrlVariable(name)]).toBe(`http://${name}:${defaultPort}/graphql`);
      expect(gateway.depends_on?.[name]?.condition).toBe('service_healthy');
    }
    expect(gateway.healthcheck?.test.join(' ')).toContain('127.0.0.1:4000/ready');
  });

  it('switches off Apollo telemetry and binds every process to all interfaces inside its container', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'mysql') continue;
      expect(service.environment?.['APOLLO_TELEMETRY_DISABLED']).toBe('1');
      expect(service.environment?.['HOST']).toBe('0.0.0.0');
    }
  });

  it('commits no secret: every password and secret comes from .env, and compose refuses to start without it', () => {
    const written: string[] = [];
    for (const service of Object.values(services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (/^mysql:/.test(value)) written.push(credentialsOf(value).password);
        else if (/PASSWORD|SECRET|KEY$/.test(variable)) written.push(value);
      }
    }
    expect(written.length).toBeGreaterThan(SUBGRAPHS.length);
    for (const value of written) {
      expect(value).toMatch(REQUIRED_SECRET);
      expect(SECRET_NAMES).toContain(REQUIRED_SECRET.exec(value)![1]);
    }
    expect(composeText).not.toContain('change-me');
    expect(services['gateway']!.environment?.['AUTH_HS256_SECRET']).toMatch(REQUIRED_SECRET);
  });

  it('publishes the gateway on this machine only, and nothing else at all', () => {
    expect(services['gateway']!.ports).toEqual(['127.0.0.1:4000:4000']);
    for (const [name, service] of Object.entries(services)) if (name !== 'gateway') expect(service.ports).toBeUndefined();
  });

  it('connects each process to MySQL as its own account, never as root', () => {
    const usersBySubgraph = SUBGRAPHS.map(({ name }) => credentialsOf(services[name]!.environment?.['MYSQL_URL']).user);
    expect(usersBySubgraph).toEqual(SUBGRAPHS.map(({ name }) => `icg_${name.replace(/-/g, '_')}`));
    expect(credentialsOf(services['gateway']!.environment?.['MYSQL_URL']).user).toBe('icg_gateway');
    expect(credentialsOf(services['seed']!.environment?.['MYSQL_URL']).user).toBe('icg_migrator');
    for (const name of ['gateway', ...SUBGRAPHS.map((subgraph) => subgraph.name)]) {
      expect(credentialsOf(services[name]!.environment?.['AUDIT_MYSQL_URL']).user).toBe('icg_audit_writer');
    }
    // The administrator's password reaches the MySQL container and the one-off db-init only.
    for (const [name, service] of Object.entries(services)) {
      if (name === 'mysql' || name === 'db-init') continue;
      expect(JSON.stringify(service.environment ?? {})).not.toContain('MYSQL_ROOT_PASSWORD');
    }
    expect(credentialsOf(services['db-init']!.environment?.['MYSQL_ADMIN_URL']).user).toBe('root');
  });

  it('creates the accounts before the seed runs', () => {
    expect(services['db-init']!.command).toEqual(['node', 'tools/dist/provision-mysql.js']);
    expect(services['db-init']!.depends_on?.['mysql']?.condition).toBe('service_healthy');
    expect(services['seed']!.depends_on?.['db-init']?.condition).toBe('service_completed_successfully');
  });

  it("leaves the identity-assertion secret to the gateway and gives each subgraph its own key, no other's", () => {
    const secretReference = (value: string | undefined) => REQUIRED_SECRET.exec(value ?? '')?.[1];
    expect(secretReference(services['gateway']!.environment?.['IDENTITY_ASSERTION_SECRET'])).toBe('IDENTITY_ASSERTION_SECRET');
    const keyVariables = SUBGRAPHS.map(({ name }) => `${name.toUpperCase().replace(/-/g, '_')}_IDENTITY_ASSERTION_KEY`);
    for (const [index, { name }] of SUBGRAPHS.entries()) {
      expect(secretReference(services[name]!.environment?.['IDENTITY_ASSERTION_KEY'])).toBe(keyVariables[index]);
    }
    for (const [name, service] of Object.entries(services)) {
      const environment = JSON.stringify(service.environment ?? {});
      if (name !== 'gateway') expect(environment).not.toContain('IDENTITY_ASSERTION_SECRET');
      // Each key reaches its own subgraph only (and never the gateway, which derives them).
      for (const [index, variable] of keyVariables.entries()) if (name !== SUBGRAPHS[index]!.name) expect(environment).not.toContain(variable);
      expect(service.environment?.['IDENTITY_ASSERTION_PRIVATE_KEY']).toBeUndefined();
      expect(service.environment?.['IDENTITY_ASSERTION_PUBLIC_KEY']).toBeUndefined();
    }
    // The shared volume (pseudonym and audit secrets) is where a key would be generated without these settings.
    for (const name of ['gateway', ...SUBGRAPHS.map((subgraph) => subgraph.name)]) {
      expect(services[name]!.volumes).toContain('graph-secrets:/app/data');
      expect(services[name]!.environment?.['DATA_DIR']).toBe('/app/data');
    }
  });

  it('seeds only when the stores are empty', () => {
    expect(services['seed']!.command).toEqual(expect.arrayContaining(['tools/dist/seed.js', '--if-empty']));
  });
});

describe('Dockerfile', () => {
  it('builds and runs on a Node LTS release (22 or 24), pinned to an exact version', () => {
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((match) => match[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^node:(22|24)\.\d+\.\d+-bookworm-slim$/);
  });

  it('runs the servers with the same V8 flags as npm start', () => {
    const nodeOptions = /NODE_OPTIONS=(\S+)/.exec(dockerfile)?.[1];
    expect(nodeOptions?.split(',').join(' ')).toBe(SERVER_NODE_FLAGS.join(' '));
  });
});
