/**
 * A few typed checks to describe event payloads with (event-types.ts): each check validates an unknown
 * value and gives it its type, or names the field and the reason. Records are closed: a field not
 * described is refused, so nothing (personal data above all) rides along in a payload unannounced.
 */
export type CheckResult<T> = { ok: true; value: T } | { ok: false; field: string; reason: string };
export type Check<T> = (value: unknown, field: string) => CheckResult<T>;
/** The type a check gives its value. */
export type Checked<C> = C extends Check<infer T> ? T : never;

const ok = <T>(value: T): CheckResult<T> => ({ ok: true, value });
const refused = (field: string, reason: string): CheckResult<never> => ({ ok: false, field, reason });

/** A string matching `pattern` (described for the reason), at most `maxLength` characters. */
export function text(pattern: RegExp, description: string, maxLength = 200): Check<string> {
  return (value, field) =>
    typeof value === 'string' && value.length <= maxLength && pattern.test(value) ? ok(value) : refused(field, `must be ${description}`);
}

/** One of the given values. */
export function oneOf<const T extends string>(values: readonly T[]): Check<T> {
  return (value, field) =>
    typeof value === 'string' && (values as readonly string[]).includes(value) ? ok(value as T) : refused(field, `must be one of ${values.join(', ')}`);
}

export const flag: Check<boolean> = (value, field) => (typeof value === 'boolean' ? ok(value) : refused(field, 'must be true or false'));

/** An amount of money as a decimal string with at most two places (no binary fractions in money). */
export const money: Check<string> = text(/^-?\d{1,15}(\.\d{1,2})?$/, 'an amount with at most two decimal places, as a string', 20);

/** An entity id as the graph renders it: a positive whole number as a string. */
export const entityId: Check<string> = text(/^[1-9]\d{0,17}$/, 'a positive whole number id as a string', 18);

/** A calendar date, YYYY-MM-DD. */
export const isoDate: Check<string> = (value, field) =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))
    ? ok(value)
    : refused(field, 'must be a date, YYYY-MM-DD');

/** An instant in UTC as `Date.toISOString()` writes it. */
export const isoTimestamp: Check<string> = (value, field) =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) && !Number.isNaN(Date.parse(value))
    ? ok(value)
    : refused(field, 'must be a UTC timestamp such as 2026-12-01T08:30:00.000Z');

export function integer(min: number, max: number): Check<number> {
  return (value, field) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? ok(value)
      : refused(field, `must be a whole number from ${min} to ${max}`);
}

/** The value or null (a missing field counts as null). */
export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, field) => (value === null || value === undefined ? ok(null) : check(value, field));
}

/** A list of at most `maxItems` values, each checked (the field named with its index: `keys[2]`). */
export function listOf<T>(check: Check<T>, maxItems: number): Check<T[]> {
  return (value, field) => {
    if (!Array.isArray(value)) return refused(field, 'must be a list');
    if (value.length > maxItems) return refused(field, `must have at most ${maxItems} items`);
    const checked: T[] = [];
    for (const [index, item] of value.entries()) {
      const result = check(item, `${field}[${index}]`);
      if (!result.ok) return result;
      checked.push(result.value);
    }
    return ok(checked);
  };
}

/** A closed record: every described field checked, any other field refused. */
export function record<S extends Readonly<Record<string, Check<unknown>>>>(shape: S): Check<{ [K in keyof S]: Checked<S[K]> }> {
  return (value, field) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return refused(field, 'must be an object');
    const given = value as Readonly<Record<string, unknown>>;
    const prefix = field === '' ? '' : `${field}.`;
    const unexpected = Object.keys(given).find((key) => !Object.prototype.hasOwnProperty.call(shape, key));
    if (unexpected !== undefined) return refused(`${prefix}${unexpected}`, 'is not a field of this payload');
    const checked: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape)) {
      const result = check(given[key], `${prefix}${key}`);
      if (!result.ok) return result;
      checked[key] = result.value;
    }
    return ok(checked as { [K in keyof S]: Checked<S[K]> });
  };
}
