import { createHash, randomUUID } from 'node:crypto';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import {
  IDENTITY_ASSERTION_HEADER,
  endSubgraphFetchSpan,
  startSubgraphFetchSpan,
  type AssertionSigner,
  type AssertionTarget,
  type Logger,
  type ServerMetrics,
  type StaffIdentity,
  type SubgraphFetchOutcome,
} from '@icg/shared';
import type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Fetcher, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker';
import type { GatewayContext } from './gateway-context';
import { SubgraphHttpClient, SubgraphResponseTooLarge } from './subgraph-http-client';

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  timeoutMs: number;
  signer: AssertionSigner;
  /** Latency, error and timeout metrics of each call, and a log line for each failure, naming the subgraph. */
  observe?: { metrics: ServerMetrics; logger: Logger };
  /** Answers above this size fail the call (see DEFAULT_MAX_SUBGRAPH_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /** When to stop calling a failing subgraph for a while (circuit-breaker.ts); its defaults when unset. */
  circuitBreaker?: Partial<Omit<CircuitBreakerOptions, 'onStateChange'>>;
}

/** A call not made: the subgraph failed most of its recent calls and its circuit is open. */
class SubgraphCircuitOpen extends Error {
  override readonly name = 'SubgraphCircuitOpen';
}

/** Errors a subgraph returns in the normal course of enforcement and of the write side's rules: not a failure of the subgraph. */
const EXPECTED_SUBGRAPH_ERRORS = new Set([
  'FORBIDDEN_FIELD',
  'BAD_USER_INPUT',
  'FORBIDDEN_ACTION',
  'INVALID_TRANSITION',
  'CONFLICT',
  'IDEMPOTENCY_KEY_REUSED',
  'DUPLICATE_CUSTOMER',
  'CUSTOMER_BLACKLISTED',
  'NOT_FOUND',
]);

/** GraphQL names only: anything else is left out of the assertion rather than refused. */
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;

/** Who and what one subgraph call is to be signed for, once its body exists. */
type PendingAssertion = { identity: StaffIdentity; target: Omit<AssertionTarget, 'body'> };

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string; cause?: { name?: string } })?.name;
  const causeName = (error as { cause?: { name?: string } })?.cause?.name;
  return name === 'TimeoutError' || name === 'AbortError' || causeName === 'TimeoutError' || causeName === 'AbortError';
}

/**
 * One subgraph, called with a per-call timeout and the request id. Transport failures become an
 * error that names the subgraph and nothing else (the default message carries its internal URL).
 *
 * The identity assertion is bound to the exact bytes sent, so it is signed in the fetcher, which is
 * handed the serialised body: willSendRequest (which knows the caller but not the body) leaves a
 * one-time ticket in the assertion header, and the fetcher swaps it for the signed assertion.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly subgraphName: string;
  private readonly timeoutMs: number;
  private readonly signer: AssertionSigner;
  private readonly pendingAssertions = new Map<string, PendingAssertion>();
  private readonly observe: SubgraphDataSourceOptions['observe'];
  private readonly client: SubgraphHttpClient;
  private readonly breaker: CircuitBreaker;

  constructor(options: SubgraphDataSourceOptions) {
    super({ url: options.url });
    this.subgraphName = options.name;
    this.timeoutMs = options.timeoutMs;
    this.signer = options.signer;
    this.observe = options.observe;
    this.client = new SubgraphHttpClient({ maxResponseBytes: options.maxResponseBytes });
    this.breaker = new CircuitBreaker({
      ...options.circuitBreaker,
      onStateChange: (state) => this.observe?.logger.warn({ subgraph: this.subgraphName, circuit: state }, 'subgraph circuit breaker changed state'),
    });
    this.fetcher = this.signingFetcher();
  }

  /**
   * Each subgraph call carries a fresh assertion of the verified caller for this subgraph only.
   * Requests are built from scratch here, so no client header reaches a subgraph.
   */
  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const context = options.context;
    const headers = options.request.http?.headers;
    // Without a query Apollo throws before fetching, which would strand the ticket.
    if (!context?.identity || !headers || !options.request.query) return;
    const incoming = 'incomingRequestContext' in options ? options.incomingRequestContext : undefined;
    const query = incoming?.request.query ?? '';
    context.operationHash ??= createHash('sha256').update(query).digest('hex');
    const name = incoming?.request.operationName ?? incoming?.operationName ?? null;
    const ticket = randomUUID();
    this.pendingAssertions.set(ticket, {
      identity: context.identity,
      target: {
        subgraph: this.subgraphName,
        requestId: context.requestId,
        operation: { hash: context.operationHash, name: name && OPERATION_NAME.test(name) ? name : null },
      },
    });
    headers.set('x-request-id', context.requestId);
    headers.set(IDENTITY_ASSERTION_HEADER, ticket);
  }

  /** A keep-alive HTTP client with a deadline (the gateway's data source has none by default), signing over the body it sends. */
  private signingFetcher(): Fetcher {
    return async (url: string, init: FetcherRequestInit = {}): Promise<FetcherResponse> => {
      const headers: Record<string, string> = { ...init.headers };
      const ticket = headers[IDENTITY_ASSERTION_HEADER];
      delete headers[IDENTITY_ASSERTION_HEADER];
      // Apollo always sends the JSON-serialised request as a string; what is signed is exactly what is sent.
      const body = typeof init.body === 'string' ? init.body : (init.body?.toString('utf8') ?? '');
      const pending = ticket === undefined ? undefined : this.pendingAssertions.get(ticket);
      if (ticket !== undefined) this.pendingAssertions.delete(ticket);
      // Fails fast, before signing or sending, while the subgraph's circuit is open.
      if (!this.breaker.tryAcquire()) {
        this.observe?.metrics.subgraphFetched(this.subgraphName, 'circuit_open', 0);
        throw new SubgraphCircuitOpen(`The ${this.subgraphName} circuit is open`);
      }
      // No ticket: sent without an assertion, which the subgraph refuses (deny by default).
      if (pending) {
        headers[IDENTITY_ASSERTION_HEADER] = await this.signer.sign(pending.identity, { ...pending.target, body });
      }
      // After signing, which covers the body only: the trace context (`traceparent`) travels beside it.
      const span = startSubgraphFetchSpan(this.subgraphName, headers);
      const startedAt = performance.now();
      let outcome: SubgraphFetchOutcome = 'unavailable';
      try {
        const response = await this.client.post(url, { headers, body, timeoutMs: this.timeoutMs });
        outcome = response.ok ? 'ok' : 'http_error';
        // A 4xx is the request's fault, not the subgraph's: only 5xx answers count against its circuit.
        this.breaker.record(response.status < 500);
        endSubgraphFetchSpan(span, { status: response.status });
        return response;
      } catch (error) {
        outcome = isTimeout(error) ? 'timeout' : 'unavailable';
        this.breaker.record(false);
        endSubgraphFetchSpan(span, { error: outcome });
        throw error;
      } finally {
        this.observe?.metrics.subgraphFetched(this.subgraphName, outcome, (performance.now() - startedAt) / 1000);
      }
    };
  }

  /** Errors a subgraph answered with (beyond enforcement's own) are counted and logged by code, never by message. */
  override didReceiveResponse({
    response,
    context,
  }: Required<Pick<GatewayGraphQLRequestContext<GatewayContext>, 'request' | 'response' | 'context'>>): GatewayGraphQLResponse {
    for (const error of response.errors ?? []) {
      const code = String(error.extensions?.['code'] ?? 'UNKNOWN');
      if (EXPECTED_SUBGRAPH_ERRORS.has(code)) continue;
      this.observe?.metrics.subgraphErrored(this.subgraphName, code);
      this.observe?.logger.warn({ subgraph: this.subgraphName, requestId: context.requestId, code }, 'subgraph answered with an error');
    }
    return response;
  }

  override didEncounterError(error: Error, _fetchRequest: unknown, fetchResponse?: FetcherResponse, context?: GatewayContext): void {
    // Named by subgraph and kind only: the error's own message carries the subgraph's internal URL.
    const failure = isTimeout(error)
      ? 'timeout'
      : error instanceof SubgraphCircuitOpen
        ? 'circuit open'
        : error instanceof SubgraphResponseTooLarge
          ? 'answer too large'
          : fetchResponse
            ? `HTTP ${fetchResponse.status}`
            : 'unavailable';
    // A fast failure of an open circuit is counted (circuit_open), not logged each time: the state change was.
    if (!(error instanceof SubgraphCircuitOpen))
      this.observe?.logger.error({ subgraph: this.subgraphName, requestId: context?.requestId, failure }, 'subgraph call failed');
    if (isTimeout(error)) {
      throw new GraphQLError(`The ${this.subgraphName} subgraph did not answer within ${this.timeoutMs} ms`, {
        extensions: { code: 'SUBGRAPH_TIMEOUT', subgraph: this.subgraphName },
      });
    }
    throw new GraphQLError(`The ${this.subgraphName} subgraph is unavailable`, {
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: this.subgraphName },
    });
  }
}
