/**
 * Which values are identifiers is declared in one place, the schema: category IDENTITY in `@classified` on the
 * field, argument or input field (docs/access-model.md section 9). Enforcement seals what is declared; this rule
 * makes sure nothing that looks like an identifier was left undeclared, so a new subgraph cannot forget one
 * silently. Composition (`npm run compose`) and the conformance suite both run it on each subgraph's SDL.
 *
 * Looks like an identifier: a value of type `ID` (any field or argument), a `@key` field, a String whose name
 * ends in `No` (business numbers: `customerNo`, `policyNo`, `reportNo`, `registrationNo`…), a cursor (`cursor`,
 * `…Cursor`) and the paging arguments `after` and `before`.
 */
import {
  Kind,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type InputValueDefinitionNode,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
  type TypeNode,
} from 'graphql';
import type { FieldClassification } from './access-policy';
import { classificationAmong, ClassificationError } from './classified-directive';

const namedTypeOf = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeOf(type.type));

const BUSINESS_NUMBER_NAME = /No$/;
const CURSOR_NAME = /^cursor$|Cursor$/;
const PAGING_ARGUMENTS: ReadonlySet<string> = new Set(['after', 'before']);
const SCALAR_KEY_TYPES: ReadonlySet<string> = new Set(['ID', 'String', 'Int']);

/** Why an output field counts as an identifier, or undefined. */
function identifierFieldReason(field: FieldDefinitionNode, keyFields: ReadonlySet<string>): string | undefined {
  const named = namedTypeOf(field.type);
  if (named === 'ID') return 'of type ID';
  // A key field holding a value (an object in a nested key is not a value; its own key fields are checked on its type).
  if (keyFields.has(field.name.value) && SCALAR_KEY_TYPES.has(named)) return 'a @key field';
  if (named === 'String' && BUSINESS_NUMBER_NAME.test(field.name.value)) return 'a business number';
  if (named === 'String' && CURSOR_NAME.test(field.name.value)) return 'a cursor';
  return undefined;
}

/** Why an argument or input field takes an identifier, or undefined. */
function identifierInputReason(input: InputValueDefinitionNode): string | undefined {
  const named = namedTypeOf(input.type);
  if (named === 'ID') return 'of type ID';
  if (named === 'String' && BUSINESS_NUMBER_NAME.test(input.name.value)) return 'a business number';
  if (named === 'String' && PAGING_ARGUMENTS.has(input.name.value)) return 'a cursor';
  return undefined;
}

/** True for a classification that declares an identifier: category IDENTITY above PUBLIC (PUBLIC is never decided). */
export function declaresIdentifier(classification: FieldClassification | undefined): boolean {
  return classification !== undefined && classification.category === 'IDENTITY' && classification.tier !== 'PUBLIC';
}

/** Top-level field names of every `@key(fields: …)` on the node (nested selections are not keys of this type). */
function keyFieldsOf(directives: readonly ConstDirectiveNode[] | undefined): Set<string> {
  const names = new Set<string>();
  for (const directive of directives ?? []) {
    if (directive.name.value !== 'key') continue;
    const fields = directive.arguments?.find((argument) => argument.name.value === 'fields')?.value;
    if (fields?.kind !== Kind.STRING) continue;
    for (const name of fields.value.replace(/\{[^{}]*\}/g, ' ').split(/[\s,]+/)) if (name) names.add(name);
  }
  return names;
}

function readQuietly(directives: readonly ConstDirectiveNode[] | undefined, where: string): FieldClassification | undefined {
  try {
    return classificationAmong(directives, where);
  } catch (error) {
    // An unreadable classification is reported by the classification check itself.
    if (error instanceof ClassificationError) return undefined;
    throw error;
  }
}

const REMEDY = 'so a role that pseudonymises identifiers gets and gives it sealed';

/**
 * Every identifier-looking field, argument and input field of one subgraph's SDL that is not declared IDENTITY
 * (`@classified(tier: INTERNAL, category: IDENTITY)` or higher tier), one problem each, prefixed with the subgraph.
 */
export function undeclaredIdentifiers(subgraph: string, document: DocumentNode): string[] {
  const problems: string[] = [];
  const keyFieldsByType = new Map<string, Set<string>>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const keys = keyFieldsByType.get(definition.name.value) ?? new Set<string>();
    for (const name of keyFieldsOf(definition.directives)) keys.add(name);
    keyFieldsByType.set(definition.name.value, keys);
  }
  const checkInputs = (inputs: readonly InputValueDefinitionNode[] | undefined, describe: (input: InputValueDefinitionNode) => string) => {
    for (const input of inputs ?? []) {
      const reason = identifierInputReason(input);
      if (reason && !declaresIdentifier(readQuietly(input.directives, describe(input))))
        problems.push(`${subgraph}: ${describe(input)} takes an identifier (${reason}) and must be classified category IDENTITY, ${REMEDY}`);
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || definition.kind === Kind.INPUT_OBJECT_TYPE_EXTENSION) {
      checkInputs(definition.fields, (input) => `${definition.name.value}.${input.name.value}`);
      continue;
    }
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const type = definition as ObjectTypeDefinitionNode | ObjectTypeExtensionNode;
    const typeDefault = readQuietly(type.directives, type.name.value);
    const keys = keyFieldsByType.get(type.name.value) ?? new Set<string>();
    for (const field of type.fields ?? []) {
      const coordinate = `${type.name.value}.${field.name.value}`;
      const reason = identifierFieldReason(field, keys);
      if (reason && !declaresIdentifier(readQuietly(field.directives, coordinate) ?? typeDefault))
        problems.push(`${subgraph}: ${coordinate} is an identifier (${reason}) and must be classified category IDENTITY, ${REMEDY}`);
      checkInputs(field.arguments, (argument) => `${coordinate}(${argument.name.value}:)`);
    }
  }
  return problems;
}
