/**
 * What a caller must get back, value by value: the response is walked along the generated selection next
 * to the auditor's reference, and every field is decided as the subgraph layer decides it (decide() with
 * the row scope the record has in the subgraph that resolves the field, then the non-string and
 * pseudonym rules), so each leaf is checked at its coordinate and concrete path.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  decide,
  deniedInEveryScope,
  maskValue,
  sealIdentifier,
  type AccessDecision,
  type AccessPolicy,
  type Caller,
  type Decision,
  type RowScope,
} from '@icg/shared';
import type { MatrixOperation, SelectedField } from './matrix-operations';
import type { MatrixField, MatrixSchema } from './matrix-schema';
import { EXTENSION_SCOPE, UnknownScopeError, type RecordScopes, type ResponseObject } from './record-scopes';

export interface GraphQLErrorLike {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface Mismatch {
  coordinate: string;
  path: string;
  expected: string;
  actual: string;
}

/** One field decided for one record: the matrix's unit of coverage. */
export interface Observation {
  coordinate: string;
  /** Whether the record was in the caller's scope for the rule that decided; `unknown` where no scope was needed. */
  side: 'in' | 'out' | 'unknown';
  decision: Decision;
  /** A denial (its error shows it), a value, or a null where clear, masked and pseudonymised would not differ anyway. */
  conclusive: boolean;
}

export interface ComparisonInput {
  model: MatrixSchema;
  scopes: RecordScopes;
  policy: AccessPolicy;
  caller: Caller;
  pseudonymSecret: string;
  operation: MatrixOperation;
  aliases: readonly string[];
  reference: ResponseObject;
  data: ResponseObject | null | undefined;
  errors: readonly GraphQLErrorLike[];
}

export interface Comparison {
  mismatches: Mismatch[];
  observations: Observation[];
}

/**
 * Connection objects describe a query rather than a record, so the customers subgraph gives them no
 * row scope (customers/src/records.ts customerConnection); the customers inside carry their own.
 */
const UNSCOPED_VALUE_TYPES = new Set(['CustomerConnection', 'CustomerEdge', 'PageInfo']);

/** A record's scope, or why it could not be placed (only a failure if the decision depends on it). */
type ScopeResult = { known: true; scope: RowScope | undefined } | { known: false; reason: string };

/** An object of the response and what enforcement knows about it in the subgraph that produced it. */
interface ObjectContext {
  typeName: string;
  /** The subgraph that returned the object. */
  origin: string;
  /** The scope the object carries in that subgraph. */
  originScope: ScopeResult;
  reference: ResponseObject;
}

interface ExpectedDenial {
  path: string;
  coordinate: string;
  field: MatrixField;
}

const describeValue = (value: unknown): string => {
  const text = value === undefined ? 'absent' : JSON.stringify(value);
  return text.length > 48 ? `${text.slice(0, 45)}…` : text;
};

const pathKey = (path: readonly (string | number)[]): string =>
  path
    .map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`))
    .join('')
    .replace(/^\./, '');

function isResponseObject(value: unknown): value is ResponseObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The same steps as shared/src/enforcement's wrapResolver, with a healthy audit store. */
export function expectedVerdict(policy: AccessPolicy, caller: Caller, field: MatrixField, scope: RowScope | undefined): AccessDecision {
  const effective = field.stringLike ? field.classification : { ...field.classification, mask: null };
  const verdict = decide(policy, caller, effective, scope);
  if (verdict.decision === 'ALLOW' && verdict.pseudonymise && !field.stringLike) return { ...verdict, decision: 'DENY', pseudonymise: false };
  return verdict;
}

/** A record that is in the caller's scope whatever scope their rules use (their own, in their branch). */
function recordInScopeOf(caller: Caller): RowScope {
  return { branchPath: caller.branchPath, responsibleStaffIds: [caller.staffId] };
}

/** Whether the caller's decision on the field differs between records in and out of their scope. */
export function dependsOnScope(policy: AccessPolicy, caller: Caller, field: MatrixField): boolean {
  const inside = expectedVerdict(policy, caller, field, recordInScopeOf(caller));
  const outside = expectedVerdict(policy, caller, field, undefined);
  return inside.decision !== outside.decision || inside.pseudonymise !== outside.pseudonymise;
}

function attempt(compute: () => RowScope | undefined): ScopeResult {
  try {
    return { known: true, scope: compute() };
  } catch (error) {
    if (error instanceof UnknownScopeError) return { known: false, reason: error.message };
    throw error;
  }
}

export function compareResponse(input: ComparisonInput): Comparison {
  return new ResponseComparison(input).run();
}

class ResponseComparison {
  private readonly mismatches: Mismatch[] = [];
  private readonly observations: Observation[] = [];
  private readonly denials: ExpectedDenial[] = [];

  constructor(private readonly input: ComparisonInput) {}

  run(): Comparison {
    const { operation, aliases, reference, data } = this.input;
    if (!isResponseObject(data)) {
      this.mismatches.push({ coordinate: operation.lookup.coordinate, path: '(data)', expected: 'an object', actual: describeValue(data) });
    } else {
      // The root value carries no row scope: root fields are decided as out of scope.
      const query: ObjectContext = { typeName: 'Query', origin: operation.lookup.resolvedBy, originScope: { known: true, scope: undefined }, reference };
      for (const alias of aliases) this.field(operation.root, query, reference[alias], data[alias], [alias]);
    }
    this.matchErrors();
    return { mismatches: this.mismatches, observations: this.observations };
  }

  /** The scope enforcement uses for a field of `parent` resolved in `subgraph`. */
  private scopeIn(parent: ObjectContext, subgraph: string): ScopeResult {
    if (subgraph === parent.origin) return parent.originScope;
    const { model, scopes } = this.input;
    // Fetched by key from another subgraph: the owner loads it with its own scope; an extension has none.
    if (model.entity(parent.typeName)?.owner === subgraph) return attempt(() => scopes.own(parent.typeName, parent.reference));
    return { known: true, scope: EXTENSION_SCOPE };
  }

  private decideField(field: MatrixField, scope: ScopeResult): { verdict: AccessDecision; side: Observation['side'] } | { unknown: string } {
    const { policy, caller } = this.input;
    if (scope.known) {
      const verdict = expectedVerdict(policy, caller, field, scope.scope);
      return { verdict, side: verdict.inScope ? 'in' : 'out' };
    }
    // Without a scope the expectation is still certain when both sides give the same decision.
    if (dependsOnScope(policy, caller, field)) return { unknown: scope.reason };
    return { verdict: expectedVerdict(policy, caller, field, undefined), side: 'unknown' };
  }

  private field(selected: SelectedField, parent: ObjectContext, referenceValue: unknown, actualValue: unknown, path: (string | number)[]): void {
    const { field } = selected;
    const subgraph = field.resolvedBy ?? parent.origin;
    const scope = this.scopeIn(parent, subgraph);
    const decided = this.decideField(field, scope);
    const where = pathKey(path);
    if ('unknown' in decided) {
      this.mismatches.push({
        coordinate: field.coordinate,
        path: where,
        expected: `a decision (scope unknown: ${decided.unknown})`,
        actual: describeValue(actualValue),
      });
      return;
    }
    const { verdict, side } = decided;
    const hasValue = referenceValue !== null && referenceValue !== undefined && !(Array.isArray(referenceValue) && referenceValue.length === 0);
    // A null looks the same in clear, masked or pseudonymised: it only settles fields that cannot be rendered otherwise.
    const renderable = field.stringLike && (field.classification.mask !== null || field.classification.category === 'IDENTITY');
    this.observations.push({
      coordinate: field.coordinate,
      side,
      decision: verdict.decision,
      conclusive: verdict.decision === 'DENY' || hasValue || !renderable,
    });

    if (verdict.decision === 'DENY') {
      if (actualValue !== null)
        this.mismatches.push({ coordinate: field.coordinate, path: where, expected: 'null + FORBIDDEN_FIELD', actual: describeValue(actualValue) });
      this.denials.push({ path: JSON.stringify(path), coordinate: field.coordinate, field });
      return;
    }
    if (verdict.decision === 'MASK') {
      const style = field.classification.mask!;
      if (referenceValue !== null && typeof referenceValue !== 'string')
        throw new Error(`${field.coordinate} is masked but its reference value is ${describeValue(referenceValue)}`);
      const expected = maskValue(style, referenceValue);
      if (actualValue !== expected)
        this.mismatches.push({
          coordinate: field.coordinate,
          path: where,
          expected: `${style} mask ${describeValue(expected)}`,
          actual: describeValue(actualValue),
        });
      return;
    }
    if (selected.children === null) {
      // A pseudonymising role's identifiers come sealed (the subgraphs' secret seals them the same everywhere).
      const expected = verdict.pseudonymise && referenceValue !== null ? sealIdentifier(this.input.pseudonymSecret, String(referenceValue)) : referenceValue;
      if (!isDeepStrictEqual(actualValue, expected)) {
        this.mismatches.push({
          coordinate: field.coordinate,
          path: where,
          expected: `${verdict.pseudonymise ? 'sealed' : 'clear'} ${describeValue(expected)}`,
          actual: describeValue(actualValue),
        });
      }
      return;
    }
    this.objectValue(selected, subgraph, scope, referenceValue, actualValue, path);
  }

  /** An allowed object field: the same shape as the reference, each object walked in its own context. */
  private objectValue(
    selected: SelectedField,
    subgraph: string,
    parentScope: ScopeResult,
    referenceValue: unknown,
    actualValue: unknown,
    path: (string | number)[],
  ): void {
    const { field } = selected;
    if (referenceValue === null || referenceValue === undefined || actualValue === null || actualValue === undefined) {
      if (referenceValue !== actualValue)
        this.mismatches.push({
          coordinate: field.coordinate,
          path: pathKey(path),
          expected: `clear ${describeValue(referenceValue)}`,
          actual: describeValue(actualValue),
        });
      return;
    }
    if (Array.isArray(referenceValue)) {
      if (!Array.isArray(actualValue) || actualValue.length !== referenceValue.length) {
        this.mismatches.push({
          coordinate: field.coordinate,
          path: pathKey(path),
          expected: `a list of ${referenceValue.length}`,
          actual: Array.isArray(actualValue) ? `a list of ${actualValue.length}` : describeValue(actualValue),
        });
        return;
      }
      referenceValue.forEach((item, index) => this.objectValue(selected, subgraph, parentScope, item, actualValue[index], [...path, index]));
      return;
    }
    if (!isResponseObject(referenceValue) || !isResponseObject(actualValue)) {
      this.mismatches.push({ coordinate: field.coordinate, path: pathKey(path), expected: 'an object', actual: describeValue(actualValue) });
      return;
    }
    const context = this.childContext(field, subgraph, parentScope, referenceValue);
    for (const child of selected.children!)
      this.field(child, context, referenceValue[child.field.name], actualValue[child.field.name], [...path, child.field.name]);
  }

  /**
   * The object a field returns: an entity its subgraph owns is loaded with its own scope; an entity it
   * does not own is a key stub carrying the referring record's scope; anything else belongs to its parent.
   */
  private childContext(field: MatrixField, subgraph: string, parentScope: ScopeResult, reference: ResponseObject): ObjectContext {
    const typeName = field.namedType.name;
    const entity = this.input.model.entity(typeName);
    let originScope: ScopeResult;
    if (entity && entity.owner === subgraph) originScope = attempt(() => this.input.scopes.own(typeName, reference));
    else if (!entity && UNSCOPED_VALUE_TYPES.has(typeName)) originScope = { known: true, scope: undefined };
    else originScope = parentScope;
    return { typeName, origin: subgraph, originScope, reference };
  }

  /** Exactly one FORBIDDEN_FIELD error per denied field, at its path; no other error at all. */
  private matchErrors(): void {
    const { policy, errors } = this.input;
    const unmatched = [...errors];
    for (const denial of this.denials) {
      const atPath = unmatched.filter((error) => JSON.stringify(error.path ?? null) === denial.path);
      const path = pathKey(JSON.parse(denial.path) as (string | number)[]);
      // A field the role may read in no scope is denied by the gateway, which does not tell such a role the tier.
      const neverReadable = deniedInEveryScope(policy, this.input.caller.role, denial.field.classification, this.input.caller.purpose);
      const expected = `FORBIDDEN_FIELD ${denial.coordinate} ${neverReadable ? 'undefined' : denial.field.classification.tier} ${policy.version}`;
      if (atPath.length !== 1) {
        this.mismatches.push({
          coordinate: denial.coordinate,
          path,
          expected: `one error: ${expected}`,
          actual: atPath.length === 0 ? 'no error' : `${atPath.length} errors`,
        });
      }
      const error = atPath[0];
      if (!error) continue;
      unmatched.splice(unmatched.indexOf(error), 1);
      const extensions = error.extensions ?? {};
      const actual = `${String(extensions['code'])} ${String(extensions['coordinate'])} ${String(extensions['tier'])} ${String(extensions['policyVersion'])}`;
      const decisionId = extensions['decisionId'];
      if (actual !== expected || typeof decisionId !== 'string' || decisionId.length === 0) {
        this.mismatches.push({
          coordinate: denial.coordinate,
          path,
          expected: `error ${expected} with a decisionId`,
          actual: `error ${actual}${typeof decisionId === 'string' && decisionId ? '' : ' without a decisionId'}`,
        });
      }
    }
    for (const error of unmatched) {
      const extensions = error.extensions ?? {};
      this.mismatches.push({
        coordinate: typeof extensions['coordinate'] === 'string' ? extensions['coordinate'] : '(none)',
        path: error.path ? pathKey(error.path) : '(no path)',
        expected: 'no error',
        actual: `${String(extensions['code'])}: ${error.message}`.slice(0, 80),
      });
    }
  }
}
