import { GraphQLError } from 'graphql';
import { loadAccessPolicy, type Caller } from '../../access';
import { rowScope } from '../../row-scope';
import { ActionRefused, authorizeAction, forbiddenActionError } from '../authorize-action';

const policy = loadAccessPolicy();
const manager: Caller = { staffId: '501', role: 'CUSTOMER_MANAGER', branchPath: '/1/3/9/', grade: 'REGULAR', purpose: null };
const operator: Caller = { staffId: '601', role: 'OPERATOR', branchPath: '/1/3/', grade: null, purpose: null };
const hotline: Caller = { staffId: '701', role: 'HOTLINE_AGENT', branchPath: '/1/', grade: null, purpose: null };

/** The refusal authorizeAction throws, or a failure if it allowed the action. */
function refusal(run: () => unknown): ActionRefused {
  try {
    run();
  } catch (error) {
    if (error instanceof ActionRefused) return error;
    throw error;
  }
  throw new Error('the action was allowed');
}

describe('authorizeAction', () => {
  const ownCustomer = { scope: rowScope('/1/3/9/', '501') };
  const colleaguesCustomer = { scope: rowScope('/1/3/9/', '502') };

  it('allows a granted role on a record in its scope and names the grant and policy version', () => {
    expect(authorizeAction({ policy, caller: manager }, 'customer.change.propose', ownCustomer)).toEqual({
      action: 'customer.change.propose',
      role: 'CUSTOMER_MANAGER',
      scope: 'OWN',
      rule: 'customer.change.propose/CUSTOMER_MANAGER/OWN',
      policyVersion: policy.version,
    });
    // BRANCH: the operator's branch /1/3/ is above the record's /1/3/9/.
    expect(authorizeAction({ policy, caller: operator }, 'customer.change.propose', colleaguesCustomer).scope).toBe('BRANCH');
  });

  it('refuses a role the action is not granted to (deny by default)', () => {
    const refused = refusal(() => authorizeAction({ policy, caller: hotline }, 'customer.change.propose', ownCustomer));
    expect(refused.reason).toBe('NOT_GRANTED');
    expect(refused.rule).toBe('customer.change.propose/HOTLINE_AGENT/not-granted');
  });

  it('refuses a record outside the grant’s scope', () => {
    expect(refusal(() => authorizeAction({ policy, caller: manager }, 'customer.change.propose', colleaguesCustomer)).reason).toBe('OUT_OF_SCOPE');
    // Another province's record is outside the operator's branch.
    const elsewhere = { scope: rowScope('/1/4/12/', '501') };
    expect(refusal(() => authorizeAction({ policy, caller: operator }, 'customer.change.propose', elsewhere)).reason).toBe('OUT_OF_SCOPE');
  });

  it('applies the two-person rule: the proposer never approves, and an unnamed proposer is refused rather than guessed', () => {
    const proposedByOperator = { scope: rowScope('/1/3/9/', '501'), people: { proposer: '601' } };
    expect(refusal(() => authorizeAction({ policy, caller: operator }, 'customer.change.approve', proposedByOperator)).reason).toBe('SECOND_PERSON');
    const proposedByManager = { scope: rowScope('/1/3/9/', '501'), people: { proposer: '501' } };
    expect(authorizeAction({ policy, caller: operator }, 'customer.change.approve', proposedByManager).rule).toBe('customer.change.approve/OPERATOR/BRANCH');
    expect(refusal(() => authorizeAction({ policy, caller: operator }, 'customer.change.approve', { scope: rowScope('/1/3/9/') })).reason).toBe(
      'SECOND_PERSON',
    );
  });

  it('refuses every action to a policy without an actions section', () => {
    const noActions = { ...policy, actions: {} };
    expect(refusal(() => authorizeAction({ policy: noActions, caller: manager }, 'customer.create', ownCustomer)).reason).toBe('NOT_GRANTED');
  });

  it('answers FORBIDDEN_ACTION naming the action, the reason and the policy version', () => {
    const refused = refusal(() => authorizeAction({ policy, caller: hotline }, 'customer.create', ownCustomer));
    const error = forbiddenActionError(refused, 'decision-1');
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.message).toContain('"customer.create"');
    expect(error.extensions).toEqual({
      code: 'FORBIDDEN_ACTION',
      action: 'customer.create',
      reason: 'NOT_GRANTED',
      policyVersion: policy.version,
      decisionId: 'decision-1',
    });
  });
});
