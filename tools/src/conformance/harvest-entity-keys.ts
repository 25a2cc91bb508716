import { isDeepStrictEqual } from 'node:util';
import { queryAs, type ConformanceContext, type EntityRepresentation, type SampleKey } from './conformance-context';
import { OPERATION_LIMITS } from '@icg/shared';
import { isRecord, type GraphQLErrorShape } from './subgraph-client';
import { primaryKeyOf, type SdlField, type SubgraphSdl } from './subgraph-sdl';

/** How deep the harvest follows object fields from a starting point (Customer → claims → policy is 2). */
const HARVEST_DEPTH = 3;

export interface HarvestedKeys {
  /** Representations by entity type, explicit samples first, then in the order they were found. */
  byType: Map<string, EntityRepresentation[]>;
  /** Harvest requests that failed outright, for the report. */
  problems: string[];
}

/**
 * Finds real key values without knowing the subgraph: explicit samples first, then whatever the subgraph
 * itself returns when asked (as the reference auditor) from every starting point its SDL offers —
 * root fields without required arguments (lists, connections), root fields taking only an ID (probed
 * with ids 1…N, the id form of this graph), and entities keyed by a single ID (probed through `_entities`
 * the same way). From each answer it follows object fields a few levels deep and keeps every entity's key.
 */
export async function harvestEntityKeys(context: ConformanceContext, sdl: SubgraphSdl, samples: readonly SampleKey[]): Promise<HarvestedKeys> {
  const byType = new Map<string, EntityRepresentation[]>(sdl.entityTypes.map((type) => [type.name, []]));
  const problems: string[] = [];
  const keep = (representation: EntityRepresentation) => {
    const list = byType.get(representation.__typename);
    if (list && !list.some((known) => isDeepStrictEqual(known, representation))) list.push(representation);
  };
  for (const sample of samples) {
    const type = sdl.entityTypes.find((entity) => entity.name === sample.typeName);
    const key = type ? primaryKeyOf(type) : [];
    if (!type) problems.push(`--sample ${sample.typeName}: no entity type of that name with a resolvable @key`);
    else if (typeof sample.value !== 'string') keep({ ...sample.value, __typename: type.name });
    else if (key.length === 1) keep({ __typename: type.name, [key[0]!]: sample.value });
    else problems.push(`--sample ${sample.typeName}: its key has ${key.length} fields (${key.join(', ')}); give them as JSON`);
  }

  const selection = selectionBuilder(sdl);
  const collect = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(collect);
    if (!isRecord(value)) return;
    const typeName = value['__typename'];
    const type = typeof typeName === 'string' ? sdl.entityTypes.find((entity) => entity.name === typeName) : undefined;
    if (type) {
      const key = primaryKeyOf(type);
      if (key.every((field) => value[field] !== null && value[field] !== undefined)) {
        keep({ __typename: type.name, ...Object.fromEntries(key.map((field) => [field, value[field]])) });
      }
    }
    Object.values(value).forEach(collect);
  };

  const ids = Array.from({ length: context.probeIds }, (_, index) => String(index + 1));
  const queryType = sdl.objectTypes.get(sdl.queryTypeName);
  // One request per root field, and ids probed at most OPERATION_LIMITS.maxAliases at a time: the subgraph applies the gateway's limits.
  for (const field of queryType?.fields ?? []) {
    const sub = selection(field.namedType, HARVEST_DEPTH);
    if (sub === null) continue;
    const idArguments = field.hasRequiredArguments ? requiredIdArguments(field) : [];
    if (!idArguments) continue;
    const selections =
      idArguments.length === 0
        ? [`${field.name} { ${sub} }`]
        : ids.map((id) => `probe${id}: ${field.name}(${idArguments.map((name) => `${name}: ${JSON.stringify(id)}`).join(', ')}) { ${sub} }`);
    for (let start = 0; start < selections.length; start += OPERATION_LIMITS.maxAliases) {
      const chunk = selections.slice(start, start + OPERATION_LIMITS.maxAliases);
      const response = await queryAs(
        context,
        `harvest: ${field.name}`,
        context.identities.reference.identity,
        `query ConformanceHarvest { ${chunk.join(' ')} }`,
      );
      if (response.data === undefined) problems.push(`root field ${field.name}: HTTP ${response.status}${limitNamed(response.errors)}`);
      collect(response.data);
    }
  }

  const probes = sdl.entityTypes.filter((type) => {
    const key = primaryKeyOf(type);
    return key.length === 1 && type.fields.find((field) => field.name === key[0])?.namedType === 'ID';
  });
  // One request per type, so no operation grows with the number of entity types.
  for (const type of probes) {
    const representations = ids.map((id) => ({ __typename: type.name, [primaryKeyOf(type)[0]!]: id }));
    const fragment = `... on ${type.name} { ${selection(type.name, HARVEST_DEPTH) ?? '__typename'} }`;
    const response = await queryAs(
      context,
      `harvest: _entities ${type.name} by id`,
      context.identities.reference.identity,
      `query ConformanceHarvest($representations: [_Any!]!) { _entities(representations: $representations) { __typename ${fragment} } }`,
      { representations },
    );
    if (response.data === undefined) problems.push(`_entities ${type.name} by id: HTTP ${response.status}${limitNamed(response.errors)}`);
    collect(response.data);
  }
  return { byType, problems };
}

/** The operation limit a refusal names, for the report (a harvest query the subgraph finds too large says which limit). */
function limitNamed(errors: readonly GraphQLErrorShape[]): string {
  const limit = errors.map((error) => error.extensions?.['limit']).find((value) => typeof value === 'string');
  return limit === undefined ? '' : ` (over the ${limit} limit)`;
}

/** Root-field arguments the harvest can fill: every required one must be a single ID. */
function requiredIdArguments(field: SdlField): string[] | undefined {
  const fillable = field.requiredArguments.every((argument) => argument.namedType === 'ID' && !argument.isList);
  return fillable && field.hasRequiredArguments ? field.requiredArguments.map((argument) => argument.name) : undefined;
}

/**
 * The selection that reaches every entity key below a type within `depth` levels, or null when there is
 * none (so the harvest never asks for fields it has no use for).
 */
function selectionBuilder(sdl: SubgraphSdl): (typeName: string, depth: number) => string | null {
  const memo = new Map<string, string | null>();
  const build = (typeName: string, depth: number): string | null => {
    const memoKey = `${typeName}@${depth}`;
    if (memo.has(memoKey)) return memo.get(memoKey)!;
    memo.set(memoKey, null);
    const type = sdl.objectTypes.get(typeName);
    if (!type) return null;
    const entity = sdl.entityTypes.find((candidate) => candidate.name === typeName);
    const parts: string[] = [];
    if (entity) parts.push(...primaryKeyOf(entity).filter((key) => type.fields.some((field) => field.name === key && sdl.leafTypes.has(field.namedType))));
    if (depth > 0) {
      for (const field of type.fields) {
        if (field.hasRequiredArguments || !sdl.objectTypes.has(field.namedType)) continue;
        const sub = build(field.namedType, depth - 1);
        if (sub !== null) parts.push(`${field.name} { ${sub} }`);
      }
    }
    const result = parts.length > 0 ? `__typename ${parts.join(' ')}` : null;
    memo.set(memoKey, result);
    return result;
  };
  return build;
}

/** Up to `count` representations spread over what was found, explicit samples kept first. */
export function pickSamples(found: readonly EntityRepresentation[], explicit: number, count: number): EntityRepresentation[] {
  if (found.length <= count) return [...found];
  const picked = found.slice(0, Math.min(explicit, count));
  const rest = found.slice(picked.length);
  const wanted = count - picked.length;
  for (let index = 0; index < wanted; index += 1) picked.push(rest[Math.floor((index * rest.length) / wanted)]!);
  return picked;
}
