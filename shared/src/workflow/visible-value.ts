/**
 * A value a mutation's error names (an existing duplicate's key, say) as the caller may see it: the field's read
 * decision for that record, so an error never shows more than a query would. Anything but a clear ALLOW (a masked,
 * denied or pseudonymised value) is left out: an error cannot carry the masked or sealed form consistently.
 */
import { decide, type AccessPolicy, type Caller, type FieldClassification } from '../access';
import type { RowScope } from '../row-scope';

export function valueAsCallerMaySee(
  context: { policy: AccessPolicy; caller: Caller },
  classification: FieldClassification,
  scope: RowScope | undefined,
  value: string,
): string | null {
  const verdict = decide(context.policy, context.caller, classification, scope);
  return verdict.decision === 'ALLOW' && !verdict.pseudonymise ? value : null;
}
