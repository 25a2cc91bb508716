/**
 * The supergraph as the access matrix sees it: every field of the client-facing schema with its
 * classification (read exactly as the subgraphs read it), the subgraph that resolves it, and the
 * entity types with their keys and owning subgraph.
 */
import {
  buildSchema,
  getNamedType,
  isAbstractType,
  isInputType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';
import { classificationOf, type FieldClassification } from '@icg/shared';

export interface MatrixField {
  /** `Type.field`, as FORBIDDEN_FIELD errors name it. */
  coordinate: string;
  parentType: string;
  name: string;
  type: GraphQLOutputType;
  namedType: GraphQLNamedType;
  classification: FieldClassification;
  /** Only String and ID values can be masked or pseudonymised; elsewhere MASK and pseudonymise mean DENY. */
  stringLike: boolean;
  /**
   * The subgraph that resolves the field (`@join__field(graph:)`, or the only subgraph of its type);
   * null for a key field every declaring subgraph resolves, which is answered where the object came from.
   */
  resolvedBy: string | null;
  /** Arguments a selection must supply: non-null without a default. */
  requiredArguments: readonly string[];
}

export interface EntityType {
  name: string;
  /** Key fields over all subgraphs (single-field keys in this graph). */
  keyFields: readonly string[];
  /** The subgraph holding the entity's own record, the one that resolves most of its fields. */
  owner: string;
}

/** A root field that finds one entity by its key, e.g. `customer(id:)` or `claim(reportNo:)`. */
export interface RootLookup {
  /** `Query.customer`. */
  coordinate: string;
  fieldName: string;
  typeName: string;
  keyArgument: string;
  /** The argument's type as written in an operation, e.g. `ID!`. */
  keyArgumentType: string;
  resolvedBy: string;
}

export interface MatrixSchema {
  rootLookups: readonly RootLookup[];
  fieldsOf(typeName: string): readonly MatrixField[];
  field(coordinate: string): MatrixField;
  entity(typeName: string): EntityType | undefined;
  /** Every output field of every object type but the root: what the matrix must reach. */
  allCoordinates(): readonly string[];
}

/** Federation's own types never reach a client; the supergraph keeps join__/link__ definitions for the router. */
const FEDERATION_TYPE_PREFIXES = ['join__', 'link__', '_'];

function directivesNamed(directives: readonly ConstDirectiveNode[] | undefined, name: string): ConstDirectiveNode[] {
  return (directives ?? []).filter((directive) => directive.name.value === name);
}

function argumentValue(directive: ConstDirectiveNode, name: string): string | boolean | undefined {
  const value = directive.arguments?.find((argument) => argument.name.value === name)?.value;
  if (!value) return undefined;
  if (value.kind === Kind.STRING || value.kind === Kind.ENUM) return value.value;
  if (value.kind === Kind.BOOLEAN) return value.value;
  return undefined;
}

/** Same test as the subgraph enforcement: a String or ID scalar, not a list. */
function isStringLike(type: GraphQLOutputType): boolean {
  const unwrapped = isNonNullType(type) ? type.ofType : type;
  if (isListType(unwrapped)) return false;
  const named = getNamedType(unwrapped);
  return isScalarType(named) && (named.name === 'String' || named.name === 'ID');
}

function printArgumentType(field: GraphQLField<unknown, unknown>, argumentName: string): string {
  const argument = field.args.find((entry) => entry.name === argumentName)!;
  if (!isInputType(argument.type)) throw new Error(`${argumentName} is not an input`);
  return String(argument.type);
}

export function loadMatrixSchema(supergraphSdl: string): MatrixSchema {
  const schema = buildSchema(supergraphSdl);
  const queryType = schema.getQueryType();
  if (!queryType) throw new Error('The supergraph has no Query type');

  // join__Graph enum values name the subgraphs: CUSTOMERS → "customers".
  const subgraphNames = new Map<string, string>();
  const graphEnum = schema.getType('join__Graph');
  for (const value of graphEnum?.astNode?.kind === Kind.ENUM_TYPE_DEFINITION ? (graphEnum.astNode.values ?? []) : []) {
    const name = directivesNamed(value.directives, 'join__graph').map((directive) => argumentValue(directive, 'name'))[0];
    if (typeof name === 'string') subgraphNames.set(value.name.value, name);
  }
  const subgraphOf = (graphEnumValue: string | boolean | undefined): string => {
    const name = typeof graphEnumValue === 'string' ? subgraphNames.get(graphEnumValue) : undefined;
    if (!name) throw new Error(`Unknown join__Graph value ${String(graphEnumValue)}`);
    return name;
  };

  const objectTypes = Object.values(schema.getTypeMap()).filter(
    (type): type is GraphQLObjectType =>
      isObjectType(type) && !type.name.startsWith('__') && !FEDERATION_TYPE_PREFIXES.some((prefix) => type.name.startsWith(prefix)),
  );

  const fieldsByType = new Map<string, MatrixField[]>();
  const fieldsByCoordinate = new Map<string, MatrixField>();
  const entities = new Map<string, EntityType>();

  for (const type of objectTypes) {
    const joinTypes = directivesNamed(type.astNode?.directives, 'join__type');
    const typeSubgraphs = [...new Set(joinTypes.map((directive) => subgraphOf(argumentValue(directive, 'graph'))))];
    const fields: MatrixField[] = [];
    const resolvedCount = new Map<string, number>();
    for (const field of Object.values(type.getFields())) {
      const joinFields = directivesNamed(field.astNode?.directives, 'join__field');
      const fieldSubgraphs = [
        ...new Set(
          joinFields
            .map((directive) => argumentValue(directive, 'graph'))
            .filter((graph) => graph !== undefined)
            .map(subgraphOf),
        ),
      ];
      const resolvedBy =
        fieldSubgraphs.length === 1 ? fieldSubgraphs[0]! : fieldSubgraphs.length === 0 && typeSubgraphs.length === 1 ? typeSubgraphs[0]! : null;
      if (resolvedBy) resolvedCount.set(resolvedBy, (resolvedCount.get(resolvedBy) ?? 0) + 1);
      const matrixField: MatrixField = {
        coordinate: `${type.name}.${field.name}`,
        parentType: type.name,
        name: field.name,
        type: field.type,
        namedType: getNamedType(field.type),
        // The subgraphs' own reading of @classified (field, else type, else UNCLASSIFIED).
        classification: classificationOf(type, field),
        stringLike: isStringLike(field.type),
        resolvedBy,
        requiredArguments: field.args
          .filter((argument) => isNonNullType(argument.type) && argument.defaultValue === undefined)
          .map((argument) => argument.name),
      };
      fields.push(matrixField);
      fieldsByCoordinate.set(matrixField.coordinate, matrixField);
    }
    fieldsByType.set(type.name, fields);

    const keyFields = [
      ...new Set(
        joinTypes
          .map((directive) => argumentValue(directive, 'key'))
          .filter((key): key is string => typeof key === 'string')
          .flatMap((key) => key.trim().split(/\s+/)),
      ),
    ];
    if (keyFields.length > 0) {
      const owner = [...resolvedCount.entries()].sort((left, right) => right[1] - left[1])[0]?.[0] ?? typeSubgraphs[0]!;
      entities.set(type.name, { name: type.name, keyFields, owner });
    }
  }

  // Object types a query reaches: from the query type through every field, list, interface and union. Root
  // connections (`policies(first, after, filter)`…) list the entities the lookups check record by record; their
  // wrappers (edges, cursors, page info: unscoped, INTERNAL) are checked by tests/bi-connections (auditor, BI, a
  // branch operator) and tests/bi-pseudonyms (BI's sealed cursors); only wrappers reached from a record (a
  // manager's portfolio) are the matrix's.
  const isRootConnection = (type: GraphQLNamedType) => isObjectType(type) && 'edges' in type.getFields() && 'pageInfo' in type.getFields();
  // Root aggregates (`policyAggregates`…, `@classified(…, aggregate: true)`) are statistics, decided per role and not
  // per record: tests/bi-aggregates (exact, suppressed, refused, the HEALTH dimension) and the decide unit tests.
  const isRootAggregate = (field: GraphQLField<unknown, unknown>) => classificationOf(queryType, field).aggregate === true;
  const readableFromQuery = new Set<string>();
  const pending: GraphQLNamedType[] = [queryType];
  while (pending.length > 0) {
    const type = pending.pop()!;
    if (readableFromQuery.has(type.name)) continue;
    readableFromQuery.add(type.name);
    if (isObjectType(type) || isInterfaceType(type))
      for (const field of Object.values(type.getFields()))
        if (type !== queryType || !(isRootConnection(getNamedType(field.type)) || isRootAggregate(field))) pending.push(getNamedType(field.type));
    if (isAbstractType(type)) pending.push(...schema.getPossibleTypes(type));
  }

  const rootLookups: RootLookup[] = [];
  for (const field of Object.values(queryType.getFields())) {
    const entity = entities.get(getNamedType(field.type).name);
    if (!entity || isListType(isNonNullType(field.type) ? field.type.ofType : field.type)) continue;
    const required = field.args.filter((argument) => isNonNullType(argument.type) && argument.defaultValue === undefined);
    if (required.length !== 1 || !entity.keyFields.includes(required[0]!.name)) continue;
    const matrixField = fieldsByCoordinate.get(`${queryType.name}.${field.name}`)!;
    rootLookups.push({
      coordinate: matrixField.coordinate,
      fieldName: field.name,
      typeName: entity.name,
      keyArgument: required[0]!.name,
      keyArgumentType: printArgumentType(field, required[0]!.name),
      resolvedBy: matrixField.resolvedBy ?? entity.owner,
    });
  }

  return {
    rootLookups,
    fieldsOf(typeName) {
      const fields = fieldsByType.get(typeName);
      if (!fields) throw new Error(`No object type ${typeName} in the supergraph`);
      return fields;
    },
    field(coordinate) {
      const field = fieldsByCoordinate.get(coordinate);
      if (!field) throw new Error(`No field ${coordinate} in the supergraph`);
      return field;
    },
    entity: (typeName) => entities.get(typeName),
    // Reads only: the roots are looked up, and mutations (actions, not reads) are covered by their workflows' tests.
    // Types only a mutation returns (a job run's counts) are not reached by reading, so they are not in the read matrix.
    allCoordinates: () =>
      objectTypes
        .filter((type) => type !== queryType && readableFromQuery.has(type.name))
        .flatMap((type) => fieldsByType.get(type.name)!.map((field) => field.coordinate)),
  };
}
