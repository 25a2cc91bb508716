import { composeServices } from '@apollo/composition';
import {
  Kind,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
  type TypeNode,
} from 'graphql';

export interface SubgraphSource {
  name: string;
  url: string;
  typeDefs: DocumentNode;
}

export class CompositionFailedError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Composition failed:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'CompositionFailedError';
  }
}

/**
 * Composition hints that would silently weaken a rule. For a non-repeatable directive applied with
 * different arguments, composition keeps the most common value and only hints (FEDERATION-NOTES.md).
 */
const HINTS_THAT_FAIL = new Set(['INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS']);

const TIER_ORDER = ['PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'RESTRICTED'] as const;

interface Classification {
  tier: string;
  category: string;
  mask: string | null;
}

function readClassification(directives: readonly ConstDirectiveNode[] | undefined): Classification | undefined {
  const directive = directives?.find((entry) => entry.name.value === 'classified');
  if (!directive) return undefined;
  const argument = (name: string) => {
    const value = directive.arguments?.find((entry) => entry.name.value === name)?.value;
    return value && value.kind === Kind.ENUM ? value.value : null;
  };
  return { tier: argument('tier') ?? 'RESTRICTED', category: argument('category') ?? 'GENERAL', mask: argument('mask') };
}

const describe = (classification: Classification) =>
  `${classification.tier}/${classification.category}${classification.mask ? `/${classification.mask}` : ''}`;

const isNonNull = (type: TypeNode) => type.kind === Kind.NON_NULL_TYPE;

/**
 * The classification rules of ACCESS-MODEL.md section 1, checked on the subgraphs' own SDL:
 * every output field is classified (on itself or its type), fields above INTERNAL are nullable, and
 * subgraphs that declare the same field classify it identically.
 */
export function checkClassifications(subgraphs: readonly SubgraphSource[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, { subgraph: string; classification: Classification }>();
  for (const subgraph of subgraphs) {
    for (const definition of subgraph.typeDefs.definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
      const type = definition as ObjectTypeDefinitionNode | ObjectTypeExtensionNode;
      const typeDefault = readClassification(type.directives);
      for (const field of (type.fields ?? []) as readonly FieldDefinitionNode[]) {
        const coordinate = `${type.name.value}.${field.name.value}`;
        const classification = readClassification(field.directives) ?? typeDefault;
        if (!classification) {
          problems.push(`${subgraph.name}: ${coordinate} has no @classified (on the field or its type)`);
          continue;
        }
        if (TIER_ORDER.indexOf(classification.tier as (typeof TIER_ORDER)[number]) > TIER_ORDER.indexOf('INTERNAL') && isNonNull(field.type)) {
          problems.push(`${subgraph.name}: ${coordinate} is ${classification.tier} and must be nullable, so a denial cannot null its parent`);
        }
        const earlier = seen.get(coordinate);
        if (earlier && describe(earlier.classification) !== describe(classification)) {
          problems.push(`${coordinate} is classified ${describe(earlier.classification)} in ${earlier.subgraph} but ${describe(classification)} in ${subgraph.name}`);
        } else if (!earlier) {
          seen.set(coordinate, { subgraph: subgraph.name, classification });
        }
      }
    }
  }
  return problems;
}

/** Composes the supergraph SDL, failing on any composition error, weakening hint or classification problem. */
export function composeSupergraph(subgraphs: readonly SubgraphSource[]): string {
  const problems = checkClassifications(subgraphs);
  const result = composeServices(subgraphs.map((subgraph) => ({ name: subgraph.name, url: subgraph.url, typeDefs: subgraph.typeDefs })));
  if (result.errors) problems.push(...result.errors.map((error) => error.message));
  for (const hint of result.hints ?? []) {
    if (HINTS_THAT_FAIL.has(hint.definition.code)) problems.push(`${hint.definition.code}: ${hint.message}`);
  }
  if (problems.length || !result.supergraphSdl) throw new CompositionFailedError(problems);
  return result.supergraphSdl;
}
