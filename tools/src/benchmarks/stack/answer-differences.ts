/** A GraphQL answer as it arrives over HTTP. */
export interface GraphQLAnswer {
  data?: unknown;
  errors?: readonly { message?: string; extensions?: Record<string, unknown> }[];
}

/** At most this many differences are listed per answer: the first few say what is wrong. */
const MAX_LISTED = 5;

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'undefined' : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function collect(expected: unknown, actual: unknown, path: string, differences: string[]): void {
  if (differences.length >= MAX_LISTED) return;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) differences.push(`${path}: ${expected.length} items, got ${actual.length}`);
    for (let index = 0; index < Math.min(expected.length, actual.length); index++) collect(expected[index], actual[index], `${path}[${index}]`, differences);
    return;
  }
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isObject(expected) && isObject(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) collect(expected[key], actual[key], `${path}.${key}`, differences);
    return;
  }
  if (!Object.is(expected, actual)) differences.push(`${path}: expected ${describe(expected)}, got ${describe(actual)}`);
}

/**
 * How `actual` differs from `expected`, one line per difference (empty when they hold the same data): lists
 * compared item by item in order, objects key by key whatever the key order, errors in either answer reported.
 */
export function answerDifferences(expected: GraphQLAnswer, actual: GraphQLAnswer): string[] {
  const differences: string[] = [];
  for (const [side, answer] of [
    ['expected', expected],
    ['actual', actual],
  ] as const) {
    if (answer.errors?.length)
      differences.push(`${side} answer has errors: ${answer.errors.map((error) => String(error.extensions?.['code'] ?? error.message)).join(', ')}`);
  }
  if (expected.data === undefined || expected.data === null) differences.push('expected answer has no data');
  collect(expected.data, actual.data, 'data', differences);
  return differences;
}
