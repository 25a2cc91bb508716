/**
 * The access policy as data (docs/access-model.md sections 2–4): a versioned YAML file a security officer
 * reviews, parsed with the `yaml` package and validated strictly, so a typo can never quietly weaken a rule.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { PURPOSES, STAFF_ROLES, type Purpose, type StaffRole } from '../domain/vocabulary';
import { SECOND_PERSON_RULES, WORKFLOW_ACTIONS, type SecondPersonRule, type WorkflowAction } from '../domain/actions';

// One list of purposes and roles for tokens, seed and policy (../domain/vocabulary); re-exported here for
// this module's users. PURPOSES is not re-exported from ./index (the shared package exports the vocabulary).
export { PURPOSES, type Purpose };

/** Ordered confidentiality tiers, lowest first (classification.graphql `enum Tier`). */
export const TIERS = ['PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'RESTRICTED'] as const;
export type Tier = (typeof TIERS)[number];

/** The tiers a role's policy must rule on: PUBLIC is always ALLOW for an authenticated role. */
export const RULED_TIERS = ['INTERNAL', 'CONFIDENTIAL', 'RESTRICTED'] as const;
export type RuledTier = (typeof RULED_TIERS)[number];

/** Need-to-know categories inside a tier (classification.graphql `enum Category`). */
export const CATEGORIES = ['IDENTITY', 'CONTACT', 'FINANCIAL', 'HEALTH', 'CREDIT', 'NARRATIVE', 'GENERAL'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Masked renderings (classification.graphql `enum MaskStyle`, docs/access-model.md section 2). */
export const MASK_STYLES = ['RESIDENT_ID', 'MOBILE', 'NAME', 'EMAIL', 'ADDRESS', 'BANK_ACCOUNT', 'PLATE'] as const;
export type MaskStyle = (typeof MASK_STYLES)[number];

/** Ordered from most to least permissive. */
export const DECISIONS = ['ALLOW', 'MASK', 'DENY'] as const;
export type Decision = (typeof DECISIONS)[number];

/** Ordered from narrowest to widest. */
export const SCOPES = ['OWN', 'BRANCH', 'ALL'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * How a field the role may read in no scope answers (docs/access-model.md section 6): `null` with a FORBIDDEN_FIELD
 * error that does not name its tier (for portals sending one operation for every role), or `unknown`: the operation
 * is validated against the role's own schema, so the field is refused exactly as a field that does not exist.
 */
export const NEVER_READABLE_ANSWERS = ['null', 'unknown'] as const;
export type NeverReadableAnswer = (typeof NEVER_READABLE_ANSWERS)[number];

/**
 * Which operations a role may send (README "For BI users", persisted operations): `any` (the default), or
 * `registeredOnly`: only documents registered with the gateway, called by their sha256 hash. A registeredOnly role may
 * not be granted `operation.register` (the loader refuses it), or it could register any ad-hoc query for itself.
 */
export const OPERATIONS_RULES = ['any', 'registeredOnly'] as const;
export type OperationsRule = (typeof OPERATIONS_RULES)[number];

/** The roles of docs/access-model.md section 4 are the staff roles (STAFF_ROLES), one policy entry each. */
export type Role = StaffRole;

/** A field's `@classified(tier, category, mask)`; `mask: null` means MASK is rendered as DENY. */
export interface FieldClassification {
  tier: Tier;
  category: Category;
  mask: MaskStyle | null;
  /**
   * `@classified(…, aggregate: true)`: the value is a statistic over records whose own values carry this tier and
   * category (decide.ts, "Aggregates"); absent on every other field.
   */
  aggregate?: true;
}

/**
 * Aggregates for a role denied the per-record values (docs/access-model.md, "Aggregates"): groups of fewer than
 * `minimumGroupSize` records are suppressed; `extremes` says whether min and max (each one record's own value) are shown.
 */
export interface AggregateGrant {
  readonly minimumGroupSize: number;
  readonly extremes: boolean;
}

/** The decision for records in the caller's scope and for records outside it. */
export interface AccessRule {
  readonly in: Decision;
  readonly out: Decision;
}

/** A category exception: replaces the tier rule for fields of that category, optionally on a narrower scope. */
export interface CategoryRule extends AccessRule {
  readonly scope: Scope | null;
}

export interface RolePolicy {
  readonly scope: Scope;
  readonly tiers: Readonly<Record<RuledTier, AccessRule>>;
  readonly categories: Readonly<Partial<Record<Category, CategoryRule>>>;
  /** Without a stated purpose, ALLOW above INTERNAL falls back to MASK (auditors). */
  readonly requiresPurpose: boolean;
  /** Allowed IDENTITY values are returned as keyed-hash pseudonyms (BI analysts). */
  readonly pseudonymiseIdentifiers: boolean;
  /** How a field the role may read in no scope answers; `null` when the file says nothing. */
  readonly neverReadable: NeverReadableAnswer;
  /** Which operations the role may send; `any` when the file says nothing. */
  readonly operations: OperationsRule;
  /** Aggregates over values the role may not read per record; absent: not granted (deny by default). */
  readonly aggregates?: AggregateGrant;
}

/**
 * Who may perform one action (docs/access-model.md, "Actions"): each granted role with the scope the record must be
 * in for them; a role not listed is refused. `secondPerson` names the person on the record who may not perform it
 * (the two-person rule), or null.
 */
export interface ActionRule {
  readonly roles: Readonly<Partial<Record<Role, Scope>>>;
  readonly secondPerson: SecondPersonRule | null;
}

export interface AccessPolicy {
  readonly version: string;
  readonly purposes: readonly Purpose[];
  /** Clear RESTRICTED values need a stated purpose; without one ALLOW falls back to MASK. */
  readonly restrictedClearRequiresPurpose: boolean;
  readonly roles: Readonly<Record<Role, RolePolicy>>;
  /** Writes: an action missing here is refused to everyone (deny by default). */
  readonly actions: Readonly<Partial<Record<WorkflowAction, ActionRule>>>;
  /** The file-wide k of small-group suppression (`aggregates.minimumGroupSize`, 5 when the file says nothing). */
  readonly aggregates?: { readonly minimumGroupSize: number };
}

export class AccessPolicyError extends Error {
  constructor(
    readonly source: string,
    /** Every problem found, each `path: what is wrong`. */
    readonly problems: readonly string[],
  ) {
    super(problems.map((problem) => `${source}: ${problem}`).join('\n'));
    this.name = 'AccessPolicyError';
  }
}

/** k of small-group suppression when the policy file names none (docs/access-model.md, "Aggregates"). */
export const DEFAULT_MINIMUM_GROUP_SIZE = 5;

/** `shared/access-policy.yaml`; the same relative path works from src/access and dist/access. */
export const DEFAULT_ACCESS_POLICY_PATH = join(__dirname, '..', '..', 'access-policy.yaml');

export function loadAccessPolicy(path: string = DEFAULT_ACCESS_POLICY_PATH): AccessPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AccessPolicyError(path, [`cannot be read (${error instanceof Error ? error.message : String(error)})`]);
  }
  return parseAccessPolicy(text, path);
}

/** Parses and validates the policy; every problem is reported at once, each named by its path. */
export function parseAccessPolicy(text: string, source: string): AccessPolicy {
  const document = parseDocument(text, { uniqueKeys: true, strict: true, prettyErrors: true });
  const syntaxProblems = [...document.errors, ...document.warnings].map((problem) => `invalid YAML: ${problem.message}`);
  if (syntaxProblems.length > 0) throw new AccessPolicyError(source, syntaxProblems);

  const validator = new PolicyValidator();
  const policy = validator.policy(document.toJS({ maxAliasCount: 100 }));
  if (validator.problems.length > 0 || policy === undefined) throw new AccessPolicyError(source, validator.problems);
  return deepFreeze(policy);
}

type PlainObject = Record<string, unknown>;

const TOP_LEVEL_KEYS = ['version', 'purposes', 'restrictedClearRequiresPurpose', 'roles', 'actions', 'aggregates'] as const;
const ACTION_KEYS = ['roles', 'secondPerson'] as const;
const ROLE_KEYS = ['scope', 'tiers', 'categories', 'requiresPurpose', 'pseudonymiseIdentifiers', 'neverReadable', 'operations', 'aggregates'] as const;
const RULE_KEYS = ['in', 'out'] as const;
const CATEGORY_RULE_KEYS = ['in', 'out', 'scope'] as const;

/** Collects problems instead of stopping at the first, so one review round fixes them all. */
class PolicyValidator {
  readonly problems: string[] = [];

  policy(value: unknown): AccessPolicy | undefined {
    const root = this.object(value, '(document)');
    if (!root) return undefined;
    this.onlyKeys(root, TOP_LEVEL_KEYS, '');
    const version = this.version(root.version);
    const purposes = this.purposes(root.purposes);
    const restrictedClearRequiresPurpose = this.requiredBoolean(root.restrictedClearRequiresPurpose, 'restrictedClearRequiresPurpose');
    // Read before the roles: a role's aggregates default to the file-wide k.
    this.minimumGroupSize = this.groupSize(root.aggregates);
    const roles = this.roles(root.roles);
    const actions = this.actions(root.actions);
    if (version === undefined || purposes === undefined || restrictedClearRequiresPurpose === undefined || roles === undefined || actions === undefined)
      return undefined;
    this.registrationKeepsRestriction(roles, actions);
    return { version, purposes, restrictedClearRequiresPurpose, roles, actions, aggregates: { minimumGroupSize: this.minimumGroupSize } };
  }

  /** Absent means no action is granted to anyone; every name must be one the code performs (WORKFLOW_ACTIONS). */
  private actions(value: unknown): Partial<Record<WorkflowAction, ActionRule>> | undefined {
    if (value === undefined || value === null) return {};
    const entries = this.object(value, 'actions');
    if (!entries) return undefined;
    this.onlyKeys(entries, WORKFLOW_ACTIONS, 'actions', 'action');
    const parsed: Partial<Record<WorkflowAction, ActionRule>> = {};
    let complete = true;
    for (const action of WORKFLOW_ACTIONS) {
      if (!(action in entries)) continue;
      const rule = this.actionRule(entries[action], `actions.${action}`);
      if (rule) parsed[action] = rule;
      else complete = false;
    }
    return complete ? parsed : undefined;
  }

  /** A role restricted to registered operations registering its own would escape the restriction: refused. */
  private registrationKeepsRestriction(roles: Record<Role, RolePolicy>, actions: Partial<Record<WorkflowAction, ActionRule>>): void {
    for (const role of Object.keys(actions['operation.register']?.roles ?? {}) as Role[]) {
      if (roles[role].operations === 'registeredOnly')
        this.fail(
          `actions.operation.register.roles.${role}`,
          `${role} may send registered operations only (roles.${role}.operations), so it may not register them; grant registration to the role that reviews its operations`,
        );
    }
  }

  private actionRule(value: unknown, path: string): ActionRule | undefined {
    const entry = this.object(value, path);
    if (!entry) return undefined;
    this.onlyKeys(entry, ACTION_KEYS, path);
    if (entry.roles === undefined) return this.fail(`${path}.roles`, 'is missing (a mapping of role to scope: OWN, BRANCH or ALL)');
    const roles = this.object(entry.roles, `${path}.roles`);
    if (!roles) return undefined;
    this.onlyKeys(roles, STAFF_ROLES, `${path}.roles`, 'role');
    if (Object.keys(roles).length === 0) this.fail(`${path}.roles`, 'grants the action to no role; leave the action out instead');
    const granted: Partial<Record<Role, Scope>> = {};
    for (const role of STAFF_ROLES) {
      if (!(role in roles)) continue;
      const scope = this.oneOf(roles[role], SCOPES, `${path}.roles.${role}`);
      if (scope !== undefined) granted[role] = scope;
    }
    const secondPerson = entry.secondPerson === undefined ? null : this.oneOf(entry.secondPerson, SECOND_PERSON_RULES, `${path}.secondPerson`);
    if (secondPerson === undefined || Object.keys(granted).length !== Object.keys(roles).length || Object.keys(granted).length === 0) return undefined;
    return { roles: granted, secondPerson };
  }

  private version(value: unknown): string | undefined {
    if (value === undefined) return this.fail('version', 'is missing');
    // An unquoted `2026.11` is a YAML number: insist on a string so the version is reproduced exactly.
    if (typeof value !== 'string') return this.fail('version', `must be a string (quote it), got ${describe(value)}`);
    if (!/^\S+$/.test(value)) return this.fail('version', `must be a non-empty string without spaces, got ${describe(value)}`);
    return value;
  }

  private purposes(value: unknown): Purpose[] | undefined {
    if (value === undefined) return this.fail('purposes', 'is missing');
    if (!Array.isArray(value)) return this.fail('purposes', `must be a list of ${PURPOSES.join(', ')}, got ${describe(value)}`);
    const purposes: Purpose[] = [];
    value.forEach((item: unknown, index) => {
      const purpose = this.oneOf(item, PURPOSES, `purposes[${index}]`);
      if (purpose === undefined) return;
      if (purposes.includes(purpose)) this.fail(`purposes[${index}]`, `"${purpose}" is listed twice`);
      else purposes.push(purpose);
    });
    return purposes.length === value.length ? purposes : undefined;
  }

  private roles(value: unknown): Record<Role, RolePolicy> | undefined {
    if (value === undefined) return this.fail('roles', 'is missing');
    const roles = this.object(value, 'roles');
    if (!roles) return undefined;
    this.onlyKeys(roles, STAFF_ROLES, 'roles', 'role');
    const parsed: Partial<Record<Role, RolePolicy>> = {};
    for (const role of STAFF_ROLES) {
      if (!(role in roles)) {
        this.fail(`roles.${role}`, 'is missing (every role needs an entry)');
        continue;
      }
      const rolePolicy = this.rolePolicy(roles[role], `roles.${role}`);
      if (rolePolicy) parsed[role] = rolePolicy;
    }
    return STAFF_ROLES.every((role) => parsed[role] !== undefined) ? (parsed as Record<Role, RolePolicy>) : undefined;
  }

  private rolePolicy(value: unknown, path: string): RolePolicy | undefined {
    const entry = this.object(value, path);
    if (!entry) return undefined;
    this.onlyKeys(entry, ROLE_KEYS, path);
    const scope = entry.scope === undefined ? this.fail(`${path}.scope`, 'is missing') : this.oneOf(entry.scope, SCOPES, `${path}.scope`);
    const tiers = this.tiers(entry.tiers, `${path}.tiers`);
    // With a broken scope, still check the categories (against the widest scope) so every problem is reported.
    const categories = this.categories(entry.categories, `${path}.categories`, scope ?? 'ALL');
    const requiresPurpose = this.optionalBoolean(entry.requiresPurpose, `${path}.requiresPurpose`);
    const pseudonymiseIdentifiers = this.optionalBoolean(entry.pseudonymiseIdentifiers, `${path}.pseudonymiseIdentifiers`);
    const neverReadable = this.neverReadable(entry.neverReadable, `${path}.neverReadable`);
    const operations = entry.operations === undefined ? 'any' : this.oneOf(entry.operations, OPERATIONS_RULES, `${path}.operations`);
    if (
      scope === undefined ||
      tiers === undefined ||
      categories === undefined ||
      requiresPurpose === undefined ||
      pseudonymiseIdentifiers === undefined ||
      neverReadable === undefined ||
      operations === undefined
    )
      return undefined;
    const aggregates = this.aggregateGrant(entry.aggregates, `${path}.aggregates`);
    if (aggregates === undefined) return undefined;
    return { scope, tiers, categories, requiresPurpose, pseudonymiseIdentifiers, neverReadable, operations, ...(aggregates ? { aggregates } : {}) };
  }

  /** `aggregates: { minimumGroupSize: k }` at the top: the k of every role that does not set its own; 5 when absent. */
  private minimumGroupSize = DEFAULT_MINIMUM_GROUP_SIZE;
  private groupSize(value: unknown): number {
    if (value === undefined || value === null) return DEFAULT_MINIMUM_GROUP_SIZE;
    const entry = this.object(value, 'aggregates');
    if (!entry) return DEFAULT_MINIMUM_GROUP_SIZE;
    this.onlyKeys(entry, ['minimumGroupSize'], 'aggregates');
    return this.groupSizeValue(entry.minimumGroupSize, 'aggregates.minimumGroupSize') ?? DEFAULT_MINIMUM_GROUP_SIZE;
  }

  private groupSizeValue(value: unknown, path: string): number | undefined {
    if (value === undefined) return this.fail(path, 'is missing (a whole number, 2 or more)');
    // k = 1 would suppress nothing: a "grant" that is really per-record access.
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 2) return this.fail(path, `must be a whole number, 2 or more, got ${describe(value)}`);
    return value;
  }

  /** Absent: not granted (null). `true`: granted with the file-wide k; or a mapping overriding k and extremes. */
  private aggregateGrant(value: unknown, path: string): AggregateGrant | null | undefined {
    if (value === undefined || value === null || value === false) return null;
    if (value === true) return { minimumGroupSize: this.minimumGroupSize, extremes: false };
    const entry = this.object(value, path);
    if (!entry) return undefined;
    this.onlyKeys(entry, ['minimumGroupSize', 'extremes'], path);
    const minimumGroupSize =
      entry.minimumGroupSize === undefined ? this.minimumGroupSize : this.groupSizeValue(entry.minimumGroupSize, `${path}.minimumGroupSize`);
    const extremes = this.optionalBoolean(entry.extremes, `${path}.extremes`);
    if (minimumGroupSize === undefined || extremes === undefined) return undefined;
    return { minimumGroupSize, extremes };
  }

  /** `neverReadable: null` is YAML's null, not a string: absent, null and "null" all mean the default. */
  private neverReadable(value: unknown, path: string): NeverReadableAnswer | undefined {
    if (value === undefined || value === null || value === 'null') return 'null';
    if (value === 'unknown') return 'unknown';
    return this.fail(path, `${describe(value)} is not one of ${NEVER_READABLE_ANSWERS.join(', ')}`);
  }

  private tiers(value: unknown, path: string): Record<RuledTier, AccessRule> | undefined {
    if (value === undefined) return this.fail(path, 'is missing');
    const entry = this.object(value, path);
    if (!entry) return undefined;
    for (const key of Object.keys(entry)) {
      if (key === 'PUBLIC') this.fail(`${path}.PUBLIC`, 'takes no entry: PUBLIC is always ALLOW for an authenticated role');
      else if (!(RULED_TIERS as readonly string[]).includes(key)) this.fail(`${path}.${key}`, `unknown tier; expected one of ${RULED_TIERS.join(', ')}`);
    }
    const parsed: Partial<Record<RuledTier, AccessRule>> = {};
    for (const tier of RULED_TIERS) {
      if (!(tier in entry)) {
        this.fail(`${path}.${tier}`, 'is missing (every tier above PUBLIC needs a rule)');
        continue;
      }
      const rule = this.rule(entry[tier], `${path}.${tier}`, RULE_KEYS);
      if (rule) parsed[tier] = { in: rule.in, out: rule.out };
    }
    const complete = RULED_TIERS.every((tier) => parsed[tier] !== undefined);
    if (complete) this.tiersAreOrdered(parsed as Record<RuledTier, AccessRule>, path);
    return complete ? (parsed as Record<RuledTier, AccessRule>) : undefined;
  }

  /** Tiers are ordered: a higher tier may never be more open than a lower one (catches swapped rows). */
  private tiersAreOrdered(tiers: Record<RuledTier, AccessRule>, path: string): void {
    for (let index = 1; index < RULED_TIERS.length; index++) {
      const lower = RULED_TIERS[index - 1]!;
      const higher = RULED_TIERS[index]!;
      for (const side of RULE_KEYS) {
        if (openness(tiers[higher][side]) > openness(tiers[lower][side])) {
          this.fail(
            `${path}.${higher}.${side}`,
            `${tiers[higher][side]} is more open than ${lower}.${side} (${tiers[lower][side]}); a higher tier may not be more open than a lower one`,
          );
        }
      }
    }
  }

  private categories(value: unknown, path: string, roleScope: Scope): Partial<Record<Category, CategoryRule>> | undefined {
    if (value === undefined || value === null) return {};
    const entry = this.object(value, path);
    if (!entry) return undefined;
    this.onlyKeys(entry, CATEGORIES, path, 'category');
    const parsed: Partial<Record<Category, CategoryRule>> = {};
    for (const category of CATEGORIES) {
      if (!(category in entry)) continue;
      const categoryPath = `${path}.${category}`;
      const rule = this.rule(entry[category], categoryPath, CATEGORY_RULE_KEYS);
      const scope = rule?.scope === undefined ? null : this.narrowedScope(rule.scope, `${categoryPath}.scope`, roleScope);
      if (rule && scope !== undefined) parsed[category] = { in: rule.in, out: rule.out, scope };
    }
    return parsed;
  }

  /** A category may narrow the role's scope (OWN < BRANCH < ALL), never widen it. */
  private narrowedScope(value: unknown, path: string, roleScope: Scope): Scope | undefined {
    const scope = this.oneOf(value, SCOPES, path);
    if (scope === undefined) return undefined;
    if (SCOPES.indexOf(scope) > SCOPES.indexOf(roleScope)) {
      return this.fail(path, `"${scope}" is wider than the role's scope "${roleScope}"; a category may only narrow it`);
    }
    return scope;
  }

  private rule(value: unknown, path: string, allowedKeys: readonly string[]): (AccessRule & { scope?: unknown }) | undefined {
    const entry = this.object(value, path);
    if (!entry) return undefined;
    this.onlyKeys(entry, allowedKeys, path);
    const decisions: Partial<Record<'in' | 'out', Decision>> = {};
    for (const side of RULE_KEYS) {
      if (!(side in entry)) this.fail(`${path}.${side}`, `is missing (one of ${DECISIONS.join(', ')})`);
      else decisions[side] = this.oneOf(entry[side], DECISIONS, `${path}.${side}`);
    }
    if (decisions.in === undefined || decisions.out === undefined) return undefined;
    // Records outside the caller's scope never get more than records inside it.
    if (openness(decisions.out) > openness(decisions.in)) {
      this.fail(`${path}.out`, `${decisions.out} is more open than in (${decisions.in}); out of scope may not be more open than in scope`);
      return undefined;
    }
    return { in: decisions.in, out: decisions.out, scope: entry.scope };
  }

  private object(value: unknown, path: string): PlainObject | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as PlainObject;
    return this.fail(path, `must be a mapping, got ${describe(value)}`);
  }

  private onlyKeys(entry: PlainObject, allowed: readonly string[], path: string, kind = 'key'): void {
    for (const key of Object.keys(entry)) {
      if (!allowed.includes(key)) this.fail(path === '' ? key : `${path}.${key}`, `unknown ${kind}; expected one of ${allowed.join(', ')}`);
    }
  }

  private oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T | undefined {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    return this.fail(path, `${describe(value)} is not one of ${allowed.join(', ')}`);
  }

  private requiredBoolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined) return this.fail(path, 'is missing (true or false)');
    return this.optionalBoolean(value, path);
  }

  private optionalBoolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined) return false;
    if (typeof value === 'boolean') return value;
    return this.fail(path, `must be true or false, got ${describe(value)}`);
  }

  private fail(path: string, problem: string): undefined {
    this.problems.push(`${path}: ${problem}`);
    return undefined;
  }
}

/** 2 = ALLOW, 1 = MASK, 0 = DENY. */
export function openness(decision: Decision): number {
  return DECISIONS.length - 1 - DECISIONS.indexOf(decision);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value)}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
