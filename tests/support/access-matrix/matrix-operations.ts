/**
 * Operations generated from the supergraph, one per root lookup: every field of the looked-up type
 * and, breadth first, of every object type reached from it. Each type is expanded once per operation
 * (nearest the root); later occurrences of an entity select its key only, so references across
 * subgraphs are still followed, and later occurrences of other types only `__typename`, which stops
 * cycles and keeps the operation inside the gateway's depth, token and cost limits.
 */
import { isObjectType } from 'graphql';
import { deniedInEveryScope, type AccessPolicy, type Purpose, type Role } from '@icg/shared';
import type { MatrixField, MatrixSchema, RootLookup } from './matrix-schema';

export interface SelectedField {
  field: MatrixField;
  /** Null for a leaf; `[]` when only `__typename` is selected below it. */
  children: SelectedField[] | null;
}

export interface MatrixOperation {
  lookup: RootLookup;
  /** The root field itself, with the looked-up type's selection as its children. */
  root: SelectedField;
  fragmentName: string;
  /** Fields that could not be selected (required arguments without a default). */
  skipped: readonly string[];
}

export interface RenderedOperation {
  query: string;
  variables: Record<string, string>;
  /** Response key of each looked-up record, in the order of the keys given. */
  aliases: readonly string[];
}

export function generateMatrixOperations(model: MatrixSchema): MatrixOperation[] {
  return model.rootLookups.map((lookup) => generateOperation(model, lookup));
}

function generateOperation(model: MatrixSchema, lookup: RootLookup): MatrixOperation {
  const expanded = new Set<string>([lookup.typeName]);
  const skipped: string[] = [];
  const root: SelectedField = { field: model.field(lookup.coordinate), children: [] };
  const queue: { typeName: string; into: SelectedField[] }[] = [{ typeName: lookup.typeName, into: root.children! }];
  while (queue.length > 0) {
    const { typeName, into } = queue.shift()!;
    for (const field of model.fieldsOf(typeName)) {
      if (field.requiredArguments.length > 0) {
        skipped.push(field.coordinate);
        continue;
      }
      if (!isObjectType(field.namedType)) {
        into.push({ field, children: null });
        continue;
      }
      const childType = field.namedType.name;
      const children: SelectedField[] = [];
      into.push({ field, children });
      if (!expanded.has(childType)) {
        expanded.add(childType);
        queue.push({ typeName: childType, into: children });
        continue;
      }
      const entity = model.entity(childType);
      if (entity) for (const key of entity.keyFields) children.push({ field: model.field(`${childType}.${key}`), children: null });
    }
  }
  return { lookup, root, fragmentName: `Matrix${lookup.typeName}`, skipped };
}

function renderSelection(fields: readonly SelectedField[]): string {
  if (fields.length === 0) return '{ __typename }';
  return `{ ${fields.map((selected) => (selected.children === null ? selected.field.name : `${selected.field.name} ${renderSelection(selected.children)}`)).join(' ')} }`;
}

/** One operation looking up each key under its own alias (`r0`, `r1`…), all sharing one fragment. */
export function renderOperation(operation: MatrixOperation, keys: readonly string[]): RenderedOperation {
  const { lookup } = operation;
  const aliases = keys.map((_key, index) => `r${index}`);
  const variableDefinitions = aliases.map((alias) => `$${alias}: ${lookup.keyArgumentType}`).join(', ');
  const lookups = aliases.map((alias) => `${alias}: ${lookup.fieldName}(${lookup.keyArgument}: $${alias}) { ...${operation.fragmentName} }`).join(' ');
  const query = `query AccessMatrix${lookup.typeName}(${variableDefinitions}) { ${lookups} }\nfragment ${operation.fragmentName} on ${lookup.typeName} ${renderSelection(operation.root.children!)}`;
  return { query, variables: Object.fromEntries(aliases.map((alias, index) => [alias, keys[index]!])), aliases };
}

/** Every coordinate an operation selects (the root field included). */
export function selectedCoordinates(operation: MatrixOperation): Set<string> {
  const coordinates = new Set<string>();
  const visit = (selected: SelectedField) => {
    coordinates.add(selected.field.coordinate);
    for (const child of selected.children ?? []) visit(child);
  };
  visit(operation.root);
  return coordinates;
}

/**
 * The fields a role whose policy says `neverReadable: unknown` cannot even name: those it may read in no scope
 * (as the policy decides them, `deniedInEveryScope`), and fields returning a type left with none of its fields.
 * Derived from the policy and the model, independently of the gateway's role schema.
 */
export function hiddenCoordinates(model: MatrixSchema, policy: AccessPolicy, role: Role, purpose: Purpose | null): Set<string> {
  const hidden = new Set<string>();
  const fieldsOf = (typeName: string) => model.fieldsOf(typeName);
  const typeNames = new Set(model.allCoordinates().map((coordinate) => coordinate.split('.')[0]!));
  for (const typeName of typeNames)
    for (const field of fieldsOf(typeName)) if (deniedInEveryScope(policy, role, field.classification, purpose)) hidden.add(field.coordinate);
  for (let changed = true; changed;) {
    changed = false;
    for (const typeName of typeNames)
      for (const field of fieldsOf(typeName)) {
        if (hidden.has(field.coordinate) || !isObjectType(field.namedType)) continue;
        if (fieldsOf(field.namedType.name).every((child) => hidden.has(child.coordinate))) {
          hidden.add(field.coordinate);
          changed = true;
        }
      }
  }
  return hidden;
}

/** The operation without the hidden fields: what a role that cannot name them can send. */
export function withoutHiddenFields(operation: MatrixOperation, hidden: ReadonlySet<string>): MatrixOperation {
  const prune = (selected: SelectedField): SelectedField => ({
    field: selected.field,
    children: selected.children === null ? null : selected.children.filter((child) => !hidden.has(child.field.coordinate)).map(prune),
  });
  return { ...operation, root: prune(operation.root) };
}

/** One message per hidden field the operation names where its parent can still be named, as graphql words it. */
export function expectedRefusals(operation: MatrixOperation, hidden: ReadonlySet<string>): string[] {
  const messages: string[] = [];
  const visit = (selected: SelectedField) => {
    for (const child of selected.children ?? []) {
      if (hidden.has(child.field.coordinate)) messages.push(`Cannot query field "${child.field.name}" on type "${child.field.parentType}".`);
      else visit(child);
    }
  };
  visit(operation.root);
  return messages;
}

/** The operations a caller sends: all of them, without the hidden fields when the role's policy says `unknown`. */
export function callerOperations(
  model: MatrixSchema,
  policy: AccessPolicy,
  caller: { role: Role; purpose: Purpose | null },
  operations: readonly MatrixOperation[],
): MatrixOperation[] {
  if (policy.roles[caller.role].neverReadable !== 'unknown') return [...operations];
  const hidden = hiddenCoordinates(model, policy, caller.role, caller.purpose);
  return operations.map((operation) => withoutHiddenFields(operation, hidden));
}
