/**
 * Which customers are large (大客户, DOMAIN.md section 5): 12-month written premium, consolidated over the corporate
 * group, at or above a threshold (¥1 million by default, CUSTOMERS_LARGE_CUSTOMER_PREMIUM_YUAN). The premium is the
 * policy admin system's; the CRM keeps a ledger of it from the policy events (bound — a renewal is bound too —,
 * cancelled, reinstated) in its own store, so the manager rules check it in their own transaction. The share of an
 * org unit's premium and the top 50 of a scope, the other criteria of section 5, are the insights' (issue 11).
 */
import { addDays, changedFields, isoDate, toBoolean, toId, type EventHandlerContext, type EventHandlers, type Knex } from '@icg/shared';

export const PREMIUM_LEDGER_TABLE = 'customer_premium_ledger';

export interface PremiumLedgerRow {
  policy_no: string;
  customer_id: number | string;
  effective_date: string;
  written_premium: number | string;
  counts: boolean | number;
}

/** SQLite's limit on bound values is 999; whereIn lists stay well below it. */
const CHUNK = 500;

function chunks<T>(values: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < values.length; start += CHUNK) result.push(values.slice(start, start + CHUNK));
  return result;
}

/**
 * The large customers among `customerIds` on `today`: each customer's group is the group head (the organisation a
 * business profile names as group parent, or the customer itself) with every organisation under it; groups are one
 * level deep. Premium counts for policies whose cover started in the 12 months up to today and are not cancelled.
 */
export async function largeCustomersAmong(
  db: Knex | Knex.Transaction,
  customerIds: readonly string[],
  today: Date,
  thresholdYuan: number,
): Promise<Set<string>> {
  const ids = [...new Set(customerIds)];
  if (ids.length === 0) return new Set();
  const headOf = new Map<string, string>(ids.map((id) => [id, id]));
  for (const part of chunks(ids)) {
    const profiles = (await db('business_profiles').whereIn('customer_id', part).whereNotNull('group_parent_customer_id')) as {
      customer_id: number | string;
      group_parent_customer_id: number | string;
    }[];
    for (const profile of profiles) headOf.set(toId(profile.customer_id), toId(profile.group_parent_customer_id));
  }
  const heads = [...new Set(headOf.values())];
  // Every member of each group: the head and the organisations under it.
  const groupOf = new Map<string, string>(heads.map((head) => [head, head]));
  for (const part of chunks(heads)) {
    const members = (await db('business_profiles').whereIn('group_parent_customer_id', part).select('customer_id', 'group_parent_customer_id')) as {
      customer_id: number | string;
      group_parent_customer_id: number | string;
    }[];
    for (const member of members) groupOf.set(toId(member.customer_id), toId(member.group_parent_customer_id));
  }
  const premiumOfGroup = new Map<string, number>();
  const from = isoDate(addDays(today, -365));
  const to = isoDate(today);
  for (const part of chunks([...groupOf.keys()])) {
    const sums = (await db(PREMIUM_LEDGER_TABLE)
      .whereIn('customer_id', part)
      .andWhere('counts', true)
      .andWhere('effective_date', '>', from)
      .andWhere('effective_date', '<=', to)
      .groupBy('customer_id')
      .select('customer_id')
      .sum({ premium: 'written_premium' })) as { customer_id: number | string; premium: number | string | null }[];
    for (const sum of sums) {
      const group = groupOf.get(toId(sum.customer_id))!;
      premiumOfGroup.set(group, (premiumOfGroup.get(group) ?? 0) + Number(sum.premium ?? 0));
    }
  }
  return new Set(ids.filter((id) => (premiumOfGroup.get(headOf.get(id)!) ?? 0) >= thresholdYuan));
}

/**
 * The ledger the policy events keep: a bound policy (new business or a renewal, each bound once) adds its written
 * premium, a cancelled one stops counting, a reinstated one counts again. Keyed by policy number, so applying an
 * event twice would change nothing either.
 */
export const premiumLedgerEventHandlers: EventHandlers = {
  async 'policy.bound'(trx, event, context) {
    const { policyNo, customerId, effectiveDate, writtenPremium } = event.payload;
    const row: PremiumLedgerRow = {
      policy_no: policyNo,
      customer_id: customerId,
      effective_date: effectiveDate,
      written_premium: writtenPremium,
      counts: true,
    };
    const before = (await trx(PREMIUM_LEDGER_TABLE).where('policy_no', policyNo).first()) as PremiumLedgerRow | undefined;
    await trx(PREMIUM_LEDGER_TABLE).insert(row).onConflict('policy_no').merge();
    recordLedgerChange(context, policyNo, changedFields(before, row));
  },
  async 'policy.cancelled'(trx, event, context) {
    await setCounts(trx, context, event.payload.policyNo, false);
  },
  async 'policy.reinstated'(trx, event, context) {
    await setCounts(trx, context, event.payload.policyNo, true);
  },
};

/** A policy's premium stops or starts counting; audited as the customers system's own change. */
async function setCounts(trx: Knex.Transaction, context: EventHandlerContext, policyNo: string, counts: boolean): Promise<void> {
  const before = (await trx(PREMIUM_LEDGER_TABLE).where('policy_no', policyNo).first('counts')) as Pick<PremiumLedgerRow, 'counts'> | undefined;
  if (before === undefined) return;
  await trx(PREMIUM_LEDGER_TABLE).where('policy_no', policyNo).update({ counts });
  recordLedgerChange(context, policyNo, { counts: { before: toBoolean(before.counts), after: counts } });
}

function recordLedgerChange(context: EventHandlerContext, policyNo: string, fields: Record<string, { before: unknown; after: unknown }>): void {
  if (Object.keys(fields).length > 0) context.changes.record({ recordKey: `PremiumLedgerEntry:${policyNo}`, beforeVersion: null, afterVersion: null, fields });
}
