/**
 * Value segmentation (DOMAIN.md section 5): value, contribution and loyalty. Value bands rank a customer
 * among all customers (Jay Curry's pyramid: the top 20 % matter most), so they need cut-offs computed over
 * the whole population (valueCutoffs, at a full refresh); contribution and loyalty are the customer's own.
 */
import type { CustomerFigures } from './customer-figures';
import type { InsightRules } from './insight-rules';
import { lossFigures, tenureYears } from './measures';
import { fenToYuan, type Fen } from '../metrics/money';

/** The least value (earned premium over the window, fen) that reaches each value band, from the top. */
export interface ValueCutoffs {
  readonly ruleVersion: string;
  /** How many customers the cut-offs were computed over. */
  readonly population: number;
  readonly bands: readonly { readonly name: string; readonly minValueFen: Fen }[];
  /** The least value in the top `focusShare` (20 %) of customers. */
  readonly focusMinValueFen: Fen;
}

export interface CustomerSegments {
  readonly value: {
    /** Earned premium over the segmentation window. */
    readonly earnedPremium: string;
    /** The value band, or null when no population cut-offs are known yet. */
    readonly band: string | null;
    /** In the top `focusShare` of customers by value; null without cut-offs. */
    readonly focus: boolean | null;
  };
  readonly contribution: {
    /** Earned premium − incurred − expense (earned premium × expenseRatio), over the window. */
    readonly amount: string;
    readonly expense: string;
    readonly incurred: string;
    /** Contribution ÷ earned premium; null without earned premium. */
    readonly margin: number | null;
    readonly band: string;
  };
  readonly loyalty: {
    readonly tenureYears: number;
    /** Renewals in the longest unbroken chain of this customer's policies (a renewal of a renewal …). */
    readonly consecutiveRenewals: number;
    /** Distinct products (or lines, when the product is unknown) in force. */
    readonly productsHeld: number;
    readonly band: string;
  };
  readonly windowMonths: number;
  readonly ruleVersion: string;
}

/**
 * Value cut-offs over every customer's value (earned premium over the segmentation window, fen): the
 * band of share s (cumulated from the top) starts at the value of the customer ranked ⌈cumulative s × N⌉.
 * Customers tied with that value are in the band too.
 */
export function valueCutoffs(valuesFen: readonly Fen[], rules: InsightRules): ValueCutoffs | null {
  if (valuesFen.length === 0) return null;
  const sorted = [...valuesFen].sort((a, b) => b - a);
  const at = (share: number): Fen => sorted[Math.min(sorted.length, Math.max(1, Math.ceil(share * sorted.length - 1e-9))) - 1]!;
  let cumulative = 0;
  const bands = rules.segmentation.value.bands.map((band) => {
    cumulative += band.share;
    return { name: band.name, minValueFen: at(cumulative) };
  });
  return { ruleVersion: rules.version, population: sorted.length, bands, focusMinValueFen: at(rules.segmentation.value.focusShare) };
}

/** The value a customer is ranked by: earned premium over the segmentation window, fen. */
export function customerValueFen(figures: CustomerFigures, rules: InsightRules, asOf: Date | string): Fen {
  return lossFigures(figures, rules, asOf, rules.segmentation.windowMonths, 0).earnedPremiumFen;
}

function consecutiveRenewals(figures: CustomerFigures): number {
  const byNo = new Map(figures.policies.filter((policy) => policy.status !== 'QUOTED').map((policy) => [policy.policyNo, policy]));
  let longest = 0;
  for (const policy of byNo.values()) {
    let links = 0;
    const seen = new Set<string>([policy.policyNo]);
    let prior = policy.renewalOfPolicyNo === null ? undefined : byNo.get(policy.renewalOfPolicyNo);
    while (prior !== undefined && !seen.has(prior.policyNo)) {
      links += 1;
      seen.add(prior.policyNo);
      prior = prior.renewalOfPolicyNo === null ? undefined : byNo.get(prior.renewalOfPolicyNo);
    }
    longest = Math.max(longest, links);
  }
  return longest;
}

/** Value, contribution and loyalty of one customer as of `asOf`; value bands need the population's cut-offs. */
export function segmentCustomer(figures: CustomerFigures, rules: InsightRules, asOf: Date | string, cutoffs: ValueCutoffs | null = null): CustomerSegments {
  const { segmentation } = rules;
  const loss = lossFigures(figures, rules, asOf, segmentation.windowMonths, 0);
  const earned = loss.earnedPremiumFen;

  let band: string | null = null;
  let focus: boolean | null = null;
  if (cutoffs !== null) {
    // A customer with no value is in no upper band, however few customers have any.
    band = (earned > 0 ? cutoffs.bands.find((candidate) => earned >= candidate.minValueFen)?.name : undefined) ?? segmentation.value.otherBand;
    focus = earned > 0 && earned >= cutoffs.focusMinValueFen;
  }

  const expense = Math.round(earned * segmentation.expenseRatio);
  const contribution = earned - loss.incurredFen - expense;
  const margin = earned > 0 ? contribution / earned : null;
  const contributionBand =
    (margin === null ? undefined : segmentation.contribution.bands.find((candidate) => margin >= candidate.minMargin)?.name) ??
    segmentation.contribution.otherBand;

  const tenure = tenureYears(figures, asOf);
  const renewals = consecutiveRenewals(figures);
  const productsHeld = new Set(
    figures.policies
      .filter((policy) => policy.status === 'BOUND' || policy.status === 'IN_FORCE')
      .map((policy) => policy.productCode ?? `line:${policy.lineOfBusiness}`),
  ).size;
  const loyaltyBand =
    segmentation.loyalty.bands.find(
      (candidate) => tenure >= candidate.minTenureYears && renewals >= candidate.minConsecutiveRenewals && productsHeld >= candidate.minProductsHeld,
    )?.name ?? segmentation.loyalty.otherBand;

  return {
    value: { earnedPremium: fenToYuan(earned), band, focus },
    contribution: { amount: fenToYuan(contribution), expense: fenToYuan(expense), incurred: fenToYuan(loss.incurredFen), margin, band: contributionBand },
    loyalty: { tenureYears: tenure, consecutiveRenewals: renewals, productsHeld, band: loyaltyBand },
    windowMonths: segmentation.windowMonths,
    ruleVersion: rules.version,
  };
}
