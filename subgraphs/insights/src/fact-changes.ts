/**
 * What one refresh page must write so that the read model's rows of some customers equal the graph's: the rows that
 * are new or differ in a column other than `updated_at`, and the keys of stored rows the graph no longer has.
 *
 * Writing only those keeps a refresh of an up-to-date read model cheap for its database: deleting and inserting every
 * row again (seven indexes on the policies alone) was half of all the CPU phase 1 used. It also leaves `updated_at`
 * meaning when a fact last changed, not when it was last looked at.
 */
import { sameStoredValue, toId } from '@icg/shared';

/** A column the comparison leaves out: the refresh stamps it on the rows it writes. */
const STAMP = 'updated_at';

export interface FactChanges<Row> {
  /** New rows and rows that differ from the stored ones: to be inserted, or to replace the stored row by key. */
  writes: Row[];
  /** Keys of stored rows the graph did not send. */
  deletions: string[];
}

/**
 * `stored`: the rows as read back (MySQL's 1/0 booleans and numeric decimals compare equal to `true` and `'880.00'`);
 * `fresh`: the graph's rows of the same customers, every column the refresh writes.
 */
export function factChanges<Row extends object>(stored: readonly object[], fresh: readonly Row[], key: string): FactChanges<Row> {
  const keyOf = (row: object) => toId((row as Record<string, string | number>)[key]!);
  const storedByKey = new Map<string, object>();
  for (const row of stored) storedByKey.set(keyOf(row), row);
  const writes: Row[] = [];
  for (const row of fresh) {
    const id = keyOf(row);
    const before = storedByKey.get(id);
    storedByKey.delete(id);
    if (before === undefined || differs(before, row)) writes.push(row);
  }
  return { writes, deletions: [...storedByKey.keys()] };
}

function differs(stored: object, fresh: object): boolean {
  for (const [column, value] of Object.entries(fresh)) {
    if (column === STAMP) continue;
    if (!sameStoredValue((stored as Record<string, unknown>)[column] ?? null, value ?? null)) return true;
  }
  return false;
}
