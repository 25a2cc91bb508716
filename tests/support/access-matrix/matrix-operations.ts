/**
 * Operations generated from the supergraph, one per root lookup: every field of the looked-up type
 * and, breadth first, of every object type reached from it. Each type is expanded once per operation
 * (nearest the root); later occurrences of an entity select its key only, so references across
 * subgraphs are still followed, and later occurrences of other types only `__typename`, which stops
 * cycles and keeps the operation inside the gateway's depth, token and cost limits.
 */
import { isObjectType } from 'graphql';
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
