import { assertionHeaders, queryAs, type ConformanceContext } from './conformance-context';
import { failed, passed, type CheckResult } from './conformance-report';
import { isRecord, type RecordedExchange } from './subgraph-client';
import { primaryKeyOf, type SubgraphSdl } from './subgraph-sdl';

/** What must never reach a client: how the subgraph is built, what it runs, where it lives. */
const LEAK_PATTERNS: readonly { kind: string; pattern: RegExp }[] = [
  { kind: 'stack trace', pattern: /\bat\s+(?:[\w$.<>[\] ]+\s)?\(?(?:file:\/\/|\/|[A-Za-z]:\\|node:)[^()\s]*:\d+:\d+\)?/ },
  { kind: 'stack trace', pattern: /[\w./\\-]+\.(?:[cm]?js|ts|py|java|go|rb|cs|kt|php|rs)(?::\d+){1,2}\b/ },
  { kind: 'stack trace', pattern: /"(?:stacktrace|stack|exception)"\s*:/i },
  { kind: 'stack trace', pattern: /Traceback \(most recent call last\)|node_modules|node:internal/ },
  { kind: 'SQL', pattern: /\bSELECT\b[\s\S]{1,200}?\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\S+\s+SET\b|\bDELETE\s+FROM\b/i },
  { kind: 'SQL', pattern: /\bSQLITE_[A-Z]+\b|\bER_[A-Z_]{3,}\b|\bSQLSTATE\b|\bORA-\d{5}\b/ },
  { kind: 'SQL', pattern: /\b(?:sqlite3?|mysql2?|mariadb|postgres(?:ql)?|knex)\b/i },
  { kind: 'internal URL', pattern: /\b(?:https?|mysql|postgres(?:ql)?|redis|file):\/\/[^\s"'\\]+/i },
  { kind: 'internal URL', pattern: /\b(?:localhost|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(?:1[6-9]|2\d|3[01])\.\d+\.\d+)(?::\d+)?\b/i },
  { kind: 'file path', pattern: /(?:^|[\s"'(])\/(?:home|usr|var|opt|srv|app|work|tmp|root)\/[^\s"']+/ },
];

/**
 * The parts of an answer that describe a failure: the `errors` (and top-level `extensions`) of a GraphQL
 * answer, or the whole body of anything else. Data is left out: it may hold an address or a URL legitimately.
 */
function failureText(exchange: RecordedExchange): string {
  try {
    const body: unknown = JSON.parse(exchange.bodyText);
    if (isRecord(body) && 'data' in body) return JSON.stringify({ errors: body['errors'], extensions: body['extensions'] });
    return JSON.stringify(body);
  } catch {
    return exchange.bodyText;
  }
}

export function leaksIn(exchange: RecordedExchange): string[] {
  const text = failureText(exchange);
  return LEAK_PATTERNS.flatMap(({ kind, pattern }) => {
    const match = pattern.exec(text);
    return match ? [`${kind} in "${exchange.label}" (HTTP ${exchange.status}): …${match[0].slice(0, 80)}…`] : [];
  });
}

/**
 * Check group 5: provokes the errors a careless server explains too well (syntax errors, unknown fields
 * and types, malformed keys, wrong variables, a body that is not JSON), then reads every answer of the
 * whole run — these and all earlier ones, the 401s included — for stack traces, SQL and internal URLs.
 * Runs last, so everything the other groups received is read too.
 */
export async function checkNoLeaks(context: ConformanceContext, sdl: SubgraphSdl | undefined): Promise<CheckResult[]> {
  const identity = context.identities.reference.identity;
  const probes: { name: string; run: () => Promise<unknown> }[] = [
    { name: 'a syntax error', run: () => queryAs(context, 'no-leaks: a syntax error', identity, '{ _service { sdl ') },
    { name: 'an unknown field', run: () => queryAs(context, 'no-leaks: an unknown field', identity, '{ conformanceNoSuchField }') },
    {
      name: 'a variable of the wrong type',
      run: () =>
        queryAs(context, 'no-leaks: a variable of the wrong type', identity, 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }', {
          r: 42,
        }),
    },
    {
      name: 'an unknown __typename in _entities',
      run: () =>
        queryAs(context, 'no-leaks: an unknown __typename in _entities', identity, 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }', {
          r: [{ __typename: 'ConformanceNoSuchType', id: '1' }],
        }),
    },
    {
      name: 'a body that is not JSON',
      run: () => {
        const notJson = '{"query": "{ __typename ';
        return context.client.post('no-leaks: a body that is not JSON', notJson, assertionHeaders(context, identity, notJson));
      },
    },
  ];
  for (const type of sdl?.entityTypes ?? []) {
    // Values that break naive SQL string building or overflow numeric columns.
    const hostile = { __typename: type.name, ...Object.fromEntries(primaryKeyOf(type).map((field) => [field, `' OR 1=1 --${'9'.repeat(40)}`])) };
    const name = `a malformed ${type.name} key`;
    probes.push({
      name,
      run: () => queryAs(context, `no-leaks: ${name}`, identity, `query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }`, { r: [hostile] }),
    });
  }

  const results: CheckResult[] = [];
  for (const probe of probes) {
    const before = context.client.exchanges.length;
    await probe.run();
    const leaks = context.client.exchanges.slice(before).flatMap(leaksIn);
    const answered = context.client.exchanges[before];
    results.push(
      leaks.length === 0
        ? passed('no-leaks', `answers ${probe.name} without internals`, `HTTP ${answered?.status ?? '?'}`)
        : failed('no-leaks', `answers ${probe.name} without internals`, leaks.join('; ')),
    );
  }
  const allLeaks = context.client.exchanges.flatMap(leaksIn);
  results.push(
    allLeaks.length === 0
      ? passed('no-leaks', 'no answer of the run leaks internals', `${context.client.exchanges.length} answers read`)
      : failed('no-leaks', 'no answer of the run leaks internals', `${allLeaks.length} leak(s): ${allLeaks.slice(0, 5).join('; ')}`),
  );
  return results;
}
