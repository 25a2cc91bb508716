/**
 * JSON with object keys in code-point order and `undefined` members left out, so equal values give equal text
 * however they were built: what idempotency keys compare and what the audit trail hashes.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null || value instanceof Date) return JSON.stringify(value) ?? 'null';
  // Loops rather than entries/filter/sort/map/join: the insights recompute writes a canonical text per customer.
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++) {
      if (index > 0) text += ',';
      const item: unknown = value[index];
      text += item === undefined ? 'null' : canonicalJson(item);
    }
    return `${text}]`;
  }
  // The default sort compares UTF-16 code units, as `<` on strings does.
  const keys = Object.keys(value).sort();
  let text = '{';
  for (const key of keys) {
    const entry = (value as Record<string, unknown>)[key];
    if (entry === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(key)}:${canonicalJson(entry)}`;
  }
  return `${text}}`;
}
