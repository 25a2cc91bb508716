import type { IncomingMessage } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { DocumentNode, GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { Knex } from 'knex';
import type { SubgraphConfig, SubgraphName } from './config';
import { describeDatabase, ensureMysqlDatabase, openDatabase } from './database';
import { isDatabaseUnavailableError, isPublicErrorCode } from './errors';
import { createGraphQLHttpServer, listen, sendJson } from './http-server';
import { createLogger, type Logger } from './logger';
import { migrateToLatest, type Migration } from './migrations';

/** What every request's resolvers get: the subgraph's store and a fresh loader set. */
export interface SubgraphContext<TLoaders> {
  db: Knex;
  loaders: TLoaders;
  requestId: string;
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

/** Reaches, creates and migrates the database, retrying until it answers. */
async function prepareDatabase(module: SubgraphModule, config: SubgraphConfig, db: Knex, logger: Logger, retryDelayMs: number, stopped: () => boolean): Promise<void> {
  for (let attempt = 1; !stopped(); attempt++) {
    try {
      await ensureMysqlDatabase(config.database, module.name);
      await migrateToLatest(db, module.migrations);
      logger.info({ database: describeDatabase(config.database, module.name) }, 'database ready');
      return;
    } catch (error) {
      const failure = error as { name?: string; code?: string };
      logger.warn({ attempt, err: { name: failure.name, code: failure.code } }, `database ${describeDatabase(config.database, module.name)} not ready; retrying`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(retryDelayMs * attempt, 5_000)));
    }
  }
}

export function createSubgraphApollo<TLoaders>(module: SubgraphModule<TLoaders>, logger: Logger, isReady: () => boolean, plugins: ApolloServerPlugin<SubgraphContext<TLoaders>>[] = []): ApolloServer<SubgraphContext<TLoaders>> {
  return new ApolloServer<SubgraphContext<TLoaders>>({
    // Resolvers are typed by their context here; buildSubgraphSchema only knows `unknown`.
    schema: buildSubgraphSchema({ typeDefs: module.typeDefs, resolvers: module.resolvers as GraphQLResolverMap<unknown> }),
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    csrfPrevention: true,
    formatError: subgraphErrorFormatter(module.name, logger, isReady),
    // Federated traces go to Apollo's cloud only; nothing here consumes them.
    plugins: [ApolloServerPluginInlineTraceDisabled(), ...plugins],
  });
}

/** Starts one subgraph: HTTP up at once (health answers), database prepared in the background. */
export async function startSubgraph<TLoaders>(module: SubgraphModule<TLoaders>, config: SubgraphConfig, options: StartSubgraphOptions = {}): Promise<RunningSubgraph> {
  const logger = options.logger ?? createLogger(`subgraph-${module.name}`, config.logLevel);
  const db = openDatabase(config.database, module.name);
  let ready = false;
  let stopped = false;
  const readyPromise = prepareDatabase(module as SubgraphModule, config, db, logger, options.retryDelayMs ?? 500, () => stopped).then(() => {
    ready = !stopped;
  });
  const apollo = createSubgraphApollo(module, logger, () => ready);
  await apollo.start();
  const server = createGraphQLHttpServer<SubgraphContext<TLoaders>>({
    apollo,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    context: async (_request: IncomingMessage, requestId: string) => ({ db, loaders: module.createLoaders(db), requestId }),
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
    },
  };
}
