import type { IncomingMessage } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { Knex } from 'knex';
import { systemClock, type Clock } from './clock';
import { loadAccessPolicy, type AccessPolicy, type Caller, type Decision, type Tier } from './access';
import { newAuditChainId } from './audit/audit-writer';
import { auditWriterDatabase } from './audit/audit-config';
import { AuditHandoff } from './audit/audit-handoff';
import { RequestAuditTrail } from './audit/request-audit-trail';
import { ThreadedAuditWriter } from './audit/threaded-audit-writer';
import { AUDIT_MIGRATIONS, AUDIT_STORE } from './audit/audit-store';
import { DEFAULT_SHUTDOWN_DRAIN_MS, loadSubgraphConfig, type SubgraphConfig } from './config';
import { openDatabase } from './database';
import { enforceClassifiedFields, type DecisionAuditSink, type EnforcementContext } from './enforcement';
import { isDatabaseUnavailableError, isPublicErrorCode } from './errors';
import { createGraphQLHttpServer, HttpError, listen, sendJson } from './http-server';
import {
  createAssertionVerifier,
  IDENTITY_ASSERTION_HEADER,
  isAuthenticationError,
  subgraphAssertionKeyOf,
  type AssertedIdentity,
  type AssertionVerifier,
} from './identity';
import { createLogger, type Logger } from './logger';
import { runServerProcesses } from './workers/server-processes';
import { metricsRoute, RequestObserver, ServerMetrics, startTracing, traceSqlStatements } from './observability';
import { operationLimitProtection } from './operation-limits';
import { screenOperationText } from './operation-text-limits';
import { prepareStoresWhenReachable } from './store-readiness';
import { EVENT_TYPES, type EventCatalog } from './events/event-types';
import { EVENTS_PATH, embeddedEventsConfig } from './events/events-config';
import type { EventHandler } from './events/event-receiver';
import { createSubgraphEvents, type SubgraphEvents } from './events/subgraph-events';
import { ScheduledJobRunner } from './scheduled-jobs';
import type { SubgraphContext, SubgraphManifest } from './subgraph-manifest';
import { WARM_UP_CALLER, WARM_UP_REQUEST_ID, warmUpOperations, warmUpSubgraph } from './subgraph-warm-up';

export interface RunningSubgraph {
  name: string;
  /** Base URL; GraphQL is at `${url}/graphql`. */
  url: string;
  port: number;
  db: Knex;
  /** Resolves once the database is reachable and migrated. */
  ready: Promise<void>;
  isReady(): boolean;
  /** Its outbox relay, `/events` receiver and transport (docs/events.md). */
  events: SubgraphEvents;
  /** Its scheduled jobs (manifest `scheduledJobs`): on their timers once ready, or `runNow(name)` once. */
  jobs: ScheduledJobRunner;
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
  /** The clock deadlines, SLA timers and scheduled jobs read; the system clock by default. Tests pass a settable one. */
  clock?: Clock;
  /** The event types exchanged; the production list (EVENT_TYPES) unless a test brings its own. */
  eventCatalog?: EventCatalog;
  /** Tests: each consumer's `/events` URL, known only once it has started (over config.events.consumerUrls). */
  eventConsumerUrl?: (consumer: string) => string | undefined;
  /**
   * Whether this process runs the outbox relay, the event subscription and the scheduled jobs; default true. Of
   * several workers of one subgraph only one does (workers/server-processes.ts); every worker receives `/events`.
   */
  runsSingletonWork?: boolean;
}

/** The warm-up before /ready gives up after this long (a slow database only delays readiness by it). */
const WARM_UP_TIMEOUT_MS = 10_000;

/** The verified caller as the access policy sees them. */
export function callerOf(identity: AssertedIdentity): Caller {
  return { staffId: identity.staffId, role: identity.role, branchPath: identity.branchPath, grade: identity.grade, purpose: identity.purpose };
}

/**
 * The caller of one subgraph request: the gateway's assertion, verified against the raw body and the
 * request id it was signed for (401 otherwise, before anything runs). Only POST is served: a GET
 * operation travels in the URL, which the assertion does not cover.
 */
export async function verifyAssertedCaller(verifier: AssertionVerifier, request: IncomingMessage, rawBody: Buffer): Promise<AssertedIdentity> {
  if (request.method !== 'POST') throw new HttpError(405, 'Subgraphs accept POST requests only', 'METHOD_NOT_ALLOWED', { allow: 'POST' });
  const header = request.headers[IDENTITY_ASSERTION_HEADER];
  const requestIdHeader = request.headers['x-request-id'];
  try {
    return await verifier.verify(Array.isArray(header) ? header.join(', ') : header, {
      body: rawBody,
      requestIdHeader: Array.isArray(requestIdHeader) ? requestIdHeader.join(', ') : requestIdHeader,
    });
  } catch (error) {
    if (isAuthenticationError(error)) throw new HttpError(401, error.message, 'UNAUTHENTICATED');
    throw error;
  }
}

/**
 * Errors leave a subgraph as a code and the subgraph's name. Database and programming errors are
 * logged by kind only (their messages can hold SQL with personal values) and masked.
 */
export function subgraphErrorFormatter(subgraph: string, logger: Logger, isReady: () => boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    // graphql-js wraps non-Error throws (mysql2 throws plain `{ code, fatal }` objects) as NonErrorThrown.
    const original =
      (unwrapped as { name?: string; thrownValue?: unknown })?.name === 'NonErrorThrown' ? (unwrapped as { thrownValue: unknown }).thrownValue : unwrapped;
    const code = formatted.extensions?.['code'];
    // Apollo copies `code` only from errors we raised as GraphQLErrors; anything else arrives as INTERNAL_SERVER_ERROR.
    if (isPublicErrorCode(code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    if (isDatabaseUnavailableError(original) || !isReady()) {
      return {
        message: `The ${subgraph} database is unavailable; try again shortly`,
        path: formatted.path,
        extensions: { code: 'DATABASE_UNAVAILABLE', subgraph },
      };
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
  /** Metrics: counts every decision by outcome and tier. */
  decisionCounter?: (tier: Tier) => (decision: Decision) => void;
}

/** A request's audit records go to the writer when it is answered (they were gathered, and their room reserved, while resolving). */
function auditRecordsAtResponse<TContext extends EnforcementContext>(audit: DecisionAuditSink): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue }) {
          audit.finish(contextValue);
        },
      };
    },
  };
}

export function createSubgraphApollo<TLoaders>(
  manifest: SubgraphManifest<TLoaders>,
  schema: GraphQLSchema,
  logger: Logger,
  isReady: () => boolean,
  enforcement: SubgraphEnforcement,
  plugins: ApolloServerPlugin<SubgraphContext<TLoaders>>[] = [],
): ApolloServer<SubgraphContext<TLoaders>> {
  // The gateway's own limits: a direct caller with a valid assertion gets past none of them.
  const protection = operationLimitProtection();
  return new ApolloServer<SubgraphContext<TLoaders>>({
    schema: enforcement.unenforcedBaselineForBenchmark ? schema : enforceClassifiedFields(schema, { ...enforcement, entities: manifest.entities }),
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    csrfPrevention: true,
    // The entries handle SIGINT/SIGTERM themselves (closing the HTTP server and flushing the audit first).
    stopOnTerminationSignals: false,
    formatError: subgraphErrorFormatter(manifest.name, logger, isReady),
    // Federated traces go to Apollo's cloud only; nothing here consumes them. Cache hints neither (every answer is
    // `no-store`), and the cache-control plugin's per-field hook makes Apollo wrap every resolver.
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      ...protection.plugins,
      auditRecordsAtResponse(enforcement.audit),
      ...plugins,
    ],
    validationRules: [...protection.validationRules],
    parseOptions: protection.parseOptions,
  });
}

/**
 * Starts one subgraph: HTTP up at once (health answers), database prepared in the background.
 * Every request must carry the gateway's identity assertion (else 401); every field is enforced.
 */
export async function startSubgraph<TLoaders>(
  manifest: SubgraphManifest<TLoaders>,
  config: SubgraphConfig,
  options: StartSubgraphOptions = {},
): Promise<RunningSubgraph> {
  const logger = options.logger ?? createLogger(`subgraph-${manifest.name}`, config.logLevel);
  // An invalid policy stops the start with a message naming the bad entry.
  const policy = loadAccessPolicy(config.security.accessPolicyPath);
  const clock = options.clock ?? systemClock;
  const verifier = createAssertionVerifier(subgraphAssertionKeyOf(config.security.assertionKey, manifest.name), manifest.name);
  // Opened lazily and migrated with the subgraph's own store, so a database that is down at start
  // delays readiness instead of stopping the process. Until then clear RESTRICTED values are refused.
  // Records are written by the audit worker thread on its own connection; this one only migrates.
  const auditStore = openDatabase(config.database, AUDIT_STORE);
  const db = openDatabase(config.database, manifest.name);
  // Change records wait in the subgraph's own store (write_side_audit_handoff) from their write's commit until the
  // audit store holds them; the writer tells which it stored.
  let handoff: AuditHandoff | undefined = undefined;
  // On MySQL the writer may use an INSERT/SELECT-only account (AUDIT_MYSQL_URL); migrations use MYSQL_URL.
  const audit = new ThreadedAuditWriter({
    ...config.security.audit,
    database: auditWriterDatabase(config.database, config.security.audit),
    chain: newAuditChainId(manifest.name),
    log: logger,
    onChangesStored: (decisionIds) => handoff?.stored(decisionIds),
  });
  handoff = new AuditHandoff({
    db,
    writer: audit,
    log: logger,
    graceMs: config.security.audit.handoffGraceMs,
    sweepIntervalMs: config.security.audit.handoffSweepIntervalMs,
  });
  const metrics = new ServerMetrics(`subgraph-${manifest.name}`);
  metrics.watchAuditQueue(() => audit.metricsState());
  metrics.watchDatabasePool(manifest.name, db);
  traceSqlStatements(db, manifest.name, config.database.mysqlUrl ? 'mysql' : 'sqlite');
  // The request log names the caller by the gateway's request id, which joins the two logs.
  const observer = new RequestObserver<SubgraphContext<TLoaders>>({
    server: `subgraph-${manifest.name}`,
    logger,
    metrics,
    identify: (context) => ({ requestId: context.requestId, staffId: context.caller.staffId, role: context.caller.role }),
  });
  // One trail per process for reads (enforcement) and writes (runMutation): a request's records go out together.
  const auditTrail = new RequestAuditTrail(audit);
  let ready = false;
  let stopped = false;
  // Outbox relay, /events and (with NATS_URL) the JetStream subscription; started once the store is ready.
  const events = createSubgraphEvents({
    subgraph: manifest.name,
    db,
    catalog: options.eventCatalog ?? EVENT_TYPES,
    handlers: (manifest.eventHandlers ?? {}) as Readonly<Record<string, EventHandler | undefined>>,
    config: config.events ?? embeddedEventsConfig(config.database.dataDir),
    clock,
    logger,
    changeAudit: auditTrail,
    policyVersion: policy.version,
    metrics,
    isReady: () => ready,
    maxBodyBytes: config.maxBodyBytes,
    ...(options.eventConsumerUrl ? { consumerUrl: options.eventConsumerUrl } : {}),
  });
  const jobs = new ScheduledJobRunner(manifest.scheduledJobs ?? [], {
    subgraph: manifest.name,
    db,
    clock,
    logger,
    events: events.recorder,
    changeAudit: auditTrail,
    policyVersion: policy.version,
  });
  const schema = buildSubgraphSchema({ typeDefs: manifest.schema, resolvers: manifest.resolvers });
  // Built now: an entity whose key the warm-up cannot make up stops the start with its name.
  const warmUpFetches = warmUpOperations(schema, manifest.entities);
  const apollo = createSubgraphApollo(
    manifest,
    schema,
    logger,
    () => ready,
    {
      policy,
      audit: auditTrail,
      pseudonymSecret: config.security.pseudonymSecret,
      onSkippedResolver: options.onSkippedResolver,
      unenforcedBaselineForBenchmark: options.unenforcedBaselineForBenchmark,
      decisionCounter: (tier) => metrics.decisionCounter(tier),
    },
    [observer.plugin()],
  );
  await apollo.start();
  // What every request's resolvers get, but the caller (from the assertion).
  const requestContext = (requestId: string, operation: SubgraphContext<TLoaders>['operation']) => ({
    db,
    loaders: manifest.createLoaders(db),
    clock,
    policy,
    events: events.recorder,
    changeAudit: auditTrail,
    requestId,
    operation,
  });
  const warmUp = () =>
    warmUpSubgraph(
      warmUpFetches,
      {
        execute: async (operation) => {
          const response = await apollo.executeOperation(
            { query: operation.query, variables: operation.variables },
            { contextValue: { ...requestContext(WARM_UP_REQUEST_ID, null), caller: WARM_UP_CALLER } },
          );
          return response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
        },
      },
      logger,
      WARM_UP_TIMEOUT_MS,
    );
  const readyPromise = prepareStoresWhenReachable(
    config.database,
    [
      { name: manifest.name, db, migrations: manifest.migrations },
      { name: AUDIT_STORE, db: auditStore, migrations: AUDIT_MIGRATIONS },
    ],
    { logger, retryDelayMs: options.retryDelayMs ?? 500, stopped: () => stopped },
  ).then(async (prepared) => {
    // The request path once before /ready: the gateway's first request does not pay for first use.
    if (prepared && !stopped) await warmUp();
    ready = prepared && !stopped;
    if (ready && options.runsSingletonWork !== false) {
      events.start();
      jobs.start();
      handoff.start();
    }
  });
  const server = createGraphQLHttpServer<SubgraphContext<TLoaders>>({
    apollo,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    observer,
    // Token and nesting limits before parsing, as at the gateway (checked after the assertion: unauthenticated callers learn nothing).
    screenOperation: screenOperationText,
    context: async (request: IncomingMessage, _requestId: string, rawBody: Buffer) => {
      const identity = await verifyAssertedCaller(verifier, request, rawBody);
      return { ...requestContext(identity.requestId, identity.operation), caller: callerOf(identity) };
    },
    routes: {
      '/health': (_request, response) => sendJson(response, 200, { status: 'ok', subgraph: manifest.name }),
      '/ready': (_request, response) =>
        sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : stopped ? 'stopping' : 'starting', subgraph: manifest.name }),
      ...(config.observability?.metricsEnabled === false ? {} : { '/metrics': metricsRoute(metrics, { token: config.observability?.metricsToken }) }),
    },
    // Deliveries from other subgraphs, with their service token (never the gateway's assertion).
    postRoutes: { [EVENTS_PATH]: events.receiver.httpRoute(config.maxBodyBytes) },
  });
  const listening = await listen(server, config.host, config.port);
  logger.info({ url: `${listening.url}/graphql` }, `${manifest.name} subgraph listening`);
  return {
    name: manifest.name,
    url: listening.url,
    port: listening.port,
    db,
    ready: readyPromise,
    isReady: () => ready,
    events,
    jobs,
    async close() {
      if (stopped) return;
      // /ready answers 503 to whoever still holds a connection; requests in flight finish, then the audit is flushed.
      stopped = true;
      ready = false;
      // The delivery in flight finishes; what is undelivered stays in the outbox for the next start.
      await events.close();
      // A run in progress finishes (its transaction commits or rolls back) before the store closes.
      await jobs.close();
      await listening.close(config.shutdownDrainMs ?? DEFAULT_SHUTDOWN_DRAIN_MS);
      await apollo.stop();
      await handoff.close();
      try {
        await audit.close();
      } finally {
        // The records the last flush stored have their hand-over rows cleared before the store closes.
        await handoff.drain();
        await db.destroy();
        await auditStore.destroy();
      }
    },
  };
}

/**
 * A subgraph's process entry (its `main.ts`): configuration from the environment, stopped by SIGINT/SIGTERM.
 * Takes a function where building the manifest reads configuration itself, so a bad value is reported too.
 */
export function runSubgraphProcess<TLoaders>(name: string, manifest: SubgraphManifest<TLoaders> | (() => SubgraphManifest<TLoaders>)): void {
  let built: SubgraphManifest<TLoaders>;
  let config: SubgraphConfig;
  try {
    built = typeof manifest === 'function' ? manifest() : manifest;
    config = loadSubgraphConfig(built);
  } catch (error) {
    process.stderr.write(`${name} subgraph failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const logger = createLogger(`subgraph-${built.name}`, config.logLevel);
  runServerProcesses({
    name: `${name} subgraph`,
    workers: config.workers ?? 1,
    logger,
    start: async (slot) => {
      const tracing = startTracing({
        serviceName: `icg-${built.name}`,
        otlpEndpoint: config.observability?.otlpEndpoint,
        sampleRatio: config.observability?.traceSampleRatio,
      });
      const workerLogger = slot.count > 1 ? logger.child({ worker: slot.index }) : logger;
      const running = await startSubgraph(built, config, { logger: workerLogger, runsSingletonWork: slot.runsSingletonWork });
      return { close: () => running.close().then(() => tracing.shutdown()) };
    },
  });
}
