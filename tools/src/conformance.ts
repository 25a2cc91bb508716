/**
 * `npm run conformance -- --url <subgraph GraphQL url> --name <subgraph name> [options]`: the executable
 * contract of a subgraph (docs/subgraph-contract.md), in any language, over HTTP. Exit 0 when every check
 * passes, 1 when one fails, 2 on a usage error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ASSERTION_KEY_ENV,
  EnvReader,
  GENERATED_ASSERTION_SECRET_FILE,
  loadAccessPolicy,
  PSEUDONYM_SECRET_FILE,
  readSubgraphAssertionKey,
  STAFF_ROLES,
  type Role,
} from '@icg/shared';
import { formatConformanceReport, runConformance, type SampleKey } from './conformance/index';

const USAGE = `Usage: npm run conformance -- --url <url> --name <name> [options]

  --url URL                the subgraph's GraphQL endpoint, e.g. http://127.0.0.1:4003/graphql
  --name NAME              the subgraph's name (the audience its assertions carry)
  --assertion-key FILE     the subgraph's own identity-assertion key (its IDENTITY_ASSERTION_KEY_FILE); else
                           IDENTITY_ASSERTION_KEY(_FILE), else derived for --name from IDENTITY_ASSERTION_SECRET(_FILE)
                           or from the secret npm start generated in DATA_DIR (default data/)
  --policy FILE            access policy (default ACCESS_POLICY_PATH or shared/access-policy.yaml)
  --pseudonym-secret S     the subgraph's PSEUDONYM_SECRET, to seal BI's entity keys and check its sealed
                           identifiers (else PSEUDONYM_SECRET, else DATA_DIR/pseudonym.secret; without one
                           the roles that pseudonymise cannot be checked)
  --sample TYPE=KEY        a key value to check (repeatable); JSON for compound keys: 'T={"a":"1","b":"2"}'
  --staff ROLE=ID          act as this seeded staff member for ROLE (repeatable)
  --seed N                 seed of the synthetic company the data was generated with (default: the generator's default seed)
  --samples-per-type N     records per entity read as every role (default 4)
  --probe-ids N            ids 1..N tried on fields and entities keyed by an ID (default 8)
  --timeout-ms N           per request (default 10000)`;

class UsageError extends Error {}

function positiveInteger(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${option} must be a positive whole number, got "${value}"`);
  return Number(value);
}

function pair(option: string, value: string): [string, string] {
  const at = value.indexOf('=');
  if (at < 1 || at === value.length - 1) throw new UsageError(`--${option} takes NAME=VALUE, got "${value}"`);
  return [value.slice(0, at), value.slice(at + 1)];
}

function sampleKey(value: string): SampleKey {
  const [typeName, key] = pair('sample', value);
  if (!key.startsWith('{')) return { typeName, value: key };
  try {
    const parsed: unknown = JSON.parse(key);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return { typeName, value: parsed as Record<string, unknown> };
  } catch {
    // Reported below.
  }
  throw new UsageError(`--sample ${typeName}: the key is not a JSON object`);
}

function staffChoices(values: readonly string[]): Partial<Record<Role, string>> {
  const staff: Partial<Record<Role, string>> = {};
  for (const value of values) {
    const [role, id] = pair('staff', value);
    if (!(STAFF_ROLES as readonly string[]).includes(role)) throw new UsageError(`--staff: "${role}" is not a role (${STAFF_ROLES.join(', ')})`);
    staff[role as Role] = id;
  }
  return staff;
}

/** Same sources as the subgraph, but never generates a secret: a new one would only prove that the subgraph refuses it. */
function assertionKey(file: string | undefined, dataDir: string, subgraph: string): string {
  if (file !== undefined) return readFileSync(file, 'utf8').trim();
  const reader = new EnvReader();
  const configured = [ASSERTION_KEY_ENV.key, ASSERTION_KEY_ENV.keyFile, ASSERTION_KEY_ENV.secret, ASSERTION_KEY_ENV.secretFile].some(
    (variable) => reader.optionalString(variable) !== undefined,
  );
  if (configured || existsSync(join(dataDir, GENERATED_ASSERTION_SECRET_FILE))) return readSubgraphAssertionKey(reader, dataDir, subgraph);
  throw new UsageError(`no assertion key: pass --assertion-key <key file> or set ${ASSERTION_KEY_ENV.key} or ${ASSERTION_KEY_ENV.secret}`);
}

function pseudonymSecret(given: string | undefined, dataDir: string): string | undefined {
  if (given !== undefined) return given;
  const fromEnv = new EnvReader().optionalString('PSEUDONYM_SECRET');
  if (fromEnv !== undefined) return fromEnv;
  const file = join(dataDir, PSEUDONYM_SECRET_FILE);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      name: { type: 'string' },
      'assertion-key': { type: 'string' },
      policy: { type: 'string' },
      'pseudonym-secret': { type: 'string' },
      sample: { type: 'string', multiple: true },
      staff: { type: 'string', multiple: true },
      seed: { type: 'string' },
      'samples-per-type': { type: 'string' },
      'probe-ids': { type: 'string' },
      'timeout-ms': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.url || !values.name) throw new UsageError('--url and --name are required');
  try {
    new URL(values.url);
  } catch {
    throw new UsageError(`--url "${values.url}" is not a URL`);
  }
  const dataDir = new EnvReader().string('DATA_DIR', 'data');
  const report = await runConformance({
    url: values.url,
    name: values.name,
    assertionKey: assertionKey(values['assertion-key'], dataDir, values.name),
    policy: loadAccessPolicy(values.policy ?? new EnvReader().optionalString('ACCESS_POLICY_PATH')),
    pseudonymSecret: pseudonymSecret(values['pseudonym-secret'], dataDir),
    samples: (values.sample ?? []).map(sampleKey),
    staff: staffChoices(values.staff ?? []),
    seed: positiveInteger('seed', values.seed),
    samplesPerType: positiveInteger('samples-per-type', values['samples-per-type']),
    probeIds: positiveInteger('probe-ids', values['probe-ids']),
    requestTimeoutMs: positiveInteger('timeout-ms', values['timeout-ms']),
  });
  console.log(formatConformanceReport(report));
  return report.passed ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      error instanceof UsageError || (error instanceof TypeError && 'code' in error)
        ? `${error.message}\n\n${USAGE}`
        : error instanceof Error
          ? error.message
          : String(error),
    );
    process.exitCode = 2;
  },
);
