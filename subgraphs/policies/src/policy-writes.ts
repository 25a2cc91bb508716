import { sqlTimestamp, toId, toNumberOrNull, touch, type Knex } from '@icg/shared';
import type { Product } from './catalog';
import type { LineOfBusiness, SalesChannel } from './domain';
import type { CoverageRow, InsuredObjectRow, ParticipantRow, PolicyRow } from './records';
import type { QuotedCoverage } from './standard-coverages';

/**
 * Policies quoted here are numbered above every seeded or migrated id (those are customer id × 100 + n),
 * so the two never meet; the twelve digits of the policy number still hold them.
 */
const WRITTEN_POLICY_ID_BASE = 900_000_000_000;

/** The two letters of a policy number after the P, per line (as the source system numbers them). */
const LINE_CODES: Readonly<Record<LineOfBusiness, string>> = {
  MOTOR: 'MO',
  PROPERTY: 'PR',
  CARGO: 'CG',
  LIABILITY: 'LB',
  ENGINEERING: 'EN',
  ACCIDENT_HEALTH: 'AH',
};

export interface PolicyNumber {
  id: string;
  policyNo: string;
}

/** A new policy's id and number, from the store's sequence (safe for concurrent transactions on both dialects). */
export async function allocatePolicyNumber(trx: Knex.Transaction, line: LineOfBusiness, now: Date): Promise<PolicyNumber> {
  const [issued] = (await trx('policy_id_sequence').insert({ issued_at: sqlTimestamp(now) })) as number[];
  const id = WRITTEN_POLICY_ID_BASE + Number(issued);
  return { id: String(id), policyNo: `P${LINE_CODES[line]}${String(id).padStart(12, '0')}` };
}

/** Where a customer's policies belong in this store: the branch and primary manager of their latest policy. */
export interface CustomerPlacement {
  branchId: string;
  branchPath: string;
  customerManagerStaffId: string | null;
}

export async function placementOfCustomer(trx: Knex.Transaction, customerId: string): Promise<CustomerPlacement | null> {
  const row = (await trx('policies').where('customer_id', customerId).orderBy('id', 'desc').first('branch_id', 'branch_path', 'customer_manager_staff_id')) as
    Pick<PolicyRow, 'branch_id' | 'branch_path' | 'customer_manager_staff_id'> | undefined;
  if (!row) return null;
  return {
    branchId: toId(row.branch_id),
    branchPath: row.branch_path,
    customerManagerStaffId: row.customer_manager_staff_id === null ? null : toId(row.customer_manager_staff_id),
  };
}

/** `/1/3/9/` → `9`: the branch a materialised path ends in. */
export function branchIdOfPath(branchPath: string): string {
  const segments = branchPath.split('/').filter((segment) => segment !== '');
  const last = segments.at(-1);
  if (last === undefined) throw new Error('a branch path names at least one branch');
  return last;
}

/** The policy row a quote writes, before it is inserted. */
export interface NewPolicy {
  number: PolicyNumber;
  customerId: string;
  product: Pick<Product, 'code' | 'name' | 'line'>;
  channel: SalesChannel;
  effectiveDate: string;
  expiryDate: string;
  sumInsured: number;
  writtenPremium: number;
  placement: CustomerPlacement;
  servicingManagerStaffId: string | null;
  priorPolicyNo: string | null;
  now: Date;
}

export function newPolicyRow(policy: NewPolicy): PolicyRow {
  return {
    id: policy.number.id,
    policy_no: policy.number.policyNo,
    customer_id: policy.customerId,
    product_code: policy.product.code,
    product_name: policy.product.name,
    line_of_business: policy.product.line,
    status: 'QUOTED',
    channel: policy.channel,
    effective_date: policy.effectiveDate,
    expiry_date: policy.expiryDate,
    quoted_at: sqlTimestamp(policy.now),
    bound_at: null,
    terminated_at: null,
    termination_reason: null,
    sum_insured: policy.sumInsured,
    written_premium: policy.writtenPremium,
    // Nothing is owed until the quote is bound.
    payment_status: 'UNPAID',
    arrears_days: 0,
    prior_policy_no: policy.priorPolicyNo,
    branch_id: policy.placement.branchId,
    branch_path: policy.placement.branchPath,
    servicing_manager_staff_id: policy.servicingManagerStaffId,
    customer_manager_staff_id: policy.placement.customerManagerStaffId ?? policy.servicingManagerStaffId,
    version: 1,
    premium_due_since: null,
    ...touch(policy.now),
  };
}

/** Child rows are numbered under their policy (policy id × 100 + n), as the seed numbers them. */
const childId = (policyId: string, index: number): string => String(Number(policyId) * 100 + index + 1);

export async function insertCoverages(trx: Knex.Transaction, policyId: string, coverages: readonly QuotedCoverage[]): Promise<void> {
  if (coverages.length === 0) return;
  const rows: CoverageRow[] = coverages.map((coverage, index) => ({
    id: childId(policyId, index),
    policy_id: policyId,
    code: coverage.code,
    name: coverage.name,
    sum_insured: coverage.sumInsured,
    premium: coverage.premium,
    deductible: coverage.deductible,
  }));
  await trx('policy_coverages').insert(rows);
}

const toCents = (amount: number | string): number => Math.round((toNumberOrNull(amount) ?? 0) * 100);

/**
 * A renewal's covers: the prior policy's, with their limits and deductibles, sharing the new written premium
 * in the prior's proportions to the fen (the leftover goes to the first cover).
 */
export function renewedCoverages(prior: readonly CoverageRow[], writtenPremium: number): QuotedCoverage[] {
  const priorCents = prior.map((coverage) => toCents(coverage.premium));
  const priorTotal = priorCents.reduce((sum, cents) => sum + cents, 0);
  const totalCents = Math.round(writtenPremium * 100);
  const shares = priorCents.map((cents) => (priorTotal === 0 ? 0 : Math.floor((totalCents * cents) / priorTotal)));
  if (shares.length) shares[0]! += totalCents - shares.reduce((sum, cents) => sum + cents, 0);
  return prior.map((coverage, index) => ({
    code: coverage.code,
    name: coverage.name,
    sumInsured: toCents(coverage.sum_insured) / 100,
    premium: shares[index]! / 100,
    deductible: toCents(coverage.deductible) / 100,
  }));
}

/** The renewal names the same people and insures the same objects as the policy it renews. */
export async function copyPeopleAndObjects(trx: Knex.Transaction, priorPolicyId: string, renewalId: string): Promise<void> {
  const participants: ParticipantRow[] = await trx('policy_participants').where('policy_id', priorPolicyId).orderBy('id', 'asc');
  if (participants.length) {
    await trx('policy_participants').insert(participants.map((row, index) => ({ ...row, id: childId(renewalId, index), policy_id: renewalId })));
  }
  const objects: InsuredObjectRow[] = await trx('insured_objects').where('policy_id', priorPolicyId).orderBy('id', 'asc');
  if (objects.length) await trx('insured_objects').insert(objects.map((row, index) => ({ ...row, id: childId(renewalId, index), policy_id: renewalId })));
}
