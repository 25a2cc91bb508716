import { ENTITIES_QUERY_PREFIX, queryAs, type ConformanceContext, type EntityRepresentation } from './conformance-context';
import { failed, passed, type CheckResult } from './conformance-report';
import { isRecord } from './subgraph-client';
import { ownedEntityTypes, primaryKeyOf, type SdlObjectType, type SubgraphSdl } from './subgraph-sdl';

/**
 * A key of the same form as a real one that no record has: digits become nines (business numbers keep
 * their length and prefix, so a format check still passes), a bare number becomes a 15-digit one.
 */
export function unknownKeyValue(value: unknown): unknown {
  if (typeof value === 'number') return 999_999_999;
  const text = String(value);
  if (/^\d+$/.test(text)) return '9'.repeat(15);
  return /\d/.test(text) ? text.replace(/\d/g, '9') : `${text}-unknown`;
}

export function unknownRepresentationOf(sample: EntityRepresentation): EntityRepresentation {
  const unknown: EntityRepresentation = { __typename: sample.__typename };
  for (const [field, value] of Object.entries(sample)) if (field !== '__typename') unknown[field] = unknownKeyValue(value);
  return unknown;
}

const keyText = (representation: EntityRepresentation) =>
  Object.entries(representation)
    .filter(([field]) => field !== '__typename')
    .map(([field, value]) => `${field}=${String(value)}`)
    .join(',');

function echoesKey(entry: unknown, representation: EntityRepresentation): boolean {
  if (!isRecord(entry) || entry['__typename'] !== representation.__typename) return false;
  return Object.entries(representation).every(([field, value]) => field === '__typename' || String(entry[field]) === String(value));
}

/**
 * Check group 3: for each entity type with a resolvable `@key`, `_entities` answers real keys with the
 * entity (key echoed, `__typename` right) and an unknown key with null — or, for an entity the
 * subgraph only extends (no root field of its own returns it), with a stub that echoes the key.
 * Either way without an error.
 */
export async function checkEntities(
  context: ConformanceContext,
  sdl: SubgraphSdl,
  samplesByType: ReadonlyMap<string, EntityRepresentation[]>,
): Promise<CheckResult[]> {
  const owned = ownedEntityTypes(sdl);
  const results: CheckResult[] = [];
  for (const type of sdl.entityTypes) results.push(...(await checkEntityType(context, type, samplesByType.get(type.name) ?? [], owned.has(type.name))));
  for (const key of sdl.unsupportedKeys) results.push(failed('entities', key, 'nested key field sets are not supported by the suite'));
  return results;
}

async function checkEntityType(
  context: ConformanceContext,
  type: SdlObjectType,
  samples: readonly EntityRepresentation[],
  owned: boolean,
): Promise<CheckResult[]> {
  const known = `${type.name}: resolves known keys`;
  const unknownName = `${type.name}: answers an unknown key with ${owned ? 'null' : 'null or a stub'}`;
  if (samples.length === 0) {
    const reason = `no ${type.name} key was found from the subgraph's root fields or entities; pass --sample ${type.name}=<${primaryKeyOf(type).join(',')}>`;
    return [failed('entities', known, reason), failed('entities', unknownName, reason)];
  }
  const unknown = unknownRepresentationOf(samples[0]!);
  const keyFields = primaryKeyOf(type).join(' ');
  const response = await queryAs(
    context,
    `entities: ${type.name}`,
    context.identities.reference.identity,
    `${ENTITIES_QUERY_PREFIX} __typename ... on ${type.name} { ${keyFields} } } }`,
    { representations: [...samples, unknown] },
  );
  const entries = isRecord(response.data) && Array.isArray(response.data['_entities']) ? response.data['_entities'] : undefined;
  if (response.status !== 200 || !entries || entries.length !== samples.length + 1) {
    const reason = `expected HTTP 200 with ${samples.length + 1} _entities, got HTTP ${response.status}${response.errors[0] ? `: ${response.errors[0].message}` : ''}`;
    return [failed('entities', known, reason), failed('entities', unknownName, reason)];
  }
  const errorsAt = (index: number) =>
    response.errors.filter((error) => !error.path || (error.path[0] === '_entities' && (error.path.length < 2 || error.path[1] === index)));

  const knownProblems = samples.flatMap((sample, index) => {
    const entry = entries[index];
    if (!echoesKey(entry, sample)) return [`${keyText(sample)}: got ${JSON.stringify(entry)}`];
    return errorsAt(index).map((error) => `${keyText(sample)}: error ${error.message}`);
  });
  const results = [
    knownProblems.length === 0
      ? passed('entities', known, `${samples.length} key(s) answered with __typename and key echoed: ${samples.map(keyText).join('; ')}`)
      : failed('entities', known, knownProblems.slice(0, 5).join('; ')),
  ];

  const unknownEntry = entries[samples.length];
  const unknownErrors = errorsAt(samples.length);
  if (unknownErrors.length > 0) {
    results.push(failed('entities', unknownName, `${keyText(unknown)}: expected null without an error, got the error "${unknownErrors[0]!.message}"`));
  } else if (unknownEntry === null) {
    results.push(passed('entities', unknownName, `${keyText(unknown)} → null`));
  } else if (!owned && echoesKey(unknownEntry, unknown)) {
    results.push(passed('entities', unknownName, `${keyText(unknown)} → a stub echoing the key (${type.name} is only extended here)`));
  } else {
    results.push(failed('entities', unknownName, `${keyText(unknown)}: expected null, got ${JSON.stringify(unknownEntry)}`));
  }
  return results;
}
