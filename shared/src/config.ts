/**
 * All configuration comes from the environment through this module, validated once at start-up.
 * A bad value stops the process with a message naming the variable and what it expects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { Kind, parse } from 'graphql';
import { readAuditConfig, type AuditConfig } from './audit/audit-config';
import { EVENT_TYPES, type EventCatalog } from './events/event-types';
import { embeddedEventsConfig, readEventsConfig, type EventsConfig } from './events/events-config';
import { readObservabilityConfig, type ObservabilityConfig } from './observability/observability-config';
import { STAFF_ROLES, type StaffRole } from './domain/vocabulary';
import { ConfigError, EnvReader, type Environment } from './env-reader';
import { readAssertionSecret, readAssertionTtlSeconds, readSubgraphAssertionKey, type SubgraphAssertionKey } from './identity/identity-assertion';
import { readTokenVerifierConfig, type TokenVerifierConfig } from './identity/token-verifier';
import { readSecretSetting } from './secret-files';
import { subgraphPortVariable, subgraphUrlVariable } from './subgraph-manifest';

export { ConfigError, EnvReader, redactUrl, type Environment } from './env-reader';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface DatabaseConfig {
  /** Set for MySQL/MariaDB; unset means the embedded SQLite default. */
  mysqlUrl: string | undefined;
  /** Each subgraph gets its own MySQL database: `<prefix><subgraph>` (dashes become underscores). */
  mysqlDatabasePrefix: string;
  /** Folder of the SQLite files, one per subgraph. */
  dataDir: string;
  poolMax: number;
  /** How long a query waits for a pooled connection before failing with DATABASE_UNAVAILABLE; unset means 5 s. */
  poolAcquireTimeoutMs?: number;
  /** How many queries may wait for a connection at once; more are refused at once rather than queued. Unset means 200. */
  poolQueueMax?: number;
}

/** What a subgraph needs to enforce the access policy (docs/access-model.md sections 5–7). */
export interface SubgraphSecurityConfig {
  /** Checks the gateway's identity assertions (HMAC-SHA256): this subgraph's own key, or the gateway secret it is derived from (tests). */
  assertionKey: SubgraphAssertionKey;
  /** The access-policy file; unset means shared/access-policy.yaml. */
  accessPolicyPath: string | undefined;
  /** Keyed-hash secret for pseudonymised identifiers (BI). */
  pseudonymSecret: string;
  audit: AuditConfig;
}

export interface SubgraphConfig {
  name: string;
  host: string;
  port: number;
  database: DatabaseConfig;
  maxBodyBytes: number;
  logLevel: LogLevel;
  security: SubgraphSecurityConfig;
  /** SHUTDOWN_DRAIN_MS; unset means DEFAULT_SHUTDOWN_DRAIN_MS. */
  shutdownDrainMs?: number;
  /** Metrics and traces; unset means /metrics on without a token, no traces exported. */
  observability?: ObservabilityConfig;
  /** Events to and from other subgraphs (docs/events.md); unset means the embedded default over DATA_DIR. */
  events?: EventsConfig;
  /** WORKERS: processes serving the one port (shared/src/workers); unset means one per core. Unset in code: one. */
  workers?: number;
}

/**
 * A subgraph run inside another process (tests, benchmarks): on a free loopback port, silent, with the
 * default body limit; the caller brings the store and the security material.
 */
export function inProcessSubgraphConfig(name: string, database: DatabaseConfig, security: SubgraphSecurityConfig): SubgraphConfig {
  return { name, host: '127.0.0.1', port: 0, database, maxBodyBytes: 100_000, logLevel: 'silent', security, events: embeddedEventsConfig(database.dataDir) };
}

/** What the gateway needs to authenticate callers and vouch for them to the subgraphs. */
export interface GatewaySecurityConfig {
  tokens: TokenVerifierConfig;
  /** The secret each subgraph's identity-assertion (HMAC) key is derived from (IDENTITY_ASSERTION_SECRET). */
  assertionSecret: string;
  /** How long each assertion lives (IDENTITY_ASSERTION_TTL_SECONDS); the signer's default (10 s) when unset. */
  assertionTtlSeconds?: number;
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
  /** Where the gateway calls each subgraph the supergraph names, by subgraph name. */
  subgraphUrls: Readonly<Record<string, string>>;
  subgraphTimeoutMs: number;
  /** When the gateway stops calling a failing subgraph for a while (gateway/src/circuit-breaker.ts); its defaults when unset. */
  circuitBreaker?: CircuitBreakerConfig;
  maxBodyBytes: number;
  logLevel: LogLevel;
  security: GatewaySecurityConfig;
  /** INTROSPECTION: each role sees its own filtered schema; unset means on. */
  introspection?: boolean;
  /** CORS_ORIGINS: browser origins allowed to call the graph; unset means none. */
  corsOrigins?: readonly string[];
  /** SHUTDOWN_DRAIN_MS; unset means DEFAULT_SHUTDOWN_DRAIN_MS. */
  shutdownDrainMs?: number;
  /** WORKERS: processes serving the one port (shared/src/workers); unset means one per core. Unset in code: one. */
  workers?: number;
  /**
   * RATE_LIMITS: per-caller rate and concurrency limits by role. loadGatewayConfig always sets it (the
   * defaults when the variable is unset); only a configuration built in code can leave it out, meaning none.
   */
  callerLimits?: CallerLimitsConfig;
  /** Metrics and traces; unset means /metrics on without a token, no traces exported. */
  observability?: ObservabilityConfig;
  /** Persisted operations (README "For BI users"); unset means the defaults. */
  persistedOperations?: PersistedOperationsConfig;
  /**
   * PLAN_WARM_UP: build the query plans of the known operations for every role and purpose before /ready answers 200
   * (gateway/src/plan-warm-up.ts). loadGatewayConfig sets it (on unless the variable says false); a configuration built
   * in code (tests) can leave it out, meaning no warm-up.
   */
  planWarmUp?: boolean;
}

export interface PersistedOperationsConfig {
  /**
   * PERSISTED_OPERATIONS_MAX_AGE_SECONDS: how long the caller's own client may reuse the answer to a registered
   * query called by hash over GET (`Cache-Control: private, max-age=N`); 0 makes it revalidate every time (ETag).
   */
  maxAgeSeconds: number;
}

export const DEFAULT_PERSISTED_OPERATIONS_MAX_AGE_SECONDS = 60;

/** One caller's allowance: a token bucket for the rate, a counter for requests in flight. */
export interface CallerLimit {
  /** Requests per second, refilled continuously. */
  ratePerSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet spell. */
  burst: number;
  /** Requests of one caller being answered at the same time. */
  concurrent: number;
}

export interface CallerLimitsConfig {
  default: CallerLimit;
  /** Roles with their own limit; any other role has the default. */
  roles: Partial<Record<StaffRole, CallerLimit>>;
}

/** Used when RATE_LIMITS is unset: a portal user's page of parallel queries fits; BI tools page sequentially. */
export const DEFAULT_RATE_LIMITS = 'default=20r/s,10c;BI_ANALYST=5r/s,2c';

const RATE_LIMIT_ENTRY = /^(?<rate>\d+(?:\.\d+)?)r\/s,(?<concurrent>\d+)c(?:,(?<burst>\d+)b)?$/;
const RATE_LIMITS_FORMAT = 'entries such as default=20r/s,10c;BI_ANALYST=5r/s,2c,10b (rate per second, concurrent requests, optional burst)';

/**
 * RATE_LIMITS: `;`-separated `<default|ROLE>=<rate>r/s,<n>c[,<burst>b]`; a `default` entry is required and
 * covers every role not listed. The burst defaults to one second's worth of the rate (at least 1).
 */
export function parseRateLimits(spec: string, variable = 'RATE_LIMITS'): CallerLimitsConfig {
  const limits = new Map<string, CallerLimit>();
  for (const rawEntry of spec.split(';')) {
    const entry = rawEntry.trim();
    if (entry === '') continue;
    const [rawKey, rawValue, ...rest] = entry.split('=');
    const key = rawKey?.trim() ?? '';
    const match = rest.length === 0 ? RATE_LIMIT_ENTRY.exec((rawValue ?? '').replace(/\s+/g, '')) : null;
    if (!match?.groups) throw new ConfigError(variable, `has a malformed entry "${entry}": expected ${RATE_LIMITS_FORMAT}`);
    if (key !== 'default' && !(STAFF_ROLES as readonly string[]).includes(key)) {
      throw new ConfigError(variable, `has an entry for "${key}", which is neither default nor a role (${STAFF_ROLES.join(', ')})`);
    }
    if (limits.has(key)) throw new ConfigError(variable, `names "${key}" twice`);
    const ratePerSecond = Number(match.groups['rate']);
    const concurrent = Number(match.groups['concurrent']);
    const burst = match.groups['burst'] === undefined ? Math.max(1, Math.ceil(ratePerSecond)) : Number(match.groups['burst']);
    if (!(ratePerSecond > 0 && ratePerSecond <= 100_000))
      throw new ConfigError(variable, `entry "${entry}": the rate must be above 0 and at most 100000 per second`);
    if (concurrent < 1 || concurrent > 100_000) throw new ConfigError(variable, `entry "${entry}": concurrent requests must be 1 to 100000`);
    if (burst < 1 || burst > 1_000_000) throw new ConfigError(variable, `entry "${entry}": the burst must be 1 to 1000000`);
    limits.set(key, { ratePerSecond, burst, concurrent });
  }
  const fallback = limits.get('default');
  if (fallback === undefined) throw new ConfigError(variable, `needs a default entry (${RATE_LIMITS_FORMAT})`);
  limits.delete('default');
  return { default: fallback, roles: Object.fromEntries(limits) as Partial<Record<StaffRole, CallerLimit>> };
}

export function readRateLimits(reader: EnvReader): CallerLimitsConfig {
  return parseRateLimits(reader.string('RATE_LIMITS', DEFAULT_RATE_LIMITS));
}

/** A query waits this long for a pooled connection, then fails: an exhausted pool answers, it never hangs. */
export const DEFAULT_POOL_ACQUIRE_TIMEOUT_MS = 5_000;
/** Queries waiting for a connection beyond this many are refused at once (memory and latency stay bounded). */
export const DEFAULT_POOL_QUEUE_MAX = 200;

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
    poolAcquireTimeoutMs: reader.int('DB_POOL_ACQUIRE_TIMEOUT_MS', DEFAULT_POOL_ACQUIRE_TIMEOUT_MS, { min: 50, max: 60_000 }),
    poolQueueMax: reader.int('DB_POOL_QUEUE_MAX', DEFAULT_POOL_QUEUE_MAX, { min: 0, max: 100_000 }),
  };
}

/**
 * How long a stopping process lets requests in flight finish before cutting them off. Below Docker's
 * default 10 s stop grace period, so the audit flush that follows still runs before a SIGKILL.
 */
export const DEFAULT_SHUTDOWN_DRAIN_MS = 8_000;

/** Each worker holds its own database pool (DB_POOL_MAX connections): more would exhaust a server's connections. */
export const MAX_WORKERS = 32;

function readCommon(reader: EnvReader): {
  host: string;
  maxBodyBytes: number;
  logLevel: LogLevel;
  shutdownDrainMs: number;
  observability: ObservabilityConfig;
  workers: number;
} {
  return {
    observability: readObservabilityConfig(reader),
    host: reader.string('HOST', '127.0.0.1'),
    maxBodyBytes: reader.int('MAX_BODY_BYTES', 100_000, { min: 1_000, max: 10_000_000 }),
    logLevel: reader.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    shutdownDrainMs: reader.int('SHUTDOWN_DRAIN_MS', DEFAULT_SHUTDOWN_DRAIN_MS, { min: 0, max: 600_000 }),
    workers: reader.int('WORKERS', availableParallelism(), { min: 1, max: MAX_WORKERS }),
  };
}

/**
 * CORS_ORIGINS: comma-separated origins (`https://portal.example.cn`), each exactly as a browser sends
 * it. No wildcard: every origin that may call the graph from a browser is named.
 */
function readCorsOrigins(reader: EnvReader): string[] {
  const raw = reader.optionalString('CORS_ORIGINS');
  if (raw === undefined) return [];
  return raw.split(',').map((entry) => {
    const origin = entry.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `must list origins such as https://portal.example.cn (scheme, host and optional port, no path or wildcard), got "${origin}"`,
      );
    }
    return origin;
  });
}

/** Under DATA_DIR: the generated pseudonym secret used when PSEUDONYM_SECRET is unset. */
export const PSEUDONYM_SECRET_FILE = 'pseudonym.secret';

/** What configuration needs of a subgraph's manifest. */
export interface SubgraphIdentity {
  name: string;
  defaultPort: number;
}

/** `eventCatalog`: the event types whose peers' keys and URLs are read (the production list unless a test brings its own). */
export function loadSubgraphConfig(subgraph: SubgraphIdentity, env: Environment = process.env, eventCatalog: EventCatalog = EVENT_TYPES): SubgraphConfig {
  const reader = new EnvReader(env);
  const database = readDatabaseConfig(reader);
  return {
    name: subgraph.name,
    port: reader.port(subgraphPortVariable(subgraph.name), subgraph.defaultPort),
    database,
    ...readCommon(reader),
    security: {
      assertionKey: { key: readSubgraphAssertionKey(reader, database.dataDir, subgraph.name) },
      accessPolicyPath: reader.optionalString('ACCESS_POLICY_PATH'),
      pseudonymSecret: readSecretSetting(reader, 'PSEUDONYM_SECRET', database.dataDir, PSEUDONYM_SECRET_FILE),
      audit: readAuditConfig(reader, database.dataDir),
    },
    events: readEventsConfig(reader, subgraph.name, database.dataDir, eventCatalog),
  };
}

export function loadDatabaseConfig(env: Environment = process.env): DatabaseConfig {
  return readDatabaseConfig(new EnvReader(env));
}

/** The committed supergraph, `gateway/supergraph.graphql` (this file sits two levels below the root in src/ and dist/). */
export const DEFAULT_SUPERGRAPH_PATH = join(__dirname, '..', '..', 'gateway', 'supergraph.graphql');

export interface SupergraphSubgraph {
  name: string;
  /** The URL composition wrote: the subgraph's default port on 127.0.0.1. */
  url: string;
}

/** The subgraphs a supergraph is composed of, from its `join__Graph` enum: the gateway needs no list of its own. */
export function subgraphsOfSupergraph(supergraphSdl: string): SupergraphSubgraph[] {
  const subgraphs: SupergraphSubgraph[] = [];
  for (const definition of parse(supergraphSdl, { noLocation: true }).definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find((directive) => directive.name.value === 'join__graph');
      const argument = (name: string) => {
        const node = graph?.arguments?.find((entry) => entry.name.value === name)?.value;
        return node?.kind === Kind.STRING ? node.value : undefined;
      };
      const name = argument('name');
      const url = argument('url');
      if (name && url) subgraphs.push({ name, url });
    }
  }
  return subgraphs;
}

function readSupergraph(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError('SUPERGRAPH_PATH', `must name a readable supergraph file (run npm run compose), got "${path}"`);
  }
}

/**
 * Each subgraph's URL: `<NAME>_URL`, else `<NAME>_PORT` on 127.0.0.1, else the URL composition wrote.
 * Names come from the supergraph, so a new subgraph needs no gateway change.
 */
function readSubgraphUrls(reader: EnvReader, supergraphSdl: string): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const subgraph of subgraphsOfSupergraph(supergraphSdl)) {
    const port = reader.optionalPort(subgraphPortVariable(subgraph.name));
    const fallback = port === undefined ? subgraph.url : `http://127.0.0.1:${port}/graphql`;
    urls[subgraph.name] = reader.url(subgraphUrlVariable(subgraph.name), fallback, ['http:', 'https:'])!;
  }
  return urls;
}

/** A subgraph's circuit opens when at least `failureRateThreshold` of `minimumCalls` or more calls in `windowMs` failed. */
export interface CircuitBreakerConfig {
  failureRateThreshold: number;
  minimumCalls: number;
  windowMs: number;
  /** How long an open circuit fails calls fast before one probe call goes through. */
  openMs: number;
}

function readCircuitBreakerConfig(reader: EnvReader): CircuitBreakerConfig {
  return {
    failureRateThreshold: reader.int('CIRCUIT_BREAKER_FAILURE_PERCENT', 50, { min: 1, max: 100 }) / 100,
    minimumCalls: reader.int('CIRCUIT_BREAKER_MIN_CALLS', 20, { min: 1, max: 100_000 }),
    windowMs: reader.int('CIRCUIT_BREAKER_WINDOW_MS', 10_000, { min: 100, max: 600_000 }),
    openMs: reader.int('CIRCUIT_BREAKER_OPEN_MS', 2_000, { min: 50, max: 600_000 }),
  };
}

export function loadGatewayConfig(env: Environment = process.env): GatewayConfig {
  const reader = new EnvReader(env);
  const supergraphPath = reader.string('SUPERGRAPH_PATH', DEFAULT_SUPERGRAPH_PATH);
  const subgraphUrls = readSubgraphUrls(reader, readSupergraph(supergraphPath));
  const database = readDatabaseConfig(reader);
  const dataDir = database.dataDir;
  return {
    database,
    port: reader.port('PORT', 4000),
    supergraphPath,
    subgraphUrls,
    subgraphTimeoutMs: reader.int('SUBGRAPH_TIMEOUT_MS', 3_000, { min: 50, max: 120_000 }),
    circuitBreaker: readCircuitBreakerConfig(reader),
    ...readCommon(reader),
    introspection: reader.bool('INTROSPECTION', true),
    corsOrigins: readCorsOrigins(reader),
    callerLimits: readRateLimits(reader),
    planWarmUp: reader.bool('PLAN_WARM_UP', true),
    persistedOperations: {
      maxAgeSeconds: reader.int('PERSISTED_OPERATIONS_MAX_AGE_SECONDS', DEFAULT_PERSISTED_OPERATIONS_MAX_AGE_SECONDS, { min: 0, max: 86_400 }),
    },
    security: {
      tokens: readTokenVerifierConfig(reader),
      assertionSecret: readAssertionSecret(reader, dataDir),
      assertionTtlSeconds: readAssertionTtlSeconds(reader),
      accessPolicyPath: reader.optionalString('ACCESS_POLICY_PATH'),
      audit: readAuditConfig(reader, dataDir),
    },
  };
}
