import type { GraphQLFormattedError } from 'graphql';
import { isPublicErrorCode, type Logger } from '@icg/shared';

/**
 * Extensions a client may see; anything else (stack traces, internal URLs, SQL) is dropped. The write side's
 * (README "Mutations"): the refused action, a transition's current and allowed states, a conflict's versions, the
 * field a problem is in, and a duplicate's existing record as the caller may see it.
 */
const VISIBLE_EXTENSIONS = [
  'code',
  'argumentName',
  'reason',
  'subgraph',
  'coordinate',
  'tier',
  'policyVersion',
  'decisionId',
  'limit',
  'action',
  'currentState',
  'requestedState',
  'allowed',
  'entity',
  'expectedVersion',
  'currentVersion',
  'field',
  'duplicateOn',
  'existingCustomer',
] as const;

/**
 * The last gate before a response leaves: errors with a public code keep their message and a
 * whitelist of extensions (the subgraph is named); everything else becomes a bare internal error.
 */
export function createGatewayErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    const extensions = formatted.extensions ?? {};
    const subgraph = (extensions['subgraph'] ?? extensions['serviceName']) as string | undefined;
    const code = extensions['code'];
    if (isPublicErrorCode(code)) {
      const visible: Record<string, unknown> = {};
      for (const key of VISIBLE_EXTENSIONS) if (extensions[key] !== undefined) visible[key] = extensions[key];
      if (subgraph) visible['subgraph'] = subgraph;
      return {
        message: formatted.message,
        ...(formatted.path ? { path: formatted.path } : {}),
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        extensions: visible,
      };
    }
    logger.warn({ code, subgraph, path: formatted.path }, 'masked an error');
    return {
      message: subgraph ? `Internal error in the ${subgraph} subgraph` : 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...(subgraph ? { subgraph } : {}) },
    };
  };
}
