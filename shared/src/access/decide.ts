/**
 * One decision for one caller, one field and one record (docs/access-model.md sections 2–4). Pure: the same
 * policy, caller, classification and row scope always give the same decision, so gateway and subgraph agree.
 */
import type { RowScope } from '../row-scope';
import { CATEGORIES } from './access-policy';
import type { AccessPolicy, AccessRule, Category, Decision, FieldClassification, Purpose, Role, RolePolicy, Scope } from './access-policy';

export interface Caller {
  staffId: string;
  role: Role;
  /** Materialised path of the caller's branch, e.g. `/1/3/`. */
  branchPath: string;
  /** Manager grade; carried for audit, the default matrix does not depend on it. */
  grade: string | null;
  purpose: Purpose | null;
}

export interface AccessDecision {
  decision: Decision;
  /** Whether the record is in the caller's (effective) scope. */
  inScope: boolean;
  /** Which rule decided, for the audit trail, e.g. `CUSTOMER_MANAGER/CONFIDENTIAL/out` (labels listed at `decide`). */
  rule: string;
  /**
   * ALLOW, but return the value sealed (`ps_…`, shared/src/access/sealed-identifier.ts) instead of in clear: the
   * IDENTITY fields of a role whose policy pseudonymises identifiers (BI analysts).
   */
  pseudonymise: boolean;
  /** For an ALLOW on an aggregate field (`@classified(…, aggregate: true)`): how the statistic may be computed. */
  aggregate?: AggregateAccess;
}

/**
 * How a role may read a statistic over records (docs/access-model.md, "Aggregates"):
 * - EXACT: the role may read the records' own values in scope, so it gets exact groups over the rows of `scope`;
 * - SUPPRESSED: the role may not, but the policy grants it aggregates: groups of fewer than `minimumGroupSize`
 *   records (and the complementary groups that would let one recompute them) are suppressed; min and max only
 *   with `extremes`.
 * Either way only rows in `scope` (the scope the field's rule is decided on) are aggregated.
 */
export type AggregateAccess =
  | { readonly mode: 'EXACT'; readonly scope: Scope }
  | { readonly mode: 'SUPPRESSED'; readonly scope: Scope; readonly minimumGroupSize: number; readonly extremes: boolean };

/** Deny by default: a field without a classification counts as RESTRICTED, unmaskable. */
export const UNCLASSIFIED: Readonly<FieldClassification> = Object.freeze({ tier: 'RESTRICTED', category: 'GENERAL', mask: null });

/**
 * Rule labels: `ROLE/TIER/side` or `ROLE/CATEGORY/side` (side `in` or `out`), `PUBLIC`, or `ROLE/unknown-role`
 * and `ROLE/unknown-classification`; fallbacks append `;no-purpose` (ALLOW became MASK) and
 * `;no-mask-style` (MASK became DENY).
 */
export function decide(policy: AccessPolicy, caller: Caller, field: FieldClassification, scope: RowScope | undefined): AccessDecision {
  const rolePolicy = roleOf(policy, caller.role);
  if (!rolePolicy) return { decision: 'DENY', inScope: false, rule: `${caller.role}/unknown-role`, pseudonymise: false };
  const applicable = applicableRule(rolePolicy, field);
  // An aggregate is about the rows of the caller's scope (the statement selects only those), never one record.
  const inScope = field.aggregate === true || isInScope(applicable?.scope ?? rolePolicy.scope, caller, scope);
  return { ...decideOnSide(policy, caller.role, rolePolicy, field, caller.purpose, inScope), inScope };
}

/** True when the role gets DENY in scope and out of scope: the gateway removes such fields before planning. */
export function deniedInEveryScope(policy: AccessPolicy, role: Role, field: FieldClassification, purpose: Purpose | null): boolean {
  const rolePolicy = roleOf(policy, role);
  if (!rolePolicy) return true;
  return [true, false].every((inScope) => decideOnSide(policy, role, rolePolicy, field, purpose, inScope).decision === 'DENY');
}

/**
 * Whether the role's identifiers are sealed: IDENTITY values it reads come back as `ps_…`, and every identifier it
 * sends (IDENTITY arguments, cursors, entity keys between subgraphs) must be one of those, opened by the subgraph
 * before any resolver sees it. False for a role the policy does not know (it is denied everything anyway).
 */
export function sealsIdentifiers(policy: AccessPolicy, role: string): boolean {
  return roleOf(policy, role)?.pseudonymiseIdentifiers ?? false;
}

/** The scope a field's decision depends on for a role (its category rule's, else the role's); undefined for an unknown role. */
export function scopeFor(policy: AccessPolicy, role: Role, field: FieldClassification): Scope | undefined {
  const rolePolicy = roleOf(policy, role);
  if (!rolePolicy) return undefined;
  return applicableRule(rolePolicy, field)?.scope ?? rolePolicy.scope;
}

/**
 * OWN: the caller is among the record's responsible staff. BRANCH: the record's branch is the caller's or
 * below it. ALL: every record. A missing or malformed row scope is out of scope for every scope (deny by default).
 */
export function isInScope(scope: Scope, caller: Pick<Caller, 'staffId' | 'branchPath'>, record: RowScope | undefined): boolean {
  if (!record) return false;
  switch (scope) {
    case 'ALL':
      return true;
    case 'BRANCH':
      // Both paths must be complete (`/1/2/`), or `/1/2` would match `/1/23/` and `` would match everything.
      return isBranchPath(caller.branchPath) && isBranchPath(record.branchPath) && record.branchPath.startsWith(caller.branchPath);
    case 'OWN':
      return caller.staffId !== '' && record.responsibleStaffIds.includes(caller.staffId);
    default:
      return false;
  }
}

const BRANCH_PATH = /^\/(?:[^/]+\/)+$/;
function isBranchPath(path: string): boolean {
  return BRANCH_PATH.test(path);
}

interface ApplicableRule extends AccessRule {
  scope: Scope | null;
  name: string;
}

/** The category exception if the role has one, else the tier rule; undefined for PUBLIC and unknown classifications. */
function applicableRule(rolePolicy: RolePolicy, field: FieldClassification): ApplicableRule | undefined {
  if (field.tier === 'PUBLIC' || !Object.hasOwn(rolePolicy.tiers, field.tier)) return undefined;
  const categoryRule = Object.hasOwn(rolePolicy.categories, field.category) ? rolePolicy.categories[field.category as Category] : undefined;
  if (categoryRule) return { ...categoryRule, name: field.category };
  return { ...rolePolicy.tiers[field.tier], scope: null, name: field.tier };
}

function decideOnSide(
  policy: AccessPolicy,
  role: Role,
  rolePolicy: RolePolicy,
  field: FieldClassification,
  purpose: Purpose | null,
  inScope: boolean,
): Omit<AccessDecision, 'inScope'> {
  if (field.aggregate === true) return decideAggregate(policy, role, rolePolicy, field, purpose);
  if (field.tier === 'PUBLIC') return { decision: 'ALLOW', rule: 'PUBLIC', pseudonymise: false };
  const applicable = applicableRule(rolePolicy, field);
  // A tier or category the policy does not know (a schema ahead of the code) is denied, never guessed.
  if (!applicable || !isKnownCategory(field.category)) return { decision: 'DENY', rule: `${role}/unknown-classification`, pseudonymise: false };

  const side = inScope ? 'in' : 'out';
  let decision = applicable[side];
  let rule = `${role}/${applicable.name}/${side}`;

  // Only purposes the policy lists count as stated; anything else is no purpose.
  const purposeStated = purpose !== null && policy.purposes.includes(purpose);
  const clearNeedsPurpose = (policy.restrictedClearRequiresPurpose && field.tier === 'RESTRICTED') || (rolePolicy.requiresPurpose && field.tier !== 'INTERNAL');
  if (decision === 'ALLOW' && clearNeedsPurpose && !purposeStated) {
    decision = 'MASK';
    rule += ';no-purpose';
  }
  if (decision === 'MASK' && field.mask === null) {
    decision = 'DENY';
    rule += ';no-mask-style';
  }
  // Any allowed IDENTITY value, not only INTERNAL ones, so a later policy opening higher tiers to the role stays pseudonymous.
  const pseudonymise = decision === 'ALLOW' && rolePolicy.pseudonymiseIdentifiers && field.category === 'IDENTITY';
  return { decision, rule, pseudonymise };
}

/**
 * A statistic over records: decided on the records' own classification in scope. ALLOW there gives exact groups;
 * otherwise a role the policy grants aggregates gets them with small groups suppressed; any other role is denied,
 * as it is the records' values (so the gateway removes the field for it). Rule labels: the per-record rule with
 * `;aggregate:exact`, `ROLE/aggregates:k=<k>`, or the per-record rule with `;aggregate:not-granted`.
 */
function decideAggregate(
  policy: AccessPolicy,
  role: Role,
  rolePolicy: RolePolicy,
  field: FieldClassification,
  purpose: Purpose | null,
): Omit<AccessDecision, 'inScope'> {
  const perRecord: FieldClassification = { tier: field.tier, category: field.category, mask: null };
  const scope = applicableRule(rolePolicy, perRecord)?.scope ?? rolePolicy.scope;
  const own = decideOnSide(policy, role, rolePolicy, perRecord, purpose, true);
  if (own.decision === 'ALLOW') return { decision: 'ALLOW', rule: `${own.rule};aggregate:exact`, pseudonymise: false, aggregate: { mode: 'EXACT', scope } };
  const grant = rolePolicy.aggregates;
  if (!grant || !isKnownCategory(field.category) || !Object.hasOwn(rolePolicy.tiers, field.tier))
    return { decision: 'DENY', rule: `${own.rule};aggregate:not-granted`, pseudonymise: false };
  return {
    decision: 'ALLOW',
    rule: `${role}/aggregates:k=${grant.minimumGroupSize}`,
    pseudonymise: false,
    aggregate: { mode: 'SUPPRESSED', scope, minimumGroupSize: grant.minimumGroupSize, extremes: grant.extremes },
  };
}

const KNOWN_CATEGORIES: ReadonlySet<string> = new Set(CATEGORIES);
function isKnownCategory(category: string): boolean {
  return KNOWN_CATEGORIES.has(category);
}

/** Roles come from tokens: one the policy does not know gets nothing (Object.hasOwn keeps `__proto__` out). */
function roleOf(policy: AccessPolicy, role: string): RolePolicy | undefined {
  return Object.hasOwn(policy.roles, role) ? policy.roles[role as Role] : undefined;
}
