import { GraphQLError } from 'graphql';
import { defineStateMachine } from '../state-machine';

const changeRequest = defineStateMachine('change request', {
  SUBMITTED: ['SUBMITTED', 'APPROVED', 'REJECTED', 'WITHDRAWN'],
  APPROVED: [],
  REJECTED: [],
  WITHDRAWN: [],
});

function thrown(run: () => void): GraphQLError {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('no error was thrown');
}

describe('defineStateMachine', () => {
  it('allows the declared transitions only', () => {
    expect(changeRequest.canTransition('SUBMITTED', 'APPROVED')).toBe(true);
    expect(changeRequest.canTransition('SUBMITTED', 'SUBMITTED')).toBe(true);
    expect(changeRequest.canTransition('APPROVED', 'REJECTED')).toBe(false);
    expect(changeRequest.next('SUBMITTED')).toEqual(['SUBMITTED', 'APPROVED', 'REJECTED', 'WITHDRAWN']);
    expect(() => changeRequest.assertTransition('SUBMITTED', 'REJECTED')).not.toThrow();
  });

  it('refuses an illegal transition with INVALID_TRANSITION, the current state and the states allowed next', () => {
    const error = thrown(() => changeRequest.assertTransition('APPROVED', 'REJECTED'));
    expect(error.extensions).toEqual({ code: 'INVALID_TRANSITION', currentState: 'APPROVED', requestedState: 'REJECTED', allowed: [] });
    expect(error.message).toBe('A change request in state APPROVED cannot become REJECTED; allowed next: none (it is final)');
  });

  it('refuses a declaration naming a state it does not declare', () => {
    // Bypasses the compile-time check on purpose, as a machine built from data would.
    const transitions = { OPEN: ['CLOSED'] } as unknown as { OPEN: readonly 'OPEN'[] };
    expect(() => defineStateMachine('ticket', transitions)).toThrow('ticket: OPEN → CLOSED names an undeclared state');
  });
});
