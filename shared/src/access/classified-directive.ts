/**
 * The one reader of `@classified(tier, category, mask)`, for every place that needs a field's
 * classification: subgraph enforcement, the gateway layer and composition. A value this code does not
 * know (a schema ahead of the code, a typo that slipped past a schema check) refuses the start rather
 * than guess: guessing weaker would leak, guessing stronger would hide the mistake.
 */
import { Kind, type ConstDirectiveNode, type ConstValueNode } from 'graphql';
import { CATEGORIES, MASK_STYLES, TIERS, type FieldClassification } from './access-policy';

export const CLASSIFIED_DIRECTIVE = 'classified';

export class ClassificationError extends Error {
  override name = 'ClassificationError';
}

function enumArgument<T extends string>(directive: ConstDirectiveNode, name: string, allowed: readonly T[], where: string): T | undefined {
  const value: ConstValueNode | undefined = directive.arguments?.find((argument) => argument.name.value === name)?.value;
  if (value === undefined || value.kind === Kind.NULL) return undefined;
  if (value.kind === Kind.ENUM && (allowed as readonly string[]).includes(value.value)) return value.value as T;
  const shown = value.kind === Kind.ENUM || value.kind === Kind.STRING ? value.value : value.kind;
  throw new ClassificationError(`${where}: @classified ${name} "${shown}" is not one of ${allowed.join(', ')}`);
}

/** One `@classified` directive: tier required, category GENERAL by default (as the directive declares), mask optional. */
export function readClassifiedDirective(directive: ConstDirectiveNode, where: string): FieldClassification {
  const tier = enumArgument(directive, 'tier', TIERS, where);
  if (tier === undefined) throw new ClassificationError(`${where}: @classified has no tier`);
  return Object.freeze({
    tier,
    category: enumArgument(directive, 'category', CATEGORIES, where) ?? 'GENERAL',
    mask: enumArgument(directive, 'mask', MASK_STYLES, where) ?? null,
    // Only when set, so every other classification stays exactly {tier, category, mask}.
    ...(aggregateArgument(directive, where) ? { aggregate: true as const } : {}),
  });
}

/** `aggregate: true` marks a statistic over records (decide.ts, "Aggregates"); anything but a Boolean is refused. */
function aggregateArgument(directive: ConstDirectiveNode, where: string): boolean {
  const value: ConstValueNode | undefined = directive.arguments?.find((argument) => argument.name.value === 'aggregate')?.value;
  if (value === undefined || value.kind === Kind.NULL) return false;
  if (value.kind === Kind.BOOLEAN) return value.value;
  throw new ClassificationError(`${where}: @classified aggregate must be true or false`);
}

/** The classification among a node's directives, if it carries one (under the name the schema links it as). */
export function classificationAmong(
  directives: readonly ConstDirectiveNode[] | undefined,
  where: string,
  directiveName: string = CLASSIFIED_DIRECTIVE,
): FieldClassification | undefined {
  const directive = directives?.find((entry) => entry.name.value === directiveName);
  return directive ? readClassifiedDirective(directive, where) : undefined;
}
