import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloGateway } from '@apollo/gateway';
import {
  AUDIT_MIGRATIONS,
  AUDIT_STORE,
  ThreadedAuditWriter,
  auditWriterDatabase,
  type AuditEvent,
  createAssertionSigner,
  prepareStoresWhenReachable,
  newAuditChainId,
  openDatabase,
  operationLimitProtection,
  createGraphQLHttpServer,
  correlationIdOf,
  createLogger,
  createTokenVerifier,
  DEFAULT_PERSISTED_OPERATIONS_MAX_AGE_SECONDS,
  DEFAULT_SHUTDOWN_DRAIN_MS,
  EXAMPLE_OPERATIONS,
  isAuditedTier,
  listen,
  loadAccessPolicy,
  metricsRoute,
  RequestObserver,
  screenOperationText,
  ServerMetrics,
  sendJson,
  type GatewayConfig,
  type Logger,
} from '@icg/shared';
import { EnforcingGateway, type GatewayDenial } from './access';
import { authenticateRequest } from './authenticate-request';
import { GatewayCallerLimits, type CallerAdmitter } from './caller-limits';
import { createGatewayErrorFormatter } from './format-gateway-error';
import type { GatewayContext } from './gateway-context';
import {
  OperationValidator,
  PersistedOperationRegistry,
  REGISTER_OPERATION_PATH,
  assertOperationAllowed,
  persistedOperationsPlugin,
  registerOperationRoute,
  registryAsApqCache,
} from './persisted-operations';
import { runForAbsentKeys, warmSubgraphFetches } from './fetch-warm-up';
import { stopWarmUpAfterPlanning, warmQueryPlans } from './plan-warm-up';
import { requestErrorStatusPlugin } from './request-error-status';
import { SubgraphDataSource } from './subgraph-data-source';

/** The committed supergraph, built by `npm run compose`; it sits at the gateway package root. */
export { DEFAULT_SUPERGRAPH_PATH } from '@icg/shared';

export interface RunningGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  logger?: Logger;
  /**
   * Only for the enforcement benchmark's baseline (tools/src/benchmarks): no gateway access layer.
   * Deliberately not reachable from configuration or the environment.
   */
  unenforcedBaselineForBenchmark?: boolean;
  /** Where caller limits are decided when not in this process: the primary, for one of several workers. */
  callerLimiter?: CallerAdmitter;
}

/**
 * Denials the gateway answered itself go to the audit trail like the subgraphs' decisions: one record per
 * coordinate and rule for the request, listing where each was denied. No value depends on these records (the
 * fields were never fetched), so a full queue drops them (counted and logged) rather than refusing anything.
 */
function auditGatewayDenials(audit: ThreadedAuditWriter, denials: readonly GatewayDenial[]): void {
  const records = new Map<string, AuditEvent & { recordKeys: string[] }>();
  for (const denial of denials) {
    if (!isAuditedTier(denial.tier)) continue;
    const rule = `${denial.identity.role}/${denial.tier}/never`;
    const group = `${denial.requestId}\n${denial.coordinate}\n${rule}`;
    let record = records.get(group);
    if (record === undefined) {
      record = {
        requestId: denial.requestId,
        occurredAt: new Date(),
        staffId: denial.identity.staffId,
        role: denial.identity.role,
        purpose: denial.identity.purpose,
        operationName: denial.operationName,
        operationHash: denial.queryHash,
        coordinate: denial.coordinate,
        recordKeys: [],
        decision: 'DENY',
        rule,
        policyVersion: denial.policyVersion,
        // The first denial's id: every error of the group leads to this record through its coordinate and request.
        decisionId: denial.decisionId,
      };
      records.set(group, record);
    }
    // The record is not known before planning: the response path stands in for it.
    record.recordKeys.push(`${denial.coordinate.split('.')[0]}@${denial.path.join('.')}`);
  }
  for (const record of records.values()) audit.record(record);
}

function loadSupergraphSdl(config: GatewayConfig): string {
  const path = config.supergraphPath;
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new Error(`Cannot read the supergraph at ${path}; run \`npm run compose\` or set SUPERGRAPH_PATH`);
  }
}

/**
 * The gateway: the static supergraph (so it starts even while a subgraph is down), each subgraph
 * called with a timeout at its configured URL, errors masked, query limits on.
 */
export async function startGateway(config: GatewayConfig, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger('gateway', config.logLevel);
  // An invalid policy stops the start with a message naming the bad entry.
  const policy = loadAccessPolicy(config.security.accessPolicyPath);
  const tokens = createTokenVerifier(config.security.tokens);
  const signer = createAssertionSigner(config.security.assertionSecret, { ttlSeconds: config.security.assertionTtlSeconds });
  const auditStore = openDatabase(config.database, AUDIT_STORE);
  // On MySQL the writer may use an INSERT/SELECT-only account (AUDIT_MYSQL_URL); migrations use MYSQL_URL.
  const audit = new ThreadedAuditWriter({
    ...config.security.audit,
    database: auditWriterDatabase(config.database, config.security.audit),
    chain: newAuditChainId('gateway'),
    log: logger,
  });
  // Retried in the background like the subgraphs' stores: a database that is down delays audit writes, not the start.
  let stopped = false;
  const auditStoreReady = prepareStoresWhenReachable(config.database, [{ name: AUDIT_STORE, db: auditStore, migrations: AUDIT_MIGRATIONS }], {
    logger,
    retryDelayMs: 500,
    stopped: () => stopped,
  });
  const metrics = new ServerMetrics('gateway');
  metrics.watchAuditQueue(() => audit.metricsState());
  const observer = new RequestObserver<GatewayContext>({
    server: 'gateway',
    logger,
    metrics,
    identify: (context) => ({ staffId: context.identity.staffId, role: context.identity.role }),
  });
  const federation = new ApolloGateway({
    supergraphSdl: loadSupergraphSdl(config),
    // Query plans would otherwise be shown to any client sending Apollo-Query-Plan-Experimental outside production.
    __exposeQueryPlanExperimental: false,
    // Ends the start-up's plan warm-up requests once their plan is stored (plan-warm-up.ts); real requests go on.
    experimental_didResolveQueryPlan: stopWarmUpAfterPlanning,
    buildService: ({ name, url }) =>
      new SubgraphDataSource({
        name,
        url: config.subgraphUrls[name] ?? url!,
        timeoutMs: config.subgraphTimeoutMs,
        signer,
        observe: { metrics, logger },
        ...(config.circuitBreaker ? { circuitBreaker: config.circuitBreaker } : {}),
      }),
    // Its spans (plan, fetch) join our traces; neither the operation text nor error messages go into them.
    telemetry: { includeDocument: false, recordExceptions: false },
    logger: { debug: () => {}, info: (message) => logger.info(message), warn: (message) => logger.warn(message), error: (message) => logger.error(message) },
  });
  // The gateway layer: fields the caller's role may read in no scope are removed before planning.
  const gateway = options.unenforcedBaselineForBenchmark
    ? federation
    : new EnforcingGateway({ gateway: federation, policy, onDenied: (denials) => auditGatewayDenials(audit, denials) });
  // The same limits every subgraph applies (shared/src/operation-limits.ts).
  const protection = operationLimitProtection();
  // Persisted operations (README "For BI users"): a table in the audit store, made once that store is ready.
  const registry = new PersistedOperationRegistry(auditStore, () => auditStoreReady);
  const operationValidator = new OperationValidator(policy, operationLimitProtection());
  operationValidator.listenTo(federation);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    csrfPrevention: true,
    // The entries handle SIGINT/SIGTERM themselves (closing the HTTP server and flushing the audit first).
    stopOnTerminationSignals: false,
    formatError: createGatewayErrorFormatter(logger),
    // Set here, not left to NODE_ENV (which the image sets to production): what each role sees is filtered anyway.
    introspection: config.introspection ?? true,
    // Registered operations only, never registered by a call (persisted-operations.ts); the audit trail and the
    // subgraph assertions get the registered document's hash (its persistedOperationsPlugin).
    persistedQueries: { cache: registryAsApqCache(registry) },
    // Validation errors beyond these tell nothing more (repeats are folded by requestErrorStatusPlugin).
    validationOptions: { maxErrors: 20 },
    plugins: [
      ...protection.plugins,
      requestErrorStatusPlugin<GatewayContext>(),
      persistedOperationsPlugin({ maxAgeSeconds: config.persistedOperations?.maxAgeSeconds ?? DEFAULT_PERSISTED_OPERATIONS_MAX_AGE_SECONDS }),
      observer.plugin(),
      // Roles whose policy says `neverReadable: unknown` get their own schema's validation errors (docs/access-model.md section 6).
      ...(gateway instanceof EnforcingGateway ? [gateway.validationPlugin()] : []),
    ],
    validationRules: [...protection.validationRules],
    parseOptions: protection.parseOptions,
  });
  await apollo.start();
  // Not ready until the known operations' plans are built (below), so the first request finds them.
  let state: 'starting' | 'ready' | 'stopping' = 'starting';
  const callerLimits = config.callerLimits && new GatewayCallerLimits(config.callerLimits, undefined, options.callerLimiter);
  const server = createGraphQLHttpServer<GatewayContext>({
    apollo,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    corsOrigins: config.corsOrigins ?? [],
    screenOperation: screenOperationText,
    observer,
    context: async (request: IncomingMessage, requestId: string, rawBody: Buffer) => {
      const identity = await authenticateRequest(request, tokens, policy);
      // After authentication (401 first): limits are per verified staff id; 429 otherwise.
      await callerLimits?.admit(request, identity);
      // A role restricted to registered operations sends a hash, never a document (403 otherwise).
      assertOperationAllowed(policy, identity, request, rawBody);
      return { requestId, correlationId: correlationIdOf(request), identity };
    },
    postRoutes: {
      [REGISTER_OPERATION_PATH]: registerOperationRoute({
        policy,
        registry,
        validator: operationValidator,
        authenticate: async (request) => {
          const identity = await authenticateRequest(request, tokens, policy);
          await callerLimits?.admit(request, identity);
          return identity;
        },
        audit: (event) => audit.record(event),
        maxBodyBytes: config.maxBodyBytes,
        logger,
      }),
    },
    routes: {
      '/health': (_request, response) => sendJson(response, 200, { status: 'ok' }),
      '/ready': (_request, response) => sendJson(response, state === 'ready' ? 200 : 503, { status: state }),
      ...(config.observability?.metricsEnabled === false ? {} : { '/metrics': metricsRoute(metrics, { token: config.observability?.metricsToken }) }),
    },
  });
  callerLimits?.attach(server);
  const listening = await listen(server, config.host, config.port);
  logger.info({ url: `${listening.url}/graphql` }, 'gateway listening');
  if (config.planWarmUp) {
    try {
      const { captured } = await warmQueryPlans(apollo, policy, EXAMPLE_OPERATIONS, logger);
      // The plans' subgraph fetches and the gateway's own request path, once each, for ids no record has.
      await warmSubgraphFetches(captured, logger);
      await runForAbsentKeys(apollo, captured, logger);
    } catch (error) {
      // A plan not built now is built on first use, as before: no reason to stay unready.
      logger.warn({ err: { name: (error as Error).name } }, 'query plan warm-up failed; plans will be built on first use');
    }
  }
  if (state === 'starting') state = 'ready';
  return {
    url: listening.url,
    port: listening.port,
    async close() {
      // Load balancers polling /ready on open connections learn first; requests in flight finish,
      // then the audit takes the last of their records.
      state = 'stopping';
      stopped = true;
      await listening.close(config.shutdownDrainMs ?? DEFAULT_SHUTDOWN_DRAIN_MS);
      await apollo.stop();
      try {
        await audit.close();
      } finally {
        await auditStore.destroy();
      }
    },
  };
}
