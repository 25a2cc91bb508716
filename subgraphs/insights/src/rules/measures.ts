/**
 * The per-customer measures the rules compare with their thresholds, each computed the way
 * src/metrics/formulas.ts defines the metric (DOMAIN.md section 6), over windows that end at `asOf`.
 */
import type { CustomerFigures } from './customer-figures';
import type { InsightRules } from './insight-rules';
import { completedYears, dayOf, type DayNumber } from '../metrics/calendar';
import {
  claimDay,
  countedClaims,
  incurredFen,
  lossRatio,
  totalEarnedPremiumFen,
  trailingMonths,
  trailingMonthsThrough,
  writtenPremiumWithinFen,
  type Period,
} from '../metrics/formulas';
import { sumFen, toFen, type Fen } from '../metrics/money';

export interface LossFigures {
  earnedPremiumFen: Fen;
  incurredFen: Fen;
  /** Null when the earned premium is below the rule's minimum (or zero): too little premium for a ratio. */
  lossRatio: number | null;
}

export const asOfDay = (asOf: Date | string): DayNumber => dayOf(asOf, 'asOf');

/** Loss figures over the `windowMonths` before asOf; the ratio only when earned premium ≥ minEarnedPremiumFen (and > 0). */
export function lossFigures(figures: CustomerFigures, rules: InsightRules, asOf: Date | string, windowMonths: number, minEarnedPremiumFen: Fen): LossFigures {
  // Premium is earned over [asOf − window, asOf) (the day asOf not yet earned, as Policy.earnedPremium);
  // claims count over (asOf − window, asOf], so a claim reported today weighs today.
  const earned = totalEarnedPremiumFen(figures.policies, trailingMonths(asOf, windowMonths));
  const incurred = sumFen(countedClaims(figures.claims, trailingMonthsThrough(asOf, windowMonths), rules.claimsNotCounted).map(incurredFen));
  return { earnedPremiumFen: earned, incurredFen: incurred, lossRatio: earned > 0 && earned >= minEarnedPremiumFen ? lossRatio(incurred, earned) : null };
}

export function claimsWithin(figures: CustomerFigures, rules: InsightRules, window: Period): number {
  return countedClaims(figures.claims, window, rules.claimsNotCounted).length;
}

export function claimsInMonths(figures: CustomerFigures, rules: InsightRules, asOf: Date | string, windowMonths: number): number {
  return claimsWithin(figures, rules, trailingMonthsThrough(asOf, windowMonths));
}

export function tenureYears(figures: CustomerFigures, asOf: Date | string): number {
  return completedYears(dayOf(figures.customerSince, 'customerSince'), asOfDay(asOf));
}

/** Whole years since the last counted claim up to asOf (since customerSince when there was none). */
export function claimFreeYears(figures: CustomerFigures, rules: InsightRules, asOf: Date | string): number {
  const today = asOfDay(asOf);
  const claimDays = countedClaims(figures.claims, { start: Number.MIN_SAFE_INTEGER, end: today + 1 }, rules.claimsNotCounted).map(claimDay);
  const since = claimDays.length > 0 ? Math.max(...claimDays) : dayOf(figures.customerSince, 'customerSince');
  return completedYears(since, today);
}

/** The longest overdue premium in days: the customer's figure or any policy's, 0 when none is known. */
export function arrearsDays(figures: CustomerFigures): number {
  return Math.max(figures.arrearsDays ?? 0, ...figures.policies.map((policy) => policy.arrearsDays ?? 0));
}

/** Policies cancelled or lapsed for non-payment whose cover stopped within (asOf − window, asOf]. */
export function nonPaymentCancellations(figures: CustomerFigures, asOf: Date | string, windowMonths: number): number {
  const { start, end } = trailingMonthsThrough(asOf, windowMonths);
  return figures.policies.filter((policy) => {
    if (!policy.cancelledForNonPayment) return false;
    const day = dayOf(policy.terminatedAt ?? policy.expiryDate, 'terminatedAt');
    return day >= start && day < end;
  }).length;
}

/** 12-month (or the rule's window) written premium, consolidated over the corporate group when there is one. */
export function writtenPremiumForLarge(figures: CustomerFigures, rules: InsightRules, asOf: Date | string): { fen: Fen; consolidated: boolean } {
  if (figures.corporateGroup) return { fen: toFen(figures.corporateGroup.writtenPremium12m, 'corporateGroup.writtenPremium12m'), consolidated: true };
  return { fen: writtenPremiumWithinFen(figures.policies, trailingMonthsThrough(asOf, rules.classification.large.windowMonths)), consolidated: false };
}
