/**
 * After execution: every occurrence of a field the filter removed gets `null` and one FORBIDDEN_FIELD error
 * at its concrete path, exactly where the field would have been.
 */
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Tier } from '@icg/shared';
import { ACCESS_TYPENAME_KEY, type FilteredOperation, type InclusionCondition, type RemovedField, type ResponsePathStep } from './operation-access-filter';

export type ResponseData = Record<string, unknown>;
export type ResponsePath = ReadonlyArray<string | number>;

export interface RestoreOptions {
  policyVersion: string;
  /** The request's variables, for `@skip`/`@include` on removed fields. */
  variables?: Readonly<Record<string, unknown>> | undefined;
  /** Injected by tests; a random UUID per decision otherwise. */
  newDecisionId?: () => string;
}

/** One answered removal, with the tier the client is not told (for the audit trail). */
export interface RemovedFieldDenial {
  coordinate: string;
  tier: Tier;
  path: ResponsePath;
  decisionId: string;
}

export interface RestoredResponse {
  /** The same object, changed in place, or null when a removed non-null field nulled the whole response. */
  data: ResponseData | null | undefined;
  errors: GraphQLError[];
  /** One per error, in the same order. */
  denials: RemovedFieldDenial[];
}

/**
 * The subgraphs' FORBIDDEN_FIELD error (docs/access-model.md section 2) without the tier: the role may read the
 * field in no scope, so the tier would only tell it how far out of reach the field is, which helps guessing.
 */
export function neverReadableFieldError(coordinate: string, path: ResponsePath, policyVersion: string, decisionId: string = randomUUID()): GraphQLError {
  // A denial is an answer, not a fault: no stack trace is ever shown, so none is captured.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new GraphQLError(`Not authorised to read ${coordinate}`, { path, extensions: { code: 'FORBIDDEN_FIELD', coordinate, policyVersion, decisionId } });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * Walks `data` along each removed field's path: lists are expanded, null or missing parents skipped, steps
 * under a narrowing fragment taken only for objects of those types, steps under a `@skip`/`@include` that
 * excludes them not at all. A removed non-null field nulls its nearest nullable ancestor, as GraphQL would.
 */
export function restoreRemovedFields(
  data: ResponseData | null | undefined,
  filtered: Pick<FilteredOperation, 'removed' | 'addedTypename'>,
  options: RestoreOptions,
): RestoredResponse {
  const restore = new Restore(data, options);
  for (const removed of filtered.removed) restore.apply(removed);
  const result = restore.finish();
  if (filtered.addedTypename && result.data) removeKeyEverywhere(result.data, ACCESS_TYPENAME_KEY);
  return result;
}

/** One place in the response that can hold null: an object's key or a list's index. */
interface Position {
  container: Record<string, unknown> | unknown[];
  key: string | number;
  nullable: boolean;
}

class Restore {
  private readonly errors: GraphQLError[] = [];
  private readonly denials: RemovedFieldDenial[] = [];
  private readonly reportedPaths = new Set<string>();
  /** Objects that got a key back, with the order their keys should have. */
  private readonly reordered = new Map<Record<string, unknown>, readonly string[]>();
  private readonly newDecisionId: () => string;

  constructor(
    private data: ResponseData | null | undefined,
    private readonly options: RestoreOptions,
  ) {
    this.newDecisionId = options.newDecisionId ?? randomUUID;
  }

  apply(removed: RemovedField): void {
    if (this.data) this.visitObject(removed, this.data, 0, [], []);
  }

  finish(): RestoredResponse {
    for (const [object, keys] of this.reordered) putKeysInOrder(object, keys);
    return { data: this.data, errors: this.errors, denials: this.denials };
  }

  private visitObject(removed: RemovedField, object: Record<string, unknown>, stepIndex: number, positions: Position[], path: Array<string | number>): void {
    const step = removed.path[stepIndex]!;
    if (!this.stepApplies(object, step)) return;
    const stepPath = [...path, step.responseKey];
    const stepPositions = [...positions, { container: object, key: step.responseKey, nullable: step.nullability[0] ?? true }];
    if (stepIndex === removed.path.length - 1) {
      this.deny(removed, stepPositions, stepPath);
      this.reordered.set(object, removed.siblingKeys);
      return;
    }
    this.descend(removed, object[step.responseKey], stepIndex, 0, stepPositions, stepPath);
  }

  /** `value` is the field's value (`depth` 0) or an item of its lists (`depth` ≥ 1). */
  private descend(removed: RemovedField, value: unknown, stepIndex: number, depth: number, positions: Position[], path: Array<string | number>): void {
    if (value === null || value === undefined || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      const nullable = removed.path[stepIndex]!.nullability[depth + 1] ?? true;
      value.forEach((item, index) =>
        this.descend(removed, item, stepIndex, depth + 1, [...positions, { container: value, key: index, nullable }], [...path, index]),
      );
      return;
    }
    this.visitObject(removed, value as Record<string, unknown>, stepIndex + 1, positions, path);
  }

  private deny(removed: RemovedField, positions: Position[], path: Array<string | number>): void {
    const pathKey = JSON.stringify(path);
    // The same field selected twice (two fragments) is one field in the response: one error.
    if (!this.reportedPaths.has(pathKey)) {
      this.reportedPaths.add(pathKey);
      const decisionId = this.newDecisionId();
      this.errors.push(neverReadableFieldError(removed.coordinate, path, this.options.policyVersion, decisionId));
      this.denials.push({ coordinate: removed.coordinate, tier: removed.tier, path, decisionId });
    }
    const nearestNullable = positions.findLast((position) => position.nullable);
    if (!nearestNullable) {
      this.data = null;
      return;
    }
    (nearestNullable.container as Record<string | number, unknown>)[nearestNullable.key] = null;
  }

  private stepApplies(object: Record<string, unknown>, step: ResponsePathStep): boolean {
    if (step.onlyForTypes !== null) {
      const runtimeType = object[ACCESS_TYPENAME_KEY];
      if (typeof runtimeType !== 'string' || !step.onlyForTypes.includes(runtimeType)) return false;
    }
    return step.conditions.every((condition) => this.conditionIncludes(condition));
  }

  private conditionIncludes(condition: InclusionCondition): boolean {
    const value = 'value' in condition ? condition.value : (this.options.variables?.[condition.variable] ?? condition.defaultValue);
    return condition.directive === 'include' ? value === true : value !== true;
  }
}

/** Re-inserts keys so the response follows the operation's order (a restored key would otherwise come last). */
function putKeysInOrder(object: Record<string, unknown>, orderedKeys: readonly string[]): void {
  const present = Object.keys(object);
  const ordered = [...orderedKeys.filter((key) => Object.hasOwn(object, key)), ...present.filter((key) => !orderedKeys.includes(key))];
  if (ordered.every((key, index) => present[index] === key)) return;
  const values = new Map(ordered.map((key) => [key, object[key]]));
  for (const key of present) delete object[key];
  for (const [key, value] of values) object[key] = value;
}

function removeKeyEverywhere(value: unknown, key: string): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) removeKeyEverywhere(item, key);
    return;
  }
  const object = value as Record<string, unknown>;
  delete object[key];
  for (const child of Object.values(object)) removeKeyEverywhere(child, key);
}
