import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { execute, GraphQLError, parse, validate, type DocumentNode, type ExecutionResult } from 'graphql';
import { listen, type DatabaseConfig } from '@icg/shared';
import { createReferenceLoaders } from './reference-loaders';
import { REFERENCE_SCHEMA } from './reference-schema';
import { openReferenceStore } from './reference-store';

export interface ReferenceServerOptions {
  database: DatabaseConfig;
  host: string;
  /** 0 for a free port. */
  port: number;
}

export interface RunningReferenceServer {
  url: string;
  port: number;
  /** SQL statements sent so far (the benchmark's exact count for this server). */
  statementCount(): number;
  close(): Promise<void>;
}

/** The answers' sizes are bounded by the query; a request body is a query and its variables. */
const MAX_BODY_BYTES = 100_000;
/** Parsed and validated documents by text: a monolith's document cache, as Apollo Server keeps one. */
const MAX_CACHED_DOCUMENTS = 100;

interface GraphQLRequestBody {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

function isRequestBody(value: unknown): value is GraphQLRequestBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return (
    typeof body['query'] === 'string' &&
    (body['variables'] === undefined || body['variables'] === null || typeof body['variables'] === 'object') &&
    (body['operationName'] === undefined || body['operationName'] === null || typeof body['operationName'] === 'string')
  );
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Only input errors keep their message; anything else (a database failure) says nothing of its cause. */
function publicError(error: GraphQLError): { message: string; path?: readonly (string | number)[]; extensions: Record<string, unknown> } {
  const original = error.originalError;
  const inputError = original instanceof GraphQLError && original.extensions['code'] === 'BAD_USER_INPUT';
  if (original && !inputError)
    return { message: 'Internal server error', ...(error.path ? { path: error.path } : {}), extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  return {
    message: error.message,
    ...(error.path ? { path: error.path } : {}),
    extensions: inputError ? { ...original.extensions } : { code: 'GRAPHQL_VALIDATION_FAILED' },
  };
}

/**
 * The benchmark's single-process reference (issue 12): graphql-js, DataLoader, and direct reads of the five
 * systems' databases (mysql2, or better-sqlite3 for a laptop run); no federation, no authentication, no field
 * decisions, no audit. It answers the README's customer-360 query with the same data the graph gives an auditor.
 */
export async function startReferenceServer(options: ReferenceServerOptions): Promise<RunningReferenceServer> {
  const store = openReferenceStore(options.database);
  await store.ping();
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();

  const documentFor = (query: string): DocumentNode | readonly GraphQLError[] => {
    let document = documents.get(query);
    if (document === undefined) {
      try {
        const parsed = parse(query);
        const errors = validate(REFERENCE_SCHEMA, parsed);
        document = errors.length > 0 ? errors : parsed;
      } catch (error) {
        document = [error instanceof GraphQLError ? error : new GraphQLError('Syntax error')];
      }
      if (documents.size >= MAX_CACHED_DOCUMENTS) documents.delete(documents.keys().next().value!);
      documents.set(query, document);
    }
    return document;
  };

  const answer = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const text = await readBody(request);
    if (text === undefined) return send(response, 413, { errors: [{ message: `The request body is larger than ${MAX_BODY_BYTES} bytes` }] });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!isRequestBody(body))
      return send(response, 400, { errors: [{ message: 'Expected a JSON body with a query string', extensions: { code: 'BAD_REQUEST' } }] });
    const document = documentFor(body.query);
    if (!('kind' in document)) return send(response, 400, { errors: document.map(publicError) });
    const result: ExecutionResult = await execute({
      schema: REFERENCE_SCHEMA,
      document,
      variableValues: body.variables ?? {},
      operationName: body.operationName ?? null,
      contextValue: { loaders: createReferenceLoaders(store) },
    });
    send(response, 200, result.errors ? { errors: result.errors.map(publicError), data: result.data ?? null } : { data: result.data ?? null });
  };

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && (path === '/ready' || path === '/health')) return send(response, 200, { status: 'ready' });
    if (request.method === 'GET' && path === '/stats') return send(response, 200, { statements: store.statementCount() });
    if (request.method === 'POST' && path === '/graphql') {
      answer(request, response).catch(() => {
        if (!response.headersSent) send(response, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        else response.destroy();
      });
      return;
    }
    send(response, 404, { errors: [{ message: 'Not found' }] });
  });
  // Keep-alive connections of a load generator stay open between its requests.
  server.keepAliveTimeout = 30_000;
  const listening = await listen(server, options.host, options.port);
  return {
    url: listening.url,
    port: listening.port,
    statementCount: () => store.statementCount(),
    async close() {
      await listening.close(1_000);
      await store.close();
    },
  };
}
