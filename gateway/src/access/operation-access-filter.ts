/**
 * The gateway's half of field-level access (docs/access-model.md section 6): before planning, every field the
 * caller's role may read in no scope is taken out of the operation, so the planner never asks a subgraph for
 * it. What was taken out is recorded as response-path patterns, so that restore-removed-fields.ts can answer
 * each occurrence with `null` and a FORBIDDEN_FIELD error.
 *
 * A rewritten document has its fragments inlined: a fragment spread in two places has two response paths
 * (and may need a runtime-type check in one only), and the result is valid without any fragment clean-up.
 */
import { createHash } from 'node:crypto';
import {
  GraphQLError,
  Kind,
  getNamedType,
  getOperationAST,
  isCompositeType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  print,
  visit,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionNode,
} from 'graphql';
import type { Tier } from '@icg/shared';
import { BoundedLruCache } from './bounded-lru-cache';
import type { FieldClassifications, FieldCoordinate } from './field-classifications';
import { NeverReadableFields, accessSubjectKey, type AccessSubject } from './never-readable-fields';

/**
 * The response key under which the filter asks for `__typename` where it needs it: as the only selection of
 * a selection set it emptied, and beside a removed field under a fragment that narrows the type. It is taken
 * out of the response again, and a client may not use it.
 */
export const ACCESS_TYPENAME_KEY = 'icgAccessTypename';

/** `@skip`/`@include` on a selection: a literal, or a variable read when the response is restored. */
export type InclusionCondition =
  { directive: 'skip' | 'include'; value: boolean } | { directive: 'skip' | 'include'; variable: string; defaultValue: boolean | null };

/** One field on the way from the root to a removed field, as it appears in the response. */
export interface ResponsePathStep {
  /** The alias when there is one, else the field name. */
  responseKey: string;
  /** The runtime types this selection applies to, when a fragment narrows it; null when it applies to every object there. */
  onlyForTypes: readonly string[] | null;
  /** `@skip`/`@include` on the field and on the fragments around it at its level. */
  conditions: readonly InclusionCondition[];
  /** Whether the field may be null ([0]) and whether its list items may be, one entry per list depth ([1], …). */
  nullability: readonly boolean[];
}

export interface RemovedField {
  /** From the root; the last step is the removed field itself. List positions are not part of it. */
  path: readonly ResponsePathStep[];
  coordinate: FieldCoordinate;
  tier: Tier;
  /** The response keys of the removed field's selection level in document order, so `null` takes its place. */
  siblingKeys: readonly string[];
}

export interface FilteredOperation {
  /** The document to plan: the original one when nothing was removed or split off. */
  document: DocumentNode;
  /** Whether `document` differs from the document given. */
  rewritten: boolean;
  /** The selected operation inside `document`. */
  operation: OperationDefinitionNode;
  removed: readonly RemovedField[];
  /**
   * `__schema`, `__type` and `__typename` selected at the root, as an operation of their own, to run against
   * the role's schema; null when the root selects no introspection (or only `__typename` beside data fields).
   */
  introspectionDocument: DocumentNode | null;
  /** Whether the root selects `__schema` or `__type` (then the role's schema answers; `__typename` alone needs none). */
  introspectsSchema: boolean;
  /** False when the root keeps nothing but introspection and `__typename` (or nothing at all): no subgraph is needed. */
  needsSubgraphs: boolean;
  /** The root's response keys in document order, to merge the introspection answer in place. */
  rootResponseKeys: readonly string[];
  /** Whether `document` asks for `ACCESS_TYPENAME_KEY` somewhere (the response must be cleaned). */
  addedTypename: boolean;
  /**
   * The hash the query planner caches this operation's plan under, in place of the request's query hash:
   * the rewritten document's hash with the policy version, role and purpose, so no two roles share a plan.
   */
  operationHash: string;
}

export interface OperationAccessFilterOptions {
  /** The gateway's API schema (the one clients validate against). */
  schema: GraphQLSchema;
  classifications: FieldClassifications;
  /** Filtered operations remembered, across callers; 2,000 by default. */
  maxCachedOperations?: number;
}

/** One caller's view of the filter: the signature the gateway uses per request. */
export interface CallerOperationFilter {
  filterOperation(document: DocumentNode, operationName: string | null | undefined, documentHash?: string): FilteredOperation;
}

const DEFAULT_MAX_CACHED_OPERATIONS = 2_000;
/** A handful of roles × purposes × policy versions live at once. */
const MAX_CACHED_SUBJECTS = 128;
const INTROSPECTION_ROOT_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type']);
const PLAN_KEY_VERSION = 'icg-access-plan/1';

export class OperationAccessFilter {
  private readonly schema: GraphQLSchema;
  private readonly classifications: FieldClassifications;
  private readonly results: BoundedLruCache<string, FilteredOperation>;
  private readonly fieldAccess = new BoundedLruCache<string, NeverReadableFields>(MAX_CACHED_SUBJECTS);
  private readonly documentHashes = new WeakMap<DocumentNode, string>();
  private readonly possibleTypeNames = new Map<string, ReadonlySet<string>>();

  constructor(options: OperationAccessFilterOptions) {
    this.schema = options.schema;
    this.classifications = options.classifications;
    this.results = new BoundedLruCache(options.maxCachedOperations ?? DEFAULT_MAX_CACHED_OPERATIONS);
  }

  forSubject(subject: AccessSubject): CallerOperationFilter {
    return { filterOperation: (document, operationName, documentHash) => this.filterOperation(subject, document, operationName, documentHash) };
  }

  /** The fields the subject's role may never read; shared with the role schema so both agree. */
  neverReadableFields(subject: AccessSubject): NeverReadableFields {
    return this.fieldAccess.getOrCreate(accessSubjectKey(subject), () => new NeverReadableFields(this.schema, this.classifications, subject));
  }

  /**
   * Memoised per (policy version, role, purpose, operation name, document): `documentHash` should identify
   * the document (the request's query hash does); without it the printed document is hashed.
   */
  filterOperation(subject: AccessSubject, document: DocumentNode, operationName: string | null | undefined, documentHash?: string): FilteredOperation {
    const subjectKey = accessSubjectKey(subject);
    const sourceHash = documentHash ?? this.hashOfDocument(document);
    const cacheKey = JSON.stringify([subjectKey, operationName ?? null, sourceHash]);
    return this.results.getOrCreate(cacheKey, () => {
      const rewrite = new OperationRewrite(this.schema, this.neverReadableFields(subject), (type) => this.possibleTypesOf(type), document, operationName);
      return rewrite.result(subjectKey, sourceHash);
    });
  }

  private hashOfDocument(document: DocumentNode): string {
    let hash = this.documentHashes.get(document);
    if (hash === undefined) {
      hash = sha256(print(document));
      this.documentHashes.set(document, hash);
    }
    return hash;
  }

  private possibleTypesOf(type: GraphQLCompositeType): ReadonlySet<string> {
    let names = this.possibleTypeNames.get(type.name);
    if (!names) {
      names = new Set(isObjectType(type) ? [type.name] : this.schema.getPossibleTypes(type).map((possible) => possible.name));
      this.possibleTypeNames.set(type.name, names);
    }
    return names;
  }
}

/** A selection level: the selection set of one field (or the root), whichever fragments it is spread over. */
interface Level {
  /** The named type of the field the level belongs to (the root type at the root). */
  fieldType: GraphQLCompositeType;
  path: readonly ResponsePathStep[];
  responseKeys: string[];
  isRoot: boolean;
}

/** Where a selection sits inside its level: the type condition in force, and conditions of the fragments around it. */
interface Branch {
  parentType: GraphQLCompositeType;
  narrowedTo: ReadonlySet<string> | null;
  conditions: readonly InclusionCondition[];
}

interface RewrittenSelections {
  kept: SelectionNode[];
  introspection: SelectionNode[];
  removedAny: boolean;
  selectsData: boolean;
}

/** One pass over one operation for one caller. */
class OperationRewrite {
  private readonly operation: OperationDefinitionNode;
  private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /** Boolean defaults of the operation's variables: the rewritten document may no longer declare them. */
  private readonly variableDefaults: ReadonlyMap<string, boolean>;
  private readonly removed: RemovedField[] = [];
  private readonly spreading: string[] = [];
  private addedTypename = false;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly access: NeverReadableFields,
    private readonly possibleTypesOf: (type: GraphQLCompositeType) => ReadonlySet<string>,
    private readonly document: DocumentNode,
    operationName: string | null | undefined,
  ) {
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      throw new GraphQLError(
        operationName ? `Unknown operation named "${operationName}"` : 'Must provide operation name if query contains multiple operations',
        {
          extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
        },
      );
    }
    this.operation = operation;
    this.variableDefaults = new Map(
      (operation.variableDefinitions ?? []).flatMap((definition) =>
        definition.defaultValue?.kind === Kind.BOOLEAN ? [[definition.variable.name.value, definition.defaultValue.value] as const] : [],
      ),
    );
    this.fragments = new Map(
      document.definitions
        .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
        .map((fragment) => [fragment.name.value, fragment]),
    );
  }

  result(subjectKey: string, sourceHash: string): FilteredOperation {
    const rootType = this.schema.getRootType(this.operation.operation);
    if (!rootType) throw new GraphQLError(`The schema has no ${this.operation.operation} type`, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    const root: Level = { fieldType: rootType, path: [], responseKeys: [], isRoot: true };
    const rewritten = this.rewriteSelections(this.operation.selectionSet.selections, root, { parentType: rootType, narrowedTo: null, conditions: [] });
    const rootResponseKeys = unique(root.responseKeys);
    // Introspection, or nothing but `__typename` (or nothing left at all): answered without the planner.
    const introspectsSchema = rewritten.introspection.some(isIntrospectionRootSelection);
    const answeredLocally = introspectsSchema || !rewritten.selectsData;
    const introspectionDocument = answeredLocally ? this.introspectionDocument(rewritten.introspection) : null;
    const unchanged = !rewritten.removedAny && introspectionDocument === null;

    let document = this.document;
    let operation = this.operation;
    let documentHash = sourceHash;
    if (!unchanged) {
      operation = withoutUnusedVariables({ ...this.operation, selectionSet: { ...this.operation.selectionSet, selections: this.nonEmpty(rewritten.kept) } });
      document = { kind: Kind.DOCUMENT, definitions: [operation] };
      documentHash = sha256(print(document));
    }
    return Object.freeze({
      document,
      rewritten: !unchanged,
      operation,
      removed: Object.freeze(this.removed.map((removed) => Object.freeze({ ...removed, siblingKeys: unique(removed.siblingKeys) }))),
      introspectionDocument,
      introspectsSchema,
      needsSubgraphs: rewritten.selectsData,
      rootResponseKeys,
      addedTypename: this.addedTypename,
      operationHash: sha256(JSON.stringify([PLAN_KEY_VERSION, subjectKey, documentHash])),
    });
  }

  private rewriteSelections(selections: readonly SelectionNode[], level: Level, branch: Branch): RewrittenSelections {
    const result: RewrittenSelections = { kept: [], introspection: [], removedAny: false, selectsData: false };
    // A removed field under a narrowing fragment: only objects of those types get the null, so ask for the type here.
    let needsTypenameHere = false;
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) {
        const responseKey = selection.alias?.value ?? selection.name.value;
        if (responseKey === ACCESS_TYPENAME_KEY) {
          throw new GraphQLError(`"${ACCESS_TYPENAME_KEY}" is reserved and cannot be used as an alias`, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
        }
        level.responseKeys.push(responseKey);
        const outcome = this.rewriteField(selection, responseKey, level, branch, result);
        if (outcome !== 'kept' && branch.narrowedTo !== null) needsTypenameHere = true;
        continue;
      }
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : this.spreadAsInlineFragment(selection.name.value, selection.directives);
      const typeCondition = fragment.typeCondition ? this.schema.getType(fragment.typeCondition.name.value) : branch.parentType;
      if (!typeCondition || !isCompositeType(typeCondition)) throw invalidDocument(`Unknown fragment type ${fragment.typeCondition?.name.value ?? ''}`);
      const inner = this.rewriteSelections(fragment.selectionSet.selections, level, {
        parentType: typeCondition,
        narrowedTo: this.narrow(level, branch, typeCondition),
        conditions: [...branch.conditions, ...inclusionConditions(fragment.directives, this.variableDefaults)],
      });
      if (selection.kind === Kind.FRAGMENT_SPREAD) this.spreading.pop();
      result.removedAny ||= inner.removedAny;
      result.selectsData ||= inner.selectsData;
      if (inner.kept.length > 0) result.kept.push(withSelections(fragment, inner.kept));
      if (inner.introspection.length > 0) result.introspection.push(withSelections(fragment, inner.introspection));
    }
    if (needsTypenameHere) result.kept.push(this.typenameSelection());
    return result;
  }

  /** Returns where a removal happened: at this field, somewhere below it, or nowhere. */
  private rewriteField(
    field: FieldNode,
    responseKey: string,
    level: Level,
    branch: Branch,
    result: RewrittenSelections,
  ): 'removed-here' | 'removed-below' | 'kept' {
    const name = field.name.value;
    if (name === '__typename') {
      result.kept.push(field);
      if (level.isRoot) result.introspection.push(field);
      return 'kept';
    }
    if (level.isRoot && INTROSPECTION_ROOT_FIELDS.has(name)) {
      // Answered from the role's schema, never from the full API schema the planner would use.
      result.introspection.push(field);
      return 'kept';
    }
    const parentType = branch.parentType;
    const definition = isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[name] : undefined;
    if (!definition) throw invalidDocument(`Cannot query field "${name}" on type "${parentType.name}"`);
    const step: ResponsePathStep = {
      responseKey,
      onlyForTypes: branch.narrowedTo ? [...branch.narrowedTo].sort() : null,
      conditions: [...branch.conditions, ...inclusionConditions(field.directives, this.variableDefaults)],
      nullability: nullabilityOf(definition.type),
    };
    const denial = this.access.isRemovable(parentType, name) ? this.access.denialOf(parentType, name) : null;
    if (denial) {
      this.removed.push({ path: [...level.path, step], coordinate: denial.coordinate, tier: denial.classification.tier, siblingKeys: level.responseKeys });
      result.removedAny = true;
      return 'removed-here';
    }
    result.selectsData = true;
    if (!field.selectionSet) {
      result.kept.push(field);
      return 'kept';
    }
    const childType = getNamedType(definition.type);
    if (!isCompositeType(childType)) throw invalidDocument(`Field "${name}" must not have a selection since type "${childType.name}" has no subfields`);
    const child: Level = { fieldType: childType, path: [...level.path, step], responseKeys: [], isRoot: false };
    const rewritten = this.rewriteSelections(field.selectionSet.selections, child, { parentType: childType, narrowedTo: null, conditions: [] });
    result.kept.push({ ...field, selectionSet: { ...field.selectionSet, selections: this.nonEmpty(rewritten.kept) } });
    if (!rewritten.removedAny) return 'kept';
    result.removedAny = true;
    return 'removed-below';
  }

  /** A fragment spread becomes an inline fragment with the spread's directives (the same meaning). */
  private spreadAsInlineFragment(name: string, directives: readonly DirectiveNode[] | undefined): InlineFragmentNode {
    const fragment = this.fragments.get(name);
    if (!fragment) throw invalidDocument(`Unknown fragment "${name}"`);
    if (this.spreading.includes(name)) throw invalidDocument(`Cannot spread fragment "${name}" within itself`);
    this.spreading.push(name);
    return { kind: Kind.INLINE_FRAGMENT, typeCondition: fragment.typeCondition, directives: directives ?? [], selectionSet: fragment.selectionSet };
  }

  /** The runtime types a fragment leaves possible; null when it does not narrow what the field can return. */
  private narrow(level: Level, branch: Branch, typeCondition: GraphQLCompositeType): ReadonlySet<string> | null {
    const all = this.possibleTypesOf(level.fieldType);
    const allowed = this.possibleTypesOf(typeCondition);
    const narrowed = new Set([...(branch.narrowedTo ?? all)].filter((name) => allowed.has(name)));
    return narrowed.size === all.size ? null : narrowed;
  }

  /** A selection set must select something: a set emptied by the filter asks for the type name only. */
  private nonEmpty(selections: SelectionNode[]): SelectionNode[] {
    return selections.length > 0 ? selections : [this.typenameSelection()];
  }

  private typenameSelection(): FieldNode {
    this.addedTypename = true;
    return { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: ACCESS_TYPENAME_KEY }, name: { kind: Kind.NAME, value: '__typename' } };
  }

  /** Fragments stay as they were inside introspection fields (graphql's execute ignores unused ones). */
  private introspectionDocument(selections: SelectionNode[]): DocumentNode {
    const operation = withoutUnusedVariables({ ...this.operation, selectionSet: { ...this.operation.selectionSet, selections } }, this.fragments);
    return { kind: Kind.DOCUMENT, definitions: [operation, ...this.fragments.values()] };
  }
}

function isIntrospectionRootSelection(selection: SelectionNode): boolean {
  if (selection.kind === Kind.FIELD) return INTROSPECTION_ROOT_FIELDS.has(selection.name.value);
  return selection.kind === Kind.INLINE_FRAGMENT && selection.selectionSet.selections.some(isIntrospectionRootSelection);
}

function withSelections(fragment: InlineFragmentNode, selections: SelectionNode[]): InlineFragmentNode {
  return { ...fragment, selectionSet: { ...fragment.selectionSet, selections } };
}

function inclusionConditions(directives: readonly DirectiveNode[] | undefined, variableDefaults: ReadonlyMap<string, boolean>): InclusionCondition[] {
  const conditions: InclusionCondition[] = [];
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const argument = directive.arguments?.find((node) => node.name.value === 'if')?.value;
    if (argument?.kind === Kind.BOOLEAN) conditions.push({ directive: name, value: argument.value });
    else if (argument?.kind === Kind.VARIABLE) {
      conditions.push({ directive: name, variable: argument.name.value, defaultValue: variableDefaults.get(argument.name.value) ?? null });
    }
  }
  return conditions;
}

function nullabilityOf(type: GraphQLOutputType): boolean[] {
  const nullability: boolean[] = [];
  let current: GraphQLOutputType = type;
  for (;;) {
    if (isNonNullType(current)) {
      nullability.push(false);
      current = current.ofType;
    } else {
      nullability.push(true);
    }
    if (!isListType(current)) return nullability;
    current = current.ofType;
  }
}

/** Removing a field can leave a variable unused, which makes the document invalid. */
function withoutUnusedVariables(operation: OperationDefinitionNode, fragments?: ReadonlyMap<string, FragmentDefinitionNode>): OperationDefinitionNode {
  if (!operation.variableDefinitions?.length) return operation;
  const used = new Set<string>();
  const spread = new Set<string>();
  const collect = (node: OperationDefinitionNode['selectionSet'] | FragmentDefinitionNode) =>
    visit(node, {
      Variable: (variable) => void used.add(variable.name.value),
      FragmentSpread: (fragmentSpread) => void spread.add(fragmentSpread.name.value),
    });
  collect(operation.selectionSet);
  for (const directive of operation.directives ?? []) visit(directive, { Variable: (variable) => void used.add(variable.name.value) });
  const visited = new Set<string>();
  for (let pending = [...spread]; pending.length > 0; pending = [...spread].filter((name) => !visited.has(name))) {
    for (const name of pending) {
      visited.add(name);
      const fragment = fragments?.get(name);
      if (fragment) collect(fragment);
    }
  }
  return { ...operation, variableDefinitions: operation.variableDefinitions.filter((definition) => used.has(definition.variable.name.value)) };
}

function invalidDocument(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
