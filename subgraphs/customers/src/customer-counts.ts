/**
 * The customers each branch holds, by kind and blacklist flag, kept beside the customers in the same transactions
 * (`customer_counts`): `customers(filter)`'s `totalCount` for no filter, a branch subtree, a kind or the blacklist flag
 * sums a few hundred rows instead of counting every customer row, which at 1,000,000 customers cost more than the page.
 *
 * Every write that adds a customer or moves one between these groups goes through `countCustomers`: creation (record
 * maintenance), the blacklist flag (blacklist.ts), the seeder. Nothing deletes a customer, and a customer's branch and
 * kind do not change. Filters the counts do not hold (primary manager, customer-since dates) count the rows.
 */
import { toBoolean, type Knex } from '@icg/shared';
import type { CustomerCriteria } from './loaders';

export const CUSTOMER_COUNTS_TABLE = 'customer_counts';

/** A group of the counts: one branch, one kind, one flag. */
export interface CustomerCountGroup {
  branchPath: string;
  kind: string;
  blacklisted: boolean;
}

/** Adds `delta` customers to each group (negative to take them away), in the caller's transaction. */
export async function countCustomers(trx: Knex | Knex.Transaction, changes: readonly { group: CustomerCountGroup; delta: number }[]): Promise<void> {
  const merged = new Map<string, { group: CustomerCountGroup; delta: number }>();
  for (const { group, delta } of changes) {
    const key = `${group.branchPath}\n${group.kind}\n${group.blacklisted}`;
    const entry = merged.get(key) ?? { group, delta: 0 };
    entry.delta += delta;
    merged.set(key, entry);
  }
  for (const { group, delta } of merged.values()) {
    if (delta === 0) continue;
    await trx
      .table(CUSTOMER_COUNTS_TABLE)
      .insert({ branch_path: group.branchPath, kind: group.kind, blacklisted: group.blacklisted, customers: delta })
      .onConflict(['branch_path', 'kind', 'blacklisted'])
      .merge({ customers: trx.raw('?? + ?', [`${CUSTOMER_COUNTS_TABLE}.customers`, delta]) });
  }
}

/** The group a customer row counts in. */
export function countGroupOf(row: { branch_path: string; kind: string; blacklisted: number | boolean }): CustomerCountGroup {
  return { branchPath: row.branch_path, kind: row.kind, blacklisted: toBoolean(row.blacklisted) };
}

/** True when the counts answer for these criteria: only the branch subtree, the kind and the blacklist flag. */
export function countsServe(criteria: CustomerCriteria): boolean {
  return criteria.primaryManagerStaffId === undefined && criteria.customerSinceFrom === undefined && criteria.customerSinceTo === undefined;
}
