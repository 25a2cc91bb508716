/**
 * All configuration comes from the environment through this module, validated once at start-up.
 * A bad value stops the process with a message naming the variable and what it expects.
 */
import { readAuditConfig, type AuditConfig } from './audit/audit-config';
import { ConfigError, EnvReader, type Environment } from './env-reader';
import { readAssertionKeys, requireAssertionPrivateKey } from './identity/identity-assertion';
import { readTokenVerifierConfig, type TokenVerifierConfig } from './identity/token-verifier';
import { readSecretSetting } from './secret-files';

export { ConfigError, EnvReader, redactUrl, type Environment } from './env-reader';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The five systems, with the default port each listens on. Order is the order they start in. */
export const SUBGRAPHS = [
  { name: 'customers', defaultPort: 4001 },
  { name: 'policies', defaultPort: 4002 },
  { name: 'claims', defaultPort: 4003 },
  { name: 'service-requests', defaultPort: 4004 },
  { name: 'complaints', defaultPort: 4005 },
] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

export function isSubgraphName(value: string): value is SubgraphName {
  return SUBGRAPHS.some((subgraph) => subgraph.name === value);
}

/** `service-requests` → `SERVICE_REQUESTS`, the prefix of that subgraph's variables. */
export function envPrefix(subgraph: SubgraphName): string {
  return subgraph.toUpperCase().replace(/-/g, '_');
}

export interface DatabaseConfig {
  /** Set for MySQL/MariaDB; unset means the embedded SQLite default. */
  mysqlUrl: string | undefined;
  /** Each subgraph gets its own MySQL database: `<prefix><subgraph>` (dashes become underscores). */
  mysqlDatabasePrefix: string;
  /** Folder of the SQLite files, one per subgraph. */
  dataDir: string;
  poolMax: number;
}

/** What a subgraph needs to enforce the access policy (ACCESS-MODEL.md sections 5–7). */
export interface SubgraphSecurityConfig {
  /** Verifies the gateway's identity assertions (Ed25519). */
  assertionPublicKeyPem: string;
  /** The access-policy file; unset means shared/access-policy.yaml. */
  accessPolicyPath: string | undefined;
  /** Keyed-hash secret for pseudonymised identifiers (BI). */
  pseudonymSecret: string;
  audit: AuditConfig;
}

export interface SubgraphConfig {
  name: SubgraphName;
  host: string;
  port: number;
  database: DatabaseConfig;
  maxBodyBytes: number;
  logLevel: LogLevel;
  security: SubgraphSecurityConfig;
}

/** What the gateway needs to authenticate callers and vouch for them to the subgraphs. */
export interface GatewaySecurityConfig {
  tokens: TokenVerifierConfig;
  /** Signs identity assertions (Ed25519). */
  assertionPrivateKeyPem: string;
  accessPolicyPath: string | undefined;
  /** The gateway audits the fields it removes itself (the subgraphs never see them). */
  audit: AuditConfig;
}

export interface GatewayConfig {
  /** For the audit store, which lives beside the subgraphs' stores. */
  database: DatabaseConfig;
  host: string;
  port: number;
  supergraphPath: string;
  subgraphUrls: Record<SubgraphName, string>;
  subgraphTimeoutMs: number;
  maxBodyBytes: number;
  logLevel: LogLevel;
  security: GatewaySecurityConfig;
}

function readDatabaseConfig(reader: EnvReader): DatabaseConfig {
  const prefix = reader.string('MYSQL_DATABASE_PREFIX', 'icg_');
  if (!/^[A-Za-z0-9_]{1,40}$/.test(prefix)) {
    throw new ConfigError('MYSQL_DATABASE_PREFIX', 'may contain only letters, digits and underscores (at most 40)');
  }
  return {
    mysqlUrl: reader.url('MYSQL_URL', undefined, ['mysql:', 'mariadb:']),
    mysqlDatabasePrefix: prefix,
    dataDir: reader.string('DATA_DIR', 'data'),
    poolMax: reader.int('DB_POOL_MAX', 10, { min: 1, max: 200 }),
  };
}

function readCommon(reader: EnvReader): { host: string; maxBodyBytes: number; logLevel: LogLevel } {
  return {
    host: reader.string('HOST', '127.0.0.1'),
    maxBodyBytes: reader.int('MAX_BODY_BYTES', 100_000, { min: 1_000, max: 10_000_000 }),
    logLevel: reader.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  };
}

export function subgraphPortVariable(subgraph: SubgraphName): string {
  return `${envPrefix(subgraph)}_PORT`;
}

export function subgraphUrlVariable(subgraph: SubgraphName): string {
  return `${envPrefix(subgraph)}_URL`;
}

/** Under DATA_DIR: the generated pseudonym secret used when PSEUDONYM_SECRET is unset. */
export const PSEUDONYM_SECRET_FILE = 'pseudonym.secret';

export function loadSubgraphConfig(name: SubgraphName, env: Environment = process.env): SubgraphConfig {
  const reader = new EnvReader(env);
  const entry = SUBGRAPHS.find((subgraph) => subgraph.name === name)!;
  const database = readDatabaseConfig(reader);
  return {
    name,
    port: reader.port(subgraphPortVariable(name), entry.defaultPort),
    database,
    ...readCommon(reader),
    security: {
      assertionPublicKeyPem: readAssertionKeys(reader, database.dataDir).publicKeyPem,
      accessPolicyPath: reader.optionalString('ACCESS_POLICY_PATH'),
      pseudonymSecret: readSecretSetting(reader, 'PSEUDONYM_SECRET', database.dataDir, PSEUDONYM_SECRET_FILE),
      audit: readAuditConfig(reader, database.dataDir),
    },
  };
}

export function loadDatabaseConfig(env: Environment = process.env): DatabaseConfig {
  return readDatabaseConfig(new EnvReader(env));
}

export function loadGatewayConfig(env: Environment = process.env): GatewayConfig {
  const reader = new EnvReader(env);
  const subgraphUrls = {} as Record<SubgraphName, string>;
  for (const subgraph of SUBGRAPHS) {
    const port = reader.port(subgraphPortVariable(subgraph.name), subgraph.defaultPort);
    subgraphUrls[subgraph.name] = reader.url(subgraphUrlVariable(subgraph.name), `http://127.0.0.1:${port}/graphql`, ['http:', 'https:'])!;
  }
  const database = readDatabaseConfig(reader);
  const dataDir = database.dataDir;
  return {
    database,
    port: reader.port('PORT', 4000),
    supergraphPath: reader.string('SUPERGRAPH_PATH', ''),
    subgraphUrls,
    subgraphTimeoutMs: reader.int('SUBGRAPH_TIMEOUT_MS', 3_000, { min: 50, max: 120_000 }),
    ...readCommon(reader),
    security: {
      tokens: readTokenVerifierConfig(reader),
      assertionPrivateKeyPem: requireAssertionPrivateKey(readAssertionKeys(reader, dataDir)),
      accessPolicyPath: reader.optionalString('ACCESS_POLICY_PATH'),
      audit: readAuditConfig(reader, dataDir),
    },
  };
}
