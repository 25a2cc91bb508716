/**
 * For roles whose policy says `neverReadable: unknown` (docs/access-model.md section 6): the operation is validated
 * against the role's own schema (the one its introspection shows), so a field it may never read is refused exactly
 * as a field that does not exist: same message, same code, same HTTP status (400), no suggestions.
 *
 * Apollo Server has already validated the document against the full API schema, once per document for every
 * caller (its document store skips validation for a document it has seen), so this check runs per caller here.
 */
import { GraphQLError, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { BoundedLruCache } from './bounded-lru-cache';

/** What graphql's validation says, kept per (role subject, document) without the request-bound error objects. */
interface ValidationProblem {
  message: string;
  nodes: GraphQLError['nodes'];
}

const DEFAULT_MAX_CACHED_VALIDATIONS = 2_000;

/** Apollo Server's own suggestion stripping (ApolloServerPluginDisableSuggestions), applied to these errors too. */
const SUGGESTION = / ?Did you mean(.+?)\?$/;

export class RoleOperationValidation {
  private readonly problems: BoundedLruCache<string, readonly ValidationProblem[]>;

  constructor(maxCachedValidations: number = DEFAULT_MAX_CACHED_VALIDATIONS) {
    this.problems = new BoundedLruCache(maxCachedValidations);
  }

  /**
   * graphql's validation errors for the document against the role's schema, without suggestions; empty when the
   * document is valid for the role. `cacheKey` must identify the role subject and the document. Errors are fresh
   * per call (plugins rewrite messages in place), carrying `extensions` when given.
   */
  errorsFor(roleSchema: GraphQLSchema, document: DocumentNode, cacheKey: string, extensions?: Readonly<Record<string, unknown>>): GraphQLError[] {
    const problems = this.problems.getOrCreate(cacheKey, () =>
      validate(roleSchema, document, specifiedRules).map((error) => ({ message: error.message.replace(SUGGESTION, ''), nodes: error.nodes })),
    );
    return problems.map(
      (problem) =>
        new GraphQLError(problem.message, {
          ...(problem.nodes ? { nodes: problem.nodes } : {}),
          ...(extensions ? { extensions: { ...extensions } } : {}),
        }),
    );
  }
}
