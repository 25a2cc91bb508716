/**
 * The subgraph fetches of the known operations' plans, sent once at start for keys no record has, before /ready: each
 * subgraph parses, validates and caches the exact documents the gateway will send it and runs their loaders (finding
 * nothing), and the gateway's own fetch path (signing, HTTP client, answer parsing) runs once. Measured on the
 * customer-360: the first answer after /ready cost 4.3 times a warm one with the plans built at start alone, and about
 * 2 times with these fetches and one absent-key run of the whole operation (BENCHMARKS.md, "Cold start").
 *
 * Only fetches whose every input is an absent id are sent: an entity fetch whose key fields are ids, a root fetch with
 * variables, all ID-typed. Nothing is found, so no value is served and no record's field is decided; the assertion
 * names a staff member no one is (`WARM_UP_STAFF_ID`) with the plan's role and purpose, so the subgraphs' logs show the
 * warm-up for what it is. A fetch that fails is logged by subgraph and counted; it never stops the start.
 */
import { randomUUID } from 'node:crypto';
import type { Experimental_DidResolveQueryPlanCallback, GraphQLDataSource } from '@apollo/gateway';
import type { ApolloServer } from '@apollo/server';
import { Kind, type OperationDefinitionNode, type TypeNode } from 'graphql';
import { ABSENT_ENTITY_ID, isEntityIdName, type Logger, type StaffIdentity } from '@icg/shared';
import type { GatewayContext } from './gateway-context';

type ResolvedPlan = Parameters<Experimental_DidResolveQueryPlanCallback>[0];
export type QueryPlan = ResolvedPlan['queryPlan'];
export type ServiceMap = ResolvedPlan['serviceMap'];

type ProcessOptions = Parameters<GraphQLDataSource['process']>[0];
/**
 * `GraphQLDataSourceRequestKind.HEALTH_CHECK`: a call outside any client's request. The enum is not exported by the
 * package's index (2.14), and its value is this string.
 */
const OUTSIDE_ANY_REQUEST = 'health check';

/** The staff id the warm-up's assertions carry: a member no one is. */
export const WARM_UP_STAFF_ID = ABSENT_ENTITY_ID;

/** A plan captured during the plan warm-up: what it fetches, and as whom it was planned. */
export interface CapturedPlan {
  plan: QueryPlan;
  services: ServiceMap;
  query: string;
  operationName: string | null;
  operation: OperationDefinitionNode;
  identity: StaffIdentity;
}

interface FetchNode {
  kind: 'Fetch';
  serviceName: string;
  variableUsages?: string[];
  requires?: readonly { kind: string; typeCondition?: string; selections?: readonly { kind: string; name?: string; selections?: unknown }[] }[];
  operation: string;
  operationName: string | undefined;
}

/** Every fetch of a plan, in plan order (sequences, parallel branches, flattened paths, conditions, deferred parts). */
export function fetchesOf(plan: QueryPlan): FetchNode[] {
  const fetches: FetchNode[] = [];
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const planNode = node as Record<string, unknown> & { kind?: string };
    switch (planNode.kind) {
      case 'Fetch':
        fetches.push(planNode as unknown as FetchNode);
        return;
      case 'Sequence':
      case 'Parallel':
        for (const child of (planNode['nodes'] as unknown[]) ?? []) visit(child);
        return;
      case 'Flatten':
        visit(planNode['node']);
        return;
      case 'Condition':
        visit(planNode['ifClause']);
        visit(planNode['elseClause']);
        return;
      case 'Defer':
        visit((planNode['primary'] as { node?: unknown } | undefined)?.node);
        for (const deferred of (planNode['deferred'] as { node?: unknown }[]) ?? []) visit(deferred.node);
        return;
      case 'Subscription':
        visit(planNode['primary']);
        visit(planNode['rest']);
        return;
      default:
        return;
    }
  };
  visit(plan.node);
  return fetches;
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

/**
 * The variables that make `fetch` look for nothing: an absent id for each key field of an entity fetch, or for each
 * variable of a root fetch. Undefined when some input is not an id (a business number, a page size, a cursor) or a root
 * fetch has none: such a fetch could find a record, so it is not sent.
 */
export function absentKeyVariables(fetch: FetchNode, operation: OperationDefinitionNode): Record<string, unknown> | undefined {
  if (fetch.requires && fetch.requires.length > 0) {
    const representations: Record<string, string>[] = [];
    for (const fragment of fetch.requires) {
      if (fragment.kind !== 'InlineFragment' || fragment.typeCondition === undefined) return undefined;
      const representation: Record<string, string> = { __typename: fragment.typeCondition };
      for (const selection of fragment.selections ?? []) {
        if (selection.kind !== 'Field' || selection.name === undefined || selection.selections !== undefined) return undefined;
        if (selection.name === '__typename') continue;
        if (!isEntityIdName(selection.name)) return undefined;
        representation[selection.name] = ABSENT_ENTITY_ID;
      }
      representations.push(representation);
    }
    return { representations };
  }
  const types = new Map((operation.variableDefinitions ?? []).map((definition) => [definition.variable.name.value, namedType(definition.type)]));
  const usages = fetch.variableUsages ?? [];
  // Without an id to look for, a root field reads what it lists: not sent.
  if (usages.length === 0) return undefined;
  const variables: Record<string, unknown> = {};
  for (const name of usages) {
    if (types.get(name) !== 'ID') return undefined;
    variables[name] = ABSENT_ENTITY_ID;
  }
  return variables;
}

export interface FetchWarmUpResult {
  /** Distinct (subgraph, document) fetches sent. */
  sent: number;
  /** Fetches left out: an input that is not an id. */
  skipped: number;
  /** Sent but answered with errors or not at all, by subgraph. */
  failed: Record<string, number>;
  elapsedMs: number;
}

/**
 * Sends each distinct fetch document of the captured plans once, one after the other (a small pool is never pushed to
 * its queue limit at start), through the gateway's own data sources, so it is signed and sent as a real fetch is.
 */
export async function warmSubgraphFetches(plans: readonly CapturedPlan[], logger: Logger): Promise<FetchWarmUpResult> {
  const started = performance.now();
  const seen = new Set<string>();
  const failed: Record<string, number> = {};
  let sent = 0;
  let skipped = 0;
  for (const { plan, services, operation, identity } of plans) {
    for (const fetch of fetchesOf(plan)) {
      const key = `${fetch.serviceName}\n${fetch.operation}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const variables = absentKeyVariables(fetch, operation);
      const dataSource = services[fetch.serviceName];
      if (variables === undefined || dataSource === undefined) {
        skipped++;
        continue;
      }
      const context: GatewayContext = { requestId: `gateway-warm-up-${randomUUID()}`, identity: { ...identity, staffId: WARM_UP_STAFF_ID } };
      sent++;
      try {
        const options = {
          kind: OUTSIDE_ANY_REQUEST,
          request: { query: fetch.operation, variables, ...(fetch.operationName ? { operationName: fetch.operationName } : {}) },
          context,
        };
        const response = await dataSource.process(options as unknown as ProcessOptions);
        if (response.errors?.length) failed[fetch.serviceName] = (failed[fetch.serviceName] ?? 0) + 1;
      } catch {
        failed[fetch.serviceName] = (failed[fetch.serviceName] ?? 0) + 1;
      }
    }
  }
  const result = { sent, skipped, failed, elapsedMs: Math.round(performance.now() - started) };
  if (Object.keys(failed).length === 0) logger.info(result, 'subgraph fetches of the known operations warmed up');
  else logger.warn(result, 'subgraph fetches of the known operations warmed up in part');
  return result;
}

/**
 * Each known operation whose every variable is an id, run once through the whole gateway (parse, validation, access
 * layer, plan, fetches, answer) for absent ids, as the first subject it was planned for: the gateway's own request
 * path runs before the first real request does. Operations with other variables (a page size, a cursor) could read
 * records, so they are not run.
 */
export async function runForAbsentKeys(
  apollo: ApolloServer<GatewayContext>,
  plans: readonly CapturedPlan[],
  logger: Logger,
): Promise<{ operations: number; failed: number; elapsedMs: number }> {
  const started = performance.now();
  const done = new Set<string>();
  let operations = 0;
  let failed = 0;
  for (const { query, operationName, operation, identity } of plans) {
    if (done.has(query)) continue;
    done.add(query);
    const definitions = operation.variableDefinitions ?? [];
    if (definitions.length === 0 || definitions.some((definition) => namedType(definition.type) !== 'ID')) continue;
    const variables = Object.fromEntries(definitions.map((definition) => [definition.variable.name.value, ABSENT_ENTITY_ID]));
    const contextValue: GatewayContext = { requestId: `gateway-warm-up-${randomUUID()}`, identity: { ...identity, staffId: WARM_UP_STAFF_ID } };
    operations++;
    const response = await apollo.executeOperation({ query, variables, ...(operationName ? { operationName } : {}) }, { contextValue });
    if (response.body.kind !== 'single' || response.body.singleResult.errors?.length) failed++;
  }
  const result = { operations, failed, elapsedMs: Math.round(performance.now() - started) };
  logger.info(result, 'known operations run once for absent ids');
  return result;
}
