/**
 * What the matrix must have checked for a caller: every field the generated operations select that can
 * reach them, on every side of their scope it can reach them on. A child object shares its parent's
 * record, so it is seen only on the sides where the parent field is not denied (a customer manager never
 * sees a colleague's customer's addresses, which are denied as a whole); an entity has its own record,
 * seen on both sides. Where the policy decides both sides alike, one check on either side is enough.
 * A check counts when it is conclusive: a denial, or a value that is there to be shown, masked or hidden.
 */
import type { AccessPolicy } from '@icg/shared';
import type { MatrixCaller } from './matrix-callers';
import { dependsOnScope, expectedVerdict, type Observation } from './matrix-expectations';
import type { MatrixOperation, SelectedField } from './matrix-operations';
import type { MatrixSchema } from './matrix-schema';

type Side = 'in' | 'out';
const BOTH_SIDES: readonly Side[] = ['in', 'out'];

/** Each coordinate with the sides of the caller's scope it can be reached on. */
function reachableSides(model: MatrixSchema, policy: AccessPolicy, caller: MatrixCaller, operations: readonly MatrixOperation[]): Map<string, Set<Side>> {
  const reachable = new Map<string, Set<Side>>();
  // Any member of the role: only the decision per side matters here.
  const member = caller.staffPool[0]!.caller;
  const inScope = { branchPath: member.branchPath, responsibleStaffIds: [member.staffId] };
  const visit = (selected: SelectedField, sides: readonly Side[]) => {
    const seen = reachable.get(selected.field.coordinate) ?? new Set<Side>();
    for (const side of sides) seen.add(side);
    reachable.set(selected.field.coordinate, seen);
    const readable = sides.filter((side) => expectedVerdict(policy, member, selected.field, side === 'in' ? inScope : undefined).decision !== 'DENY');
    if (readable.length === 0 || !selected.children) return;
    const childSides = model.entity(selected.field.namedType.name) ? BOTH_SIDES : readable;
    for (const child of selected.children) visit(child, childSides);
  };
  for (const operation of operations) visit(operation.root, BOTH_SIDES);
  return reachable;
}

/** What is missing for the caller, one line per coordinate and side; empty when the matrix is complete. */
export function coverageGaps(
  model: MatrixSchema,
  policy: AccessPolicy,
  caller: MatrixCaller,
  operations: readonly MatrixOperation[],
  observations: readonly Observation[],
): string[] {
  const checked = new Map<string, Set<Observation['side']>>();
  for (const observation of observations)
    if (observation.conclusive) checked.set(observation.coordinate, (checked.get(observation.coordinate) ?? new Set()).add(observation.side));
  const member = caller.staffPool[0]!.caller;
  const gaps: string[] = [];
  for (const [coordinate, sides] of reachableSides(model, policy, caller, operations)) {
    const seen = checked.get(coordinate);
    if (!seen) gaps.push(`${coordinate} never checked on a value`);
    else if (dependsOnScope(policy, member, model.field(coordinate))) {
      for (const side of sides) if (!seen.has(side)) gaps.push(`${coordinate} never checked on a value ${side === 'in' ? 'in' : 'out of'} scope`);
    }
  }
  return gaps;
}
