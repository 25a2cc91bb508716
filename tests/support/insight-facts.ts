/**
 * The insights read model's facts of one customer, written directly (what the policy, claim and complaint events and
 * `insights:refresh` write there), for tests that put fixture customers on each side of a rule's threshold and let the
 * subgraph's own recompute job classify them.
 */
import type { Knex } from '@icg/shared';

export interface PolicyFact {
  written: string;
  effective: string;
  expiry: string;
  /** EXPIRED by default (a past year's cover); IN_FORCE for one still running. */
  status?: 'IN_FORCE' | 'EXPIRED';
  arrearsDays?: number;
  cancelledForNonPaymentOn?: string;
  /** The index (in the same facts) of the policy this one renews. */
  renews?: number;
  /** PRO-HOM by default. */
  product?: string;
}

export interface ClaimFact {
  day: string;
  paid?: string;
  fraudConfirmed?: boolean;
  insuredObject?: string;
}

/** A complaint not yet decided: accepted at `acceptedAt` (UTC, `YYYY-MM-DD HH:MM:SS`), due by the end of `dueDate`. */
export interface ComplaintFact {
  acceptedAt: string;
  dueDate: string;
}

export interface Facts {
  since: string;
  policies: PolicyFact[];
  claims?: ClaimFact[];
  complaints?: ComplaintFact[];
  /**
   * Moves the customer to this branch path in the read model (e.g. `/1/9001/9002/`, an org unit no seeded customer is
   * in), so a test can make an org unit's premium and its ranking out of fixtures alone.
   */
  branchPath?: string;
}

const sqlTime = (day: string) => `${day} 01:00:00`;

/** Replaces the read model's facts of `customerId` with `facts` (what the events would have written). */
export async function replaceFacts(db: Knex, customerId: string, facts: Facts): Promise<void> {
  await db.transaction(async (trx) => {
    for (const table of ['insight_claims', 'insight_policies', 'insight_complaints']) await trx(table).where('customer_id', customerId).delete();
    const moved = facts.branchPath === undefined ? {} : { branch_path: facts.branchPath, branch_id: facts.branchPath.split('/').filter(Boolean).pop() };
    await trx('insight_customers')
      .where('customer_id', customerId)
      .update({ customer_since: facts.since, blacklisted: false, group_head_customer_id: null, ...moved });
    const branch = ((await trx('insight_customers').where('customer_id', customerId).first('branch_id')) as { branch_id: string }).branch_id;
    const policyNos = facts.policies.map((_policy, index) => `PPR2026${customerId.padStart(6, '0')}${String(index).padStart(2, '0')}`);
    if (facts.policies.length > 0)
      await trx('insight_policies').insert(
        facts.policies.map((policy, index) => ({
          policy_no: policyNos[index],
          customer_id: customerId,
          line_of_business: 'PROPERTY',
          status: policy.cancelledForNonPaymentOn ? 'CANCELLED' : (policy.status ?? 'EXPIRED'),
          effective_date: policy.effective,
          expiry_date: policy.expiry,
          bound_at: sqlTime(policy.effective),
          product_code: policy.product ?? 'PRO-HOM',
          written_premium: policy.written,
          cancelled_on: policy.cancelledForNonPaymentOn ? policy.cancelledForNonPaymentOn : null,
          cancelled_for_non_payment: policy.cancelledForNonPaymentOn !== undefined,
          lapsed_on: null,
          renewal_of_policy_no: policy.renews === undefined ? null : policyNos[policy.renews],
          arrears_days: policy.arrearsDays ?? 0,
          branch_id: branch,
          updated_at: sqlTime('2026-11-01'),
        })),
      );
    const claims = facts.claims ?? [];
    if (claims.length > 0)
      await trx('insight_claims').insert(
        claims.map((claim, index) => ({
          report_no: `RPT9${customerId.padStart(6, '0')}${String(index).padStart(5, '0')}`,
          customer_id: customerId,
          policy_no: policyNos[0],
          insured_object_key: claim.insuredObject ?? null,
          loss_date: claim.day,
          reported_at: sqlTime(claim.day),
          registered_at: sqlTime(claim.day),
          closed_at: sqlTime(claim.day),
          status: 'CLOSED',
          outcome: 'PAID',
          paid: claim.paid ?? '0.00',
          outstanding_reserve: '0.00',
          recoveries: '0.00',
          fraud_confirmed: claim.fraudConfirmed ?? false,
          branch_id: branch,
          updated_at: sqlTime('2026-11-01'),
        })),
      );
    const complaints = facts.complaints ?? [];
    if (complaints.length > 0)
      await trx('insight_complaints').insert(
        complaints.map((complaint, index) => ({
          complaint_no: `CP9${customerId.padStart(6, '0')}${String(index).padStart(5, '0')}`,
          customer_id: customerId,
          category: 'SERVICE',
          source: 'DIRECT',
          status: 'REGISTERED',
          accepted_at: complaint.acceptedAt,
          registered_at: complaint.acceptedAt,
          due_date: complaint.dueDate,
          feedback_at: null,
          closed_at: null,
          on_time: null,
          branch_id: branch,
          updated_at: sqlTime('2026-11-01'),
        })),
      );
  });
}
