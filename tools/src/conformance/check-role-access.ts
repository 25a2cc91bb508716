import { isDeepStrictEqual } from 'node:util';
import {
  declaresIdentifier,
  decide,
  maskValue,
  scopeFor,
  sealIdentifier,
  sealsIdentifiers,
  SEALED_IDENTIFIER_PREFIX,
  UNCLASSIFIED,
  type AccessDecision,
  type Caller,
  type FieldClassification,
  type MaskStyle,
  type Role,
  type Scope,
  type StaffIdentity,
} from '@icg/shared';
import type { ConformanceIdentity } from './conformance-identities';
import { ENTITIES_QUERY_PREFIX, queryAs, type ConformanceContext, type EntityRepresentation } from './conformance-context';
import { failed, passed, type CheckResult } from './conformance-report';
import { isRecord, type GraphQLErrorShape, type SubgraphResponse } from './subgraph-client';
import { leafFieldsOf, type SdlField, type SdlObjectType, type SubgraphSdl } from './subgraph-sdl';

/** What the policy says a caller gets for one value. */
export type ExpectedAnswer = { kind: 'CLEAR' } | { kind: 'MASK'; style: MaskStyle } | { kind: 'PSEUDONYM' } | { kind: 'DENY' };
type Side = 'in' | 'out';
const SIDES: readonly Side[] = ['in', 'out'];
/** A sealed identifier: 16 bytes of synthetic IV and at least one 16-byte block, base64url. */
const PSEUDONYM = new RegExp(`^${SEALED_IDENTIFIER_PREFIX}[A-Za-z0-9_-]{43,}$`);
const MAX_PROBLEMS_SHOWN = 6;

interface CheckedField {
  field: SdlField;
  /** The classification enforcement applies: no mask style on values that are not single strings. */
  effective: FieldClassification;
  stringLike: boolean;
}

interface SampledRecord {
  /** Position in its type's `_entities` request. */
  index: number;
  type: SdlObjectType;
  representation: EntityRepresentation;
}

/** The sampled records of one entity type, read in one `_entities` request. */
interface SampledType {
  type: SdlObjectType;
  query: string;
  records: SampledRecord[];
}

const describeAnswer = (answer: ExpectedAnswer) => (answer.kind === 'MASK' ? `MASK(${answer.style})` : answer.kind);
const caller = (identity: StaffIdentity): Caller => ({
  staffId: identity.staffId,
  role: identity.role as Role,
  branchPath: identity.branchPath,
  grade: identity.grade,
  purpose: identity.purpose,
});

/** Mirrors enforcement: MASK needs a mask style (decide turns it into DENY otherwise), a pseudonym needs a string. */
export function expectedAnswer(verdict: AccessDecision, field: FieldClassification, stringLike: boolean): ExpectedAnswer {
  if (verdict.decision === 'DENY') return { kind: 'DENY' };
  if (verdict.decision === 'MASK') return field.mask && stringLike ? { kind: 'MASK', style: field.mask } : { kind: 'DENY' };
  if (verdict.pseudonymise) return stringLike ? { kind: 'PSEUDONYM' } : { kind: 'DENY' };
  return { kind: 'CLEAR' };
}

/** The two answers the policy allows a caller for a field: on a record in their scope, and on one outside it. */
function answersBySide(context: ConformanceContext, identity: StaffIdentity, checked: CheckedField): Record<Side, ExpectedAnswer> {
  const who = caller(identity);
  // The same in-scope stand-in enforcement uses: a record of the caller's own branch that they are responsible for.
  const inside = decide(context.policy, who, checked.effective, { branchPath: who.branchPath, responsibleStaffIds: [who.staffId] });
  const outside = decide(context.policy, who, checked.effective, undefined);
  return { in: expectedAnswer(inside, checked.effective, checked.stringLike), out: expectedAnswer(outside, checked.effective, checked.stringLike) };
}

function checkedFields(sdl: SubgraphSdl, type: SdlObjectType): CheckedField[] {
  return leafFieldsOf(sdl, type).map((field) => {
    const stringLike = !field.isList && (field.namedType === 'String' || field.namedType === 'ID');
    const classification = field.classification ?? UNCLASSIFIED;
    return { field, stringLike, effective: stringLike ? classification : { ...classification, mask: null } };
  });
}

/**
 * One request per entity type, every field under its own name: no aliases, which the operation limits
 * count (docs/subgraph-contract.md section 1), and no clash between two types' fields of one name and
 * different types (`name: String` and `String!`), which one selection set could not hold.
 */
function entitiesQuery(sdl: SubgraphSdl, type: SdlObjectType): string {
  const fields = checkedFields(sdl, type).map((checked) => checked.field.name);
  return `${ENTITIES_QUERY_PREFIX} __typename ... on ${type.name} { ${fields.join(' ')} } } }`;
}

const entriesOf = (response: SubgraphResponse): unknown[] | undefined =>
  isRecord(response.data) && Array.isArray(response.data['_entities']) ? response.data['_entities'] : undefined;

const samePath = (error: GraphQLErrorShape, path: readonly (string | number)[]) => isDeepStrictEqual(error.path ?? [], path);

/**
 * Check group 4: for a sample of records of every entity, every scalar field read through `_entities` as
 * each role (with and without a purpose) must be what the policy says: the reference auditor's value in
 * clear, its mask, its seal (roles that pseudonymise identifiers; they also send the keys sealed, and their
 * raw keys must be refused), or null with a FORBIDDEN_FIELD error.
 *
 * The suite cannot know a record's row scope, so for every field it accepts the answer for "in scope" or
 * for "out of scope" — but one record is in or out of a caller's scope for all its fields at once, so the
 * answers of all fields of a record that depend on the same scope (OWN, BRANCH, ALL) must agree on one
 * side. A subgraph that masks a name as out of scope but shows the mobile of the same record in clear fails.
 */
export async function checkRoleAccess(
  context: ConformanceContext,
  sdl: SubgraphSdl,
  samplesByType: ReadonlyMap<string, EntityRepresentation[]>,
): Promise<CheckResult[]> {
  const sampled: SampledType[] = sdl.entityTypes
    .map((type) => ({
      type,
      query: entitiesQuery(sdl, type),
      records: (samplesByType.get(type.name) ?? []).map((representation, index) => ({ index, type, representation })),
    }))
    .filter((group) => group.records.length > 0);
  const records = sampled.flatMap((group) => group.records);
  if (records.length === 0) return [failed('role-access', 'records to check', 'no entity key was found, so no record could be read')];

  const reference = context.identities.reference;
  const referenceEntries = new Map<SdlObjectType, Record<string, unknown>[]>();
  const referenceProblems: string[] = [];
  for (const group of sampled) {
    const response = await queryAs(context, `role-access: ${reference.label}`, reference.identity, group.query, {
      representations: group.records.map((record) => record.representation),
    });
    const entries = entriesOf(response) ?? [];
    if (response.status !== 200) referenceProblems.push(`HTTP ${response.status} for ${group.type.name}`);
    referenceProblems.push(
      ...response.errors.map((error) => `error at ${JSON.stringify(error.path ?? [])}: ${error.message}`),
      ...group.records
        .filter((record) => !isRecord(entries[record.index]))
        .map((record) => `${record.type.name} ${JSON.stringify(record.representation)} answered null`),
    );
    referenceEntries.set(group.type, entries as Record<string, unknown>[]);
  }
  if (referenceProblems.length > 0) {
    const reason = referenceProblems.slice(0, MAX_PROBLEMS_SHOWN).join('; ');
    return [failed('role-access', `reference answers (${reference.label})`, `the reference caller must read every sampled value in clear: ${reason}`)];
  }
  const fieldCount = records.reduce((sum, record) => sum + checkedFields(sdl, record.type).length, 0);
  const results: CheckResult[] = [
    passed('role-access', `reference answers (${reference.label})`, `${records.length} records, ${fieldCount} values, no denials`),
  ];
  const pseudonymsSeen = new Map<string, string>();
  for (const acting of context.identities.perRole) {
    results.push(await checkIdentityAnswers(context, sdl, acting, sampled, referenceEntries, pseudonymsSeen));
  }
  return results;
}

async function checkIdentityAnswers(
  context: ConformanceContext,
  sdl: SubgraphSdl,
  acting: ConformanceIdentity,
  sampled: readonly SampledType[],
  referenceEntries: ReadonlyMap<SdlObjectType, readonly Record<string, unknown>[]>,
  pseudonymsSeen: Map<string, string>,
): Promise<CheckResult> {
  const name = acting.label;
  const problems: string[] = [];
  const tally = { CLEAR: 0, MASK: 0, PSEUDONYM: 0, DENY: 0, in: 0, out: 0, either: 0 };
  // A role whose identifiers are sealed gets them sealed and must give them back sealed, entity keys included.
  const sealing = sealsIdentifiers(context.policy, acting.identity.role);
  if (sealing && context.pseudonymSecret === undefined)
    return failed(
      'role-access',
      name,
      `${acting.identity.role} sends entity keys sealed: pass the subgraph's pseudonym secret (--pseudonym-secret) to check it`,
    );
  const keysAs = (representation: EntityRepresentation, type: SdlObjectType): EntityRepresentation =>
    sealing ? sealedRepresentation(representation, type, context.pseudonymSecret!) : representation;
  for (const group of sampled) {
    const response = await queryAs(context, `role-access: ${name}`, acting.identity, group.query, {
      representations: group.records.map((record) => keysAs(record.representation, record.type)),
    });
    const entries = entriesOf(response);
    if (response.status !== 200 || !entries)
      return failed('role-access', name, `expected HTTP 200 with _entities for ${group.type.name}, got HTTP ${response.status}`);
    checkTypeAnswers(context, sdl, acting, group.records, entries, response.errors, referenceEntries.get(group.type) ?? [], pseudonymsSeen, problems, tally);
    if (sealing && group.records.some((record) => keysAs(record.representation, record.type) !== record.representation)) {
      // The raw keys the reference caller used must be refused to this role: a lookup by a raw identifier reveals the record.
      const raw = await queryAs(context, `role-access: ${name} with raw keys`, acting.identity, group.query, {
        representations: group.records.map((record) => record.representation),
      });
      const refused = raw.errors.some((error) => error.extensions?.['code'] === 'BAD_USER_INPUT') && !(entriesOf(raw) ?? []).some(isRecord);
      if (!refused) problems.push(`${group.type.name}: raw entity keys were not refused with BAD_USER_INPUT (HTTP ${raw.status})`);
    }
  }

  if (problems.length > 0)
    return failed(
      'role-access',
      name,
      `${problems.length} problem(s): ${problems.slice(0, MAX_PROBLEMS_SHOWN).join('; ')}${problems.length > MAX_PROBLEMS_SHOWN ? '; …' : ''}`,
    );
  return passed(
    'role-access',
    name,
    `${tally.CLEAR} clear, ${tally.MASK} masked, ${tally.PSEUDONYM} pseudonymised, ${tally.DENY} denied; record scopes inferred: ${tally.in} in, ${tally.out} out, ${tally.either} not telling`,
  );
}

type AnswerTally = Record<ExpectedAnswer['kind'] | Side | 'either', number>;

/** Checks one `_entities` answer (the records of one type) for one caller, adding what is wrong to `problems`. */
function checkTypeAnswers(
  context: ConformanceContext,
  sdl: SubgraphSdl,
  acting: ConformanceIdentity,
  records: readonly SampledRecord[],
  entries: readonly unknown[],
  errors: readonly GraphQLErrorShape[],
  referenceEntries: readonly Record<string, unknown>[],
  pseudonymsSeen: Map<string, string>,
  problems: string[],
  tally: AnswerTally,
): void {
  const expectedErrors = new Set<GraphQLErrorShape>();
  for (const record of records) {
    const entry = entries[record.index];
    const where = `${record.type.name}(${Object.entries(record.representation)
      .filter(([key]) => key !== '__typename')
      .map(([, value]) => String(value))
      .join(',')})`;
    if (!isRecord(entry)) {
      problems.push(`${where} answered null (a denied non-null field nulls its entity)`);
      continue;
    }
    const clearValues = referenceEntries[record.index]!;
    // Sides still possible for this record, per scope kind, and the field that first narrowed them (for the report).
    const sidesByScope = new Map<Scope, { sides: Side[]; decidedBy: string | null }>();
    for (const checked of checkedFields(sdl, record.type)) {
      const key = checked.field.name;
      const path = ['_entities', record.index, key];
      const coordinate = `${record.type.name}.${checked.field.name}`;
      const value = entry[key];
      const clear = clearValues[key];
      const forbidden = errors.find((error) => samePath(error, path) && error.extensions?.['code'] === 'FORBIDDEN_FIELD');
      if (forbidden) {
        expectedErrors.add(forbidden);
        const shapeProblem = forbiddenShapeProblem(forbidden, coordinate, context.policy.version);
        if (shapeProblem) problems.push(`${where}.${checked.field.name}: ${shapeProblem}`);
      }
      const answers = answersBySide(context, acting.identity, checked);
      const matching = SIDES.filter((side) => answerMatches(answers[side], value, forbidden !== undefined, clear, context.pseudonymSecret));
      if (matching.length === 0) {
        const allowed =
          answers.in.kind === answers.out.kind
            ? describeAnswer(answers.in)
            : `${describeAnswer(answers.in)} in scope or ${describeAnswer(answers.out)} out of scope`;
        problems.push(
          `${where}.${checked.field.name}: policy allows ${allowed}, got ${JSON.stringify(value)}${forbidden ? ' with FORBIDDEN_FIELD' : ''} (clear: ${JSON.stringify(clear)})`,
        );
        continue;
      }
      const answer = answers[matching[0]!];
      tally[answer.kind] += 1;
      if (answer.kind === 'PSEUDONYM' && typeof value === 'string' && clear !== null && clear !== undefined) {
        const earlier = pseudonymsSeen.get(String(clear));
        if (earlier !== undefined && earlier !== value)
          problems.push(`${where}.${checked.field.name}: pseudonym ${value} differs from ${earlier} given for the same value earlier`);
        pseudonymsSeen.set(String(clear), value);
      }
      if (matching.length === 2) continue;
      const scope = scopeFor(context.policy, caller(acting.identity).role, checked.effective) ?? 'ALL';
      const known = sidesByScope.get(scope) ?? { sides: [...SIDES], decidedBy: null };
      const narrowed = known.sides.filter((side) => matching.includes(side));
      if (narrowed.length === 0) {
        problems.push(
          `${where}: ${checked.field.name} was answered as ${matching[0]} ${scope} scope but ${known.decidedBy} as ${known.sides[0]} ${scope} scope: one record is in or out of scope for all its fields`,
        );
        continue;
      }
      sidesByScope.set(scope, { sides: narrowed, decidedBy: known.decidedBy ?? checked.field.name });
    }
    for (const { sides } of sidesByScope.values()) tally[sides.length === 2 ? 'either' : sides[0]!] += 1;
    if (sidesByScope.size === 0) tally.either += 1;
  }
  for (const error of errors) {
    if (!expectedErrors.has(error))
      problems.push(`unexpected error at ${JSON.stringify(error.path ?? [])}: ${error.extensions?.['code'] ?? 'no code'} ${error.message}`);
  }
}

function answerMatches(answer: ExpectedAnswer, value: unknown, forbidden: boolean, clear: unknown, pseudonymSecret: string | undefined): boolean {
  if (answer.kind === 'DENY') return forbidden && value === null;
  if (forbidden) return false;
  if (clear === null || clear === undefined) return value === null || value === undefined;
  switch (answer.kind) {
    case 'CLEAR':
      return isDeepStrictEqual(value, clear);
    case 'MASK':
      return value === maskValue(answer.style, String(clear));
    case 'PSEUDONYM':
      return pseudonymSecret !== undefined
        ? value === sealIdentifier(pseudonymSecret, String(clear))
        : typeof value === 'string' && PSEUDONYM.test(value) && value !== clear;
  }
}

/** The representation with its identifier fields (IDENTITY in the SDL: every key, by the classification rules) sealed. */
function sealedRepresentation(representation: EntityRepresentation, type: SdlObjectType, secret: string): EntityRepresentation {
  const identifiers = type.fields.filter((field) => declaresIdentifier(field.classification) && typeof representation[field.name] === 'string');
  if (identifiers.length === 0) return representation;
  return { ...representation, ...Object.fromEntries(identifiers.map((field) => [field.name, sealIdentifier(secret, representation[field.name] as string)])) };
}

/** The FORBIDDEN_FIELD error names the field and the policy version it was decided under. */
function forbiddenShapeProblem(error: GraphQLErrorShape, coordinate: string, policyVersion: string): string | undefined {
  const extensions = error.extensions ?? {};
  if (extensions['coordinate'] !== coordinate)
    return `FORBIDDEN_FIELD error names coordinate ${JSON.stringify(extensions['coordinate'])}, expected "${coordinate}"`;
  if (extensions['policyVersion'] !== policyVersion)
    return `FORBIDDEN_FIELD error names policy version ${JSON.stringify(extensions['policyVersion'])}, expected "${policyVersion}"`;
  if (typeof extensions['decisionId'] !== 'string' || extensions['decisionId'] === '') return 'FORBIDDEN_FIELD error has no decisionId';
  return undefined;
}
