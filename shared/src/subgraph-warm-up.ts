/**
 * A subgraph's request path run once before it reports ready, so the gateway's first customer-360 does not
 * pay for what Node, graphql-js, Apollo Server, knex and the database driver do only on first use (lazily
 * compiled code, the first pooled connection, the first entity fetch of each type).
 *
 * One `_entities` fetch per entity type, for a key no record has, selecting every field whose decisions
 * are not audited: an owned entity's loader runs its SELECT and finds nothing; a stub of an entity another
 * subgraph owns resolves its fields here (its lists' loaders run their SELECTs and find nothing). No value
 * is served, nothing reaches the audit trail, and a failure does not stop the start: it is logged.
 */
import { getNamedType, isLeafType, isNonNullType, isObjectType, type GraphQLSchema } from 'graphql';
import type { Caller } from './access';
import { classificationOf, isAuditedTier } from './enforcement';
import { ABSENT_ENTITY_ID, BUSINESS_NUMBERS, isEntityIdName, type BusinessNumberFormat } from './ids';
import type { Logger } from './logger';
import { isOwnedEntity, type EntityDefinition } from './subgraph-manifest';

/** A key of the right format that no record has (a malformed one would stop at validation, before the SQL). */
function absentKey(entity: EntityDefinition): string | undefined {
  if (isEntityIdName(entity.key)) return ABSENT_ENTITY_ID;
  const format = (isOwnedEntity(entity) ? entity.keyFormat : undefined) ?? (BUSINESS_NUMBERS as Record<string, BusinessNumberFormat | undefined>)[entity.key];
  // The example with every digit a 9: the last number a system could issue.
  return format?.example.replace(/\d/g, '9');
}

/** The warm-up acts as the auditor (every scope, every field decided without a purpose gap); it reads nothing. */
export const WARM_UP_CALLER: Caller = { staffId: '0', role: 'AUDITOR', branchPath: '/1/', grade: null, purpose: 'AUDIT' };

/** The request id of the warm-up's operations, in the request log (it reaches no audit record: nothing audited is read). */
export const WARM_UP_REQUEST_ID = 'subgraph-warm-up';

export interface WarmUpOperation {
  entity: string;
  query: string;
  variables: { representations: Record<string, string>[] };
}

/** One `_entities` operation per entity type of the schema, with the unaudited fields it can select without arguments. */
export function warmUpOperations(schema: GraphQLSchema, entities: Readonly<Record<string, EntityDefinition>>): WarmUpOperation[] {
  const operations: WarmUpOperation[] = [];
  for (const [entity, definition] of Object.entries(entities)) {
    const type = schema.getType(entity);
    if (!isObjectType(type)) throw new Error(`The manifest names an entity ${entity} the schema has no object type for`);
    const absent = absentKey(definition);
    if (absent === undefined) throw new Error(`The warm-up has no absent key for ${entity}.${definition.key}: give its keyFormat`);
    const selections = Object.values(type.getFields())
      .filter((field) => !field.args.some((argument) => isNonNullType(argument.type) && argument.defaultValue === undefined))
      .filter((field) => !isAuditedTier(classificationOf(type, field).tier))
      .map((field) => (isLeafType(getNamedType(field.type)) ? field.name : `${field.name} { __typename }`));
    operations.push({
      entity,
      query: `query SubgraphWarmUp($representations: [_Any!]!) { _entities(representations: $representations) { __typename ... on ${entity} { ${selections.join(' ')} } } }`,
      variables: { representations: [{ __typename: entity, [definition.key]: absent }] },
    });
  }
  return operations;
}

export interface WarmUpRunner {
  /** Runs one operation in-process, as a request with the warm-up caller would; resolves with its GraphQL errors. */
  execute(operation: WarmUpOperation): Promise<readonly { message: string; extensions?: Record<string, unknown> }[]>;
}

/**
 * Runs the operations one after the other (a small pool is never pushed to its queue limit by the warm-up),
 * bounded by `timeoutMs`, and logs how it went: an operation answered with errors warmed only part of the path,
 * which the log line counts.
 */
export async function warmUpSubgraph(operations: readonly WarmUpOperation[], runner: WarmUpRunner, logger: Logger, timeoutMs: number): Promise<void> {
  const started = performance.now();
  const failed: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), timeoutMs);
    timer.unref();
  });
  let timedOut = false;
  const runs = (async () => {
    for (const operation of operations) {
      if (timedOut) return;
      try {
        const errors = await runner.execute(operation);
        // Codes only: a message could name a value.
        if (errors.length > 0) failed.push(`${operation.entity}: ${errors.map((error) => String(error.extensions?.['code'])).join(', ')}`);
      } catch (error) {
        failed.push(`${operation.entity}: ${(error as Error | undefined)?.name ?? 'failed'}`);
      }
    }
  })();
  const outcome = await Promise.race([runs.then(() => 'done' as const), deadline]);
  // Past the deadline the operation in hand finishes on its own; no further one starts.
  timedOut = outcome === 'timed out';
  clearTimeout(timer);
  const line = { operations: operations.length, outcome, failed, ms: Math.round(performance.now() - started) };
  if (outcome === 'done' && failed.length === 0) logger.info(line, 'request path warmed up');
  else logger.warn(line, 'request path warmed up in part');
}
