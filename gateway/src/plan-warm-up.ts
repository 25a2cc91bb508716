/**
 * Query plans for the known operations, built before the gateway reports ready (issue 12: the first customer-360
 * after /ready cost 14 times a warm one, its plan built on first use).
 *
 * ApolloGateway caches a plan under the hash Apollo Server hands its executor, combined with the operation name;
 * the access layer (EnforcingGateway) hands it a hash of its own per rewritten document, policy version, role and
 * purpose (gateway/src/access/enforcing-gateway.ts). So a plan is only "warm" under the key a real request of that
 * role and purpose will look up, and the one way to get that key right is to run the request's own path: each known
 * operation goes through Apollo Server (parse, validation, the role's validation), the access filter and the
 * planner as every (role, purpose) the policy knows. The gateway's `experimental_didResolveQueryPlan` hook, called
 * once the plan is stored, stops a warm-up request there: no subgraph is called, nothing is audited, nothing answered.
 */
import type { ApolloServer } from '@apollo/server';
import type { Experimental_DidResolveQueryPlanCallback } from '@apollo/gateway';
import { GraphQLError, Kind, parse, type OperationDefinitionNode, type TypeNode } from 'graphql';
import type { AccessPolicy, Logger, Purpose, StaffIdentity } from '@icg/shared';
import type { CapturedPlan, QueryPlan, ServiceMap } from './fetch-warm-up';
import type { GatewayContext } from './gateway-context';

/** An operation clients are known to send: the README's examples, and registered (persisted) ones. */
export interface KnownOperation {
  query: string;
  operationName: string | null;
}

/** Marks a warm-up request's context; a symbol, so nothing a client sends can set it. */
const PLAN_WARM_UP = Symbol('plan warm-up');
/** Where the hook leaves a warm-up request's plan, for the fetch warm-up (fetch-warm-up.ts). */
const PLAN_CAPTURED = Symbol('plan captured');
/** Filled by the hook; a holder object, since Apollo Server runs each operation on a shallow copy of the context. */
interface PlanHolder {
  captured?: { plan: QueryPlan; services: ServiceMap };
}
type WarmUpContext = GatewayContext & { [PLAN_WARM_UP]?: true; [PLAN_CAPTURED]?: PlanHolder };

const WARMED_MESSAGE = 'Query plan warm-up: built and stored, not executed';

/** What the hook throws once a warm-up request's plan is stored; never answered to anyone. */
class PlanWarmedUp extends GraphQLError {
  constructor() {
    // A public code, so the error formatter passes it without logging it as an internal failure.
    super(WARMED_MESSAGE, { extensions: { code: 'BAD_REQUEST' } });
  }
}

/** For ApolloGateway's options: ends a warm-up request once its plan is built and stored; real requests go on. */
export const stopWarmUpAfterPlanning: Experimental_DidResolveQueryPlanCallback = ({ requestContext, queryPlan, serviceMap }) => {
  const context = requestContext.context as WarmUpContext | undefined;
  if (context?.[PLAN_WARM_UP]) {
    const holder = context[PLAN_CAPTURED];
    if (holder) holder.captured = { plan: queryPlan, services: serviceMap };
    throw new PlanWarmedUp();
  }
};

/**
 * A value of each required variable's type, so the request passes variable coercion and reaches the planner (plans do
 * not depend on variable values). Null for the optional ones. Unknown named types get a string: if that fails
 * coercion, the operation is simply not warmed.
 */
function placeholderVariables(operation: OperationDefinitionNode): Record<string, unknown> {
  const placeholder = (type: TypeNode): unknown => {
    if (type.kind === Kind.NON_NULL_TYPE) return type.type.kind === Kind.LIST_TYPE ? [] : placeholder(type.type);
    if (type.kind === Kind.LIST_TYPE) return null;
    switch (type.name.value) {
      case 'Int':
      case 'Float':
        return 0;
      case 'Boolean':
        return false;
      default:
        return '0';
    }
  };
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.type.kind === Kind.NON_NULL_TYPE && definition.defaultValue === undefined) {
      variables[definition.variable.name.value] = placeholder(definition.type);
    }
  }
  return variables;
}

/** Every role with no purpose and with each purpose the policy lists: the keys requests can come with. */
function subjectsOf(policy: AccessPolicy): StaffIdentity[] {
  const purposes: (Purpose | null)[] = [null, ...policy.purposes];
  return (Object.keys(policy.roles) as StaffIdentity['role'][]).flatMap((role) =>
    purposes.map((purpose) => ({ staffId: '0', role, branchId: '1', branchPath: '/1/', grade: null, purpose })),
  );
}

export interface PlanWarmUpResult {
  /** Plans built (one per operation and role and purpose that may send it). */
  plans: number;
  /** Operation × subject pairs refused before planning (a role that may read none of it, a registered-only role). */
  refused: number;
  elapsedMs: number;
  /** Each plan built, with its operation and subject: what the fetch warm-up sends to the subgraphs. */
  captured: CapturedPlan[];
}

/**
 * Runs each operation as each (role, purpose) through `apollo` up to its stored plan. One at a time: at start the
 * gateway has nothing else to do, and planning is synchronous CPU work anyway.
 */
export async function warmQueryPlans(
  apollo: ApolloServer<GatewayContext>,
  policy: AccessPolicy,
  operations: readonly KnownOperation[],
  logger: Logger,
): Promise<PlanWarmUpResult> {
  const started = performance.now();
  let plans = 0;
  let refused = 0;
  const captured: CapturedPlan[] = [];
  for (const { query, operationName } of operations) {
    const definition = parse(query).definitions.find(
      (candidate): candidate is OperationDefinitionNode =>
        candidate.kind === Kind.OPERATION_DEFINITION && (operationName === null || candidate.name?.value === operationName),
    );
    // Plans are for queries: a mutation's plan is cheap next to its writes, and running one is not an option here.
    if (!definition || definition.operation !== 'query') continue;
    const variables = placeholderVariables(definition);
    // The plan cache key holds the operation name as the client sends it: warmed named, as clients that name their
    // operations (Apollo Client, the benchmarks) send it; a client sending the same text unnamed builds its plan once.
    for (const identity of subjectsOf(policy)) {
      const holder: PlanHolder = {};
      const contextValue: WarmUpContext = { requestId: 'plan-warm-up', identity, [PLAN_WARM_UP]: true, [PLAN_CAPTURED]: holder };
      const response = await apollo.executeOperation({ query, variables, ...(operationName ? { operationName } : {}) }, { contextValue });
      const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
      if (errors.length === 1 && errors[0]!.message === WARMED_MESSAGE) {
        plans++;
        if (holder.captured) captured.push({ ...holder.captured, query, operationName, operation: definition, identity });
      } else refused++;
    }
  }
  const result = { plans, refused, elapsedMs: Math.round(performance.now() - started) };
  logger.info(result, 'query plans built for the known operations');
  return { ...result, captured };
}
