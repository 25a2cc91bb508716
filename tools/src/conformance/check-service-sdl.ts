import { Kind, type ConstDirectiveNode } from 'graphql';
import { checkClassifications } from '../supergraph-composition';
import { queryAs, type ConformanceContext } from './conformance-context';
import { errorMessageOf, failed, passed, type CheckResult } from './conformance-report';
import { isRecord } from './subgraph-client';
import { readSubgraphSdl, type SubgraphSdl } from './subgraph-sdl';

/** The classification spec every subgraph links (shared/classification.graphql). */
export const CLASSIFIED_SPEC_URL_PREFIX = 'https://insurer.example/classified/';

const MAX_PROBLEMS_SHOWN = 8;

export interface ServiceSdlOutcome {
  results: CheckResult[];
  /** Undefined when no SDL could be read: the checks that need it then fail saying so. */
  sdl: SubgraphSdl | undefined;
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((argument) => argument.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}

function importsClassified(directive: ConstDirectiveNode): boolean {
  const imports = directive.arguments?.find((argument) => argument.name.value === 'import')?.value;
  if (imports?.kind !== Kind.LIST) return false;
  return imports.values.some((entry) =>
    entry.kind === Kind.STRING
      ? entry.value === '@classified'
      : entry.kind === Kind.OBJECT &&
        entry.fields.some((field) => field.name.value === 'name' && field.value.kind === Kind.STRING && field.value.value === '@classified'),
  );
}

/**
 * Check group 2: the subgraph publishes its SDL through `_service`, links the classification spec (and
 * keeps `@classified` in the supergraph with `@composeDirective`), and its fields obey the classification
 * rules composition enforces — the very function `npm run compose` runs, on this one subgraph.
 */
export async function checkServiceSdl(context: ConformanceContext): Promise<ServiceSdlOutcome> {
  const response = await queryAs(context, 'service-sdl: _service', context.identities.reference.identity, 'query ConformanceService { _service { sdl } }');
  const service = isRecord(response.data) ? response.data['_service'] : undefined;
  const text = isRecord(service) ? service['sdl'] : undefined;
  if (response.status !== 200 || typeof text !== 'string' || text.trim() === '') {
    const reason = `expected HTTP 200 with data._service.sdl, got HTTP ${response.status}${response.errors[0] ? `: ${response.errors[0].message}` : ''}`;
    return { results: [failed('service-sdl', 'publishes _service { sdl }', reason)], sdl: undefined };
  }
  let sdl: SubgraphSdl;
  try {
    sdl = readSubgraphSdl(text);
  } catch (error) {
    return { results: [failed('service-sdl', 'publishes _service { sdl }', `the SDL does not parse: ${errorMessageOf(error)}`)], sdl: undefined };
  }
  const results: CheckResult[] = [
    passed(
      'service-sdl',
      'publishes _service { sdl }',
      `${text.length} characters, ${sdl.objectTypes.size} object types, entities: ${sdl.entityTypes.map((type) => type.name).join(', ') || 'none'}`,
    ),
  ];

  const schemaDirectives = sdl.document.definitions.flatMap((definition) =>
    definition.kind === Kind.SCHEMA_DEFINITION || definition.kind === Kind.SCHEMA_EXTENSION ? (definition.directives ?? []) : [],
  );
  const classifiedLink = schemaDirectives.find(
    (directive) => directive.name.value === 'link' && stringArgument(directive, 'url')?.startsWith(CLASSIFIED_SPEC_URL_PREFIX) && importsClassified(directive),
  );
  const composed = schemaDirectives.some((directive) => directive.name.value === 'composeDirective' && stringArgument(directive, 'name') === '@classified');
  const declared = sdl.document.definitions.some((definition) => definition.kind === Kind.DIRECTIVE_DEFINITION && definition.name.value === 'classified');
  const missing = [
    ...(classifiedLink ? [] : [`@link(url: "${CLASSIFIED_SPEC_URL_PREFIX}v…", import: ["@classified"])`]),
    ...(composed ? [] : ['@composeDirective(name: "@classified")']),
    ...(declared ? [] : ['directive @classified(tier: Tier!, category: Category, mask: MaskStyle)']),
  ];
  results.push(
    missing.length === 0
      ? passed('service-sdl', 'links the classified spec', `${stringArgument(classifiedLink!, 'url')}, composed, declared`)
      : failed('service-sdl', 'links the classified spec', `missing ${missing.join('; ')}`),
  );

  const problems = checkClassifications([{ name: context.subgraphName, url: context.client.url, typeDefs: sdl.ownDocument }], context.policy);
  const fieldCount = [...sdl.objectTypes.values()].reduce((sum, type) => sum + type.fields.length, 0);
  results.push(
    problems.length === 0
      ? passed(
          'service-sdl',
          'every field is classified',
          `${fieldCount} fields classified; none that any role can be denied is non-null (policy ${context.policy.version})`,
        )
      : failed(
          'service-sdl',
          'every field is classified',
          `${problems.length} problem(s): ${problems.slice(0, MAX_PROBLEMS_SHOWN).join('; ')}${problems.length > MAX_PROBLEMS_SHOWN ? '; …' : ''}`,
        ),
  );
  return { results, sdl };
}
