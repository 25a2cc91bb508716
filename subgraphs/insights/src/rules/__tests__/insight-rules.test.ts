/**
 * loadInsightRules: the shipped file carries DOMAIN.md section 5's defaults; a broken file is refused at
 * start-up with the bad entry named and the reason.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { InsightRulesError, loadInsightRules, parseInsightRules, validateInsightRules } from '../insight-rules';
import { rulesFileWith } from './fixtures';

/** The problems validating the shipped file with one entry changed, as `entry: reason` lines. */
function problemsWith(entry: string, value: unknown): string[] {
  try {
    validateInsightRules(rulesFileWith(entry, value));
  } catch (error) {
    if (error instanceof InsightRulesError) return error.problems.map((problem) => `${problem.entry}: ${problem.reason}`);
    throw error;
  }
  return [];
}

test('the shipped rules carry the defaults of DOMAIN.md section 5 and the version', () => {
  const rules = loadInsightRules();
  expect(rules.version).toBe('insights-2026.12-1');
  expect(rules.classification.precedence).toEqual(['BLACKLISTED', 'POOR', 'QUALITY', 'NORMAL']);
  expect(rules.classification.quality).toEqual({
    minTenureYears: 3,
    minClaimFreeYears: 3,
    lowLossRatio: { windowMonths: 36, atMost: 0.3, minEarnedPremiumFen: 500_000 },
    goodCredit: { maxArrearsDays: 0, maxNonPaymentCancellations: 0, windowMonths: 36 },
  });
  expect(rules.classification.poor).toMatchObject({
    lossRatio: { windowMonths: 36, atLeast: 1 },
    claims: { windowMonths: 12, atLeast: 4 },
    fraudConfirmed: true,
    arrears: { atLeastDays: 90 },
    nonPaymentCancellations: { windowMonths: 36, atLeast: 2 },
  });
  expect(rules.classification.large).toEqual({
    windowMonths: 12,
    shareOfOrgUnit: { HEAD_OFFICE: 0.001, PROVINCE: 0.005, CITY: 0.01 },
    minWrittenPremiumFen: 100_000_000,
    topN: 50,
  });
  expect(rules.warnings).toEqual({
    multipleClaims: { windowMonths: 12, warnAt: 3, highAt: 5 },
    sameInsuredObject: { windowDays: 90, atLeast: 2, level: 'WARN' },
    highLossRatio: { windowMonths: 36, warnAt: 0.8, highAt: 1.2, minEarnedPremiumFen: 500_000 },
    largeHighLossRatio: { atLeast: 0.8, level: 'HIGH' },
    renewalDue: {
      stages: [
        { daysBefore: 60, level: 'WARN' },
        { daysBefore: 30, level: 'WARN' },
        { daysBefore: 15, level: 'HIGH' },
        { daysBefore: 7, level: 'HIGH' },
      ],
    },
    complaintDeadline: { warnAtShare: 0.8, level: 'WARN', overdueLevel: 'HIGH' },
  });
  expect(rules.segmentation.value.focusShare).toBe(0.2);
});

test('the rules are frozen all the way down', () => {
  const rules = loadInsightRules();
  expect(Object.isFrozen(rules)).toBe(true);
  expect(Object.isFrozen(rules.warnings.renewalDue.stages[0])).toBe(true);
  expect(() => {
    (rules.warnings.highLossRatio as { warnAt: number }).warnAt = 5;
  }).toThrow(TypeError);
});

describe('a bad entry is named with the reason', () => {
  test.each([
    ['warnings.highLossRatio.warnAt', 11, 'warnings.highLossRatio.warnAt: must be a number between 0 and 10'],
    ['warnings.highLossRatio.warnAt', '0.8', 'warnings.highLossRatio.warnAt: must be a number between 0 and 10'],
    ['warnings.multipleClaims.warnAt', 2.5, 'warnings.multipleClaims.warnAt: must be a whole number from 1 to 1000'],
    ['classification.quality.minTenureYears', -1, 'classification.quality.minTenureYears: must be a whole number from 0 to 100'],
    ['classification.large.shareOfOrgUnit.CITY', 1.5, 'classification.large.shareOfOrgUnit.CITY: must be a number between 0 and 1'],
    [
      'classification.large.minWrittenPremium',
      1000000,
      "classification.large.minWrittenPremium: must be an amount of yuan as a quoted string with at most two decimal places, e.g. '5000.00'",
    ],
    ['warnings.renewalDue.stages[2].level', 'URGENT', 'warnings.renewalDue.stages[2].level: must be one of WARN, HIGH'],
    [
      'claimsNotCounted',
      ['CANCELLED', 'LOST'],
      'claimsNotCounted[1]: must be one of ' +
        'REPORTED, DISPATCHED, SURVEYED, REGISTERED, ASSESSED, DOCUMENTS_COMPLETE, ADJUSTED, APPROVED, PAID, CLOSED, CANCELLED, WITHDRAWN, DENIED, ZERO_CLOSED, REOPENED',
    ],
    ['version', 'v2', "version: must look like 'insights-2026.12-1'"],
    ['poor', { lossRatio: 1 }, 'poor: is not a known entry (expected one of version, claimsNotCounted, classification, warnings, segmentation)'],
    [
      'warnings.highLossRatio.warnAtt',
      0.8,
      'warnings.highLossRatio.warnAtt: is not a known entry (expected one of windowMonths, warnAt, highAt, minEarnedPremium)',
    ],
    ['warnings.highLossRatio.highAt', undefined, 'warnings.highLossRatio.highAt: is missing'],
    ['classification.poor.fraudConfirmed', 'yes', 'classification.poor.fraudConfirmed: must be true or false'],
    ['warnings.renewalDue.stages', [], 'warnings.renewalDue.stages: must have at least 1 entry'],
  ])('%s = %j', (entry, value, expected) => {
    expect(problemsWith(entry, value)).toEqual([expected]);
  });

  test('rules between entries: thresholds in order, precedence complete with NORMAL last, stages counting down', () => {
    expect(problemsWith('warnings.highLossRatio.highAt', 0.8)).toEqual(['warnings.highLossRatio.highAt: must be above warnAt (0.8)']);
    expect(problemsWith('warnings.multipleClaims.highAt', 3)).toEqual(['warnings.multipleClaims.highAt: must be above warnAt (3)']);
    expect(problemsWith('classification.precedence', ['BLACKLISTED', 'POOR', 'NORMAL', 'QUALITY'])).toEqual([
      'classification.precedence: must end with NORMAL (the class when no rule applies)',
    ]);
    expect(problemsWith('classification.precedence', ['BLACKLISTED', 'POOR', 'POOR', 'NORMAL'])).toEqual([
      'classification.precedence: must list each of BLACKLISTED, POOR, QUALITY, NORMAL exactly once',
    ]);
    expect(problemsWith('warnings.renewalDue.stages[2].daysBefore', 30)).toEqual([
      'warnings.renewalDue.stages[2].daysBefore: must be fewer than the stage before (30): stages go from the earliest reminder to the last',
    ]);
    expect(problemsWith('segmentation.value.bands[0].share', 0.9)).toEqual(['segmentation.value.bands: shares add up to 1.09, more than 1']);
  });

  test('every problem is reported at once, and the error message lists them', () => {
    const data = rulesFileWith('warnings.highLossRatio.warnAt', 11) as { warnings: { multipleClaims: { highAt: unknown } } };
    data.warnings.multipleClaims.highAt = 'five';
    expect(() => validateInsightRules(data, 'insight-rules.yaml')).toThrow(
      'Invalid insight rules (insight-rules.yaml):\n' +
        '  warnings.multipleClaims.highAt: must be a whole number from 1 to 1000\n' +
        '  warnings.highLossRatio.warnAt: must be a number between 0 and 10',
    );
  });
});

describe('the file itself', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'insight-rules-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  test('a file with a bad entry is refused by loadInsightRules with its path and the entry', () => {
    const path = join(directory, 'bad.yaml');
    writeFileSync(path, stringify(rulesFileWith('warnings.highLossRatio.warnAt', 11)));
    expect(() => loadInsightRules(path)).toThrow(`Invalid insight rules (${path}):\n  warnings.highLossRatio.warnAt: must be a number between 0 and 10`);
  });

  test('a missing file, invalid YAML and a duplicated key are refused', () => {
    expect(() => loadInsightRules(join(directory, 'absent.yaml'))).toThrow(/\(file\): cannot be read/);
    expect(() => parseInsightRules('version: [unclosed')).toThrow(/\(yaml\): /);
    expect(() => parseInsightRules('version: a\nversion: b\n')).toThrow(/\(yaml\): .*[Uu]nique|\(yaml\): .*duplicate/i);
  });
});
