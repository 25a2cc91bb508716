/**
 * Calling registered operations by hash (README "For BI users"), in Apollo's APQ wire format so Apollo clients work:
 * `extensions={"persistedQuery":{"version":1,"sha256Hash":"…"}}`, over POST or GET.
 *
 * - Apollo Server's `persistedQueries.cache` is this registry, read-only: a client sending a document with its hash
 *   never registers it (APQ's automatic registration would let any caller fill the registry); registration is
 *   `POST /operations`, an action of the access policy.
 * - An unknown hash is answered PERSISTED_QUERY_NOT_FOUND (HTTP 200 for application/json, 400 for
 *   application/graphql-response+json, as Apollo clients expect) with a message saying how to register.
 * - A query called by hash over GET without errors may be cached by the caller's own client: `Cache-Control:
 *   private, max-age=<PERSISTED_OPERATIONS_MAX_AGE_SECONDS>` (never public: what a role sees is personal), `Vary`
 *   on the headers that change the answer, and an ETag (a matching If-None-Match is answered 304 without a body).
 * - A role whose policy says `operations: registeredOnly` may send nothing but a hash (checked before Apollo parses
 *   anything): an ad-hoc document is refused with FORBIDDEN naming the rule.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { HttpError, type AccessPolicy, type StaffIdentity } from '@icg/shared';
import type { GatewayContext } from '../gateway-context';
import { RegistryUnavailable, sha256Of, type PersistedOperationRegistry } from './operation-registry';
import { REGISTER_OPERATION_PATH } from './register-route';

/** Apollo Server's prefix for APQ cache keys (PrefixingKeyValueCache). */
const APQ_PREFIX = 'apq:';

export const PERSISTED_QUERY_NOT_FOUND_MESSAGE = `No operation is registered under this sha256Hash. Register the document with POST ${REGISTER_OPERATION_PATH} (body {"query": "<document>"}; README "For BI users"), then call it by the sha256Hash that answers.`;

/** Apollo's KeyValueCache, as the part of it Apollo Server's APQ handling uses. */
export interface ReadOnlyOperationCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<boolean>;
}

/** The registry as Apollo's APQ cache: found documents are served, `set` (automatic registration) does nothing. */
export function registryAsApqCache(registry: PersistedOperationRegistry): ReadOnlyOperationCache {
  return {
    async get(key) {
      const hash = key.startsWith(APQ_PREFIX) ? key.slice(APQ_PREFIX.length) : key;
      try {
        return (await registry.find(hash))?.document;
      } catch (error) {
        if (!(error instanceof RegistryUnavailable)) throw error;
        throw new GraphQLError('The operation registry is unavailable; try again shortly', {
          extensions: { code: 'DATABASE_UNAVAILABLE', http: { status: 503, headers: new Map([['retry-after', '5']]) } },
        });
      }
    },
    // Deliberately nothing: registration is an audited action (POST /operations), never a side effect of a call.
    async set() {},
    async delete() {
      return false;
    },
  };
}

/** The hash a request asks for, and whether it also carries a document, from the raw HTTP request. */
export function persistedRequestOf(request: IncomingMessage, rawBody: Buffer): { sha256Hash: string | undefined; hasDocument: boolean } {
  const method = (request.method ?? 'GET').toUpperCase();
  let query: unknown;
  let extensions: unknown;
  try {
    if (method === 'GET') {
      const search = new URL(request.url ?? '/', 'http://localhost').searchParams;
      query = search.get('query') ?? undefined;
      const rawExtensions = search.get('extensions');
      extensions = rawExtensions === null ? undefined : (JSON.parse(rawExtensions) as unknown);
    } else {
      const body = rawBody.length > 0 ? (JSON.parse(rawBody.toString('utf8')) as unknown) : undefined;
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
        query = (body as { query?: unknown }).query;
        extensions = (body as { extensions?: unknown }).extensions;
      } else {
        // A body that is no JSON object (a batch, a bare document) is no call by hash.
        query = body ?? rawBody.toString('utf8');
      }
    }
  } catch {
    // Unparsable: neither a hash nor a document this check can vouch for.
    return { sha256Hash: undefined, hasDocument: true };
  }
  const persisted = typeof extensions === 'object' && extensions !== null ? (extensions as { persistedQuery?: unknown }).persistedQuery : undefined;
  const hash = typeof persisted === 'object' && persisted !== null ? (persisted as { sha256Hash?: unknown }).sha256Hash : undefined;
  return { sha256Hash: typeof hash === 'string' ? hash : undefined, hasDocument: query !== undefined && query !== null && query !== '' };
}

/**
 * `operations: registeredOnly`: the request must name a registered operation by hash and carry no document of its
 * own (Apollo would run a document sent with its hash as an ad-hoc one). Whether the hash is registered is Apollo's
 * lookup, answered PERSISTED_QUERY_NOT_FOUND.
 */
export function assertOperationAllowed(policy: AccessPolicy, identity: StaffIdentity, request: IncomingMessage, rawBody: Buffer): void {
  if (policy.roles[identity.role]?.operations !== 'registeredOnly') return;
  const { sha256Hash, hasDocument } = persistedRequestOf(request, rawBody);
  if (sha256Hash !== undefined && !hasDocument) return;
  throw new HttpError(
    403,
    `Your role may run registered operations only (access policy roles.${identity.role}.operations: registeredOnly): call one by its sha256Hash in extensions.persistedQuery, without the document; a reviewer registers documents with POST ${REGISTER_OPERATION_PATH}`,
    'FORBIDDEN',
    {},
    { reason: 'REGISTERED_OPERATIONS_ONLY', rule: `${identity.role}/operations/registeredOnly`, policyVersion: policy.version },
  );
}

/** Headers whose value changes the answer to the same URL: the caller, the stated purpose, the media type, the origin. */
const VARY = 'Authorization, X-Access-Purpose, Accept, Origin';

function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const weak = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || weak(tag) === weak(etag));
}

export interface PersistedOperationsPluginOptions {
  maxAgeSeconds: number;
}

export function persistedOperationsPlugin(options: PersistedOperationsPluginOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveSource(requestContext) {
          if (!requestContext.metrics.persistedQueryHit) return;
          // Called by hash, the request carries no text: the subgraph assertions and the audit trail take the
          // operation's hash from the text (subgraph-data-source.ts), so they get the registered one.
          requestContext.request.query = requestContext.source;
          requestContext.contextValue.operationHash ??= requestContext.queryHash;
        },
        // Apollo answers a document whose hash is not the one sent without a code, which the gateway would mask as an
        // internal error: it is the client's mistake, said as such.
        async didEncounterErrors({ request, errors }) {
          const sent = request.extensions?.['persistedQuery'] as { sha256Hash?: unknown } | undefined;
          if (typeof request.query !== 'string' || typeof sent?.sha256Hash !== 'string' || sha256Of(request.query) === sent.sha256Hash) return;
          for (const error of errors) {
            if (error.extensions['code'] !== undefined) continue;
            (error.extensions as Record<string, unknown>)['code'] = 'BAD_REQUEST';
            error.message = 'extensions.persistedQuery.sha256Hash is not the sha256 of the query sent with it';
          }
        },
        // Synchronous up to its end, so its headers are set before Apollo's cache-control plugin (which leaves a
        // `private, max-age=N` header alone) looks at the response.
        async willSendResponse({ request, response, metrics, operation }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (result.errors?.some((error) => error.extensions?.['code'] === 'PERSISTED_QUERY_NOT_FOUND')) {
            response.body.singleResult = {
              ...result,
              errors: result.errors.map((error) =>
                error.extensions?.['code'] === 'PERSISTED_QUERY_NOT_FOUND' ? { ...error, message: PERSISTED_QUERY_NOT_FOUND_MESSAGE } : error,
              ),
            };
            return;
          }
          const cacheable =
            request.http?.method === 'GET' && metrics.persistedQueryHit === true && operation?.operation === 'query' && !result.errors?.length && result.data;
          if (!cacheable) return;
          const etag = `W/"${createHash('sha256').update(JSON.stringify(result)).digest('base64url')}"`;
          response.http.headers.set('cache-control', `private, max-age=${options.maxAgeSeconds}`);
          response.http.headers.set('vary', VARY);
          response.http.headers.set('etag', etag);
          // The operation ran (the answer may have changed): only the bytes are saved, which is what a BI client's
          // revalidation is for. Node sends a 304 without its body.
          if (etagMatches(request.http?.headers.get('if-none-match'), etag)) response.http.status = 304;
        },
      };
    },
  };
}
