import { classificationAmong, ClassificationError, type FieldClassification } from '@icg/shared';
import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type DefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
  type TypeNode,
} from 'graphql';

/** Federation's own machinery in a printed subgraph SDL: not the subgraph's fields, so not classified. */
const FEDERATION_TYPES = new Set(['_Service', '_Entity', '_Any']);
const FEDERATION_ROOT_FIELDS = new Set(['_entities', '_service']);
const BUILT_IN_SCALARS = ['String', 'ID', 'Int', 'Float', 'Boolean'];

export interface SdlField {
  name: string;
  type: TypeNode;
  /** The type with lists and non-null removed. */
  namedType: string;
  isList: boolean;
  /** Non-null arguments without a default: the field cannot be queried without them. */
  requiredArguments: { name: string; namedType: string; isList: boolean }[];
  hasRequiredArguments: boolean;
  /** The field's own `@classified`, else its type's; undefined when neither has one. */
  classification: FieldClassification | undefined;
}

export interface SdlObjectType {
  name: string;
  fields: SdlField[];
  /** Field sets of its `@key`s that the subgraph resolves (`resolvable: false` ones left out). */
  resolvableKeys: string[][];
}

export interface SubgraphSdl {
  sdl: string;
  /** The SDL as published, parsed. */
  document: DocumentNode;
  /** The SDL without federation's `_service`/`_entities` machinery: what the classification rules apply to. */
  ownDocument: DocumentNode;
  queryTypeName: string;
  objectTypes: ReadonlyMap<string, SdlObjectType>;
  /** Scalars and enums: the fields the per-role check reads. */
  leafTypes: ReadonlySet<string>;
  /** Types with a resolvable single-level `@key`, in SDL order. */
  entityTypes: SdlObjectType[];
  /** Key field sets the suite cannot build representations for (nested selections), by type, for the report. */
  unsupportedKeys: string[];
}

function unwrap(type: TypeNode): { namedType: string; isList: boolean } {
  let isList = false;
  let current = type;
  while (current.kind !== Kind.NAMED_TYPE) {
    if (current.kind === Kind.LIST_TYPE) isList = true;
    current = current.type;
  }
  return { namedType: current.name.value, isList };
}

/** The shared reader's classification; an unknown tier, category or mask is reported by the SDL check, so here it is just absent. */
function classificationIn(directives: readonly ConstDirectiveNode[], where: string): FieldClassification | undefined {
  try {
    return classificationAmong(directives, where);
  } catch (error) {
    if (error instanceof ClassificationError) return undefined;
    throw error;
  }
}

function directiveArgument(directive: ConstDirectiveNode, name: string) {
  return directive.arguments?.find((argument) => argument.name.value === name)?.value;
}

type ObjectNode = ObjectTypeDefinitionNode | ObjectTypeExtensionNode;
const isObjectNode = (definition: DefinitionNode): definition is ObjectNode =>
  definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION;

/** Parses a subgraph's published SDL into what the checks need: types, fields, classifications, keys. */
export function readSubgraphSdl(sdl: string): SubgraphSdl {
  const document = parse(sdl);
  let queryTypeName = 'Query';
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    const query = definition.operationTypes?.find((operation) => operation.operation === 'query');
    if (query) queryTypeName = query.type.name.value;
  }

  const ownDocument: DocumentNode = {
    ...document,
    definitions: document.definitions.flatMap((definition): DefinitionNode[] => {
      if ('name' in definition && definition.name && FEDERATION_TYPES.has(definition.name.value)) return [];
      if (isObjectNode(definition) && definition.name.value === queryTypeName) {
        return [{ ...definition, fields: definition.fields?.filter((field) => !FEDERATION_ROOT_FIELDS.has(field.name.value)) }];
      }
      return [definition];
    }),
  };

  const leafTypes = new Set(BUILT_IN_SCALARS);
  const nodesByType = new Map<string, ObjectNode[]>();
  for (const definition of ownDocument.definitions) {
    if (definition.kind === Kind.SCALAR_TYPE_DEFINITION || definition.kind === Kind.ENUM_TYPE_DEFINITION) leafTypes.add(definition.name.value);
    if (isObjectNode(definition)) nodesByType.set(definition.name.value, [...(nodesByType.get(definition.name.value) ?? []), definition]);
  }

  const unsupportedKeys: string[] = [];
  const objectTypes = new Map<string, SdlObjectType>();
  for (const [name, nodes] of nodesByType) {
    const typeDirectives = nodes.flatMap((node) => node.directives ?? []);
    const typeClassification = classificationIn(typeDirectives, name);
    const fields = nodes
      .flatMap((node) => (node.fields ?? []) as readonly FieldDefinitionNode[])
      .map((field): SdlField => {
        const requiredArguments = (field.arguments ?? [])
          .filter((argument) => argument.type.kind === Kind.NON_NULL_TYPE && !argument.defaultValue)
          .map((argument) => ({ name: argument.name.value, ...unwrap(argument.type) }));
        return {
          name: field.name.value,
          type: field.type,
          ...unwrap(field.type),
          requiredArguments,
          hasRequiredArguments: requiredArguments.length > 0,
          classification: classificationIn(field.directives ?? [], `${name}.${field.name.value}`) ?? typeClassification,
        };
      });
    const resolvableKeys: string[][] = [];
    for (const directive of typeDirectives.filter((entry) => entry.name.value === 'key')) {
      const fieldSet = directiveArgument(directive, 'fields');
      const resolvable = directiveArgument(directive, 'resolvable');
      if (resolvable?.kind === Kind.BOOLEAN && !resolvable.value) continue;
      if (fieldSet?.kind !== Kind.STRING) continue;
      if (/[{}]/.test(fieldSet.value)) {
        unsupportedKeys.push(`${name} @key(fields: "${fieldSet.value}")`);
        continue;
      }
      resolvableKeys.push(fieldSet.value.trim().split(/[\s,]+/));
    }
    objectTypes.set(name, { name, fields, resolvableKeys });
  }

  return {
    sdl,
    document,
    ownDocument,
    queryTypeName,
    objectTypes,
    leafTypes,
    entityTypes: [...objectTypes.values()].filter((type) => type.resolvableKeys.length > 0),
    unsupportedKeys,
  };
}

/** The key an entity type is fetched by in the suite: its first resolvable key. */
export function primaryKeyOf(type: SdlObjectType): string[] {
  return type.resolvableKeys[0] ?? [];
}

/** Scalar and enum fields (and lists of them) queryable without arguments: what the per-role check reads. */
export function leafFieldsOf(sdl: SubgraphSdl, type: SdlObjectType): SdlField[] {
  return type.fields.filter((field) => sdl.leafTypes.has(field.namedType) && !field.hasRequiredArguments);
}

/**
 * Entity types the subgraph owns, as far as its SDL tells: a root field returns them. A subgraph that only
 * adds fields to another's entity cannot know whether a key exists, so it may answer any key with a stub.
 */
export function ownedEntityTypes(sdl: SubgraphSdl): Set<string> {
  const query = sdl.objectTypes.get(sdl.queryTypeName);
  return new Set((query?.fields ?? []).map((field) => field.namedType).filter((name) => sdl.entityTypes.some((type) => type.name === name)));
}
