/**
 * Decides whether the caller may perform an action on a record (docs/access-model.md, "Actions"): the policy file's
 * `actions` section grants each action to roles, each in a scope (OWN, BRANCH, ALL, with the read rules' meaning), and
 * may name a person on the record who may not perform it (the two-person rule). Deny by default: an action or role
 * the file does not list is refused. Pure: the same policy, caller and target always give the same decision.
 */
import { GraphQLError } from 'graphql';
import { isInScope, type AccessPolicy, type Caller, type Role, type Scope } from '../access';
import type { SecondPersonRule, WorkflowAction } from '../domain/actions';
import type { RowScope } from '../row-scope';

/**
 * The record an action is performed on: its row scope (for a record being created, the scope it will have) and the
 * people on it a two-person rule can name (`proposer`: who proposed it; `handler`: who handles it).
 */
export interface ActionTarget {
  scope: RowScope;
  people?: Readonly<Partial<Record<SecondPersonRule, string | null>>>;
}

/** An allowed action: which grant allowed it, for the audit trail (`customer.create/CUSTOMER_MANAGER/OWN`). */
export interface ActionDecision {
  action: WorkflowAction;
  role: Role;
  scope: Scope;
  rule: string;
  policyVersion: string;
}

/**
 * Why an action was refused; the audit trail's rule and the error's `reason`. AUTHORITY_LIMIT: the amount is above
 * what the caller may approve (claim approval authority, decided in the claims subgraph's code). APPROVAL_LEVEL: the
 * approval belongs to another level of the org tree than the caller's branch (a manager grade: senior and principal
 * by a provincial branch, the others by a city branch; decided in the customers subgraph's code).
 */
export type ActionRefusalReason = 'NOT_GRANTED' | 'OUT_OF_SCOPE' | 'SECOND_PERSON' | 'AUTHORITY_LIMIT' | 'APPROVAL_LEVEL';

/** A refused action, before it becomes the client's FORBIDDEN_ACTION error (runMutation audits it first). */
export class ActionRefused extends Error {
  override name = 'ActionRefused';
  constructor(
    readonly action: WorkflowAction,
    readonly reason: ActionRefusalReason,
    readonly rule: string,
    readonly policyVersion: string,
  ) {
    super(`${action} refused: ${rule}`);
  }
}

const REASON_TEXT: Readonly<Record<ActionRefusalReason, string>> = {
  NOT_GRANTED: 'your role may not perform it',
  OUT_OF_SCOPE: 'the record is outside your scope for it',
  SECOND_PERSON: 'a second person must perform it',
  AUTHORITY_LIMIT: 'the amount is above your approval authority',
  APPROVAL_LEVEL: 'it is approved at another level of the org tree than your branch',
};

/** What the client gets: the action, why, and the policy version that decided; `decisionId` names the audit record. */
export function forbiddenActionError(refusal: ActionRefused, decisionId?: string): GraphQLError {
  return new GraphQLError(`Not allowed to perform "${refusal.action}": ${REASON_TEXT[refusal.reason]}`, {
    extensions: {
      code: 'FORBIDDEN_ACTION',
      action: refusal.action,
      reason: refusal.reason,
      policyVersion: refusal.policyVersion,
      ...(decisionId ? { decisionId } : {}),
    },
  });
}

/** The decision for one action; throws ActionRefused when it is refused. */
export function authorizeAction(context: { policy: AccessPolicy; caller: Caller }, action: WorkflowAction, target: ActionTarget): ActionDecision {
  const { policy, caller } = context;
  const grant = Object.hasOwn(policy.actions, action) ? policy.actions[action] : undefined;
  // Object.hasOwn: roles come from tokens, and `__proto__` must not find anything.
  const scope = grant && Object.hasOwn(grant.roles, caller.role) ? grant.roles[caller.role] : undefined;
  if (grant === undefined || scope === undefined) throw new ActionRefused(action, 'NOT_GRANTED', `${action}/${caller.role}/not-granted`, policy.version);
  const rule = `${action}/${caller.role}/${scope}`;
  if (!isInScope(scope, caller, target.scope)) throw new ActionRefused(action, 'OUT_OF_SCOPE', `${rule}/out-of-scope`, policy.version);
  if (grant.secondPerson !== null)
    assertSecondPerson(action, grant.secondPerson, caller, target, `${rule}/second-person:${grant.secondPerson}`, policy.version);
  return { action, role: caller.role, scope, rule, policyVersion: policy.version };
}

/**
 * The two-person rule: the caller must not be the person the rule names on the record. A target that does not say
 * who that is (a programming error) is refused rather than guessed.
 */
function assertSecondPerson(action: WorkflowAction, rule: SecondPersonRule, caller: Caller, target: ActionTarget, label: string, version: string): void {
  const person = target.people?.[rule];
  if (person === undefined || person === null || person === '' || person === caller.staffId) {
    throw new ActionRefused(action, 'SECOND_PERSON', label, version);
  }
}
