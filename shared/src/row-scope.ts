/**
 * Who a record belongs to, carried on every object a resolver returns so field-level enforcement can
 * decide per record (docs/access-model.md section 3). A symbol key keeps it out of GraphQL results.
 */
export const ROW_SCOPE: unique symbol = Symbol.for('icg.rowScope');

export interface RowScope {
  /** Materialised path of the owning branch, e.g. `/1/3/9/` (head office 1 → province 3 → city 9). */
  branchPath: string;
  /** Staff ids responsible for the record: primary manager of the customer, handler, assignee. */
  responsibleStaffIds: readonly string[];
  /** `Type:key` of the stored entity the scope was read from; names records without a key of their own in the audit trail. */
  recordKey?: string;
}

export type Scoped<T extends object> = T & { [ROW_SCOPE]: RowScope };

export function attachScope<T extends object>(record: T, scope: RowScope): Scoped<T> {
  Object.defineProperty(record, ROW_SCOPE, { value: scope, enumerable: false, configurable: true, writable: true });
  return record as Scoped<T>;
}

export function scopeOf(record: unknown): RowScope | undefined {
  return typeof record === 'object' && record !== null ? (record as Partial<Scoped<object>>)[ROW_SCOPE] : undefined;
}

/** Builds a scope from nullable staff ids, as rows store them. */
export function rowScope(branchPath: string, ...staffIds: (string | number | null | undefined)[]): RowScope {
  return { branchPath, responsibleStaffIds: staffIds.filter((id): id is string | number => id !== null && id !== undefined).map(String) };
}
