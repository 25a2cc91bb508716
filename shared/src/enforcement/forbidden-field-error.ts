import { randomUUID } from 'node:crypto';
import { GraphQLError, type FieldNode } from 'graphql';
import type { Tier } from '../access';

export interface ForbiddenFieldDetails {
  coordinate: string;
  tier: Tier;
  policyVersion: string;
  decisionId?: string;
  /** Set where the error is built outside a resolver (the gateway layer answers removed fields itself). */
  path?: ReadonlyArray<string | number>;
  /** With the path, makes the error "located", so graphql-js passes it on as it is. */
  nodes?: ReadonlyArray<FieldNode>;
}

/**
 * The error a denied field leaves at its path (docs/access-model.md section 2): the field is null, the
 * rest of the response is unaffected. The decision id links the error to its audit record.
 */
export function forbiddenFieldError(details: ForbiddenFieldDetails): GraphQLError {
  // A denial is an answer, not a fault: no stack trace is ever shown, so none is captured
  // (capturing one per denied value was a measurable share of a denied-heavy response).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return createForbiddenFieldError(details);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function createForbiddenFieldError(details: ForbiddenFieldDetails): GraphQLError {
  return new GraphQLError(`Not authorised to read ${details.coordinate}`, {
    ...(details.path ? { path: details.path } : {}),
    ...(details.nodes ? { nodes: details.nodes } : {}),
    extensions: {
      code: 'FORBIDDEN_FIELD',
      coordinate: details.coordinate,
      tier: details.tier,
      policyVersion: details.policyVersion,
      decisionId: details.decisionId ?? randomUUID(),
    },
  });
}
