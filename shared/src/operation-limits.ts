import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';

/**
 * Query-shape limits, one set for the gateway and every subgraph: a subgraph called directly (with a
 * replayed assertion, or by an internal caller) must not accept what the gateway would refuse. Depth
 * allows a customer-360 view (customer → policies → claims → payments); a subgraph fetch planned from
 * an accepted client operation is never deeper than it, since it starts at an entity on the path.
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
}

/** graphql-armor over OPERATION_LIMITS; limits are not announced, and no field is suggested in errors. */
export function operationLimitProtection(): OperationLimitProtection {
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: { n: OPERATION_LIMITS.maxDepth, exposeLimits: false },
    maxAliases: { n: OPERATION_LIMITS.maxAliases, allowList: [], exposeLimits: false },
    maxDirectives: { n: OPERATION_LIMITS.maxDirectives, exposeLimits: false },
    maxTokens: { n: OPERATION_LIMITS.maxTokens, exposeLimits: false },
    costLimit: { maxCost: OPERATION_LIMITS.maxCost, exposeLimits: false },
    blockFieldSuggestion: { enabled: true },
  }).protect();
  return { plugins, validationRules };
}
