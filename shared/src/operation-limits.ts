import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';

/**
 * Query-shape limits, one set for the gateway and every subgraph: a subgraph called directly (with a
 * replayed assertion, or by an internal caller) must not accept what the gateway would refuse. Depth
 * allows a customer-360 view (customer → policies → claims → payments). Depth and cost count fields,
 * not fragments: the planner asks a subgraph for an entity's fields as `_entities { ... on T { … } }`,
 * so counting the fragment would make that fetch one level deeper than the client's operation when T
 * is a root field's type, and an operation the gateway accepted at the limit would be refused.
 */
export const OPERATION_LIMITS = {
  maxDepth: 12,
  /** `__typename` aliases count too (armor's default allow-list exempts it). */
  maxAliases: 15,
  maxDirectives: 50,
  maxTokens: 3_000,
  maxCost: 20_000,
} as const;

export interface OperationLimitProtection {
  plugins: ApolloServerPlugin<BaseContext>[];
  validationRules: ValidationRule[];
  /** The token limit, applied by the parser itself (so a syntax error stays a 400 parse failure). */
  parseOptions: ParseOptions;
}

/**
 * A rejection as an ordinary validation error (HTTP 400) naming the limit, not its value; armor would
 * otherwise throw from inside validation, which Apollo answers as an internal error.
 */
function reportExceeded(limit: string) {
  return {
    exposeLimits: false,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null) => context?.reportError(new GraphQLError(`The operation exceeds the ${limit} limit`, { extensions: { limit } })),
    ],
  };
}

/** graphql-armor over OPERATION_LIMITS; limits are not announced, and no field is suggested in errors. */
export function operationLimitProtection(): OperationLimitProtection {
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: { n: OPERATION_LIMITS.maxDepth, flattenFragments: true, ...reportExceeded('depth') },
    maxAliases: { n: OPERATION_LIMITS.maxAliases, allowList: [], ...reportExceeded('alias') },
    maxDirectives: { n: OPERATION_LIMITS.maxDirectives, ...reportExceeded('directive') },
    // Armor's token limit re-parses the operation in a hook, so its syntax errors become 500s: the parser's own option instead.
    maxTokens: { enabled: false },
    costLimit: { maxCost: OPERATION_LIMITS.maxCost, flattenFragments: true, ...reportExceeded('cost') },
    blockFieldSuggestion: { enabled: true },
  }).protect();
  return { plugins, validationRules, parseOptions: { maxTokens: OPERATION_LIMITS.maxTokens } };
}
