/**
 * The way in for sealed identifiers (docs/access-model.md section 9): a caller whose role seals identifiers gets
 * every IDENTITY value as `ps_…` and must send identifiers back the same way. Here, before any resolver runs,
 * arguments and input fields declared IDENTITY and the IDENTITY key fields of `_entities` representations are
 * opened to the raw value; a raw (or forged) identifier from such a caller is refused with BAD_USER_INPUT naming
 * the argument. Other roles' inputs pass untouched. So no subgraph resolver needs to know about sealing.
 */
import {
  getNamedType,
  isInputObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLInputField,
  type GraphQLInputObjectType,
  type GraphQLSchema,
} from 'graphql';
import { classificationAmong, declaresIdentifier, sealsIdentifiers, type AccessPolicy, type IdentifierSeal } from '../access';
import { badUserInput } from '../errors';
import type { ClassifiedField } from './classified-fields';
import type { EnforcementContext } from './enforce-classified-fields';

export const RAW_IDENTIFIER_REASON = 'must be an identifier as this API returned it to your role (ps_…); raw identifiers are refused';

/** How to open the identifiers inside one input value: the value itself, or some fields of an input object. */
type InputPlan = { kind: 'identifier' } | { kind: 'object'; fields: Map<string, InputPlan> };

const IDENTIFIER: InputPlan = Object.freeze({ kind: 'identifier' });

function inputPlan(input: GraphQLArgument | GraphQLInputField, where: string, objects: Map<GraphQLInputObjectType, InputPlan | null>): InputPlan | null {
  if (declaresIdentifier(classificationAmong(input.astNode?.directives, where))) return IDENTIFIER;
  const named = getNamedType(input.type);
  return isInputObjectType(named) ? objectPlan(named, objects) : null;
}

function objectPlan(type: GraphQLInputObjectType, objects: Map<GraphQLInputObjectType, InputPlan | null>): InputPlan | null {
  if (objects.has(type)) return objects.get(type)!;
  // Registered before its fields are read, so a recursive input type refers to the plan being built.
  const fields = new Map<string, InputPlan>();
  const plan: InputPlan = { kind: 'object', fields };
  objects.set(type, plan);
  for (const field of Object.values(type.getFields())) {
    const inner = inputPlan(field, `${type.name}.${field.name}`, objects);
    if (inner) fields.set(field.name, inner);
  }
  // An input type with no identifier opens nothing (a recursive reference taken meanwhile holds an empty, harmless plan).
  if (fields.size === 0) objects.set(type, null);
  return fields.size === 0 ? null : plan;
}

function open(value: unknown, plan: InputPlan, name: string, seal: IdentifierSeal): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((item) => open(item, plan, name, seal));
  if (plan.kind === 'identifier') {
    const opened = typeof value === 'string' ? seal.unseal(value) : undefined;
    if (opened === undefined) throw badUserInput(name, RAW_IDENTIFIER_REASON);
    return opened;
  }
  if (typeof value !== 'object') return value;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [field, inner] of plan.fields) if (field in copy) copy[field] = open(copy[field], inner, `${name}.${field}`, seal);
  return copy;
}

export type ArgumentOpener = (args: Readonly<Record<string, unknown>>, seal: IdentifierSeal) => Record<string, unknown>;

/** Opens a field's identifier arguments (named `filter.branchId` when inside an input object); undefined when it takes none. */
function argumentOpenerFor(
  coordinate: string,
  field: GraphQLField<unknown, unknown>,
  objects: Map<GraphQLInputObjectType, InputPlan | null>,
): ArgumentOpener | undefined {
  const plans = new Map<string, InputPlan>();
  for (const argument of field.args) {
    const plan = inputPlan(argument, `${coordinate}(${argument.name}:)`, objects);
    if (plan) plans.set(argument.name, plan);
  }
  if (plans.size === 0) return undefined;
  return (args, seal) => {
    const opened: Record<string, unknown> = { ...args };
    for (const [name, plan] of plans) if (name in opened) opened[name] = open(opened[name], plan, name, seal);
    return opened;
  };
}

/** One opener per schema: input object plans are shared by every field that takes them. */
export function argumentOpeners(): (coordinate: string, field: GraphQLField<unknown, unknown>) => ArgumentOpener | undefined {
  const objects = new Map<GraphQLInputObjectType, InputPlan | null>();
  return (coordinate, field) => argumentOpenerFor(coordinate, field, objects);
}

/**
 * Wraps `_entities`: for a caller whose role seals identifiers, every representation's IDENTITY fields (its keys,
 * as the gateway passes them on from another subgraph's sealed answer) are opened before `__resolveReference`
 * or an extension's stub sees them.
 */
export function openSealedRepresentations(schema: GraphQLSchema, fields: readonly ClassifiedField[], policy: AccessPolicy, seal: IdentifierSeal): void {
  const entities = schema.getQueryType()?.getFields()['_entities'];
  if (!entities?.resolve) return;
  const identifiersByType = new Map<string, string[]>();
  for (const entry of fields) {
    if (!declaresIdentifier(entry.classification)) continue;
    identifiersByType.set(entry.type.name, [...(identifiersByType.get(entry.type.name) ?? []), entry.field.name]);
  }
  const resolve = entities.resolve as GraphQLFieldResolver<unknown, EnforcementContext>;
  const openRepresentation = (representation: unknown): unknown => {
    if (typeof representation !== 'object' || representation === null) return representation;
    const fieldsOfType = identifiersByType.get(String((representation as { __typename?: unknown }).__typename));
    if (!fieldsOfType) return representation;
    const copy: Record<string, unknown> = { ...(representation as Record<string, unknown>) };
    for (const field of fieldsOfType) {
      if (!(field in copy) || copy[field] === null) continue;
      const opened = typeof copy[field] === 'string' ? seal.unseal(copy[field]) : undefined;
      if (opened === undefined) throw badUserInput('representations', `${String(copy['__typename'])}.${field} ${RAW_IDENTIFIER_REASON}`);
      copy[field] = opened;
    }
    return copy;
  };
  const wrapped: GraphQLFieldResolver<unknown, EnforcementContext> = (source, args: Record<string, unknown>, context, info) => {
    if (!sealsIdentifiers(policy, context.caller.role) || !Array.isArray(args['representations'])) return resolve(source, args, context, info);
    return resolve(source, { ...args, representations: args['representations'].map(openRepresentation) }, context, info);
  };
  entities.resolve = wrapped as GraphQLFieldResolver<unknown, unknown>;
}
