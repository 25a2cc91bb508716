import { isObjectType, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { classificationAmong, UNCLASSIFIED, type FieldClassification } from '../access';

function typeDefault(type: GraphQLObjectType): FieldClassification | undefined {
  for (const node of [type.astNode, ...(type.extensionASTNodes ?? [])]) {
    const classification = classificationAmong(node?.directives, type.name);
    if (classification) return classification;
  }
  return undefined;
}

/** The classification of a field: its own directive, else its type's, else UNCLASSIFIED (deny by default). */
export function classificationOf(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): FieldClassification {
  return classificationAmong(field.astNode?.directives, `${type.name}.${field.name}`) ?? typeDefault(type) ?? UNCLASSIFIED;
}

/** Federation's own machinery, which enforcement must not wrap: entity fetches are enforced field by field. */
const FEDERATION_TYPES = new Set(['_Service', '_Entity', '_Any']);
const FEDERATION_ROOT_FIELDS = new Set(['_entities', '_service']);

export interface ClassifiedField {
  type: GraphQLObjectType;
  field: GraphQLField<unknown, unknown>;
  coordinate: string;
  classification: FieldClassification;
}

/** Every field enforcement applies to: all fields of all object types but federation's and introspection's. */
export function classifiedFields(schema: GraphQLSchema): ClassifiedField[] {
  const fields: ClassifiedField[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || FEDERATION_TYPES.has(type.name)) continue;
    const isRoot = type === schema.getQueryType() || type === schema.getMutationType();
    for (const field of Object.values(type.getFields())) {
      if (isRoot && FEDERATION_ROOT_FIELDS.has(field.name)) continue;
      fields.push({ type, field, coordinate: `${type.name}.${field.name}`, classification: classificationOf(type, field) });
    }
  }
  return fields;
}
