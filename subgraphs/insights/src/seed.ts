/**
 * The insights seeder: the read model as the other systems' seeders write their records, from the same batch facts
 * (their row builders are pure: `policyTablesFor`, `elaborateClaims`), and each customer's insight and early warnings
 * computed from it, so `npm start` shows insights at once. Nothing is read from another store.
 *
 * Where the facts do not say exactly what another seeder writes, the seeder approximates and `npm run
 * insights:refresh` (which reads the graph) makes it exact: complaints' due dates are 15 days from acceptance and
 * their notification times are not known; corporate groups are not known. Population figures (the org units'
 * 12-month premium, the value cut-offs) are accumulated batch by batch: exact for a seed of one batch (1,000
 * customers), approximate for the first batches of a larger one until a refresh.
 */
import { canonicalJson, insertInChunks, isoDate, sqlTimestamp, toId, type Knex } from '@icg/shared';
import { elaborateClaims } from '@icg/subgraph-claims/seed';
import { objectKeyOf, policyTablesFor } from '@icg/subgraph-policies/seed';
import { scrambledDigits, type SeedBatch, type SubgraphSeeder } from '@icg/synthetic';
import {
  customerValueFen,
  findEarlyWarnings,
  loadInsightRules,
  rankedPartyOf,
  UnitLeaderBoard,
  valueCutoffs,
  writtenPremiumForLarge,
  type CustomerFigures,
  type InsightRules,
  type UnitLeaders,
} from './rules';
import { fenToYuan, toFen, trailingMonthsThrough, writtenPremiumWithinFen } from './metrics';
import {
  soleObjectKeyOf,
  customerFiguresFrom,
  findingKeyOf,
  insightRowOf,
  policyFigures,
  saveValueCutoffs,
  unitFiguresOf,
  unitPathsOf,
  type CustomerInsightRow,
  type OrgUnitRow,
  type UnitFigures,
  type EarlyWarningRow,
  type InsightClaimRow,
  type InsightComplaintRow,
  type InsightCustomerRow,
  type InsightPolicyRow,
} from './read-model';

const DAY_MS = 86_400_000;
/** The standard complaint deadline (DOMAIN.md section 4); extensions are the register's and not in the facts. */
const COMPLAINT_DEADLINE_DAYS = 15;
const DECIDED = new Set(['FEEDBACK_GIVEN', 'ARCHIVED']);

/** The batch's facts as read-model rows. */
export function insightFactRows(batch: SeedBatch): {
  customers: InsightCustomerRow[];
  policies: InsightPolicyRow[];
  claims: InsightClaimRow[];
  complaints: InsightComplaintRow[];
} {
  const at = sqlTimestamp(batch.asOf);
  const customers = batch.customers.map((customer): InsightCustomerRow => ({
    customer_id: customer.id,
    customer_no: customer.customerNo,
    kind: customer.kind,
    customer_since: customer.customerSince,
    branch_id: customer.branchId,
    branch_path: customer.branchPath,
    primary_manager_staff_id: customer.primaryManagerStaffId,
    group_head_customer_id: null,
    blacklisted: customer.blacklisted,
    updated_at: at,
  }));
  const policyTables = policyTablesFor(batch);
  const objectKeysByPolicy = new Map<string, string[]>();
  for (const object of policyTables.insuredObjects) {
    const keys = objectKeysByPolicy.get(String(object.policy_id)) ?? [];
    keys.push(objectKeyOf(object));
    objectKeysByPolicy.set(String(object.policy_id), keys);
  }
  const policies = policyTables.policies.map((policy): InsightPolicyRow => {
    const terminatedOn = policy.terminated_at === null ? null : String(policy.terminated_at).slice(0, 10);
    return {
      policy_no: policy.policy_no,
      customer_id: policy.customer_id,
      line_of_business: policy.line_of_business,
      status: policy.status,
      effective_date: policy.effective_date,
      expiry_date: policy.expiry_date,
      bound_at: policy.bound_at,
      product_code: policy.product_code,
      written_premium: policy.written_premium,
      cancelled_on: policy.status === 'CANCELLED' ? terminatedOn : null,
      cancelled_for_non_payment: policy.termination_reason === 'NON_PAYMENT',
      lapsed_on: policy.status === 'LAPSED' ? terminatedOn : null,
      renewal_of_policy_no: policy.prior_policy_no,
      arrears_days: policy.arrears_days,
      branch_id: policy.branch_id,
      insured_object_key: soleObjectKeyOf(objectKeysByPolicy.get(String(policy.id)) ?? []),
      updated_at: at,
    };
  });
  const claims = elaborateClaims(batch).claims.map((claim): InsightClaimRow => ({
    report_no: claim.report_no,
    customer_id: claim.customer_id,
    policy_no: claim.policy_no,
    insured_object_key: null,
    loss_date: claim.loss_date,
    reported_at: claim.reported_at,
    registered_at: claim.registered_at,
    closed_at: claim.closed_at,
    status: claim.status,
    outcome: claim.closed_outcome,
    paid: claim.paid,
    outstanding_reserve: claim.outstanding_reserve,
    recoveries: claim.recoveries,
    fraud_confirmed: claim.investigation_outcome === null ? null : claim.investigation_outcome === 'FRAUD_CONFIRMED',
    branch_id: claim.branch_id,
    updated_at: at,
  }));
  const complaints = batch.complaints.map((complaint): InsightComplaintRow => {
    const accepted = new Date(`${complaint.acceptedAt.replace(' ', 'T').slice(0, 19)}Z`);
    const due = isoDate(new Date(accepted.getTime() + COMPLAINT_DEADLINE_DAYS * DAY_MS));
    return {
      complaint_no: complaint.complaintNo,
      customer_id: complaint.customerId,
      category: complaint.category,
      source: complaint.source,
      status: complaint.status,
      accepted_at: sqlTimestamp(accepted),
      registered_at: null,
      due_date: due,
      // Decided ones were notified; when is the register's (refresh reads it): by the due date here.
      feedback_at: DECIDED.has(complaint.status) ? sqlTimestamp(new Date(Math.min(Date.parse(`${due}T00:00:00Z`), batch.asOf.getTime()))) : null,
      closed_at: null,
      on_time: null,
      branch_id: complaint.branchId,
      updated_at: at,
    };
  });
  return { customers, policies, claims, complaints };
}

function groupBy<Row extends { customer_id: number | string }>(rows: readonly Row[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = toId(row.customer_id);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

let seedRules: InsightRules | undefined;

export const insightsSeeder: SubgraphSeeder = {
  name: 'insights',
  tables: [
    'early_warnings',
    'customer_insights',
    'insight_population',
    'insight_unit_premium',
    'insight_complaints',
    'insight_claims',
    'insight_policies',
    'insight_customers',
    'insight_refresh_runs',
  ],
  async seedBatch(db: Knex, batch: SeedBatch) {
    seedRules ??= loadInsightRules();
    const rules = seedRules;
    const asOf = batch.asOf;
    const facts = insightFactRows(batch);
    await insertInChunks(db, 'insight_customers', facts.customers);
    await insertInChunks(db, 'insight_policies', facts.policies);
    await insertInChunks(db, 'insight_claims', facts.claims);
    await insertInChunks(db, 'insight_complaints', facts.complaints);

    // The org units' 12-month premium: this batch's added to the batches' before it.
    const window = trailingMonthsThrough(asOf, 12);
    const pathOf = new Map(facts.customers.map((customer) => [toId(customer.customer_id), customer.branch_path]));
    const addedFen = new Map<string, number>();
    for (const policy of facts.policies) {
      const fen = writtenPremiumWithinFen([policyFigures(policy)], window);
      for (const path of unitPathsOf(pathOf.get(toId(policy.customer_id)) ?? null)) addedFen.set(path, (addedFen.get(path) ?? 0) + fen);
    }
    const units = new Map<string, number>();
    // The units' leaders: this batch's customers added to the batches' before (exact: a customer is in one batch).
    const leaders = new UnitLeaderBoard(rules.classification.large.topN);
    for (const row of (await db('insight_unit_premium').select('*')) as OrgUnitRow[]) {
      units.set(row.branch_path, toFen(row.written_premium_12m));
      if (row.leaders !== null) leaders.seed(row.branch_path, JSON.parse(row.leaders) as UnitLeaders);
    }
    for (const [path, fen] of addedFen) units.set(path, (units.get(path) ?? 0) + fen);

    const policiesOf = groupBy(facts.policies);
    const claimsOf = groupBy(facts.claims);
    const complaintsOf = groupBy(facts.complaints);
    const factsOf = (customer: InsightCustomerRow, unitFigures: ReadonlyMap<string, UnitFigures>): CustomerFigures => {
      const id = toId(customer.customer_id);
      const facts = {
        policies: policiesOf.get(id) ?? [],
        claims: claimsOf.get(id) ?? [],
        complaints: complaintsOf.get(id) ?? [],
        units: unitFigures,
        corporateGroup: null,
      };
      return customerFiguresFrom(customer, facts, asOf);
    };
    for (const customer of facts.customers) {
      const customerFigures = factsOf(customer, new Map());
      const { fen } = writtenPremiumForLarge(customerFigures, rules, asOf);
      for (const path of unitPathsOf(customer.branch_path)) leaders.add(path, rankedPartyOf(customerFigures), fen);
    }
    const unitRows = [...new Set([...units.keys(), ...leaders.unitPaths()])].map((path) => ({
      branch_path: path,
      written_premium_12m: fenToYuan(units.get(path) ?? 0),
      leaders: canonicalJson(leaders.leadersOf(path)),
    }));
    await db('insight_unit_premium').delete();
    await insertInChunks(
      db,
      'insight_unit_premium',
      unitRows.map((row) => ({ ...row, as_of: sqlTimestamp(asOf) })),
    );
    const unitFigures = unitFiguresOf(unitRows);
    const figures = facts.customers.map((customer) => ({ customer, figures: factsOf(customer, unitFigures) }));

    // The value cut-offs of this batch's customers: a sample of the population (exact for a one-batch seed).
    const cutoffs = valueCutoffs(
      figures.map((entry) => customerValueFen(entry.figures, rules, asOf)),
      rules,
    );
    await saveValueCutoffs(db, cutoffs, asOf);

    const insights: CustomerInsightRow[] = [];
    const warnings: EarlyWarningRow[] = [];
    const at = sqlTimestamp(asOf);
    for (const { customer, figures: customerFigures } of figures) {
      insights.push(insightRowOf(customer, customerFigures, { rules, asOf }, cutoffs));
      const seen = new Set<string>();
      for (const finding of findEarlyWarnings(customerFigures, rules, asOf)) {
        const key = findingKeyOf(finding);
        if (seen.has(key)) continue;
        seen.add(key);
        // Ids nest under the customer's (customer × 100 + n); the number is a keyed permutation, so it does not spell the id.
        const id = Number(customer.customer_id) * 100 + seen.size;
        warnings.push({
          id,
          early_warning_no: `EW${scrambledDigits(batch.seed, 'earlyWarning-no', id, 12)}`,
          customer_id: customer.customer_id,
          kind: finding.kind,
          level: finding.level,
          subject_key: finding.subjectKey,
          finding_key: key,
          status: 'OPEN',
          rule_version: finding.ruleVersion,
          figures: canonicalJson({ rule: finding.rule, subject: finding.subject, ...finding.figures }),
          raised_at: at,
          updated_at: at,
          cleared_at: null,
          acknowledged_at: null,
          acknowledged_by_staff_id: null,
          resolved_at: null,
          resolved_by_staff_id: null,
          dismissed_at: null,
          dismissed_by_staff_id: null,
          dismiss_reason: null,
          version: 1,
          branch_id: customer.branch_id,
          branch_path: customer.branch_path,
          customer_manager_staff_id: customer.primary_manager_staff_id,
        });
      }
    }
    await insertInChunks(db, 'customer_insights', insights);
    await insertInChunks(db, 'early_warnings', warnings);
  },
};
