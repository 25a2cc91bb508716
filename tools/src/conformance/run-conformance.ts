import { ASSERTION_KEY_BYTES, loadAccessPolicy, type AccessPolicy, type Role } from '@icg/shared';
import { checkEntities } from './check-entities';
import { checkHealthEndpoints } from './check-health-endpoints';
import { checkIdentity } from './check-identity';
import { checkNoLeaks } from './check-no-leaks';
import { checkRoleAccess } from './check-role-access';
import { checkServiceSdl } from './check-service-sdl';
import { resolveConformanceIdentities } from './conformance-identities';
import type { ConformanceContext, EntityRepresentation, SampleKey } from './conformance-context';
import { errorMessageOf, failed, type CheckGroup, type CheckResult, type ConformanceReport } from './conformance-report';
import { harvestEntityKeys, pickSamples } from './harvest-entity-keys';
import { SubgraphClient } from './subgraph-client';

export interface ConformanceOptions {
  /** The subgraph's GraphQL endpoint, e.g. `http://127.0.0.1:4003/graphql`. */
  url: string;
  /** The subgraph's name: the audience of the assertions it must accept. */
  name: string;
  /** The subgraph's own identity-assertion key (base64url, 32 bytes): its IDENTITY_ASSERTION_KEY, or derived from the gateway secret. */
  assertionKey: string;
  /** The access policy the subgraph enforces; shared/access-policy.yaml by default. */
  policy?: AccessPolicy;
  /** The subgraph's PSEUDONYM_SECRET: needed to send the sealed keys of roles that pseudonymise identifiers (BI) and check their answers. */
  pseudonymSecret?: string;
  /** Key values to check first (and the only ones for entities the suite cannot find keys of). */
  samples?: readonly SampleKey[];
  /** Seed of the synthetic company the identities come from (the seed the subgraph's data was generated with). */
  seed?: number;
  /** A seeded staff member per role instead of the role's first city-branch member. */
  staff?: Partial<Record<Role, string>>;
  /** Records per entity type read as every role; 4 by default. */
  samplesPerType?: number;
  /** Ids 1…N tried on root fields and entities taking a single ID; 8 by default. */
  probeIds?: number;
  requestTimeoutMs?: number;
}

function assertionKeyBytes(key: string): Buffer {
  const bytes = Buffer.from(key.trim(), 'base64url');
  if (!/^[A-Za-z0-9_-]{43}$/.test(key.trim()) || bytes.length !== ASSERTION_KEY_BYTES) {
    throw new TypeError(`The assertion key must be ${ASSERTION_KEY_BYTES} bytes written base64url (the subgraph's IDENTITY_ASSERTION_KEY)`);
  }
  return bytes;
}

/** Runs one check group; a group that cannot finish (no answer, a crash in the suite) is one failed check. */
async function runGroup(group: CheckGroup, results: CheckResult[], run: () => Promise<CheckResult[]>): Promise<void> {
  try {
    results.push(...(await run()));
  } catch (error) {
    results.push(failed(group, 'could not complete', errorMessageOf(error)));
  }
}

/**
 * The executable contract of a subgraph (docs/subgraph-contract.md), over HTTP only: identity, published
 * and classified SDL, entities, per-role answers, no leaks, health endpoints. Never throws for a failing
 * subgraph: every problem is a failed check in the report.
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const samples = options.samples ?? [];
  const context: ConformanceContext = {
    client: new SubgraphClient(options.url, options.requestTimeoutMs ?? 10_000),
    subgraphName: options.name,
    assertionKey: assertionKeyBytes(options.assertionKey),
    policy: options.policy ?? loadAccessPolicy(),
    identities: resolveConformanceIdentities({ seed: options.seed, staff: options.staff }),
    pseudonymSecret: options.pseudonymSecret,
    samplesPerType: options.samplesPerType ?? 4,
    probeIds: options.probeIds ?? 8,
  };
  const checks: CheckResult[] = [];
  await runGroup('health', checks, () => checkHealthEndpoints(context));
  await runGroup('identity', checks, () => checkIdentity(context));

  let sdl: Awaited<ReturnType<typeof checkServiceSdl>>['sdl'];
  await runGroup('service-sdl', checks, async () => {
    const outcome = await checkServiceSdl(context);
    sdl = outcome.sdl;
    return outcome.results;
  });

  if (sdl) {
    const readSdl = sdl;
    const samplesByType = new Map<string, EntityRepresentation[]>();
    await runGroup('entities', checks, async () => {
      const harvested = await harvestEntityKeys(context, readSdl, samples);
      for (const [typeName, found] of harvested.byType) {
        const explicit = samples.filter((sample) => sample.typeName === typeName).length;
        samplesByType.set(typeName, pickSamples(found, explicit, context.samplesPerType));
      }
      const problems = harvested.problems.map((problem) => failed('entities', 'finding key values', problem));
      return [...problems, ...(await checkEntities(context, readSdl, samplesByType))];
    });
    await runGroup('role-access', checks, () => checkRoleAccess(context, readSdl, samplesByType));
  } else {
    for (const group of ['entities', 'role-access'] as const) checks.push(failed(group, 'not run', 'needs the subgraph SDL, which could not be read'));
  }
  await runGroup('no-leaks', checks, () => checkNoLeaks(context, sdl));
  return { subgraph: options.name, url: options.url, checks, passed: checks.every((check) => check.passed) };
}
