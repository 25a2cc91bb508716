import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { subgraphPortVariable, subgraphUrlVariable } from '@icg/shared';
import { REPOSITORY_ROOT, SUBGRAPH_REGISTRY } from '@icg/tools';
import { staleWorkspaceFiles } from '../tools/src/workspace-files';
import { SERVER_NODE_FLAGS } from '../tools/src/server-node-flags';

interface ComposeService {
  volumes?: string[];
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const SUBGRAPHS = SUBGRAPH_REGISTRY.map(({ manifest }) => manifest);
const compose = parse(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;

describe('files generated from the subgraph manifests', () => {
  it('are current (npm run generate rewrites them)', () => {
    expect(staleWorkspaceFiles(REPOSITORY_ROOT, SUBGRAPH_REGISTRY)).toEqual([]);
  });
});

describe('docker-compose.yml', () => {
  it('runs MySQL 8 with a health check', () => {
    expect(services['mysql']!.image).toMatch(/^mysql:8/);
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

  it('shares one secrets volume between the gateway and every subgraph, so their generated keys agree', () => {
    for (const name of ['gateway', 'seed', ...SUBGRAPHS.map((subgraph) => subgraph.name)]) {
      expect(services[name]!.volumes).toContain('graph-secrets:/app/data');
      expect(services[name]!.environment?.['DATA_DIR']).toBe('/app/data');
    }
    expect(services['gateway']!.environment?.['AUTH_HS256_SECRET']?.length).toBeGreaterThanOrEqual(32);
  });

  it('seeds once MySQL is healthy, and only when the stores are empty', () => {
    expect(services['seed']!.command).toEqual(expect.arrayContaining(['tools/dist/seed.js', '--if-empty']));
    expect(services['seed']!.depends_on?.['mysql']?.condition).toBe('service_healthy');
  });
});

describe('Dockerfile', () => {
  it('runs the servers with the same V8 flags as npm start', () => {
    const dockerfile = readFileSync(join(__dirname, '..', 'Dockerfile'), 'utf8');
    const nodeOptions = /NODE_OPTIONS=(\S+)/.exec(dockerfile)?.[1];
    expect(nodeOptions?.split(',').join(' ')).toBe(SERVER_NODE_FLAGS.join(' '));
  });
});
