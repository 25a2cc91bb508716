import { randomUUID } from 'node:crypto';
import {
  defaultFieldResolver,
  getNamedType,
  responsePathAsArray as pathToArray,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import {
  decide,
  identifierSeal,
  isInScope,
  maskValue,
  scopeFor,
  sealsIdentifiers,
  type AccessDecision,
  type AccessPolicy,
  type Caller,
  type FieldClassification,
  type Scope,
  type Tier,
} from '../access';
import { withAggregateAccess } from '../aggregates/granted-access';
import type { AuditedDecision } from '../audit/request-audit-trail';
import { scopeOf } from '../row-scope';
import type { EntityDefinition } from '../subgraph-manifest';
import { classifiedFields, type ClassifiedField } from './classified-fields';
import { forbiddenFieldError } from './forbidden-field-error';
import { argumentOpeners, openSealedRepresentations, type ArgumentOpener } from './sealed-identifier-inputs';

/** The audit trail as enforcement uses it (a RequestAuditTrail): decisions gathered per request. */
export interface DecisionAuditSink {
  /**
   * Notes one decision on a CONFIDENTIAL or RESTRICTED value for the request; returns the decision id of the audit
   * record it is listed in (also in a denial's error), or undefined when the audit cannot take the record.
   */
  record(request: EnforcementContext, decision: AuditedDecision): string | undefined;
  /** False while the audit store cannot take writes: clear RESTRICTED values are then refused. */
  healthy(): boolean;
  /** The request is answered: its records go to the writer. */
  finish(request: EnforcementContext): void;
}

/** What enforcement needs from each request's context. */
export interface EnforcementContext {
  caller: Caller;
  requestId: string;
  operation: { name: string | null; hash: string } | null;
}

export interface EnforcementOptions {
  policy: AccessPolicy;
  audit: DecisionAuditSink;
  /** The secret identifiers are sealed with for roles whose policy pseudonymises them (BI); shared by every subgraph. */
  pseudonymSecret: string;
  /** The subgraph manifest's entities: their key fields name the records in the audit trail. */
  entities: Readonly<Record<string, EntityDefinition>>;
  /** Called for each field a decision keeps from its resolver (tests count them). */
  onSkippedResolver?: (coordinate: string) => void;
  /** Metrics: asked once per field for its tier's counter, which is then called with every decision on the field. */
  decisionCounter?: (tier: Tier) => (decision: AccessDecision['decision']) => void;
}

/** Decisions on these tiers are audited (docs/access-model.md section 7), wherever they are made. */
export function isAuditedTier(tier: Tier): boolean {
  return tier === 'CONFIDENTIAL' || tier === 'RESTRICTED';
}
const UNKNOWN_OPERATION_HASH = '0'.repeat(64);

/** Only string-like scalars can carry a mask or a pseudonym; for anything else MASK means DENY. */
function isStringLike(type: GraphQLOutputType): boolean {
  const unwrapped = isNonNullType(type) ? type.ofType : type;
  if (isListType(unwrapped)) return false;
  const named = getNamedType(unwrapped);
  return isScalarType(named) && (named.name === 'String' || named.name === 'ID');
}

/**
 * The record a value belongs to, for the audit trail: an entity by its manifest key, any other object by
 * its `id`, else by the entity its row scope came from (a claim's participant by its claim).
 */
function recordKeyOf(typeName: string, keyField: string, source: unknown): string {
  if (typeof source !== 'object' || source === null) return `${typeName}:root`;
  const value = (source as Record<string, unknown>)[keyField];
  if (typeof value === 'string' || typeof value === 'number') return `${typeName}:${value}`;
  return scopeOf(source)?.recordKey ?? `${typeName}:unknown`;
}

function transform(value: unknown, render: (text: string) => string): unknown {
  if (value === null || value === undefined) return value;
  if (typeof (value as PromiseLike<unknown>).then === 'function') return (value as PromiseLike<unknown>).then((resolved) => transform(resolved, render));
  return render(String(value));
}

/** A field's two possible outcomes for one role and purpose; only whether the record is in scope varies. */
interface FieldDecisions {
  scope: Scope;
  inside: AccessDecision;
  outside: AccessDecision;
  /** Same outcome either side (and nothing to audit, whose rule names the side): skip the scope test. */
  scopeIrrelevant: boolean;
}

/**
 * Decisions depend on the record only through "in scope or not", so each field keeps them per role
 * and purpose and decides a record with one scope test instead of a policy walk.
 */
function fieldDecisionsFor(policy: AccessPolicy, caller: Caller, field: FieldClassification, sensitive: boolean): FieldDecisions | undefined {
  const scope = scopeFor(policy, caller.role, field);
  if (!scope) return undefined;
  const inside = decide(policy, caller, field, { branchPath: caller.branchPath, responsibleStaffIds: [caller.staffId] });
  const outside = decide(policy, caller, field, undefined);
  // A caller whose own branch or id cannot be in scope (malformed) is decided record by record.
  const scopeIrrelevant = !sensitive && inside.decision === outside.decision && inside.pseudonymise === outside.pseudonymise;
  return inside.inScope ? { scope, inside, outside, scopeIrrelevant } : undefined;
}

function wrapResolver(
  entry: ClassifiedField,
  options: EnforcementOptions,
  openArguments: ArgumentOpener | undefined,
): GraphQLFieldResolver<unknown, EnforcementContext> {
  const { policy, audit } = options;
  const seal = identifierSeal(options.pseudonymSecret);
  const { classification, coordinate } = entry;
  const resolve = (entry.field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, EnforcementContext>;
  // Every aggregate read is audited, whatever its tier: who looked at which statistics, exact or suppressed.
  const sensitive = isAuditedTier(classification.tier) || classification.aggregate === true;
  const stringLike = isStringLike(entry.field.type);
  const effective: FieldClassification = stringLike ? classification : { ...classification, mask: null };
  const typeName = entry.type.name;
  const keyField = options.entities[typeName]?.key ?? 'id';
  const countDecision = options.decisionCounter?.(classification.tier);
  // role → purpose → decisions: looked up on every field read, so no key string is built.
  const decisionsByRole = new Map<string, Map<string | null, FieldDecisions | null>>();

  return (source, args, context, info) => {
    const caller = context.caller;
    let byPurpose = decisionsByRole.get(caller.role);
    if (!byPurpose) decisionsByRole.set(caller.role, (byPurpose = new Map()));
    let decisions = byPurpose.get(caller.purpose);
    if (decisions === undefined) {
      decisions = fieldDecisionsFor(policy, caller, effective, sensitive) ?? null;
      byPurpose.set(caller.purpose, decisions);
    }
    const verdict = decisions
      ? decisions.scopeIrrelevant || isInScope(decisions.scope, caller, scopeOf(source))
        ? decisions.inside
        : decisions.outside
      : decide(policy, caller, effective, scopeOf(source));
    let decision = verdict.decision;
    let rule = verdict.rule;
    // Fail closed: no clear RESTRICTED value leaves while its reading cannot be recorded.
    if (decision === 'ALLOW' && classification.tier === 'RESTRICTED' && !audit.healthy()) {
      decision = 'DENY';
      rule = `${rule};audit-unavailable`;
    }
    if (decision === 'ALLOW' && verdict.pseudonymise && !stringLike) {
      decision = 'DENY';
      rule = `${rule};not-pseudonymisable`;
    }
    // Audited decisions carry the id of the record that lists them; other denials one of their own.
    let decisionId = '';
    if (sensitive) {
      const recorded = audit.record(context, {
        requestId: context.requestId,
        staffId: caller.staffId,
        role: caller.role,
        purpose: caller.purpose,
        operationName: context.operation?.name ?? null,
        operationHash: context.operation?.hash ?? UNKNOWN_OPERATION_HASH,
        coordinate,
        recordKey: recordKeyOf(typeName, keyField, source),
        decision,
        rule,
        policyVersion: policy.version,
      });
      if (recorded === undefined) {
        // Fail closed, every audited tier: the audit queue cannot take this request's record, so no value is served.
        decision = 'DENY';
        decisionId = randomUUID();
      } else {
        decisionId = recorded;
      }
    } else if (decision === 'DENY') {
      decisionId = randomUUID();
    }
    countDecision?.(decision);
    if (decision === 'DENY') {
      options.onSkippedResolver?.(coordinate);
      // Given its path here, so graphql-js passes it on rather than copying it into another error with a stack.
      // No source locations: only the gateway reads a subgraph's errors, and it places them by path (computing
      // locations was a third of the cost of a denial).
      return forbiddenFieldError({ coordinate, tier: classification.tier, policyVersion: policy.version, decisionId, path: pathToArray(info.path) });
    }
    // Sealed identifiers in, raw identifiers to the resolver (a raw one from such a caller is refused here).
    const opened = openArguments && sealsIdentifiers(policy, caller.role) ? openArguments(args, seal) : args;
    const value = resolve(source, verdict.aggregate ? withAggregateAccess(opened, verdict.aggregate) : opened, context, info);
    if (decision === 'MASK') return transform(value, (text) => maskValue(classification.mask!, text) ?? text);
    if (verdict.pseudonymise) return transform(value, (text) => seal.seal(text));
    return value;
  };
}

/**
 * The subgraph layer of enforcement (docs/access-model.md section 6): every field of every object type
 * (root fields, entity fields reached through `_entities`, items of lists) is decided per record
 * from its `@classified` directive, the caller and the record's row scope, before its resolver
 * runs. A denied field's resolver never runs. For a role that seals identifiers, IDENTITY values leave sealed and
 * IDENTITY arguments and entity keys are opened before any resolver sees them (sealed-identifier-inputs.ts).
 * Mutates the schema's resolvers in place.
 */
export function enforceClassifiedFields(schema: GraphQLSchema, options: EnforcementOptions): GraphQLSchema {
  const fields = classifiedFields(schema);
  const openerFor = argumentOpeners();
  for (const entry of fields) {
    entry.field.resolve = wrapResolver(entry, options, openerFor(entry.coordinate, entry.field)) as GraphQLFieldResolver<unknown, unknown>;
  }
  openSealedRepresentations(schema, fields, options.policy, identifierSeal(options.pseudonymSecret));
  return schema;
}
