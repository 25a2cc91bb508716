import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLRequest } from '@apollo/server';
import type { Logger } from './logger';
import type { RequestObservation, RequestObserver } from './observability/request-log';

export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface GraphQLHttpOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /**
   * Builds the per-request context (identity, fresh loaders…) from the request and its raw body
   * (read first, within maxBodyBytes, so a credential can be bound to the exact bytes; empty unless
   * POST). Throwing an HttpError answers the request with that status (e.g. 401) and nothing is executed.
   */
  context: (request: IncomingMessage, requestId: string, rawBody: Buffer) => Promise<TContext>;
  maxBodyBytes: number;
  logger: Logger;
  routes?: Record<string, RouteHandler>;
  /** POST endpoints beside GraphQL (a subgraph's `/events`), each authenticating its callers itself; not in the request log. */
  postRoutes?: Record<string, RouteHandler>;
  graphqlPath?: string;
  /** Browser origins allowed to call the GraphQL endpoint (CORS); none by default. */
  corsOrigins?: readonly string[];
  /**
   * Checks the operation text before Apollo parses it (e.g. token and nesting limits, which must hold
   * before a recursive parser runs); returning an HttpError answers with it and nothing is parsed.
   */
  screenOperation?: (operationText: string) => HttpError | undefined;
  /** Logs each GraphQL request once, records its metrics and runs it in its trace span (routes are not observed). */
  observer?: RequestObserver<TContext>;
}

/** An HTTP failure with a status the client should see, e.g. 401 or 413. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly headers: Record<string, string> = {},
    /** Further public extensions of the error, beside its code (e.g. which limit was hit). */
    readonly extensions: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  response.end(text);
}

export function sendHttpError(response: ServerResponse, error: HttpError): void {
  sendJson(response, error.status, { errors: [{ message: error.message, extensions: { ...error.extensions, code: error.code } }] }, error.headers);
}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new HttpError(413, `Request body exceeds ${maxBytes} bytes`, 'PAYLOAD_TOO_LARGE');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `Request body exceeds ${maxBytes} bytes`, 'PAYLOAD_TOO_LARGE');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const CORRELATION_ID = /^[A-Za-z0-9._-]{1,64}$/;
export const CORRELATION_ID_HEADER = 'x-correlation-id';

/**
 * The id the audit trail and logs know a request by: always made here, never taken from the client,
 * so two callers cannot share one (a subgraph takes its id from the gateway's signed assertion).
 */
export function newRequestId(): string {
  return randomUUID();
}

/**
 * The client's own id for its request (`x-correlation-id`, else `x-request-id`), when well formed:
 * kept beside the request id and echoed, never used in its place.
 */
export function correlationIdOf(request: IncomingMessage): string | undefined {
  for (const name of [CORRELATION_ID_HEADER, 'x-request-id']) {
    const given = request.headers[name];
    if (typeof given === 'string' && CORRELATION_ID.test(given)) return given;
  }
  return undefined;
}

/** The operation text of a GraphQL request, wherever it travels (POST JSON body or GET query string). */
function operationTextOf(request: HTTPGraphQLRequest): string | undefined {
  if (request.method === 'GET') return new URLSearchParams(request.search).get('query') ?? undefined;
  const query = typeof request.body === 'object' && request.body !== null ? (request.body as { query?: unknown }).query : undefined;
  return typeof query === 'string' ? query : undefined;
}

const CORS_ALLOWED_METHODS = 'GET, POST, OPTIONS';
const CORS_ALLOWED_HEADERS = 'authorization, content-type, accept, x-access-purpose, x-correlation-id, apollo-require-preflight, x-apollo-operation-name';
const CORS_EXPOSED_HEADERS = 'x-request-id, x-correlation-id';
/** Browsers cap this anyway (Chromium at 2 hours); 10 minutes keeps a removed origin from lingering. */
const CORS_PREFLIGHT_MAX_AGE_SECONDS = '600';

/** CORS response headers for an allowed origin; none (so the browser refuses) for any other. */
function corsHeadersFor(request: IncomingMessage, allowedOrigins: readonly string[]): Record<string, string> {
  const origin = request.headers.origin;
  const headers: Record<string, string> = allowedOrigins.length > 0 ? { vary: 'origin' } : {};
  if (typeof origin !== 'string' || !allowedOrigins.includes(origin)) return headers;
  return { ...headers, 'access-control-allow-origin': origin, 'access-control-expose-headers': CORS_EXPOSED_HEADERS };
}

function sendPreflight(request: IncomingMessage, response: ServerResponse, allowedOrigins: readonly string[]): void {
  const headers = corsHeadersFor(request, allowedOrigins);
  if (headers['access-control-allow-origin']) {
    headers['access-control-allow-methods'] = CORS_ALLOWED_METHODS;
    headers['access-control-allow-headers'] = CORS_ALLOWED_HEADERS;
    headers['access-control-max-age'] = CORS_PREFLIGHT_MAX_AGE_SECONDS;
  }
  response.writeHead(204, { ...headers, 'cache-control': 'no-store' });
  response.end();
}

function parseGraphQLRequest(request: IncomingMessage, url: URL, rawBody: Buffer): HTTPGraphQLRequest {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const method = (request.method ?? 'GET').toUpperCase();
  let body: unknown = undefined;
  if (method === 'POST') {
    const text = rawBody.toString('utf8');
    const contentType = headers.get('content-type') ?? '';
    if (contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json')) {
      try {
        body = text.length ? JSON.parse(text) : undefined;
      } catch {
        throw new HttpError(400, 'Request body is not valid JSON', 'BAD_REQUEST');
      }
    } else {
      body = text;
    }
  }
  return { method, headers, search: url.search, body };
}

/** How long an idle keep-alive connection stays open (sent to clients as the `Keep-Alive: timeout=65` hint). */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Apollo Server on plain node:http: body limit, JSON parsing, fixed routes (/health, /ready), CORS
 * only for the configured origins, and no framework banner. Every response to the GraphQL endpoint
 * carries the request id the server made (and the client's correlation id, if it sent one).
 * Anything unexpected answers 500 without details.
 */
export function createGraphQLHttpServer<TContext extends BaseContext>(options: GraphQLHttpOptions<TContext>): Server {
  const graphqlPath = options.graphqlPath ?? '/graphql';
  const corsOrigins = options.corsOrigins ?? [];
  const server = createServer((request, response) => {
    // An unparsable target (`GET //`) would otherwise throw outside any handler and end the process.
    const target = request.url ?? '/';
    const url = URL.canParse(target, 'http://localhost') ? new URL(target, 'http://localhost') : new URL('http://localhost/.invalid-target');
    const route = options.routes?.[url.pathname];
    const postRoute = request.method === 'POST' ? options.postRoutes?.[url.pathname] : undefined;
    const requestId = newRequestId();
    const correlationId = correlationIdOf(request);
    const handle = async (observation?: RequestObservation) => {
      try {
        if (route && request.method === 'GET') return await route(request, response);
        if (postRoute) return await postRoute(request, response);
        if (url.pathname !== graphqlPath) return sendJson(response, 404, { error: 'Not found' });
        // Set before any answer, errors included, so a browser may read them from an allowed origin.
        for (const [name, value] of Object.entries(corsHeadersFor(request, corsOrigins))) response.setHeader(name, value);
        response.setHeader('x-request-id', requestId);
        if (correlationId !== undefined) response.setHeader(CORRELATION_ID_HEADER, correlationId);
        if (request.method === 'OPTIONS') return sendPreflight(request, response, corsOrigins);
        if (request.method !== 'GET' && request.method !== 'POST') {
          return sendJson(response, 405, { error: 'Method not allowed' }, { allow: 'GET, POST, OPTIONS' });
        }
        const rawBody = request.method === 'POST' ? await readBody(request, options.maxBodyBytes) : Buffer.alloc(0);
        const contextValue = await options.context(request, requestId, rawBody);
        if (observation) options.observer?.attach(observation, contextValue);
        const httpGraphQLRequest = parseGraphQLRequest(request, url, rawBody);
        const operationText = options.screenOperation ? operationTextOf(httpGraphQLRequest) : undefined;
        const rejection = operationText === undefined ? undefined : options.screenOperation?.(operationText);
        if (rejection) {
          observation?.errorCode(rejection.code);
          return sendHttpError(response, rejection);
        }
        const result = await options.apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => contextValue });
        const headers: Record<string, string> = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
        for (const [name, value] of result.headers) headers[name] = value;
        response.writeHead(result.status ?? 200, headers);
        if (result.body.kind === 'complete') {
          response.end(result.body.string);
        } else {
          for await (const chunk of result.body.asyncIterator) response.write(chunk);
          response.end();
        }
      } catch (error) {
        if (error instanceof HttpError) {
          observation?.errorCode(error.code);
          return sendHttpError(response, error);
        }
        options.logger.error({ err: { name: (error as Error)?.name }, requestId, correlationId }, 'request failed');
        if (!response.headersSent) sendJson(response, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        else response.destroy();
      }
    };
    // Probes and scrapes (/health, /ready, /metrics) stay out of the request log.
    const observer = (route && request.method === 'GET') || postRoute ? undefined : options.observer;
    void (observer ? observer.observe(request, response, { requestId, correlationId, path: url.pathname }, handle) : handle());
  });
  // Idle keep-alive connections stay open longer than the idle timeout of the clients and load balancers in front
  // (60 s is common; Node's default is 5 s). The side that closes an idle connection must be the client: if the
  // server closes it just as a client reuses it, that request fails with ECONNRESET.
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Kept above the keep-alive timeout, as Node advises, so a request arriving late on an idle connection is not cut.
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  return server;
}

export interface ListeningServer {
  url: string;
  port: number;
  /**
   * Drains, then closes: new connections are refused at once, requests in flight (and any that
   * arrive on connections already open) are answered, each with `connection: close`, and whatever
   * is still running after `drainMs` is cut off. Resolves when every connection is closed.
   */
  close(drainMs?: number): Promise<void>;
}

/** Counts the requests being answered, so a drain knows when the last one is done. */
class InFlightRequests {
  private count = 0;
  private draining = false;
  private idle: (() => void) | undefined;

  constructor(server: Server) {
    // Prepended: route handlers may answer synchronously, before a later listener could add a header.
    server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
      this.count += 1;
      if (this.draining) response.setHeader('connection', 'close');
      response.once('close', () => {
        this.count -= 1;
        if (this.count === 0) this.idle?.();
      });
    });
  }

  /** From now on every response closes its connection; resolves once no request is in flight. */
  drain(): Promise<void> {
    this.draining = true;
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => (this.idle = resolve));
  }
}

export async function listen(server: Server, host: string, port: number): Promise<ListeningServer> {
  const inFlight = new InFlightRequests(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`,
    port: address.port,
    close: (drainMs = 0) =>
      (closed ??= (async () => {
        const allClosed = new Promise<void>((resolve) => {
          // net's close, not http's: http's would also drop idle keep-alive connections at once, on
          // which a load balancer would otherwise learn from /ready (503) that this process is going.
          NetServer.prototype.close.call(server, () => resolve());
        });
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)));
        await Promise.race([inFlight.drain(), deadline]);
        clearTimeout(timer);
        server.closeAllConnections();
        await allClosed;
      })()),
  };
}
