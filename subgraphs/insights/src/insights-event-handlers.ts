/**
 * What the insights system does with the events it receives (docs/events.md, docs/insights.md): each handler
 * writes the fact into the read model and recomputes that customer's insight and early warnings, in the receiver's
 * transaction, so the classification reflects a new claim as soon as the event is applied, and a redelivered event
 * (its id already in the inbox) changes nothing. Handlers read only the payload and the insights database.
 */
import { primaryManagerCopiesHandler, sqlTimestamp, type EventHandlers, type Knex, type SystemChanges } from '@icg/shared';
import type { InsightRules } from './rules';
import {
  soleObjectKeyOf,
  addToUnitPremium,
  ensureCustomer,
  recomputeCustomer,
  type InsightClaimRow,
  type InsightComplaintRow,
  type InsightCustomerRow,
  type InsightPolicyRow,
} from './read-model';

/** `YYYY-MM-DD HH:MM:SS` of an ISO instant from a payload. */
const at = (iso: string): string => sqlTimestamp(new Date(iso));

/** Whole fen of a decimal-string amount, so sums of money stay exact. */
const fen = (amount: string | number): number => Math.round(Number(amount) * 100);
const yuan = (value: number): string => (value / 100).toFixed(2);

/**
 * The policy's `insured_object_key` as the event tells it: the key of its one object, null when it insures none or
 * several; nothing to change when the event does not say (one recorded before policies sent the keys).
 */
function soleObjectKey(keys: readonly string[] | null): Partial<Pick<InsightPolicyRow, 'insured_object_key'>> {
  return keys ? { insured_object_key: soleObjectKeyOf(keys) } : {};
}

/** The claim statuses from which a reserve being set means the claim was registered (立案). */
const BEFORE_REGISTRATION = new Set(['REPORTED', 'DISPATCHED', 'SURVEYED']);

export function insightsEventHandlers(rules: InsightRules): EventHandlers {
  // The warnings the recomputation raises, moves or clears are audited as the event's changes (docs/insights.md).
  const recompute = (trx: Knex.Transaction, customerId: string, now: Date, changes: SystemChanges) =>
    recomputeCustomer(trx, customerId, { rules, asOf: now, noteChange: (change) => changes.record(change) });

  return {
    async 'customer.registered'(trx, event, { clock, changes }) {
      const now = clock.now();
      const customer = event.payload;
      const row: InsightCustomerRow = {
        customer_id: customer.customerId,
        customer_no: customer.customerNo,
        kind: customer.kind,
        customer_since: customer.customerSince,
        branch_id: customer.branchId,
        branch_path: customer.branchPath,
        primary_manager_staff_id: customer.primaryManagerStaffId,
        group_head_customer_id: null,
        blacklisted: false,
        updated_at: sqlTimestamp(now),
      };
      // Merge keeps a blacklist flag that arrived first; the customer's own facts replace a placeholder's nulls.
      const { blacklisted: _blacklisted, ...facts } = row;
      await trx('insight_customers').insert(row).onConflict('customer_id').merge(Object.keys(facts));
      await recompute(trx, customer.customerId, now, changes);
    },

    // Row scope: the customer's facts, insight and warnings follow their new primary manager.
    'customer.manager-changed': primaryManagerCopiesHandler([
      { table: 'insight_customers', managerColumn: 'primary_manager_staff_id', entity: 'InsightCustomer', keyColumn: 'customer_id' },
      { table: 'customer_insights', entity: 'CustomerInsight', keyColumn: 'customer_id' },
      { table: 'early_warnings', entity: 'EarlyWarning', keyColumn: 'early_warning_no' },
    ]),

    async 'customer.blacklist-changed'(trx, event, { clock, changes }) {
      const now = clock.now();
      const { customerId, blacklisted } = event.payload;
      await ensureCustomer(trx, customerId, now);
      await trx('insight_customers')
        .where('customer_id', customerId)
        .update({ blacklisted, updated_at: sqlTimestamp(now) });
      await recompute(trx, customerId, now, changes);
    },

    async 'policy.bound'(trx, event, { clock, changes }) {
      const now = clock.now();
      const policy = event.payload;
      const customer = await ensureCustomer(trx, policy.customerId, now);
      const existing = await trx('insight_policies').where('policy_no', policy.policyNo).first('policy_no');
      const row: Omit<InsightPolicyRow, 'renewal_of_policy_no' | 'product_code' | 'arrears_days' | 'insured_object_key'> &
        Partial<Pick<InsightPolicyRow, 'insured_object_key'>> = {
        policy_no: policy.policyNo,
        customer_id: policy.customerId,
        line_of_business: policy.lineOfBusiness,
        status: 'BOUND',
        effective_date: policy.effectiveDate,
        expiry_date: policy.expiryDate,
        bound_at: at(event.occurredAt),
        written_premium: policy.writtenPremium,
        cancelled_on: null,
        cancelled_for_non_payment: false,
        lapsed_on: null,
        branch_id: policy.branchId,
        ...soleObjectKey(policy.insuredObjectKeys),
        updated_at: sqlTimestamp(now),
      };
      // policy.renewed may have come first and named the prior policy: merge keeps it.
      await trx('insight_policies').insert(row).onConflict('policy_no').merge();
      if (existing === undefined) await addToUnitPremium(trx, customer.branch_path, policy.writtenPremium, now);
      await recompute(trx, policy.customerId, now, changes);
    },

    async 'policy.renewed'(trx, event, { clock, changes }) {
      const now = clock.now();
      const renewal = event.payload;
      const customer = await ensureCustomer(trx, renewal.customerId, now);
      const updated = await trx('insight_policies')
        .where('policy_no', renewal.policyNo)
        .update({ renewal_of_policy_no: renewal.priorPolicyNo, ...soleObjectKey(renewal.insuredObjectKeys), updated_at: sqlTimestamp(now) });
      if (updated === 0) {
        // Before its policy.bound: the renewal's facts are in this payload too, and its premium counts for the org
        // units now (the bind event then finds the policy known and adds nothing).
        await trx('insight_policies').insert({
          policy_no: renewal.policyNo,
          customer_id: renewal.customerId,
          line_of_business: renewal.lineOfBusiness,
          status: 'BOUND',
          effective_date: renewal.effectiveDate,
          expiry_date: renewal.expiryDate,
          bound_at: at(event.occurredAt),
          written_premium: renewal.writtenPremium,
          renewal_of_policy_no: renewal.priorPolicyNo,
          branch_id: renewal.branchId,
          ...soleObjectKey(renewal.insuredObjectKeys),
          updated_at: sqlTimestamp(now),
        });
        await addToUnitPremium(trx, customer.branch_path, renewal.writtenPremium, now);
      }
      await recompute(trx, renewal.customerId, now, changes);
    },

    async 'policy.cancelled'(trx, event, { clock, changes }) {
      const now = clock.now();
      const { policyNo, customerId, cancelledOn, forNonPayment } = event.payload;
      await trx('insight_policies')
        .where('policy_no', policyNo)
        .update({ status: 'CANCELLED', cancelled_on: cancelledOn, cancelled_for_non_payment: forNonPayment, updated_at: sqlTimestamp(now) });
      await ensureCustomer(trx, customerId, now);
      await recompute(trx, customerId, now, changes);
    },

    async 'policy.lapsed'(trx, event, { clock, changes }) {
      const now = clock.now();
      const { policyNo, customerId, lapsedOn } = event.payload;
      // A policy lapses when its premium stays unpaid past the grace period: a termination for non-payment.
      await trx('insight_policies')
        .where('policy_no', policyNo)
        .update({ status: 'LAPSED', lapsed_on: lapsedOn, cancelled_for_non_payment: true, updated_at: sqlTimestamp(now) });
      await ensureCustomer(trx, customerId, now);
      await recompute(trx, customerId, now, changes);
    },

    async 'policy.reinstated'(trx, event, { clock, changes }) {
      const now = clock.now();
      const { policyNo, customerId, reinstatedOn } = event.payload;
      const policy = (await trx('insight_policies').where('policy_no', policyNo).first('effective_date')) as
        Pick<InsightPolicyRow, 'effective_date'> | undefined;
      const started = policy !== undefined && String(policy.effective_date).slice(0, 10) <= reinstatedOn;
      await trx('insight_policies')
        .where('policy_no', policyNo)
        .update({
          status: started ? 'IN_FORCE' : 'BOUND',
          cancelled_on: null,
          lapsed_on: null,
          cancelled_for_non_payment: false,
          updated_at: sqlTimestamp(now),
        });
      await ensureCustomer(trx, customerId, now);
      await recompute(trx, customerId, now, changes);
    },

    async 'claim.reported'(trx, event, { clock, changes }) {
      const now = clock.now();
      const claim = event.payload;
      await ensureCustomer(trx, claim.customerId, now);
      const row: InsightClaimRow = {
        report_no: claim.reportNo,
        customer_id: claim.customerId,
        policy_no: claim.policyNo,
        insured_object_key: null,
        loss_date: claim.lossDate,
        reported_at: at(claim.reportedAt),
        registered_at: null,
        closed_at: null,
        status: 'REPORTED',
        outcome: null,
        paid: 0,
        outstanding_reserve: 0,
        recoveries: 0,
        fraud_confirmed: null,
        branch_id: claim.branchId,
        updated_at: sqlTimestamp(now),
      };
      // Ignore: a claim refresh already brought (with later facts) stays as it is.
      await trx('insight_claims').insert(row).onConflict('report_no').ignore();
      await recompute(trx, claim.customerId, now, changes);
    },

    async 'claim.reserve-changed'(trx, event, { clock, changes }) {
      const now = clock.now();
      const { reportNo, customerId, outstandingReserve, changedAt } = event.payload;
      const claim = (await trx('insight_claims').where('report_no', reportNo).first('status', 'registered_at')) as
        Pick<InsightClaimRow, 'status' | 'registered_at'> | undefined;
      if (claim !== undefined) {
        await trx('insight_claims')
          .where('report_no', reportNo)
          .update({
            outstanding_reserve: outstandingReserve,
            ...(BEFORE_REGISTRATION.has(claim.status) ? { status: 'REGISTERED' } : {}),
            ...(claim.registered_at === null ? { registered_at: at(changedAt) } : {}),
            updated_at: sqlTimestamp(now),
          });
      }
      await ensureCustomer(trx, customerId, now);
      await recompute(trx, customerId, now, changes);
    },

    async 'claim.paid'(trx, event, { clock, changes }) {
      const now = clock.now();
      const { reportNo, customerId, amount } = event.payload;
      const claim = (await trx('insight_claims').where('report_no', reportNo).first('paid', 'outstanding_reserve')) as
        Pick<InsightClaimRow, 'paid' | 'outstanding_reserve'> | undefined;
      if (claim !== undefined) {
        // A payment comes out of the outstanding reserve (the claims system refuses one above it).
        await trx('insight_claims')
          .where('report_no', reportNo)
          .update({
            status: 'PAID',
            paid: yuan(fen(claim.paid) + fen(amount)),
            outstanding_reserve: yuan(Math.max(0, fen(claim.outstanding_reserve) - fen(amount))),
            updated_at: sqlTimestamp(now),
          });
      }
      await ensureCustomer(trx, customerId, now);
      await recompute(trx, customerId, now, changes);
    },

    async 'claim.closed'(trx, event, { clock, changes }) {
      const now = clock.now();
      const claim = event.payload;
      // Closing releases the reserve (a side exit), or needs it at zero (结案).
      await trx('insight_claims')
        .where('report_no', claim.reportNo)
        .update({
          status: claim.outcome === 'PAID' ? 'CLOSED' : claim.outcome,
          outcome: claim.outcome,
          closed_at: at(claim.closedAt),
          outstanding_reserve: 0,
          updated_at: sqlTimestamp(now),
        });
      await ensureCustomer(trx, claim.customerId, now);
      await recompute(trx, claim.customerId, now, changes);
    },

    async 'claim.investigation-concluded'(trx, event, { clock, changes }) {
      const now = clock.now();
      const { reportNo, customerId, fraudConfirmed } = event.payload;
      const claim = (await trx('insight_claims').where('report_no', reportNo).first('fraud_confirmed')) as Pick<InsightClaimRow, 'fraud_confirmed'> | undefined;
      if (claim !== undefined) {
        // Confirmed fraud makes the customer poor (DOMAIN.md section 5); the finding is noted as the system's change.
        await trx('insight_claims')
          .where('report_no', reportNo)
          .update({ fraud_confirmed: fraudConfirmed, updated_at: sqlTimestamp(now) });
        changes.record({
          recordKey: `InsightClaim:${reportNo}`,
          beforeVersion: null,
          afterVersion: null,
          fields: { fraud_confirmed: { before: claim.fraud_confirmed === null ? null : Boolean(claim.fraud_confirmed), after: fraudConfirmed } },
        });
      }
      await ensureCustomer(trx, customerId, now);
      await recompute(trx, customerId, now, changes);
    },

    async 'complaint.registered'(trx, event, { clock, changes }) {
      const now = clock.now();
      const complaint = event.payload;
      // A complaint the register could not tie to a customer is no customer's insight.
      if (complaint.customerId === null) return;
      await ensureCustomer(trx, complaint.customerId, now);
      const row: InsightComplaintRow = {
        complaint_no: complaint.complaintNo,
        customer_id: complaint.customerId,
        category: complaint.category,
        source: complaint.source,
        status: 'REGISTERED',
        // The event tells when it was registered; acceptance was that day or before (refresh reads the exact time).
        accepted_at: at(complaint.registeredAt),
        registered_at: at(complaint.registeredAt),
        due_date: complaint.dueDate,
        feedback_at: null,
        closed_at: null,
        on_time: null,
        branch_id: complaint.branchId,
        updated_at: sqlTimestamp(now),
      };
      await trx('insight_complaints').insert(row).onConflict('complaint_no').ignore();
      await recompute(trx, complaint.customerId, now, changes);
    },

    async 'complaint.closed'(trx, event, { clock, changes }) {
      const now = clock.now();
      const { complaintNo, customerId, closedAt, onTime } = event.payload;
      if (customerId === null) return;
      const complaint = (await trx('insight_complaints').where('complaint_no', complaintNo).first('due_date', 'feedback_at')) as
        Pick<InsightComplaintRow, 'due_date' | 'feedback_at'> | undefined;
      if (complaint !== undefined) {
        // The event says whether the decision was notified on time, not when: on time means by the end of the due day.
        const dueEnd = `${String(complaint.due_date).slice(0, 10)} 23:59:59`;
        const closed = at(closedAt);
        const feedback = onTime && closed > dueEnd ? dueEnd : closed;
        await trx('insight_complaints')
          .where('complaint_no', complaintNo)
          .update({
            status: 'ARCHIVED',
            closed_at: closed,
            on_time: onTime,
            ...(complaint.feedback_at === null ? { feedback_at: feedback } : {}),
            updated_at: sqlTimestamp(now),
          });
      }
      await ensureCustomer(trx, customerId, now);
      await recompute(trx, customerId, now, changes);
    },
  };
}
