/**
 * One log line per GraphQL HTTP request, whatever its fate (answered, 400, 401, 413, CSRF block, 500), and its
 * metrics and server span. The line names the request, the caller and the operation, never its text, variables
 * or any value: request id, correlation id, staff id, role, operation name and hash, status, duration, error codes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Logger } from '../logger';
import { errorCodeLabel, type ServerMetrics } from './metrics';
import { endServerSpan, runInContext, startServerSpan } from './tracing';

/** What a server's context tells the log about its caller (a subgraph: also the gateway's request id). */
export interface RequestCaller {
  requestId?: string;
  staffId?: string;
  role?: string;
}

export interface RequestObserverOptions<TContext> {
  /** `gateway` or `subgraph-<name>`: the `server` label of metrics and attribute of spans. */
  server: string;
  logger: Logger;
  metrics: ServerMetrics;
  identify(context: TContext): RequestCaller;
}

/** GraphQL names only: anything else a client sent as an operation name stays out of the log. */
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;
const MAX_LOGGED_ERROR_CODES = 10;

/** One request being answered: filled in as it goes, logged once when its response closes. */
export class RequestObservation {
  private readonly startedAt = process.hrtime.bigint();
  private caller: RequestCaller = {};
  private operationName: string | undefined;
  private operationHash: string | undefined;
  private readonly errorCodes = new Set<string>();

  constructor(
    private readonly requestId: string,
    private readonly correlationId: string | undefined,
  ) {}

  attach(caller: RequestCaller): void {
    this.caller = caller;
  }

  operation(name: string | null | undefined, hash: string | undefined): void {
    if (name && OPERATION_NAME.test(name)) this.operationName = name;
    if (hash !== undefined) this.operationHash = hash;
  }

  errorCode(code: unknown): void {
    if (this.errorCodes.size < MAX_LOGGED_ERROR_CODES) this.errorCodes.add(errorCodeLabel(code));
  }

  /** Seconds since the request arrived. */
  elapsedSeconds(): number {
    return Number(process.hrtime.bigint() - this.startedAt) / 1e9;
  }

  /** The log line's fields: ids, caller, operation; nothing the client wrote beyond a well-formed name. */
  fields(status: number, completed: boolean): Record<string, unknown> {
    return {
      // A subgraph knows the request by the gateway's id (from its signed assertion), which joins the two logs.
      requestId: this.caller.requestId ?? this.requestId,
      correlationId: this.correlationId,
      staffId: this.caller.staffId,
      role: this.caller.role,
      operationName: this.operationName,
      operationHash: this.operationHash,
      status,
      durationMs: Math.round(this.elapsedSeconds() * 1000 * 10) / 10,
      errorCodes: this.errorCodes.size > 0 ? [...this.errorCodes] : undefined,
      aborted: completed ? undefined : true,
    };
  }
}

/**
 * Where a context carries its request's observation, for the Apollo plugin (which sees only the context). A symbol
 * property, not a WeakMap keyed by the context: Apollo hands plugins a shallow copy of the context object.
 */
const OBSERVATION = Symbol('icg.requestObservation');

function observationOf(contextValue: object): RequestObservation | undefined {
  const found = (contextValue as { [OBSERVATION]?: unknown })[OBSERVATION];
  return found instanceof RequestObservation ? found : undefined;
}

export class RequestObserver<TContext extends BaseContext> {
  constructor(private readonly options: RequestObserverOptions<TContext>) {}

  /**
   * Starts observing a request: `handle` runs inside its server span, and the log line and metrics are written when
   * the response closes (so early answers — 401, 413, 400, CSRF — are logged like any other).
   */
  observe(
    request: IncomingMessage,
    response: ServerResponse,
    ids: { requestId: string; correlationId?: string; path: string },
    handle: (observation: RequestObservation) => Promise<void>,
  ): Promise<void> {
    const observation = new RequestObservation(ids.requestId, ids.correlationId);
    const { span, context } = startServerSpan(request, this.options.server, ids.path);
    response.once('close', () => {
      const status = response.statusCode;
      endServerSpan(span, status);
      this.options.metrics.requestAnswered(status, observation.elapsedSeconds());
      const fields = observation.fields(status, response.writableFinished);
      if (status >= 500) this.options.logger.error(fields, 'request');
      else this.options.logger.info(fields, 'request');
    });
    return runInContext(context, () => handle(observation));
  }

  /** The request's context exists (its caller is verified): the log learns who is calling. */
  attach(observation: RequestObservation, contextValue: TContext): void {
    observation.attach(this.options.identify(contextValue));
    (contextValue as { [OBSERVATION]?: RequestObservation })[OBSERVATION] = observation;
  }

  /** Tells the observation the operation's name and hash and the error codes of the answer. */
  plugin(): ApolloServerPlugin<TContext> {
    const metrics = this.options.metrics;
    return {
      async requestDidStart({ contextValue }) {
        const observation = observationOf(contextValue);
        if (observation === undefined) return;
        return {
          async didResolveSource({ queryHash, request }) {
            observation.operation(request.operationName, queryHash);
          },
          async didResolveOperation({ operationName }) {
            observation.operation(operationName, undefined);
          },
          async willSendResponse({ response }) {
            const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
            for (const error of errors ?? []) {
              const code = errorCodeLabel(error.extensions?.['code']);
              observation.errorCode(code);
              metrics.graphqlError(code);
            }
          },
        };
      },
    };
  }
}
