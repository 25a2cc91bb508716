import { composeServices } from '@apollo/composition';
import {
  classificationAmong,
  ClassificationError,
  decide,
  STAFF_ROLES,
  undeclaredIdentifiers,
  type AccessPolicy,
  type Caller,
  type FieldClassification,
} from '@icg/shared';
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

/** The shared reader's verdict, or the problem it found (an unknown tier, category or mask), for the report. */
function readClassification(directives: readonly ConstDirectiveNode[] | undefined, where: string, problems: string[]): FieldClassification | undefined {
  try {
    return classificationAmong(directives, where);
  } catch (error) {
    if (!(error instanceof ClassificationError)) throw error;
    problems.push(error.message);
    return undefined;
  }
}

const describe = (classification: FieldClassification) =>
  `${classification.tier}/${classification.category}${classification.mask ? `/${classification.mask}` : ''}`;

const isNonNull = (type: TypeNode) => type.kind === Kind.NON_NULL_TYPE;

/**
 * The classification rules of docs/access-model.md section 1, checked on the subgraphs' own SDL:
 * every output field is classified (on itself or its type), fields above INTERNAL are nullable,
 * subgraphs that declare the same field classify it identically, and every identifier (field, argument,
 * input field) is declared IDENTITY (section 9, shared/src/access/identifier-rule.ts).
 */
export function checkClassifications(subgraphs: readonly SubgraphSource[], policy?: AccessPolicy): string[] {
  const problems: string[] = [];
  const seen = new Map<string, { subgraph: string; classification: FieldClassification }>();
  for (const subgraph of subgraphs) {
    problems.push(...undeclaredIdentifiers(subgraph.name, subgraph.typeDefs));
    for (const definition of subgraph.typeDefs.definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
      const type = definition as ObjectTypeDefinitionNode | ObjectTypeExtensionNode;
      const typeDefault = readClassification(type.directives, `${subgraph.name}: ${type.name.value}`, problems);
      for (const field of (type.fields ?? []) as readonly FieldDefinitionNode[]) {
        const coordinate = `${type.name.value}.${field.name.value}`;
        const classification = readClassification(field.directives, `${subgraph.name}: ${coordinate}`, problems) ?? typeDefault;
        if (!classification) {
          problems.push(`${subgraph.name}: ${coordinate} has no @classified (on the field or its type)`);
          continue;
        }
        if (TIER_ORDER.indexOf(classification.tier as (typeof TIER_ORDER)[number]) > TIER_ORDER.indexOf('INTERNAL') && isNonNull(field.type)) {
          problems.push(`${subgraph.name}: ${coordinate} is ${classification.tier} and must be nullable, so a denial cannot null its parent`);
        } else if (policy && isNonNull(field.type)) {
          const deniedFor = roleThatCanBeDenied(policy, classification, field.type);
          if (deniedFor)
            problems.push(
              `${subgraph.name}: ${coordinate} can be denied to ${deniedFor} under policy ${policy.version} and must be nullable, so a denial cannot null its parent`,
            );
        }
        const earlier = seen.get(coordinate);
        if (earlier && describe(earlier.classification) !== describe(classification)) {
          problems.push(
            `${coordinate} is classified ${describe(earlier.classification)} in ${earlier.subgraph} but ${describe(classification)} in ${subgraph.name}`,
          );
        } else if (!earlier) {
          seen.set(coordinate, { subgraph: subgraph.name, classification });
        }
      }
    }
  }
  return problems;
}

/** Only String and ID values can be masked or pseudonymised: for anything else those mean DENY. */
function isStringLike(type: TypeNode): boolean {
  const inner = type.kind === Kind.NON_NULL_TYPE ? type.type : type;
  return inner.kind === Kind.NAMED_TYPE && (inner.name.value === 'String' || inner.name.value === 'ID');
}

/** A role that the policy could deny this field to (in or out of scope, with or without a purpose), if any. */
function roleThatCanBeDenied(policy: AccessPolicy, classification: FieldClassification, type: TypeNode): string | undefined {
  const field: FieldClassification = {
    ...classification,
    mask: isStringLike(type) ? classification.mask : null,
  };
  for (const role of STAFF_ROLES) {
    for (const purpose of [null, ...policy.purposes]) {
      const caller: Caller = { staffId: '1', role, branchPath: '/1/', grade: null, purpose };
      for (const scope of [{ branchPath: '/1/', responsibleStaffIds: ['1'] }, undefined]) {
        const verdict = decide(policy, caller, field, scope);
        if (verdict.decision === 'DENY' || (verdict.pseudonymise && !isStringLike(type))) return role;
      }
    }
  }
  return undefined;
}

/**
 * Composes the supergraph SDL, failing on any composition error, weakening hint or classification
 * problem; with the access policy, also on a non-null field that some role could be denied.
 */
export function composeSupergraph(subgraphs: readonly SubgraphSource[], policy?: AccessPolicy): string {
  const problems = checkClassifications(subgraphs, policy);
  const result = composeServices(subgraphs.map((subgraph) => ({ name: subgraph.name, url: subgraph.url, typeDefs: subgraph.typeDefs })));
  if (result.errors) problems.push(...result.errors.map((error) => error.message));
  for (const hint of result.hints ?? []) {
    if (HINTS_THAT_FAIL.has(hint.definition.code)) problems.push(`${hint.definition.code}: ${hint.message}`);
  }
  if (problems.length || !result.supergraphSdl) throw new CompositionFailedError(problems);
  return result.supergraphSdl;
}
