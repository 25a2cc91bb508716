/**
 * A workflow's states and the transitions allowed between them, declared once per record type; an illegal
 * transition gets INVALID_TRANSITION with the current state and the states allowed next, so a client can tell the
 * user what is possible instead of what went wrong.
 */
import { GraphQLError } from 'graphql';

export interface StateMachine<State extends string> {
  readonly name: string;
  readonly states: readonly State[];
  /** The states allowed after `from`, in declaration order. */
  next(from: State): readonly State[];
  canTransition(from: State, to: State): boolean;
  /** Throws INVALID_TRANSITION unless `from → to` is allowed. */
  assertTransition(from: State, to: State): void;
}

/**
 * `transitions` maps every state to the states it may go to (an empty list: a final state). A state may list itself
 * for a step that changes the record but not its state (an operator completing a change request).
 */
export function defineStateMachine<const State extends string>(
  name: string,
  transitions: { readonly [From in State]: readonly NoInfer<State>[] },
): StateMachine<State> {
  const states = Object.keys(transitions) as State[];
  const table = new Map<State, readonly State[]>(states.map((state) => [state, Object.freeze([...transitions[state]])]));
  for (const [from, targets] of table) {
    for (const to of targets) if (!table.has(to)) throw new Error(`state machine ${name}: ${from} → ${to} names an undeclared state`);
  }
  const next = (from: State): readonly State[] => table.get(from) ?? [];
  const canTransition = (from: State, to: State) => next(from).includes(to);
  return Object.freeze({
    name,
    states: Object.freeze(states),
    next,
    canTransition,
    assertTransition(from: State, to: State) {
      if (!canTransition(from, to)) throw invalidTransition(name, from, to, next(from));
    },
  });
}

export function invalidTransition(machine: string, currentState: string, requestedState: string, allowed: readonly string[]): GraphQLError {
  const options = allowed.length === 0 ? 'none (it is final)' : allowed.join(', ');
  return new GraphQLError(`A ${machine} in state ${currentState} cannot become ${requestedState}; allowed next: ${options}`, {
    extensions: { code: 'INVALID_TRANSITION', currentState, requestedState, allowed: [...allowed] },
  });
}
