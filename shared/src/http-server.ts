import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLRequest } from '@apollo/server';
import type { Logger } from './logger';

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
  graphqlPath?: string;
}

/** An HTTP failure with a status the client should see, e.g. 401 or 413. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly headers: Record<string, string> = {},
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
  sendJson(response, error.status, { errors: [{ message: error.message, extensions: { code: error.code } }] }, error.headers);
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

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Honours a well-formed `x-request-id` from the caller (the gateway), otherwise makes one. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
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

/**
 * Apollo Server on plain node:http: body limit, JSON parsing, fixed routes (/health, /ready),
 * no CORS headers and no framework banner. Anything unexpected answers 500 without details.
 */
export function createGraphQLHttpServer<TContext extends BaseContext>(options: GraphQLHttpOptions<TContext>): Server {
  const graphqlPath = options.graphqlPath ?? '/graphql';
  return createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const route = options.routes?.[url.pathname];
      try {
        if (route && request.method === 'GET') return await route(request, response);
        if (url.pathname !== graphqlPath) return sendJson(response, 404, { error: 'Not found' });
        if (request.method !== 'GET' && request.method !== 'POST') {
          return sendJson(response, 405, { error: 'Method not allowed' }, { allow: 'GET, POST' });
        }
        const requestId = requestIdOf(request);
        const rawBody = request.method === 'POST' ? await readBody(request, options.maxBodyBytes) : Buffer.alloc(0);
        const contextValue = await options.context(request, requestId, rawBody);
        const httpGraphQLRequest = parseGraphQLRequest(request, url, rawBody);
        const result = await options.apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => contextValue });
        const headers: Record<string, string> = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-request-id': requestId };
        for (const [name, value] of result.headers) headers[name] = value;
        response.writeHead(result.status ?? 200, headers);
        if (result.body.kind === 'complete') {
          response.end(result.body.string);
        } else {
          for await (const chunk of result.body.asyncIterator) response.write(chunk);
          response.end();
        }
      } catch (error) {
        if (error instanceof HttpError) return sendHttpError(response, error);
        options.logger.error({ err: { name: (error as Error)?.name } }, 'request failed');
        if (!response.headersSent) sendJson(response, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        else response.destroy();
      }
    })();
  });
}

export interface ListeningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(server: Server, host: string, port: number): Promise<ListeningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
