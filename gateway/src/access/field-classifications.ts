/**
 * Field classifications read from the supergraph SDL: the gateway's API schema drops custom directives,
 * so `@classified` survives only in the supergraph text (FEDERATION-NOTES.md, "Directives and composition").
 */
import { Kind, parse, type ConstDirectiveNode, type DefinitionNode } from 'graphql';
import { classificationAmong, CLASSIFIED_DIRECTIVE, UNCLASSIFIED, type FieldClassification } from '@icg/shared';

/** `Type.field`, the coordinate errors and audit records name. */
export type FieldCoordinate = string;
export type FieldClassifications = ReadonlyMap<FieldCoordinate, FieldClassification>;

/** The spec our subgraphs `@link` for the directive (shared/classification.graphql). */
const CLASSIFIED_SPEC_URL_PREFIX = 'https://insurer.example/classified/';
const DEFAULT_DIRECTIVE_NAME = CLASSIFIED_DIRECTIVE;

/**
 * Every field of every object and interface type, classified by its own `@classified`, else by its
 * type's, else UNCLASSIFIED (RESTRICTED, unmaskable: deny by default). Fields of the federation
 * machinery (`join__*`, `link__*`) are left out; they never reach the API schema.
 */
export function readFieldClassifications(supergraphSdl: string): Map<FieldCoordinate, FieldClassification> {
  const document = parse(supergraphSdl, { noLocation: true });
  const directiveName = classifiedDirectiveName(document.definitions);
  const typeDefaults = new Map<string, FieldClassification>();
  const fieldsByType = new Map<string, Map<string, FieldClassification | null>>();

  for (const definition of document.definitions) {
    if (!isTypeWithFields(definition)) continue;
    const typeName = definition.name.value;
    if (isFederationMachinery(typeName)) continue;
    const typeLevel = classificationAmong(definition.directives, typeName, directiveName);
    if (typeLevel) typeDefaults.set(typeName, typeLevel);
    const fields = fieldsByType.get(typeName) ?? new Map<string, FieldClassification | null>();
    for (const field of definition.fields ?? []) {
      // An extension cannot lower a classification the definition gave: the first one found stands.
      if (!fields.get(field.name.value))
        fields.set(field.name.value, classificationAmong(field.directives, `${typeName}.${field.name.value}`, directiveName) ?? null);
    }
    fieldsByType.set(typeName, fields);
  }

  const classifications = new Map<FieldCoordinate, FieldClassification>();
  for (const [typeName, fields] of fieldsByType) {
    for (const [fieldName, own] of fields) {
      classifications.set(`${typeName}.${fieldName}`, own ?? typeDefaults.get(typeName) ?? UNCLASSIFIED);
    }
  }
  return classifications;
}

/** A coordinate the supergraph does not classify (or does not know) is UNCLASSIFIED. */
export function classificationFor(classifications: FieldClassifications, coordinate: FieldCoordinate): FieldClassification {
  return classifications.get(coordinate) ?? UNCLASSIFIED;
}

type TypeWithFields = Extract<
  DefinitionNode,
  { kind: Kind.OBJECT_TYPE_DEFINITION | Kind.OBJECT_TYPE_EXTENSION | Kind.INTERFACE_TYPE_DEFINITION | Kind.INTERFACE_TYPE_EXTENSION }
>;

function isTypeWithFields(definition: DefinitionNode): definition is TypeWithFields {
  return (
    definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
    definition.kind === Kind.OBJECT_TYPE_EXTENSION ||
    definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
    definition.kind === Kind.INTERFACE_TYPE_EXTENSION
  );
}

function isFederationMachinery(typeName: string): boolean {
  return typeName.startsWith('join__') || typeName.startsWith('link__');
}

/**
 * The name the supergraph uses for the directive: `@link(url: ".../classified/v1.0", import: ["@classified"])`
 * keeps `classified`; an import `{ name: "@classified", as: "@secret" }` or a link `as:` renames it.
 */
function classifiedDirectiveName(definitions: readonly DefinitionNode[]): string {
  for (const definition of definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = stringArgument(link, 'url');
      if (!url?.startsWith(CLASSIFIED_SPEC_URL_PREFIX)) continue;
      const linkAlias = stringArgument(link, 'as');
      const imported = importedName(link, `@${DEFAULT_DIRECTIVE_NAME}`);
      if (imported) return imported.replace(/^@/, '');
      // Not imported: the directive named like the spec is referred to by the spec's (possibly renamed) name.
      return linkAlias ?? DEFAULT_DIRECTIVE_NAME;
    }
  }
  return DEFAULT_DIRECTIVE_NAME;
}

function importedName(link: ConstDirectiveNode, name: string): string | undefined {
  const imports = link.arguments?.find((argument) => argument.name.value === 'import')?.value;
  if (imports?.kind !== Kind.LIST) return undefined;
  for (const item of imports.values) {
    if (item.kind === Kind.STRING && item.value === name) return name;
    if (item.kind === Kind.OBJECT) {
      const fields = new Map(item.fields.map((field) => [field.name.value, field.value]));
      const importedAs = fields.get('name');
      if (importedAs?.kind === Kind.STRING && importedAs.value === name) {
        const alias = fields.get('as');
        return alias?.kind === Kind.STRING ? alias.value : name;
      }
    }
  }
  return undefined;
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((argument) => argument.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}
