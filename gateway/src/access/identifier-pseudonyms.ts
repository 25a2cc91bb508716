/**
 * Identifiers for roles whose policy says `pseudonymiseIdentifiers` (BI_ANALYST), at the gateway
 * (docs/access-model.md section 2, "Pseudonymised identifiers").
 *
 * An identifier is a field classified with category IDENTITY; composition requires that category on every `ID`
 * field, every entity key field and every cursor. Entity keys (`Customer.id`, `Policy.policyNo`, …) must travel
 * raw between the gateway and the subgraphs, since the gateway fetches `_entities` by them for the next plan step,
 * so the subgraphs leave keys in clear and the gateway replaces every identifier in the final answer with the
 * same keyed hash the subgraphs use (`pseudonymise(PSEUDONYM_SECRET, value)`): the same value gives the same
 * pseudonym wherever it appears, so answers still join. Values a subgraph already pseudonymised stay as they are.
 *
 * Lookups by a raw identifier (an `ID` argument or input field, an argument named like an identifier of the type it
 * returns, `after`/`before` cursors) are refused to those roles before anything is planned.
 */
import {
  type GraphQLError,
  Kind,
  getNamedType,
  isAbstractType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  valueFromAST,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { badUserInput, PSEUDONYM_PREFIX, pseudonymise } from '@icg/shared';
import { classificationFor, type FieldClassifications } from './field-classifications';

/** Arguments that carry a position in a result list: a cursor is an identifier in disguise (`k1:<id>`). */
const CURSOR_ARGUMENTS: ReadonlySet<string> = new Set(['after', 'before']);

/** Whether the field at `Type.field` is an identifier (category IDENTITY). */
function isIdentifier(classifications: FieldClassifications, coordinate: string): boolean {
  return classificationFor(classifications, coordinate).category === 'IDENTITY';
}

interface Walk {
  schema: GraphQLSchema;
  classifications: FieldClassifications;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
}

function operationOf(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((operation) => operation.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  return fragments;
}

function rootTypeOf(schema: GraphQLSchema, operation: OperationDefinitionNode): GraphQLObjectType | null | undefined {
  if (operation.operation === 'query') return schema.getQueryType();
  if (operation.operation === 'mutation') return schema.getMutationType();
  return schema.getSubscriptionType();
}

/**
 * Whether a fragment's type condition may hold for an object of `type`. The runtime type of an abstract field is
 * read from `__typename` when selected; otherwise every possible fragment applies (pseudonymising more, never less).
 */
function conditionHolds(walk: Walk, condition: string | undefined, type: GraphQLNamedType, typename: unknown): boolean {
  if (condition === undefined || condition === type.name) return true;
  const conditionType = walk.schema.getType(condition);
  if (!conditionType || !isAbstractType(conditionType)) return isObjectType(type) ? false : typename === undefined || typename === condition;
  const possible = walk.schema.getPossibleTypes(conditionType);
  if (isObjectType(type)) return possible.includes(type);
  return typeof typename === 'string' ? possible.some((candidate) => candidate.name === typename) : true;
}

function fieldOf(walk: Walk, type: GraphQLNamedType, typename: unknown, name: string): { field: GraphQLField<unknown, unknown>; owner: string } | undefined {
  const owner = isObjectType(type) ? type : typeof typename === 'string' ? walk.schema.getType(typename) : undefined;
  if (owner && isObjectType(owner)) {
    const field = owner.getFields()[name];
    return field ? { field, owner: owner.name } : undefined;
  }
  if ('getFields' in type) {
    const field = (type as GraphQLObjectType).getFields()[name];
    return field ? { field, owner: type.name } : undefined;
  }
  return undefined;
}

function renderPseudonym(value: unknown, secret: string): unknown {
  if (typeof value === 'string') return value.startsWith(PSEUDONYM_PREFIX) ? value : pseudonymise(secret, value);
  if (typeof value === 'number') return pseudonymise(secret, String(value));
  return value;
}

function pseudonymiseLeaf(value: unknown, secret: string): unknown {
  return Array.isArray(value) ? value.map((item) => pseudonymiseLeaf(item, secret)) : renderPseudonym(value, secret);
}

function walkValue(walk: Walk, secret: string, type: GraphQLNamedType, selectionSet: SelectionSetNode, value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) walkValue(walk, secret, type, selectionSet, item);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  walkObject(walk, secret, type, selectionSet, value as Record<string, unknown>);
}

function walkObject(walk: Walk, secret: string, type: GraphQLNamedType, selectionSet: SelectionSetNode, object: Record<string, unknown>): void {
  const typename = object['__typename'];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (conditionHolds(walk, selection.typeCondition?.name.value, type, typename)) walkObject(walk, secret, type, selection.selectionSet, object);
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment && conditionHolds(walk, fragment.typeCondition.name.value, type, typename)) walkObject(walk, secret, type, fragment.selectionSet, object);
      continue;
    }
    const name = selection.name.value;
    const responseKey = selection.alias?.value ?? name;
    if (name.startsWith('__') || !Object.hasOwn(object, responseKey)) continue;
    const found = fieldOf(walk, type, typename, name);
    if (!found) continue;
    const value = object[responseKey];
    if (selection.selectionSet) {
      walkValue(walk, secret, getNamedType(found.field.type), selection.selectionSet, value);
    } else if (isIdentifier(walk.classifications, `${found.owner}.${name}`)) {
      object[responseKey] = pseudonymiseLeaf(value, secret);
    }
  }
}

/**
 * Replaces, in place, every identifier of the answer to `document` with its pseudonym. `data` is the final answer
 * (after the gateway's own denials were put back), so every path the client asked for is covered.
 */
export function pseudonymiseIdentifiersInAnswer(
  schema: GraphQLSchema,
  classifications: FieldClassifications,
  document: DocumentNode,
  operationName: string | null | undefined,
  data: Record<string, unknown> | null | undefined,
  secret: string,
): void {
  if (!data) return;
  const operation = operationOf(document, operationName);
  const root = operation && rootTypeOf(schema, operation);
  if (!operation || !root) return;
  walkObject({ schema, classifications, fragments: fragmentsOf(document) }, secret, root, operation.selectionSet, data);
}

/** Whether a (coerced) argument value carries an identifier: a non-null `ID` anywhere inside it. */
function carriesId(type: GraphQLInputType, value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (isNonNullType(type)) return carriesId(type.ofType, value);
  if (isListType(type)) return Array.isArray(value) ? value.some((item) => carriesId(type.ofType, item)) : carriesId(type.ofType, value);
  if (isInputObjectType(type)) {
    const fields = type.getFields();
    return Object.entries(value as Record<string, unknown>).some(([key, item]) => fields[key] !== undefined && carriesId(fields[key].type, item));
  }
  return getNamedType(type).name === 'ID';
}

/**
 * The first argument of the operation that looks a record up by a raw identifier, as a BAD_USER_INPUT error naming
 * it; undefined when there is none. An identifier argument is an `ID` (or an input object holding one), an argument
 * named like an IDENTITY field of the type the field returns (`customerByNo(customerNo:)` → `Customer.customerNo`),
 * or a cursor (`after`, `before`). Fields are checked wherever they appear, fragments included.
 */
export function rawIdentifierLookup(
  schema: GraphQLSchema,
  classifications: FieldClassifications,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | undefined,
): GraphQLError | undefined {
  const operation = operationOf(document, operationName);
  const root = operation && rootTypeOf(schema, operation);
  if (!operation || !root) return undefined;
  const fragments = fragmentsOf(document);
  const visitedFragments = new Set<string>();

  const check = (type: GraphQLNamedType, selectionSet: SelectionSetNode): GraphQLError | undefined => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const narrowed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        const refused = narrowed && check(narrowed, selection.selectionSet);
        if (refused) return refused;
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || visitedFragments.has(fragment.name.value)) continue;
        visitedFragments.add(fragment.name.value);
        const narrowed = schema.getType(fragment.typeCondition.name.value);
        const refused = narrowed && check(narrowed, fragment.selectionSet);
        if (refused) return refused;
        continue;
      }
      if (selection.name.value.startsWith('__') || !('getFields' in type)) continue;
      const field = (type as GraphQLObjectType).getFields()[selection.name.value];
      if (!field) continue;
      const returned = getNamedType(field.type);
      for (const argument of selection.arguments ?? []) {
        const definition = field.args.find((candidate) => candidate.name === argument.name.value);
        if (!definition) continue;
        const value = valueFromAST(argument.value, definition.type, variables as Record<string, unknown> | undefined);
        if (value === null || value === undefined) continue;
        const namesIdentifier = isObjectType(returned) && isIdentifier(classifications, `${returned.name}.${definition.name}`);
        if (carriesId(definition.type, value) || namesIdentifier || CURSOR_ARGUMENTS.has(definition.name)) {
          return badUserInput(definition.name, 'is an identifier in clear; this role sees identifiers only as pseudonyms and cannot look records up by them');
        }
      }
      if (selection.selectionSet) {
        const refused = check(returned, selection.selectionSet);
        if (refused) return refused;
      }
    }
    return undefined;
  };
  return check(root, operation.selectionSet);
}
