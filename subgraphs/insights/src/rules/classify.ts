/**
 * Customer classification (DOMAIN.md section 5): blacklisted, poor, quality or normal by the rules'
 * precedence, and — independently — large. Pure: the same figures, rules and asOf always give the same
 * answer, and the answer says which rules fired, on which figure, against which threshold.
 */
import type { BranchLevel } from '@icg/shared';
import { rankedPartyOf, type CustomerFigures } from './customer-figures';
import type { Classification, InsightRules } from './insight-rules';
import { arrearsDays, claimFreeYears, claimsInMonths, lossFigures, nonPaymentCancellations, tenureYears, writtenPremiumForLarge } from './measures';
import { rankAmongLeaders } from './unit-leaders';
import { fenToYuan, toFen } from '../metrics/money';

/** One rule that fired: its entry in the rules file, the customer's figure and the threshold it met. */
export interface RuleReason {
  /** The rules-file entry, e.g. `classification.poor.lossRatio`. */
  readonly rule: string;
  readonly figure: number | string | boolean;
  readonly comparison: '>=' | '<=' | '=';
  readonly threshold: number | string | boolean;
}

/** The figures behind a classification (money as yuan strings, ratios as numbers or null when there is none). */
export interface ClassificationFigures {
  readonly tenureYears: number;
  readonly claimFreeYears: number;
  /** Counted claims in the poor rule's window (12 months by default). */
  readonly claims12m: number;
  /** Earned premium, incurred and loss ratio over the poor rule's window (36 months by default). */
  readonly earnedPremium36m: string;
  readonly incurred36m: string;
  readonly lossRatio36m: number | null;
  readonly arrearsDays: number;
  readonly nonPaymentCancellations36m: number;
  readonly fraudConfirmed: boolean;
  /** Written premium over the large rule's window (12 months), consolidated over the group when `consolidated`. */
  readonly writtenPremium12m: string;
  readonly consolidated: boolean;
  /** The customer's share of each org unit's written premium on its branch path, and its rank there. */
  readonly orgUnitShares: readonly { readonly level: BranchLevel; readonly branchId: string; readonly share: number | null; readonly rank: number | null }[];
  /** The windows the figures above were taken over, from the rules file. */
  readonly windows: {
    readonly claimsMonths: number;
    readonly lossRatioMonths: number;
    readonly nonPaymentMonths: number;
    readonly writtenPremiumMonths: number;
  };
}

export interface CustomerClassification {
  readonly classification: Classification;
  readonly large: boolean;
  readonly blacklisted: boolean;
  /** Every rule that fired (for each class that applied, not only the winning one), in rules-file order. */
  readonly reasons: readonly RuleReason[];
  readonly ruleVersion: string;
  readonly asOf: string;
  readonly figures: ClassificationFigures;
}

const asOfText = (asOf: Date | string): string => (asOf instanceof Date ? asOf.toISOString() : asOf);

/** Whether the customer is large, with the reasons (shares of org-unit premium, amount, rank). */
export function largeCustomer(
  figures: CustomerFigures,
  rules: InsightRules,
  asOf: Date | string,
): { large: boolean; reasons: RuleReason[]; writtenPremiumFen: number; consolidated: boolean; orgUnitShares: ClassificationFigures['orgUnitShares'] } {
  const rule = rules.classification.large;
  const { fen, consolidated } = writtenPremiumForLarge(figures, rules, asOf);
  const reasons: RuleReason[] = [];
  const orgUnitShares = figures.orgUnitPremiums.map((unit) => {
    const unitFen = toFen(unit.writtenPremium12m, `orgUnitPremiums.${unit.branchId}.writtenPremium12m`);
    const share = unitFen > 0 ? fen / unitFen : null;
    const rank = unit.leaders ? rankAmongLeaders(unit.leaders, rankedPartyOf(figures), fen) : null;
    return { level: unit.level, branchId: unit.branchId, share, rank };
  });
  for (const unit of orgUnitShares) {
    const threshold = rule.shareOfOrgUnit[unit.level];
    // A share is only meaningful for premium actually written: nothing is no share of anything.
    if (unit.share !== null && fen > 0 && unit.share >= threshold)
      reasons.push({ rule: `classification.large.shareOfOrgUnit.${unit.level}`, figure: unit.share, comparison: '>=', threshold });
  }
  if (fen >= rule.minWrittenPremiumFen)
    reasons.push({ rule: 'classification.large.minWrittenPremium', figure: fenToYuan(fen), comparison: '>=', threshold: fenToYuan(rule.minWrittenPremiumFen) });
  const ranks = orgUnitShares.map((unit) => unit.rank).filter((rank): rank is number => rank !== null && rank >= 1);
  const bestRank = ranks.length > 0 ? Math.min(...ranks) : null;
  if (bestRank !== null && fen > 0 && bestRank <= rule.topN)
    reasons.push({ rule: 'classification.large.topN', figure: bestRank, comparison: '<=', threshold: rule.topN });
  return { large: reasons.length > 0, reasons, writtenPremiumFen: fen, consolidated, orgUnitShares };
}

/** classification (by precedence), large, the reasons and the figures behind them, as of `asOf`. */
export function classifyCustomer(figures: CustomerFigures, rules: InsightRules, asOf: Date | string): CustomerClassification {
  const { quality, poor } = rules.classification;
  const tenure = tenureYears(figures, asOf);
  const claimFree = claimFreeYears(figures, rules, asOf);
  const claimsForPoor = claimsInMonths(figures, rules, asOf, poor.claims.windowMonths);
  const poorLoss = lossFigures(figures, rules, asOf, poor.lossRatio.windowMonths, poor.lossRatio.minEarnedPremiumFen);
  const qualityLoss = lossFigures(figures, rules, asOf, quality.lowLossRatio.windowMonths, quality.lowLossRatio.minEarnedPremiumFen);
  const arrears = arrearsDays(figures);
  const nonPaymentForPoor = nonPaymentCancellations(figures, asOf, poor.nonPaymentCancellations.windowMonths);
  const nonPaymentForQuality = nonPaymentCancellations(figures, asOf, quality.goodCredit.windowMonths);
  const fraudConfirmed = figures.claims.some((claim) => claim.fraudConfirmed);
  const large = largeCustomer(figures, rules, asOf);

  const blacklistReasons: RuleReason[] = figures.blacklisted ? [{ rule: 'classification.blacklisted', figure: true, comparison: '=', threshold: true }] : [];

  const poorReasons: RuleReason[] = [];
  if (poorLoss.lossRatio !== null && poorLoss.lossRatio >= poor.lossRatio.atLeast)
    poorReasons.push({ rule: 'classification.poor.lossRatio', figure: poorLoss.lossRatio, comparison: '>=', threshold: poor.lossRatio.atLeast });
  if (claimsForPoor >= poor.claims.atLeast)
    poorReasons.push({ rule: 'classification.poor.claims', figure: claimsForPoor, comparison: '>=', threshold: poor.claims.atLeast });
  if (poor.fraudConfirmed && fraudConfirmed) poorReasons.push({ rule: 'classification.poor.fraudConfirmed', figure: true, comparison: '=', threshold: true });
  if (arrears >= poor.arrears.atLeastDays)
    poorReasons.push({ rule: 'classification.poor.arrears', figure: arrears, comparison: '>=', threshold: poor.arrears.atLeastDays });
  if (nonPaymentForPoor >= poor.nonPaymentCancellations.atLeast)
    poorReasons.push({
      rule: 'classification.poor.nonPaymentCancellations',
      figure: nonPaymentForPoor,
      comparison: '>=',
      threshold: poor.nonPaymentCancellations.atLeast,
    });

  // Quality needs every clause; its reasons are the clauses met, recorded only when all are.
  const qualityReasons: RuleReason[] = [];
  const tenureMet = tenure >= quality.minTenureYears;
  const claimFreeMet = claimFree >= quality.minClaimFreeYears;
  const lowLossMet = qualityLoss.lossRatio !== null && qualityLoss.lossRatio <= quality.lowLossRatio.atMost;
  const creditMet = arrears <= quality.goodCredit.maxArrearsDays && nonPaymentForQuality <= quality.goodCredit.maxNonPaymentCancellations;
  if (tenureMet && (claimFreeMet || lowLossMet) && creditMet && !figures.blacklisted) {
    qualityReasons.push({ rule: 'classification.quality.minTenureYears', figure: tenure, comparison: '>=', threshold: quality.minTenureYears });
    if (claimFreeMet)
      qualityReasons.push({ rule: 'classification.quality.minClaimFreeYears', figure: claimFree, comparison: '>=', threshold: quality.minClaimFreeYears });
    if (lowLossMet)
      qualityReasons.push({
        rule: 'classification.quality.lowLossRatio',
        figure: qualityLoss.lossRatio!,
        comparison: '<=',
        threshold: quality.lowLossRatio.atMost,
      });
    qualityReasons.push({
      rule: 'classification.quality.goodCredit.maxArrearsDays',
      figure: arrears,
      comparison: '<=',
      threshold: quality.goodCredit.maxArrearsDays,
    });
    qualityReasons.push({
      rule: 'classification.quality.goodCredit.maxNonPaymentCancellations',
      figure: nonPaymentForQuality,
      comparison: '<=',
      threshold: quality.goodCredit.maxNonPaymentCancellations,
    });
  }

  const applies: Record<Classification, boolean> = {
    BLACKLISTED: figures.blacklisted,
    POOR: poorReasons.length > 0,
    QUALITY: qualityReasons.length > 0,
    NORMAL: true,
  };
  const classification = rules.classification.precedence.find((candidate) => applies[candidate]) ?? 'NORMAL';

  return {
    classification,
    large: large.large,
    blacklisted: figures.blacklisted,
    reasons: [...blacklistReasons, ...poorReasons, ...qualityReasons, ...large.reasons],
    ruleVersion: rules.version,
    asOf: asOfText(asOf),
    figures: {
      tenureYears: tenure,
      claimFreeYears: claimFree,
      claims12m: claimsForPoor,
      earnedPremium36m: fenToYuan(poorLoss.earnedPremiumFen),
      incurred36m: fenToYuan(poorLoss.incurredFen),
      lossRatio36m: poorLoss.earnedPremiumFen > 0 ? poorLoss.incurredFen / poorLoss.earnedPremiumFen : null,
      arrearsDays: arrears,
      nonPaymentCancellations36m: nonPaymentForPoor,
      fraudConfirmed,
      writtenPremium12m: fenToYuan(large.writtenPremiumFen),
      consolidated: large.consolidated,
      orgUnitShares: large.orgUnitShares,
      windows: {
        claimsMonths: poor.claims.windowMonths,
        lossRatioMonths: poor.lossRatio.windowMonths,
        nonPaymentMonths: poor.nonPaymentCancellations.windowMonths,
        writtenPremiumMonths: rules.classification.large.windowMonths,
      },
    },
  };
}
