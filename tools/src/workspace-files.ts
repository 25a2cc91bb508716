/**
 * Files that list the subgraphs but cannot read the manifests at run time (docker-compose.yml, the
 * Dockerfile's install layer, the root tsconfig.json's project references), generated from the
 * registry by `npm run generate`; `npm run generate -- --check` (and a test) fails when one is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EVENT_TYPES,
  eventPeersOf,
  eventsUrlVariable,
  SERVICE_PRIVATE_KEY_ENV,
  servicePublicKeyVariable,
  subgraphPortVariable,
  subgraphUrlVariable,
} from '@icg/shared';
import { ASSERTION_SECRET_ENV_VARIABLE, assertionKeyEnvVariable } from './assertion-key-env';
import { DEVELOPMENT_TOKEN_SECRET_VARIABLE, MYSQL_ROOT_PASSWORD_VARIABLE } from './docker-env';
import { graphMysqlAccounts, type MysqlAccount } from './mysql-accounts';
import { servicePrivateKeyEnvVariable } from './service-key-env';
import type { RegisteredSubgraph } from './subgraph-registry';

export interface WorkspaceFile {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

const GATEWAY_PORT = 4000;
/** The tools-only package of synthetic-data generators and seed runner (`@icg/synthetic`). */
const SYNTHETIC_WORKSPACE = 'tools/synthetic';
/** MYSQL_DATABASE_PREFIX in the containers (the default): databases and accounts are named with it. */
export const COMPOSE_DATABASE_PREFIX = 'icg_';
/** Pinned images: MySQL's LTS release (the app image's Node version is pinned in the Dockerfile). */
export const MYSQL_IMAGE = 'mysql:8.4.6';
/** Inside the containers: the secrets every graph process shares (pseudonym and audit keys), generated at first start. */
const SHARED_SECRETS_DIR = '/app/data';
const readyCheck = (port: number) => `["CMD", "node", "-e", "fetch('http://127.0.0.1:${port}/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]`;
/** A secret from `.env`; compose refuses to start without it rather than run with an empty password. */
const secretReference = (variable: string) => `\${${variable}:?run npm run compose:env first}`;
const mysqlUrl = (account: MysqlAccount) => `"mysql://${account.user}:${secretReference(account.passwordVariable)}@mysql:3306"`;

function accountOf(accounts: readonly MysqlAccount[], role: MysqlAccount['role'], subgraph?: string): MysqlAccount {
  const account = accounts.find((candidate) => candidate.role === role && candidate.subgraph === subgraph);
  if (!account) throw new Error(`no MySQL account for ${subgraph ?? role}`);
  return account;
}

/**
 * A subgraph's event settings (docs/events.md): its own service key, from `.env`, to it alone; the public
 * keys of the producers it receives from; where the consumers of what it produces receive events.
 */
function eventEnvironment(subgraph: string, subgraphs: readonly RegisteredSubgraph[]): string {
  const { consumers, producers } = eventPeersOf(EVENT_TYPES, subgraph);
  const portOf = (name: string) => subgraphs.find(({ manifest }) => manifest.name === name)?.manifest.defaultPort;
  return [
    `      ${SERVICE_PRIVATE_KEY_ENV}: "${secretReference(servicePrivateKeyEnvVariable(subgraph))}"`,
    ...producers.map((producer) => `      ${servicePublicKeyVariable(producer)}: "${secretReference(servicePublicKeyVariable(producer))}"`),
    ...consumers
      .filter((consumer) => portOf(consumer) !== undefined)
      .map((consumer) => `      ${eventsUrlVariable(consumer)}: http://${consumer}:${portOf(consumer)}/events`),
  ]
    .map(
      (line) => `${line}
`,
    )
    .join('');
}

function subgraphService(
  { manifest, directory }: RegisteredSubgraph,
  accounts: readonly MysqlAccount[],
  first: boolean,
  subgraphs: readonly RegisteredSubgraph[],
): string {
  const dependsOn = first
    ? `    depends_on: &after-seed
      seed:
        condition: service_completed_successfully`
    : '    depends_on: *after-seed';
  return `  ${manifest.name}:
    build: .
    volumes: *subgraph-volumes
    command: ["node", "${directory}/dist/main.js"]
    environment:
      <<: *graph-env
      ${subgraphPortVariable(manifest.name)}: "${manifest.defaultPort}"
      MYSQL_URL: ${mysqlUrl(accountOf(accounts, 'subgraph', manifest.name))}
      # Its own identity-assertion key only: it checks the gateway's calls to it and can mint for no other subgraph.
      IDENTITY_ASSERTION_KEY: "${secretReference(assertionKeyEnvVariable(manifest.name))}"
${eventEnvironment(manifest.name, subgraphs)}${dependsOn}
    healthcheck:
      test: ${readyCheck(manifest.defaultPort)}
      <<: *ready-check
`;
}

export function dockerComposeFile(subgraphs: readonly RegisteredSubgraph[]): string {
  const accounts = graphMysqlAccounts(
    { mysqlDatabasePrefix: COMPOSE_DATABASE_PREFIX },
    subgraphs.map(({ manifest }) => manifest.name),
  );
  const urls = subgraphs
    .map(({ manifest }) => `      ${subgraphUrlVariable(manifest.name)}: http://${manifest.name}:${manifest.defaultPort}/graphql`)
    .join('\n');
  const healthy = subgraphs.map(({ manifest }) => `      ${manifest.name}: { condition: service_healthy }`).join('\n');
  const accountPasswords = accounts.map(({ passwordVariable }) => `      ${passwordVariable}: "${secretReference(passwordVariable)}"`).join('\n');
  return `# Generated by \`npm run generate\` from the subgraph manifests; edit tools/src/workspace-files.ts, not this file.
# The whole graph on MySQL 8.4: \`npm run compose:env\` once (writes the secrets into the uncommitted .env),
# then \`docker compose up --build\`: http://127.0.0.1:${GATEWAY_PORT}/graphql
x-node-env: &node-env
  APOLLO_TELEMETRY_DISABLED: "1"
  NODE_ENV: production
  HOST: 0.0.0.0
  LOG_LEVEL: info
  MYSQL_DATABASE_PREFIX: ${COMPOSE_DATABASE_PREFIX}

x-graph-env: &graph-env
  <<: *node-env
  # Pseudonym secrets and the audit chain key are generated once into this shared volume, so every process
  # agrees; set PSEUDONYM_SECRET, AUDIT_PSEUDONYM_SECRET and AUDIT_CHAIN_KEY instead across machines.
  DATA_DIR: ${SHARED_SECRETS_DIR}
  # Serving processes write the audit store as an account that may only insert and read it.
  AUDIT_MYSQL_URL: ${mysqlUrl(accountOf(accounts, 'audit-writer'))}

x-subgraph-volumes: &subgraph-volumes
  - graph-secrets:${SHARED_SECRETS_DIR}

x-ready-check: &ready-check
  interval: 5s
  timeout: 3s
  retries: 20
  start_period: 10s

services:
  mysql:
    image: ${MYSQL_IMAGE}
    environment:
      MYSQL_ROOT_PASSWORD: "${secretReference(MYSQL_ROOT_PASSWORD_VARIABLE)}"
    command: ["--character-set-server=utf8mb4", "--collation-server=utf8mb4_bin"]
    volumes:
      - mysql-data:/var/lib/mysql
    healthcheck:
      # Exits 0 whenever the server answers, even "access denied": no password needed here.
      test: ["CMD", "mysqladmin", "ping", "-h", "127.0.0.1", "--silent"]
      <<: *ready-check

  # One-off, as the administrator: the databases, and one account per process with rights on its own database only.
  db-init:
    build: .
    command: ["node", "tools/dist/provision-mysql.js"]
    environment:
      <<: *node-env
      MYSQL_ADMIN_URL: "mysql://root:${secretReference(MYSQL_ROOT_PASSWORD_VARIABLE)}@mysql:3306"
${accountPasswords}
    depends_on:
      mysql:
        condition: service_healthy
    restart: "no"

  seed:
    build: .
    command: ["node", "tools/dist/seed.js", "--customers", "2000", "--if-empty"]
    environment:
      <<: *node-env
      # The migration account: creates and fills the subgraphs' tables.
      MYSQL_URL: ${mysqlUrl(accountOf(accounts, 'migrator'))}
    depends_on:
      db-init:
        condition: service_completed_successfully
    restart: "no"

${subgraphs.map((subgraph, index) => subgraphService(subgraph, accounts, index === 0, subgraphs)).join('\n')}
  gateway:
    build: .
    volumes:
      - graph-secrets:${SHARED_SECRETS_DIR}
    command: ["node", "gateway/dist/main.js"]
    environment:
      <<: *graph-env
      PORT: "${GATEWAY_PORT}"
      MYSQL_URL: ${mysqlUrl(accountOf(accounts, 'gateway'))}
      # The secret every subgraph's identity-assertion key is derived from: here only.
      ${ASSERTION_SECRET_ENV_VARIABLE}: "${secretReference(ASSERTION_SECRET_ENV_VARIABLE)}"
      # Development tokens (mint them with: docker compose exec gateway node tools/dist/token.js --role ROLE);
      # use AUTH_JWKS_URL with a real identity provider.
      ${DEVELOPMENT_TOKEN_SECRET_VARIABLE}: "${secretReference(DEVELOPMENT_TOKEN_SECRET_VARIABLE)}"
${urls}
    # This machine only; publish on another address deliberately, behind TLS and a real identity provider.
    ports:
      - "127.0.0.1:${GATEWAY_PORT}:${GATEWAY_PORT}"
    depends_on:
${healthy}
    healthcheck:
      test: ${readyCheck(GATEWAY_PORT)}
      <<: *ready-check

volumes:
  mysql-data:
  graph-secrets:
`;
}

const DOCKERFILE_BEGIN = '# BEGIN generated: one package.json per workspace (npm run generate)';
const DOCKERFILE_END = '# END generated';

/** The Dockerfile copies each workspace's package.json before `npm ci`, so the install layer is cached. */
export function dockerfileWith(current: string, subgraphs: readonly RegisteredSubgraph[]): string {
  const begin = current.indexOf(DOCKERFILE_BEGIN);
  const end = current.indexOf(DOCKERFILE_END);
  if (begin < 0 || end < begin) throw new Error(`Dockerfile lacks the "${DOCKERFILE_BEGIN}" … "${DOCKERFILE_END}" block`);
  const workspaces = ['shared', 'gateway', 'tools', SYNTHETIC_WORKSPACE, ...subgraphs.map(({ directory }) => directory)];
  const block = [DOCKERFILE_BEGIN, ...workspaces.map((workspace) => `COPY ${workspace}/package.json ${workspace}/`)].join('\n');
  return `${current.slice(0, begin)}${block}\n${current.slice(end)}`;
}

/**
 * `tsc --build` needs every project named; the synthetic-data package builds after shared (subgraph
 * seeders import it), subgraphs after it and before tools.
 */
export function rootTsconfig(subgraphs: readonly Pick<RegisteredSubgraph, 'directory'>[]): string {
  const projects = ['shared', SYNTHETIC_WORKSPACE, ...subgraphs.map(({ directory }) => directory), 'gateway', 'tools'];
  return `${JSON.stringify({ files: [], references: projects.map((path) => ({ path })) }, null, 2)}\n`;
}

export function workspaceFiles(root: string, subgraphs: readonly RegisteredSubgraph[]): WorkspaceFile[] {
  return [
    { path: 'docker-compose.yml', content: dockerComposeFile(subgraphs) },
    { path: 'Dockerfile', content: dockerfileWith(readFileSync(join(root, 'Dockerfile'), 'utf8'), subgraphs) },
    { path: 'tsconfig.json', content: rootTsconfig(subgraphs) },
  ];
}

/** The generated files whose committed content differs from what the manifests give. */
export function staleWorkspaceFiles(root: string, subgraphs: readonly RegisteredSubgraph[]): string[] {
  return workspaceFiles(root, subgraphs)
    .filter((file) => {
      try {
        return readFileSync(join(root, file.path), 'utf8') !== file.content;
      } catch {
        return true;
      }
    })
    .map((file) => file.path);
}

export function writeWorkspaceFiles(root: string, subgraphs: readonly RegisteredSubgraph[]): string[] {
  const stale = staleWorkspaceFiles(root, subgraphs);
  for (const file of workspaceFiles(root, subgraphs)) if (stale.includes(file.path)) writeFileSync(join(root, file.path), file.content);
  return stale;
}
