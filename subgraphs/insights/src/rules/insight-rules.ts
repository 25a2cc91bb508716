/**
 * The insight rules file (insight-rules.yaml) as typed, frozen data: loaded and validated once at start-up
 * so a typo or an out-of-range threshold stops the subgraph with the entry named, instead of quietly
 * classifying every customer wrongly. Unknown keys are refused too: a misspelt key would otherwise leave
 * its default silently in force.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { CLAIM_STATUSES, type BranchLevel, type ClaimStatus } from '@icg/shared';
import { toFen, type Fen } from '../metrics/money';

export const CLASSIFICATIONS = ['BLACKLISTED', 'POOR', 'QUALITY', 'NORMAL'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const WARNING_LEVELS = ['WARN', 'HIGH'] as const;
export type WarningLevel = (typeof WARNING_LEVELS)[number];

export interface WindowedLossRatio {
  readonly windowMonths: number;
  readonly minEarnedPremiumFen: Fen;
}

export interface InsightRules {
  readonly version: string;
  readonly claimsNotCounted: readonly ClaimStatus[];
  readonly classification: {
    readonly precedence: readonly Classification[];
    readonly quality: {
      readonly minTenureYears: number;
      readonly minClaimFreeYears: number;
      readonly lowLossRatio: WindowedLossRatio & { readonly atMost: number };
      readonly goodCredit: { readonly maxArrearsDays: number; readonly maxNonPaymentCancellations: number; readonly windowMonths: number };
    };
    readonly poor: {
      readonly lossRatio: WindowedLossRatio & { readonly atLeast: number };
      readonly claims: { readonly windowMonths: number; readonly atLeast: number };
      readonly fraudConfirmed: boolean;
      readonly arrears: { readonly atLeastDays: number };
      readonly nonPaymentCancellations: { readonly windowMonths: number; readonly atLeast: number };
    };
    readonly large: {
      readonly windowMonths: number;
      readonly shareOfOrgUnit: Readonly<Record<BranchLevel, number>>;
      readonly minWrittenPremiumFen: Fen;
      readonly topN: number;
    };
  };
  readonly warnings: {
    readonly multipleClaims: { readonly windowMonths: number; readonly warnAt: number; readonly highAt: number };
    readonly sameInsuredObject: { readonly windowDays: number; readonly atLeast: number; readonly level: WarningLevel };
    readonly highLossRatio: WindowedLossRatio & { readonly warnAt: number; readonly highAt: number };
    readonly largeHighLossRatio: { readonly atLeast: number; readonly level: WarningLevel };
    readonly renewalDue: { readonly stages: readonly { readonly daysBefore: number; readonly level: WarningLevel }[] };
    readonly complaintDeadline: { readonly warnAtShare: number; readonly level: WarningLevel; readonly overdueLevel: WarningLevel };
  };
  readonly segmentation: {
    readonly windowMonths: number;
    readonly expenseRatio: number;
    readonly value: { readonly bands: readonly { readonly name: string; readonly share: number }[]; readonly otherBand: string; readonly focusShare: number };
    readonly contribution: { readonly bands: readonly { readonly name: string; readonly minMargin: number }[]; readonly otherBand: string };
    readonly loyalty: {
      readonly bands: readonly {
        readonly name: string;
        readonly minTenureYears: number;
        readonly minConsecutiveRenewals: number;
        readonly minProductsHeld: number;
      }[];
      readonly otherBand: string;
    };
  };
}

/** The rules file could not be used: every problem names its entry (`a.b.c`) and the reason. */
export class InsightRulesError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly { entry: string; reason: string }[],
  ) {
    super(`Invalid insight rules (${source}):\n${problems.map((problem) => `  ${problem.entry}: ${problem.reason}`).join('\n')}`);
    this.name = 'InsightRulesError';
  }
}

/** insight-rules.yaml at the subgraph's root (from src/rules or dist/rules alike). */
export const DEFAULT_INSIGHT_RULES_PATH = join(__dirname, '..', '..', 'insight-rules.yaml');

/** Reads, validates and freezes the rules file; throws InsightRulesError naming every bad entry. */
export function loadInsightRules(path: string = DEFAULT_INSIGHT_RULES_PATH): InsightRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InsightRulesError(path, [{ entry: '(file)', reason: `cannot be read (${error instanceof Error ? error.message : String(error)})` }]);
  }
  return parseInsightRules(text, path);
}

/** Validates rules given as YAML text (tests, or a file already read). */
export function parseInsightRules(text: string, source = 'insight rules'): InsightRules {
  const document = parseDocument(text, { uniqueKeys: true, strict: true, prettyErrors: false });
  const syntax = [...document.errors, ...document.warnings];
  if (syntax.length > 0)
    throw new InsightRulesError(
      source,
      syntax.map((problem) => ({ entry: '(yaml)', reason: problem.message })),
    );
  return validateInsightRules(document.toJS() as unknown, source);
}

/** Validates rules given as plain data. */
export function validateInsightRules(data: unknown, source = 'insight rules'): InsightRules {
  const problems: { entry: string; reason: string }[] = [];
  const rules = insightRulesSpec(data, '', problems);
  if (problems.length > 0 || rules === INVALID) throw new InsightRulesError(source, problems);
  crossChecks(rules, problems);
  if (problems.length > 0) throw new InsightRulesError(source, problems);
  return deepFreeze(rules);
}

// --- A small schema check --------------------------------------------------------------------------------
// Each spec turns an unknown value at `path` into its typed value, or records the problem and returns INVALID.

const INVALID = Symbol('invalid');
type Invalid = typeof INVALID;
type Problems = { entry: string; reason: string }[];
type Spec<T> = (value: unknown, path: string, problems: Problems) => T | Invalid;

const fail = (problems: Problems, path: string, reason: string): Invalid => {
  problems.push({ entry: path === '' ? '(root)' : path, reason });
  return INVALID;
};

const numberBetween =
  (min: number, max: number): Spec<number> =>
  (value, path, problems) =>
    typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max
      ? value
      : fail(problems, path, `must be a number between ${min} and ${max}`);

const wholeBetween =
  (min: number, max: number): Spec<number> =>
  (value, path, problems) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? value
      : fail(problems, path, `must be a whole number from ${min} to ${max}`);

const boolean: Spec<boolean> = (value, path, problems) => (typeof value === 'boolean' ? value : fail(problems, path, 'must be true or false'));

/** Yuan as a quoted decimal string, kept as whole fen. */
const money: Spec<Fen> = (value, path, problems) => {
  if (typeof value === 'string' && /^\d{1,13}(\.\d{1,2})?$/.test(value)) return toFen(value);
  return fail(problems, path, "must be an amount of yuan as a quoted string with at most two decimal places, e.g. '5000.00'");
};

const versionText: Spec<string> = (value, path, problems) =>
  typeof value === 'string' && /^insights-\d{4}\.\d{2}-\d+$/.test(value) ? value : fail(problems, path, "must look like 'insights-2026.12-1'");

const bandName: Spec<string> = (value, path, problems) =>
  typeof value === 'string' && /^[A-Z][A-Z0-9_]{0,31}$/.test(value) ? value : fail(problems, path, 'must be a name in capitals, e.g. TOP');

const oneOf =
  <const T extends string>(values: readonly T[]): Spec<T> =>
  (value, path, problems) =>
    typeof value === 'string' && (values as readonly string[]).includes(value) ? (value as T) : fail(problems, path, `must be one of ${values.join(', ')}`);

const listOf =
  <T>(item: Spec<T>, minLength: number): Spec<T[]> =>
  (value, path, problems) => {
    if (!Array.isArray(value)) return fail(problems, path, 'must be a list');
    if (value.length < minLength) return fail(problems, path, `must have at least ${minLength} entr${minLength === 1 ? 'y' : 'ies'}`);
    const items = value.map((entry, index) => item(entry, `${path}[${index}]`, problems));
    return items.some((entry) => entry === INVALID) ? INVALID : (items as T[]);
  };

type Shape = Readonly<Record<string, Spec<unknown>>>;
type Shaped<S extends Shape> = { [K in keyof S]: S[K] extends Spec<infer T> ? T : never };

/** A closed mapping: each described key checked, a missing or unknown key named. */
const object =
  <S extends Shape>(shape: S): Spec<Shaped<S>> =>
  (value, path, problems) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(problems, path, 'must be a mapping');
    const given = value as Readonly<Record<string, unknown>>;
    const prefix = path === '' ? '' : `${path}.`;
    let valid = true;
    for (const key of Object.keys(given)) {
      if (!Object.prototype.hasOwnProperty.call(shape, key)) {
        fail(problems, `${prefix}${key}`, `is not a known entry (expected one of ${Object.keys(shape).join(', ')})`);
        valid = false;
      }
    }
    const result: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(shape)) {
      if (!Object.prototype.hasOwnProperty.call(given, key)) {
        fail(problems, `${prefix}${key}`, 'is missing');
        valid = false;
        continue;
      }
      const checked = spec(given[key], `${prefix}${key}`, problems);
      if (checked === INVALID) valid = false;
      else result[key] = checked;
    }
    return valid ? (result as Shaped<S>) : INVALID;
  };

const months = wholeBetween(1, 120);
const ratioLimit = numberBetween(0, 10);
const share = numberBetween(0, 1);
const level = oneOf(WARNING_LEVELS);

const fileSpec = object({
  version: versionText,
  claimsNotCounted: listOf(oneOf(CLAIM_STATUSES), 0),
  classification: object({
    precedence: listOf(oneOf(CLASSIFICATIONS), CLASSIFICATIONS.length),
    quality: object({
      minTenureYears: wholeBetween(0, 100),
      minClaimFreeYears: wholeBetween(0, 100),
      lowLossRatio: object({ windowMonths: months, atMost: ratioLimit, minEarnedPremium: money }),
      goodCredit: object({ maxArrearsDays: wholeBetween(0, 3650), maxNonPaymentCancellations: wholeBetween(0, 100), windowMonths: months }),
    }),
    poor: object({
      lossRatio: object({ windowMonths: months, atLeast: ratioLimit, minEarnedPremium: money }),
      claims: object({ windowMonths: months, atLeast: wholeBetween(1, 1000) }),
      fraudConfirmed: boolean,
      arrears: object({ atLeastDays: wholeBetween(1, 3650) }),
      nonPaymentCancellations: object({ windowMonths: months, atLeast: wholeBetween(1, 100) }),
    }),
    large: object({
      windowMonths: months,
      shareOfOrgUnit: object({ HEAD_OFFICE: share, PROVINCE: share, CITY: share }),
      minWrittenPremium: money,
      topN: wholeBetween(0, 100_000),
    }),
  }),
  warnings: object({
    multipleClaims: object({ windowMonths: months, warnAt: wholeBetween(1, 1000), highAt: wholeBetween(1, 1000) }),
    sameInsuredObject: object({ windowDays: wholeBetween(1, 3650), atLeast: wholeBetween(2, 1000), level }),
    highLossRatio: object({ windowMonths: months, warnAt: ratioLimit, highAt: ratioLimit, minEarnedPremium: money }),
    largeHighLossRatio: object({ atLeast: ratioLimit, level }),
    renewalDue: object({ stages: listOf(object({ daysBefore: wholeBetween(1, 366), level }), 1) }),
    complaintDeadline: object({ warnAtShare: numberBetween(0.01, 1), level, overdueLevel: level }),
  }),
  segmentation: object({
    windowMonths: months,
    expenseRatio: share,
    value: object({ bands: listOf(object({ name: bandName, share }), 0), otherBand: bandName, focusShare: share }),
    contribution: object({ bands: listOf(object({ name: bandName, minMargin: numberBetween(-10, 10) }), 0), otherBand: bandName }),
    loyalty: object({
      bands: listOf(
        object({ name: bandName, minTenureYears: wholeBetween(0, 100), minConsecutiveRenewals: wholeBetween(0, 100), minProductsHeld: wholeBetween(0, 100) }),
        0,
      ),
      otherBand: bandName,
    }),
  }),
});

type RulesFile = Exclude<ReturnType<typeof fileSpec>, Invalid>;

/** The file says `minEarnedPremium` (yuan); code reads `minEarnedPremiumFen` (whole fen). */
const renameMoney = <T extends { minEarnedPremium: Fen }>({ minEarnedPremium, ...rest }: T): Omit<T, 'minEarnedPremium'> & { minEarnedPremiumFen: Fen } => ({
  ...rest,
  minEarnedPremiumFen: minEarnedPremium,
});

function insightRulesSpec(data: unknown, path: string, problems: Problems): InsightRules | Invalid {
  const file: RulesFile | Invalid = fileSpec(data, path, problems);
  if (file === INVALID) return INVALID;
  const { classification, warnings } = file;
  return {
    ...file,
    classification: {
      precedence: classification.precedence,
      quality: { ...classification.quality, lowLossRatio: renameMoney(classification.quality.lowLossRatio) },
      poor: { ...classification.poor, lossRatio: renameMoney(classification.poor.lossRatio) },
      large: {
        windowMonths: classification.large.windowMonths,
        shareOfOrgUnit: classification.large.shareOfOrgUnit,
        minWrittenPremiumFen: classification.large.minWrittenPremium,
        topN: classification.large.topN,
      },
    },
    warnings: { ...warnings, highLossRatio: renameMoney(warnings.highLossRatio) },
  };
}

/** Rules between entries: orders and uniqueness a single entry cannot check. */
function crossChecks(rules: InsightRules, problems: Problems): void {
  const { precedence } = rules.classification;
  if (new Set(precedence).size !== precedence.length || precedence.length !== CLASSIFICATIONS.length)
    fail(problems, 'classification.precedence', `must list each of ${CLASSIFICATIONS.join(', ')} exactly once`);
  else if (precedence[precedence.length - 1] !== 'NORMAL') fail(problems, 'classification.precedence', 'must end with NORMAL (the class when no rule applies)');
  const { multipleClaims, highLossRatio, renewalDue } = rules.warnings;
  if (multipleClaims.highAt <= multipleClaims.warnAt) fail(problems, 'warnings.multipleClaims.highAt', `must be above warnAt (${multipleClaims.warnAt})`);
  if (highLossRatio.highAt <= highLossRatio.warnAt) fail(problems, 'warnings.highLossRatio.highAt', `must be above warnAt (${highLossRatio.warnAt})`);
  renewalDue.stages.forEach((stage, index) => {
    const previous = renewalDue.stages[index - 1];
    if (previous !== undefined && stage.daysBefore >= previous.daysBefore)
      fail(
        problems,
        `warnings.renewalDue.stages[${index}].daysBefore`,
        `must be fewer than the stage before (${previous.daysBefore}): stages go from the earliest reminder to the last`,
      );
  });
  const valueShares = rules.segmentation.value.bands.reduce((total, band) => total + band.share, 0);
  if (valueShares > 1 + 1e-9) fail(problems, 'segmentation.value.bands', `shares add up to ${Number(valueShares.toFixed(6))}, more than 1`);
  for (const [segment, bands] of [
    ['value', rules.segmentation.value.bands],
    ['contribution', rules.segmentation.contribution.bands],
    ['loyalty', rules.segmentation.loyalty.bands],
  ] as const) {
    const names = [...bands.map((band) => band.name), rules.segmentation[segment].otherBand];
    if (new Set(names).size !== names.length) fail(problems, `segmentation.${segment}`, 'band names (otherBand included) must be different');
  }
  rules.segmentation.contribution.bands.forEach((band, index, bands) => {
    const previous = bands[index - 1];
    if (previous !== undefined && band.minMargin >= previous.minMargin)
      fail(problems, `segmentation.contribution.bands[${index}].minMargin`, `must be below the band before (${previous.minMargin}): bands go from the highest`);
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
