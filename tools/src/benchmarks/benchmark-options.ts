/** A `--name` option of a benchmark that counts something: a whole number from 1 to `max`, `fallback` when not given. */
export function positiveInteger(name: string, value: string | undefined, fallback: number, max = 10_000_000): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > max)
    throw new Error(`--${name} must be a whole number from 1 to ${max}, not ${JSON.stringify(value)}`);
  return parsed;
}
