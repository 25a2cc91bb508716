/**
 * All configuration comes from the environment through this module, validated once at start-up.
 * A bad value stops the process with a message naming the variable and what it expects.
 */
export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Configuration error: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** Typed readers over an environment; empty strings count as unset. */
export class EnvReader {
  constructor(private readonly env: Environment = process.env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
    const value = Number(raw);
    if (range.min !== undefined && value < range.min) throw new ConfigError(name, `must be at least ${range.min}, got ${value}`);
    if (range.max !== undefined && value > range.max) throw new ConfigError(name, `must be at most ${range.max}, got ${value}`);
    return value;
  }

  port(name: string, fallback: number): number {
    return this.int(name, fallback, { min: 0, max: 65535 });
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new ConfigError(name, `must be true or false, got "${raw}"`);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  }

  url(name: string, fallback: string | undefined, protocols: readonly string[]): string | undefined {
    const raw = this.raw(name) ?? fallback;
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError(name, `must be a URL, got "${redactUrl(raw)}"`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
    }
    return raw;
  }
}

/** Hides a password in a URL before it reaches a message or a log line. */
export function redactUrl(raw: string): string {
  try {
    const parsed = new URL(raw);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return raw.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

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

export interface SubgraphConfig {
  name: SubgraphName;
  host: string;
  port: number;
  database: DatabaseConfig;
  maxBodyBytes: number;
  logLevel: LogLevel;
}

export interface GatewayConfig {
  host: string;
  port: number;
  supergraphPath: string;
  subgraphUrls: Record<SubgraphName, string>;
  subgraphTimeoutMs: number;
  maxBodyBytes: number;
  logLevel: LogLevel;
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

export function loadSubgraphConfig(name: SubgraphName, env: Environment = process.env): SubgraphConfig {
  const reader = new EnvReader(env);
  const entry = SUBGRAPHS.find((subgraph) => subgraph.name === name)!;
  return {
    name,
    port: reader.port(subgraphPortVariable(name), entry.defaultPort),
    database: readDatabaseConfig(reader),
    ...readCommon(reader),
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
  return {
    port: reader.port('PORT', 4000),
    supergraphPath: reader.string('SUPERGRAPH_PATH', ''),
    subgraphUrls,
    subgraphTimeoutMs: reader.int('SUBGRAPH_TIMEOUT_MS', 3_000, { min: 50, max: 120_000 }),
    ...readCommon(reader),
  };
}
