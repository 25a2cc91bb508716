import type { IncomingMessage } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { DocumentNode, GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { Knex } from 'knex';
import { loadAccessPolicy, type AccessPolicy, type Caller } from './access';
import { newAuditChainId } from './audit/audit-writer';
import { ThreadedAuditWriter } from './audit/threaded-audit-writer';
import { AUDIT_MIGRATIONS, AUDIT_STORE } from './audit/audit-store';
import type { SubgraphConfig, SubgraphName } from './config';
import { openDatabase } from './database';
import { enforceClassifiedFields, type DecisionAuditSink, type EnforcementContext } from './enforcement';
import { isDatabaseUnavailableError, isPublicErrorCode } from './errors';
import { createGraphQLHttpServer, HttpError, listen, sendJson } from './http-server';
import { createAssertionVerifier, IDENTITY_ASSERTION_HEADER, isAuthenticationError, type AssertedIdentity } from './identity';
import { createLogger, type Logger } from './logger';
import type { Migration } from './migrations';
import { prepareStoresWhenReachable } from './store-readiness';

/** What every request's resolvers get: the caller, the subgraph's store and a fresh loader set. */
export interface SubgraphContext<TLoaders> extends EnforcementContext {
  db: Knex;
  loaders: TLoaders;
}

/** A subgraph, side-effect free: importing it starts nothing. */
export interface SubgraphModule<TLoaders = unknown> {
  name: SubgraphName;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<SubgraphContext<TLoaders>>;
  migrations: readonly Migration[];
  createLoaders(db: Knex): TLoaders;
}

export interface RunningSubgraph {
  name: SubgraphName;
  /** Base URL; GraphQL is at `${url}/graphql`. */
  url: string;
  port: number;
  db: Knex;
  /** Resolves once the database is reachable and migrated. */
  ready: Promise<void>;
  isReady(): boolean;
  close(): Promise<void>;
}

export interface StartSubgraphOptions {
  logger?: Logger;
  /** Wait between attempts to reach the database at start-up. */
  retryDelayMs?: number;
  /** Tests: called for each field enforcement kept from its resolver. */
  onSkippedResolver?: (coordinate: string) => void;
  /**
   * Only for the enforcement benchmark's baseline (tools/src/benchmarks): serve fields without the
   * access layer. Deliberately not reachable from configuration or the environment.
   */
  unenforcedBaselineForBenchmark?: boolean;
}

/** The verified caller as the access policy sees them. */
export function callerOf(identity: AssertedIdentity): Caller {
  return { staffId: identity.staffId, role: identity.role, branchPath: identity.branchPath, grade: identity.grade, purpose: identity.purpose };
}

/**
 * Errors leave a subgraph as a code and the subgraph's name. Database and programming errors are
 * logged by kind only (their messages can hold SQL with personal values) and masked.
 */
export function subgraphErrorFormatter(subgraph: SubgraphName, logger: Logger, isReady: () => boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    // graphql-js wraps non-Error throws (mysql2 throws plain `{ code, fatal }` objects) as NonErrorThrown.
    const original = (unwrapped as { name?: string; thrownValue?: unknown })?.name === 'NonErrorThrown' ? (unwrapped as { thrownValue: unknown }).thrownValue : unwrapped;
    const code = formatted.extensions?.['code'];
    // Apollo copies `code` only from errors we raised as GraphQLErrors; anything else arrives as INTERNAL_SERVER_ERROR.
    if (isPublicErrorCode(code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    if (isDatabaseUnavailableError(original) || !isReady()) {
      return { message: `The ${subgraph} database is unavailable; try again shortly`, path: formatted.path, extensions: { code: 'DATABASE_UNAVAILABLE', subgraph } };
    }
    const failure = original as { name?: string; code?: string; sqlState?: string } | undefined;
    logger.error({ err: { name: failure?.name, code: failure?.code, sqlState: failure?.sqlState }, path: formatted.path }, 'resolver failed');
    return { message: `Internal error in the ${subgraph} subgraph`, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR', subgraph } };
  };
}

export interface SubgraphEnforcement {
  policy: AccessPolicy;
  audit: DecisionAuditSink;
  pseudonymSecret: string;
  onSkippedResolver?: (coordinate: string) => void;
  unenforcedBaselineForBenchmark?: boolean;
}

export function createSubgraphApollo<TLoaders>(
  module: SubgraphModule<TLoaders>,
  logger: Logger,
  isReady: () => boolean,
  enforcement: SubgraphEnforcement,
  plugins: ApolloServerPlugin<SubgraphContext<TLoaders>>[] = [],
): ApolloServer<SubgraphContext<TLoaders>> {
  // Resolvers are typed by their context here; buildSubgraphSchema only knows `unknown`.
  const schema = buildSubgraphSchema({ typeDefs: module.typeDefs, resolvers: module.resolvers as GraphQLResolverMap<unknown> });
  return new ApolloServer<SubgraphContext<TLoaders>>({
    schema: enforcement.unenforcedBaselineForBenchmark ? schema : enforceClassifiedFields(schema, enforcement),
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    csrfPrevention: true,
    // The entries handle SIGINT/SIGTERM themselves (closing the HTTP server and flushing the audit first).
    stopOnTerminationSignals: false,
    formatError: subgraphErrorFormatter(module.name, logger, isReady),
    // Federated traces go to Apollo's cloud only; nothing here consumes them.
    plugins: [ApolloServerPluginInlineTraceDisabled(), ...plugins],
  });
}

/**
 * Starts one subgraph: HTTP up at once (health answers), database prepared in the background.
 * Every request must carry the gateway's identity assertion (else 401); every field is enforced.
 */
export async function startSubgraph<TLoaders>(module: SubgraphModule<TLoaders>, config: SubgraphConfig, options: StartSubgraphOptions = {}): Promise<RunningSubgraph> {
  const logger = options.logger ?? createLogger(`subgraph-${module.name}`, config.logLevel);
  // An invalid policy stops the start with a message naming the bad entry.
  const policy = loadAccessPolicy(config.security.accessPolicyPath);
  const verifier = createAssertionVerifier(config.security.assertionPublicKeyPem, module.name);
  // Opened lazily and migrated with the subgraph's own store, so a database that is down at start
  // delays readiness instead of stopping the process. Until then clear RESTRICTED values are refused.
  // Records are written by the audit worker thread on its own connection; this one only migrates.
  const auditStore = openDatabase(config.database, AUDIT_STORE);
  const audit = new ThreadedAuditWriter({ database: config.database, chain: newAuditChainId(module.name), pseudonymSecret: config.security.audit.pseudonymSecret, log: logger, flushIntervalMs: config.security.audit.flushIntervalMs, batchSize: config.security.audit.batchSize, maxQueued: config.security.audit.maxQueued });
  const db = openDatabase(config.database, module.name);
  let ready = false;
  let stopped = false;
  const readyPromise = prepareStoresWhenReachable(
    config.database,
    [
      { name: module.name, db, migrations: module.migrations },
      { name: AUDIT_STORE, db: auditStore, migrations: AUDIT_MIGRATIONS },
    ],
    { logger, retryDelayMs: options.retryDelayMs ?? 500, stopped: () => stopped },
  ).then((prepared) => {
    ready = prepared && !stopped;
  });
  const apollo = createSubgraphApollo(module, logger, () => ready, { policy, audit, pseudonymSecret: config.security.pseudonymSecret, onSkippedResolver: options.onSkippedResolver, unenforcedBaselineForBenchmark: options.unenforcedBaselineForBenchmark });
  await apollo.start();
  const server = createGraphQLHttpServer<SubgraphContext<TLoaders>>({
    apollo,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    context: async (request: IncomingMessage) => {
      let identity: AssertedIdentity;
      try {
        const header = request.headers[IDENTITY_ASSERTION_HEADER];
        identity = await verifier.verify(Array.isArray(header) ? header.join(', ') : header);
      } catch (error) {
        if (isAuthenticationError(error)) throw new HttpError(401, error.message, 'UNAUTHENTICATED');
        throw error;
      }
      return { db, loaders: module.createLoaders(db), requestId: identity.requestId, caller: callerOf(identity), operation: identity.operation };
    },
    routes: {
      '/health': (_request, response) => sendJson(response, 200, { status: 'ok', subgraph: module.name }),
      '/ready': (_request, response) => sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'starting', subgraph: module.name }),
    },
  });
  const listening = await listen(server, config.host, config.port);
  logger.info({ url: `${listening.url}/graphql` }, `${module.name} subgraph listening`);
  return {
    name: module.name,
    url: listening.url,
    port: listening.port,
    db,
    ready: readyPromise,
    isReady: () => ready,
    async close() {
      if (stopped) return;
      stopped = true;
      await listening.close();
      await apollo.stop();
      await db.destroy();
      try {
        await audit.close();
      } finally {
        await auditStore.destroy();
      }
    },
  };
}
