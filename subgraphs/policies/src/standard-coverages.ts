import type { CoverageTemplate, Product } from './catalog';

export interface QuotedCoverage {
  code: string;
  name: string;
  sumInsured: number;
  premium: number;
  deductible: number;
}

const toCents = (amount: number): number => Math.round(amount * 100);

function limitOf(template: CoverageTemplate, sumInsured: number): number {
  return template.limit.kind === 'FIXED' ? template.limit.amounts[0]! : toCents(sumInsured * template.limit.factor) / 100;
}

/**
 * The covers a quote carries: the product's mandatory ones (optional covers are added by underwriting, not
 * here), with the smallest usual limit and deductible, sharing the written premium by their weights to the
 * fen (the leftover goes to the main cover, as the seed does).
 */
export function standardCoverages(product: Product, sumInsured: number, writtenPremium: number): QuotedCoverage[] {
  const mandatory = product.coverages.filter((template) => template.takeUp === undefined);
  const totalWeight = mandatory.reduce((sum, template) => sum + template.premiumWeight, 0);
  const premiumCents = toCents(writtenPremium);
  const shares = mandatory.map((template) => Math.floor((premiumCents * template.premiumWeight) / totalWeight));
  shares[0]! += premiumCents - shares.reduce((sum, cents) => sum + cents, 0);
  return mandatory.map((template, index) => ({
    code: template.code,
    name: template.name,
    sumInsured: limitOf(template, sumInsured),
    premium: shares[index]! / 100,
    deductible: template.deductibles[0] ?? 0,
  }));
}
