/**
 * How the enforcement layer hands an aggregate field's decision to its resolver: under a symbol on the
 * arguments object, which GraphQL never shows and no client can set. A resolver that finds none refuses
 * (deny by default), so an aggregate can only be computed the way the policy decided it.
 */
import type { AggregateAccess } from '../access';

const AGGREGATE_ACCESS: unique symbol = Symbol.for('icg.aggregateAccess');

type WithAccess = { [AGGREGATE_ACCESS]?: AggregateAccess };

/** A copy of `args` carrying the decision (the original may be shared by graphql-js between fields). */
export function withAggregateAccess<Args extends object>(args: Args, access: AggregateAccess): Args {
  const copy = { ...args } as Args & WithAccess;
  Object.defineProperty(copy, AGGREGATE_ACCESS, { value: access, enumerable: false });
  return copy;
}

/** The decision enforcement made for this field, or undefined when the field was not decided as an aggregate. */
export function aggregateAccessOf(args: object): AggregateAccess | undefined {
  return (args as WithAccess)[AGGREGATE_ACCESS];
}
