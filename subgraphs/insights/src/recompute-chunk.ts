/**
 * The rules' part of a full recompute (refresh.ts, `recomputeAll`), one chunk of customers at a time: pure, so it runs
 * where the chunk computer puts it (recompute-worker.ts), on another core than the reads and writes.
 *
 * - Pass one: each customer's value and large-rule premium, for the population's value cut-offs and the org units'
 *   leaders, and the units' 12-month premium.
 * - Pass two: each customer's insight row and early-warning findings, against those population figures.
 */
import { toId } from '@icg/shared';
import {
  customerValueFen,
  findEarlyWarnings,
  rankedPartyOf,
  writtenPremiumForLarge,
  type EarlyWarningFinding,
  type InsightRules,
  type ValueCutoffs,
} from './rules';
import {
  customerFiguresFrom,
  insightRowOf,
  unitPathsOf,
  UnitPremiumTally,
  type CustomerInsightRow,
  type InsightClaimRow,
  type InsightComplaintRow,
  type InsightCustomerRow,
  type InsightPolicyRow,
  type UnitFigures,
} from './read-model';

/** A chunk's customers and their facts, by customer id. */
export interface RecomputeChunk {
  customers: InsightCustomerRow[];
  policies: Map<string, InsightPolicyRow[]>;
  claims: Map<string, InsightClaimRow[]>;
  complaints: Map<string, InsightComplaintRow[]>;
  groups: Map<string, { groupKey: string; writtenPremium12m: string }>;
}

export interface PassOneResult {
  /** Each customer's value (fen), in the chunk's order. */
  values: number[];
  /** Each customer's ranked party and large-rule premium, once per org unit on its branch path. */
  standings: { unit: string; party: string; fen: number }[];
  /** The chunk's share of each org unit's 12-month premium (fen). */
  unitPremium: [string, number][];
}

/** What pass two ranks and bands every customer against. */
export interface Population {
  units: ReadonlyMap<string, UnitFigures>;
  cutoffs: ValueCutoffs | null;
}

export interface PassTwoResult {
  insights: CustomerInsightRow[];
  /** Each customer's findings, in the chunk's order. */
  findings: EarlyWarningFinding[][];
}

function figuresOf(chunk: RecomputeChunk, customer: InsightCustomerRow, units: ReadonlyMap<string, UnitFigures>, asOf: Date) {
  const id = toId(customer.customer_id);
  return customerFiguresFrom(
    customer,
    {
      policies: chunk.policies.get(id) ?? [],
      claims: chunk.claims.get(id) ?? [],
      complaints: chunk.complaints.get(id) ?? [],
      units,
      corporateGroup: chunk.groups.get(id) ?? null,
    },
    asOf,
  );
}

/** Pass one takes nothing from the org units' figures: value, party and premium are the customer's own. */
const NO_UNITS: ReadonlyMap<string, UnitFigures> = new Map();

export function passOneOf(chunk: RecomputeChunk, rules: InsightRules, asOf: Date): PassOneResult {
  const values: number[] = [];
  const standings: PassOneResult['standings'] = [];
  const unitPremium = new UnitPremiumTally(asOf);
  for (const customer of chunk.customers) {
    unitPremium.add(customer, chunk.policies.get(toId(customer.customer_id)) ?? []);
    const figures = figuresOf(chunk, customer, NO_UNITS, asOf);
    values.push(customerValueFen(figures, rules, asOf));
    const party = rankedPartyOf(figures);
    const { fen } = writtenPremiumForLarge(figures, rules, asOf);
    for (const unit of unitPathsOf(customer.branch_path)) standings.push({ unit, party, fen });
  }
  return { values, standings, unitPremium: unitPremium.entries() };
}

export function passTwoOf(chunk: RecomputeChunk, rules: InsightRules, asOf: Date, population: Population): PassTwoResult {
  const insights: CustomerInsightRow[] = [];
  const findings: EarlyWarningFinding[][] = [];
  for (const customer of chunk.customers) {
    const figures = figuresOf(chunk, customer, population.units, asOf);
    insights.push(insightRowOf(customer, figures, { rules, asOf }, population.cutoffs));
    findings.push(findEarlyWarnings(figures, rules, asOf));
  }
  return { insights, findings };
}
