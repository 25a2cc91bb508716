import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';

const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';
const JSON_MEDIA_TYPE = 'application/json';

/** How well one media range of an Accept header matches a type: its q, and 2/1/0 for exact/`type/*`/`*\/*`. */
function matchOf(range: string, mediaType: string): { q: number; specificity: number } | undefined {
  const [rawType = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
  const qParameter = parameters.find((parameter) => parameter.startsWith('q='));
  const q = qParameter === undefined ? 1 : Number(qParameter.slice(2));
  if (!Number.isFinite(q)) return undefined;
  if (rawType === mediaType) return { q, specificity: 2 };
  if (rawType === `${mediaType.split('/')[0]}/*`) return { q, specificity: 1 };
  if (rawType === '*/*') return { q, specificity: 0 };
  return undefined;
}

function preference(accept: string, mediaType: string): { q: number; specificity: number } {
  let best = { q: 0, specificity: -1 };
  for (const range of accept.split(',')) {
    const match = matchOf(range, mediaType);
    if (match && match.specificity > best.specificity) best = match;
  }
  return best;
}

/**
 * Whether the response is `application/graphql-response+json`, as Apollo Server negotiates it: only when
 * the client prefers it to `application/json` (a missing Accept or `*\/*` means application/json).
 */
export function prefersGraphQLResponseJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const modern = preference(accept, GRAPHQL_RESPONSE_JSON);
  const legacy = preference(accept, JSON_MEDIA_TYPE);
  return modern.q > 0 && (modern.q > legacy.q || (modern.q === legacy.q && modern.specificity > legacy.specificity));
}

/** Errors of a well-formed request that an application/json client reads from a 200 (anything else keeps its 4xx). */
const GRAPHQL_REQUEST_ERROR_CODES: ReadonlySet<unknown> = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

/** Identical validation messages (one per use of the same unknown directive, say) are told once. */
function withoutRepeats(errors: readonly GraphQLFormattedError[]): GraphQLFormattedError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${String(error.extensions?.['code'])}\u0000${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The status of a request error (the operation was not executed: no `data`), per GraphQL over HTTP:
 * 400 for `application/graphql-response+json`; for `application/json`, 200 when the document failed to
 * parse or validate or its variables to coerce (those clients read the errors from the body), else the
 * 4xx. Statuses that say more (401, 405, 406…) are kept. Repeated errors are told once.
 */
export function requestErrorStatusPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (result.data !== undefined || !result.errors?.length) return;
          response.body.singleResult = { ...result, errors: withoutRepeats(result.errors) };
          const status = response.http.status;
          if (prefersGraphQLResponseJson(request.http?.headers.get('accept'))) {
            if (status === undefined || status < 400) response.http.status = 400;
          } else if (status === 400 && result.errors.every((error) => GRAPHQL_REQUEST_ERROR_CODES.has(error.extensions?.['code']))) {
            response.http.status = 200;
          }
        },
      };
    },
  };
}
