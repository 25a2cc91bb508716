/**
 * The policy workflow as its tests drive it through the gateway: the mutations, the fields a user reads
 * back, and the seeded people who act (a customer manager with one of their customers, operators of the
 * customer's branch and of another province, a hotline agent).
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_SEED, generateOrg, type StaffFact } from '@icg/synthetic';
import type { GraphUnderTest } from './graph-under-test';
import type { GraphQLResponse } from './graphql-client';
import type { ActingAs } from './test-security';

export const POLICY_VIEW = `
  fragment PolicyView on Policy {
    policyNo status version productCode lineOfBusiness channel effectiveDate expiryDate quotedAt boundAt
    terminatedAt terminationReason sumInsured writtenPremium paymentStatus arrearsDays
    priorPolicy { policyNo status }
    renewalPolicy { policyNo status }
    customer { id }
    coverages { code sumInsured premium deductible }
    participants { role name }
    insuredObjects { objectKey kind plate vin address }
    renewalReminders { daysBefore dueAt sentAt status }
  }`;

export interface PolicyView {
  policyNo: string;
  status: string;
  version: number;
  productCode: string;
  lineOfBusiness: string;
  channel: string;
  effectiveDate: string;
  expiryDate: string;
  quotedAt: string;
  boundAt: string | null;
  terminatedAt: string | null;
  terminationReason: string | null;
  sumInsured: number | null;
  writtenPremium: number | null;
  paymentStatus: string;
  arrearsDays: number;
  priorPolicy: { policyNo: string; status: string } | null;
  renewalPolicy: { policyNo: string; status: string } | null;
  customer: { id: string } | null;
  coverages: { code: string; sumInsured: number | null; premium: number | null; deductible: number | null }[] | null;
  participants: { role: string; name: string | null }[] | null;
  insuredObjects: { objectKey: string; kind: string; plate: string | null; vin: string | null; address: string | null }[] | null;
  renewalReminders: { daysBefore: number; dueAt: string; sentAt: string | null; status: string }[] | null;
}

const INPUT_TYPES = {
  quotePolicy: 'QuotePolicyInput',
  bindPolicy: 'BindPolicyInput',
  renewPolicy: 'RenewPolicyInput',
  cancelPolicy: 'CancelPolicyInput',
  reinstatePolicy: 'ReinstatePolicyInput',
} as const;
export type PolicyMutation = keyof typeof INPUT_TYPES;

/** The mutation's document, reading back `selection` (the whole PolicyView by default). */
export function policyMutationDocument(mutation: PolicyMutation, selection?: string): string {
  const fields = selection ?? '...PolicyView';
  return `mutation Run($input: ${INPUT_TYPES[mutation]}!) { ${mutation}(input: $input) { ${fields} } } ${selection === undefined ? POLICY_VIEW : ''}`;
}

export const READ_POLICY = `query ReadPolicy($policyNo: String!) { policy(policyNo: $policyNo) { ...PolicyView } } ${POLICY_VIEW}`;

export type MutationAnswer = GraphQLResponse<Partial<Record<PolicyMutation, PolicyView | null>>>;

/**
 * One policy mutation through the gateway; a fresh idempotency key unless the input names one. `selection`
 * for a role that may not read every field of PolicyView (to it, such a field does not exist).
 */
export function mutatePolicy(
  graph: GraphUnderTest,
  mutation: PolicyMutation,
  input: Record<string, unknown>,
  acting: ActingAs,
  selection?: string,
): Promise<MutationAnswer> {
  return graph.query(policyMutationDocument(mutation, selection), { input: { idempotencyKey: randomUUID(), ...input } }, acting);
}

/** The policy as the mutation answered it; fails the test with the errors when there is none. */
export function answered(response: MutationAnswer, mutation: PolicyMutation): PolicyView {
  const policy = response.data?.[mutation];
  if (!policy) throw new Error(`${mutation} answered no policy: ${JSON.stringify(response.errors)}`);
  return policy;
}

export async function readPolicy(graph: GraphUnderTest, policyNo: string, acting: ActingAs): Promise<PolicyView> {
  const response = await graph.query<{ policy: PolicyView | null }>(READ_POLICY, { policyNo }, acting);
  if (!response.data?.policy) throw new Error(`policy ${policyNo} could not be read: ${JSON.stringify(response.errors)}`);
  return response.data.policy;
}

/** The first error's code and extensions, for `expect(…).toMatchObject`. */
export function firstError(response: GraphQLResponse<unknown>): Record<string, unknown> {
  const error = response.errors?.[0];
  if (!error) throw new Error(`expected an error, got ${JSON.stringify(response.data)}`);
  return { message: error.message, ...(error.extensions ?? {}) };
}

export interface PolicyCast {
  /** A seeded customer of `manager`, with policies in the policies store. */
  customerId: string;
  /** The customer's branch, `/1/3/9/`. */
  branchPath: string;
  manager: ActingAs;
  /** Another manager of the same branch: the customer is not theirs. */
  otherManager: ActingAs;
  /** An operator of the customer's branch. */
  operator: ActingAs;
  /** An operator of a branch in another province. */
  farOperator: ActingAs;
  hotlineAgent: ActingAs;
  /** The service-centre manager of the customer's branch. */
  serviceCentreManager: ActingAs;
}

const acting = (staff: StaffFact): ActingAs => ({ role: staff.role, staffId: String(staff.id) });

/**
 * The people of one test: a seeded customer whose policies name their primary manager, found in the store,
 * and staff of the seeded company around them. `skipCustomers` leaves out customers another test uses.
 */
export async function castFor(graph: GraphUnderTest, skipCustomers: readonly string[] = [], notInBranch?: string): Promise<PolicyCast> {
  const org = generateOrg(DEFAULT_SEED);
  const rows: { customer_id: number | string; customer_manager_staff_id: number | string; branch_path: string }[] = await graph.subgraphs['policies']!.db(
    'policies',
  )
    .whereNotNull('customer_manager_staff_id')
    .whereNotIn('customer_id', [...skipCustomers])
    // Not one the seed blacklisted: new business for them is refused.
    .whereNotIn('customer_id', graph.subgraphs['policies']!.db('blacklist_refusals').where('blacklisted', true).select('customer_id'))
    .orderBy('customer_id', 'asc')
    .select('customer_id', 'customer_manager_staff_id', 'branch_path');
  for (const row of rows) {
    const manager = org.staff.find((staff) => String(staff.id) === String(row.customer_manager_staff_id) && staff.role === 'CUSTOMER_MANAGER');
    if (!manager || manager.branchPath !== row.branch_path || manager.branchPath === notInBranch) continue;
    const sameBranch = (role: StaffFact['role']) => org.staff.filter((staff) => staff.role === role && staff.branchPath === manager.branchPath);
    const province = manager.branchPath.split('/')[2];
    const farOperator = org.staff.find((staff) => staff.role === 'OPERATOR' && staff.branchPath.split('/')[2] !== province);
    const otherManager = sameBranch('CUSTOMER_MANAGER').find((staff) => staff.id !== manager.id);
    const [operator] = sameBranch('OPERATOR');
    const [serviceCentreManager] = sameBranch('SERVICE_CENTER_MANAGER');
    const hotlineAgent = org.staff.find((staff) => staff.role === 'HOTLINE_AGENT');
    if (!farOperator || !otherManager || !operator || !serviceCentreManager || !hotlineAgent) continue;
    return {
      customerId: String(row.customer_id),
      branchPath: manager.branchPath,
      manager: acting(manager),
      otherManager: acting(otherManager),
      operator: acting(operator),
      farOperator: acting(farOperator),
      hotlineAgent: acting(hotlineAgent),
      serviceCentreManager: acting(serviceCentreManager),
    };
  }
  throw new Error('no seeded customer with a primary manager and a fully staffed branch');
}

/** `YYYY-MM-DD` plus days. */
export function dayAfter(date: string, days = 1): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A seeded policy in force with no renewal yet, in a city branch, and an operator of that branch. */
export async function seededPolicyToRenew(graph: GraphUnderTest): Promise<{ policyNo: string; operator: ActingAs }> {
  const org = generateOrg(DEFAULT_SEED);
  const db = graph.subgraphs['policies']!.db;
  const rows: { policy_no: string; branch_path: string }[] = await db('policies as p')
    .where('p.status', 'IN_FORCE')
    .whereNotExists(db('policies as r').select('r.id').whereRaw('r.prior_policy_no = p.policy_no'))
    .whereExists(db('policy_participants as pp').select('pp.id').whereRaw('pp.policy_id = p.id'))
    .whereNotIn('p.customer_id', db('blacklist_refusals').where('blacklisted', true).select('customer_id'))
    .orderBy('p.id', 'asc')
    .select('p.policy_no', 'p.branch_path');
  for (const row of rows) {
    const operator = org.staff.find((staff) => staff.role === 'OPERATOR' && staff.branchPath === row.branch_path);
    if (operator) return { policyNo: row.policy_no, operator: acting(operator) };
  }
  throw new Error('no seeded policy in force without a renewal in a branch with an operator');
}

/**
 * A blacklist change as the customers system sends it (the customer.blacklist-changed event its blacklist
 * workflow records): recorded in the customers outbox in a customers transaction, then delivered to policies
 * by the relay over the graph's transport, like any other event.
 */
export async function sendBlacklistChange(graph: GraphUnderTest, customerId: string, blacklisted: boolean, at: Date): Promise<void> {
  const customers = graph.subgraphs['customers']!;
  const row = (await customers.db('customers').where('id', customerId).first('customer_no')) as { customer_no: string } | undefined;
  if (!row) throw new Error(`no customer ${customerId}`);
  await customers.db.transaction((trx) =>
    customers.events.recorder.record(trx, {
      type: 'customer.blacklist-changed',
      aggregate: `Customer:${customerId}`,
      payload: { customerId, customerNo: row.customer_no, blacklisted, status: blacklisted ? 'ACTIVE' : 'LIFTED', effectiveAt: at.toISOString() },
    }),
  );
}

/** Whether the policies store refuses the customer now, as its refusal state says (what quote, bind and renew read). */
export async function policiesRefuse(graph: GraphUnderTest, customerId: string): Promise<boolean> {
  const row = (await graph.subgraphs['policies']!.db('blacklist_refusals').where('customer_id', customerId).first('blacklisted')) as
    { blacklisted: number | boolean } | undefined;
  return row !== undefined && (row.blacklisted === true || row.blacklisted === 1);
}
