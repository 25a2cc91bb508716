/**
 * `schema-changes.acknowledged.yaml`: the breaking schema changes (and, separately, the classification
 * weakenings) a change set makes on purpose. Parsed with the `yaml` package and validated strictly, like
 * the access policy: a typo must never quietly acknowledge something else, so every bad entry is named.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChangeType } from '@graphql-inspector/core';
import { CATEGORIES, MASK_STYLES, TIERS } from '@icg/shared';
import { parseDocument } from 'yaml';

/** At the repository root; the same relative path works from tools/src and tools/dist. */
export const DEFAULT_ACKNOWLEDGEMENTS_PATH = join(__dirname, '..', '..', 'schema-changes.acknowledged.yaml');

/** A breaking change made on purpose: matched on graphql-inspector's change type and path. */
export interface BreakingChangeAcknowledgement {
  /** `Type.field`, `Type.field.argument`, `Type` or `Enum.VALUE`: graphql-inspector's `path`. */
  coordinate: string;
  /** graphql-inspector's change type, e.g. `FIELD_REMOVED`. */
  change: string;
  reason: string;
}

/**
 * A classification lowered on purpose (e.g. a field over-classified by mistake). It names the old and the
 * new classification exactly, so acknowledging one weakening can never let a further one through.
 */
export interface ClassificationWeakeningAcknowledgement {
  coordinate: string;
  /** `TIER/CATEGORY` or `TIER/CATEGORY/MASK`, or `UNCLASSIFIED` (see `describeClassification`). */
  from: string;
  to: string;
  reason: string;
}

export interface SchemaChangeAcknowledgements {
  breakingChanges: readonly BreakingChangeAcknowledgement[];
  classificationWeakenings: readonly ClassificationWeakeningAcknowledgement[];
}

export const NO_ACKNOWLEDGEMENTS: SchemaChangeAcknowledgements = Object.freeze({ breakingChanges: [], classificationWeakenings: [] });

export class SchemaChangeAcknowledgementsError extends Error {
  constructor(
    readonly source: string,
    /** Every problem found, each `path: what is wrong`. */
    readonly problems: readonly string[],
  ) {
    super(problems.map((problem) => `${source}: ${problem}`).join('\n'));
    this.name = 'SchemaChangeAcknowledgementsError';
  }
}

/** A missing file acknowledges nothing; an unreadable or invalid one is an error. */
export function loadSchemaChangeAcknowledgements(path: string = DEFAULT_ACKNOWLEDGEMENTS_PATH): SchemaChangeAcknowledgements {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT') return NO_ACKNOWLEDGEMENTS;
    throw new SchemaChangeAcknowledgementsError(path, [`cannot be read (${error instanceof Error ? error.message : String(error)})`]);
  }
  return parseSchemaChangeAcknowledgements(text, path);
}

export function parseSchemaChangeAcknowledgements(text: string, source: string): SchemaChangeAcknowledgements {
  const document = parseDocument(text, { uniqueKeys: true, strict: true, prettyErrors: true });
  const syntaxProblems = [...document.errors, ...document.warnings].map((problem) => `invalid YAML: ${problem.message}`);
  if (syntaxProblems.length > 0) throw new SchemaChangeAcknowledgementsError(source, syntaxProblems);
  const validator = new AcknowledgementValidator();
  const acknowledgements = validator.file(document.toJS({ maxAliasCount: 0 }));
  if (validator.problems.length > 0 || !acknowledgements) throw new SchemaChangeAcknowledgementsError(source, validator.problems);
  return acknowledgements;
}

/** `TIER/CATEGORY[/MASK]` with known values only, or `UNCLASSIFIED`. */
const CLASSIFICATION_PATTERN = new RegExp(`^(?:UNCLASSIFIED|(?:${TIERS.join('|')})/(?:${CATEGORIES.join('|')})(?:/(?:${MASK_STYLES.join('|')}))?)$`);
/** `Type`, `Type.member` or `Type.field.argument`: GraphQL names joined by dots. */
const COORDINATE_PATTERN = /^[_A-Za-z][_0-9A-Za-z]*(?:\.[_A-Za-z][_0-9A-Za-z]*){0,2}$/;
const KNOWN_CHANGE_TYPES: readonly string[] = Object.values(ChangeType);

const TOP_LEVEL_KEYS = ['breakingChanges', 'classificationWeakenings'] as const;
const BREAKING_KEYS = ['coordinate', 'change', 'reason'] as const;
const WEAKENING_KEYS = ['coordinate', 'from', 'to', 'reason'] as const;

type PlainObject = Record<string, unknown>;

/** Collects every problem rather than stopping at the first, so one edit fixes them all. */
class AcknowledgementValidator {
  readonly problems: string[] = [];

  file(value: unknown): SchemaChangeAcknowledgements | undefined {
    // An empty file (or one holding only comments) acknowledges nothing.
    if (value === null || value === undefined) return NO_ACKNOWLEDGEMENTS;
    const root = this.object(value, '(document)');
    if (!root) return undefined;
    this.onlyKeys(root, TOP_LEVEL_KEYS, '');
    const breakingChanges = this.list(root.breakingChanges, 'breakingChanges', (entry, path) => this.breakingChange(entry, path));
    const classificationWeakenings = this.list(root.classificationWeakenings, 'classificationWeakenings', (entry, path) => this.weakening(entry, path));
    if (!breakingChanges || !classificationWeakenings) return undefined;
    this.noDuplicates(breakingChanges, 'breakingChanges', (entry) => `${entry.coordinate} ${entry.change}`);
    this.noDuplicates(classificationWeakenings, 'classificationWeakenings', (entry) => `${entry.coordinate} ${entry.from} ${entry.to}`);
    return { breakingChanges, classificationWeakenings };
  }

  private breakingChange(value: unknown, path: string): BreakingChangeAcknowledgement | undefined {
    const entry = this.object(value, path);
    if (!entry) return undefined;
    this.onlyKeys(entry, BREAKING_KEYS, path);
    const coordinate = this.coordinate(entry.coordinate, `${path}.coordinate`);
    const change = this.matching(
      entry.change,
      `${path}.change`,
      (text) => KNOWN_CHANGE_TYPES.includes(text),
      'a graphql-inspector change type such as FIELD_REMOVED',
    );
    const reason = this.reason(entry.reason, `${path}.reason`);
    if (coordinate === undefined || change === undefined || reason === undefined) return undefined;
    return { coordinate, change, reason };
  }

  private weakening(value: unknown, path: string): ClassificationWeakeningAcknowledgement | undefined {
    const entry = this.object(value, path);
    if (!entry) return undefined;
    this.onlyKeys(entry, WEAKENING_KEYS, path);
    const coordinate = this.coordinate(entry.coordinate, `${path}.coordinate`);
    const expected = 'TIER/CATEGORY or TIER/CATEGORY/MASK (e.g. CONFIDENTIAL/CONTACT/MOBILE) or UNCLASSIFIED';
    const from = this.matching(entry.from, `${path}.from`, (text) => CLASSIFICATION_PATTERN.test(text), expected);
    const to = this.matching(entry.to, `${path}.to`, (text) => CLASSIFICATION_PATTERN.test(text), expected);
    const reason = this.reason(entry.reason, `${path}.reason`);
    if (from !== undefined && from === to) this.fail(`${path}.to`, `is the same as from (${from}): that is no change`);
    if (coordinate === undefined || from === undefined || to === undefined || reason === undefined || from === to) return undefined;
    return { coordinate, from, to, reason };
  }

  private list<T>(value: unknown, path: string, entry: (item: unknown, path: string) => T | undefined): T[] | undefined {
    // Either list may be left out; `[]` is the explicit "nothing acknowledged".
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return this.fail(path, `must be a list, got ${describe(value)}`);
    const entries = value.map((item: unknown, index) => entry(item, `${path}[${index}]`));
    return entries.every((item) => item !== undefined) ? (entries as T[]) : undefined;
  }

  private coordinate(value: unknown, path: string): string | undefined {
    return this.matching(value, path, (text) => COORDINATE_PATTERN.test(text), 'a schema coordinate such as Customer.mobile');
  }

  /** Someone reading the file later must learn why: a reason is required and may not be blank. */
  private reason(value: unknown, path: string): string | undefined {
    if (value === undefined) return this.fail(path, 'is missing (say why the change is acceptable and who agreed)');
    if (typeof value !== 'string' || value.trim() === '') return this.fail(path, `must be a non-empty string, got ${describe(value)}`);
    return value.trim();
  }

  private matching(value: unknown, path: string, accepts: (text: string) => boolean, expected: string): string | undefined {
    if (value === undefined) return this.fail(path, `is missing (${expected})`);
    if (typeof value !== 'string' || !accepts(value)) return this.fail(path, `${describe(value)} is not ${expected}`);
    return value;
  }

  private noDuplicates<T>(entries: readonly T[], path: string, key: (entry: T) => string): void {
    const seen = new Map<string, number>();
    entries.forEach((entry, index) => {
      const earlier = seen.get(key(entry));
      if (earlier !== undefined) this.fail(`${path}[${index}]`, `repeats ${path}[${earlier}]`);
      else seen.set(key(entry), index);
    });
  }

  private object(value: unknown, path: string): PlainObject | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as PlainObject;
    return this.fail(path, `must be a mapping, got ${describe(value)}`);
  }

  private onlyKeys(entry: PlainObject, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(entry)) {
      if (!allowed.includes(key)) this.fail(path === '' ? key : `${path}.${key}`, `unknown key; expected one of ${allowed.join(', ')}`);
    }
  }

  private fail(path: string, problem: string): undefined {
    this.problems.push(`${path}: ${problem}`);
    return undefined;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value)}`;
}
