import { Kind, parse, type SelectionSetNode, type TypeNode } from 'graphql';

/**
 * Which sensitive values (CONFIDENTIAL or RESTRICTED fields, docs/access-model.md section 7) an answer served, so the
 * soak can check each against the audit trail: the subgraphs record one key per record a decision applied to, per
 * request and coordinate, so the answer's count to compare is the number of distinct records per coordinate.
 */

/** `Type.field` → the field's named type (lists and non-null unwrapped), read from the supergraph. */
export type FieldTypes = ReadonlyMap<string, string>;

export function readFieldTypes(supergraphSdl: string): Map<string, string> {
  const named = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : named(type.type));
  const types = new Map<string, string>();
  for (const definition of parse(supergraphSdl, { noLocation: true }).definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    )
      continue;
    for (const field of definition.fields ?? []) types.set(`${definition.name.value}.${field.name.value}`, named(field.type));
  }
  return types;
}

/**
 * A record's identity in an answer: its business number when the query selects one (the same policy reached under
 * `customer.policies` and under `claim.policy` is one record, audited once per request), else its place in the answer
 * (an object without such a field, a customer's branch or manager, is reached once).
 */
const IDENTIFYING_FIELDS = ['id', 'customerNo', 'policyNo', 'reportNo', 'ticketNo', 'complaintNo'];

function identityOf(typeName: string, value: Record<string, unknown>, path: string): string {
  for (const field of IDENTIFYING_FIELDS) {
    const key = value[field];
    if (typeof key === 'string' || typeof key === 'number') return `${typeName}:${key}`;
  }
  return `${typeName}@${path}`;
}

export class SensitiveValueCounter {
  private readonly selection: SelectionSetNode;
  /** The sensitive coordinates the query can reach, in the order first met: the columns of `count`'s result. */
  readonly coordinates: string[] = [];

  constructor(
    query: string,
    private readonly fieldTypes: FieldTypes,
    private readonly isSensitive: (coordinate: string) => boolean,
    private readonly rootType = 'Query',
  ) {
    const operation = parse(query, { noLocation: true }).definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) throw new Error('the query has no operation');
    this.selection = operation.selectionSet;
    this.collectCoordinates(this.selection, rootType);
  }

  private fieldsOf(selectionSet: SelectionSetNode) {
    return selectionSet.selections.map((selection) => {
      // The customer-360 has none; counting through fragments would need the possible types of each.
      if (selection.kind !== Kind.FIELD) throw new Error('fragments are not supported by the sensitive-value count');
      return selection;
    });
  }

  private collectCoordinates(selectionSet: SelectionSetNode, typeName: string): void {
    for (const field of this.fieldsOf(selectionSet)) {
      if (field.name.value === '__typename') continue;
      const coordinate = `${typeName}.${field.name.value}`;
      if (this.isSensitive(coordinate) && !this.coordinates.includes(coordinate)) this.coordinates.push(coordinate);
      if (field.selectionSet) {
        const child = this.fieldTypes.get(coordinate);
        if (!child) throw new Error(`${coordinate} is not in the supergraph`);
        this.collectCoordinates(field.selectionSet, child);
      }
    }
  }

  /** Distinct records per sensitive coordinate (in `coordinates` order) the answer's `data` holds a value for (null included). */
  count(data: unknown): number[] {
    const records = this.coordinates.map(() => new Set<string>());
    const walk = (selectionSet: SelectionSetNode, typeName: string, value: Record<string, unknown>, path: string) => {
      const identity = identityOf(typeName, value, path);
      for (const field of this.fieldsOf(selectionSet)) {
        const key = field.alias?.value ?? field.name.value;
        if (field.name.value === '__typename' || !(key in value)) continue;
        const coordinate = `${typeName}.${field.name.value}`;
        const column = this.coordinates.indexOf(coordinate);
        if (column >= 0) records[column]!.add(identity);
        const child = value[key];
        if (!field.selectionSet || child === null || child === undefined) continue;
        const childType = this.fieldTypes.get(coordinate)!;
        const items: unknown[] = Array.isArray(child) ? child.flat(Infinity) : [child];
        items.forEach((item, index) => {
          if (item !== null && typeof item === 'object') walk(field.selectionSet!, childType, item as Record<string, unknown>, `${path}.${key}[${index}]`);
        });
      }
    };
    if (data !== null && typeof data === 'object') walk(this.selection, this.rootType, data as Record<string, unknown>, '');
    return records.map((set) => set.size);
  }
}
