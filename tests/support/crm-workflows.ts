/**
 * The customer-manager and blacklist workflows as their tests drive them through the gateway: the seeded people
 * around a customer (its primary manager, the service centres of its city and province, …), the outbox deliveries a
 * test waits for (never a fixed sleep), and the audit records a change left.
 */
import { randomUUID } from 'node:crypto';
import { AUDIT_TABLE, pseudonymise, type Knex } from '@icg/shared';
import { DEFAULT_SEED, generateOrg, type StaffFact } from '@icg/synthetic';
import { waitUntil } from './event-probes';
import type { GraphUnderTest } from './graph-under-test';
import type { GraphQLResponse } from './graphql-client';
import { TEST_PSEUDONYM_SECRET, type ActingAs } from './test-security';

export const org = generateOrg(DEFAULT_SEED);
export const acting = (staff: StaffFact): ActingAs => ({ role: staff.role, staffId: String(staff.id) });

/** A seeded customer and the staff around it. */
export interface CustomerCast {
  customerId: string;
  customerNo: string;
  branchPath: string;
  /** The customer's primary manager. */
  manager: ActingAs;
  /** Another manager of the same city branch: the customer is not theirs. */
  otherManager: ActingAs;
  /** Service-centre managers of the customer's city and of its province (both have the city in their BRANCH scope). */
  cityServiceCentre: ActingAs;
  provinceServiceCentre: ActingAs;
  /** A provincial executive (approves senior and principal grades). */
  provinceExecutive: ActingAs;
  claimsAdjuster: ActingAs;
  /** A service-centre manager of a city in another province. */
  farServiceCentre: ActingAs;
  hotlineAgent: ActingAs;
}

const pathParts = (path: string) => path.split('/').filter(Boolean);

/** The staff around a customer of `branchPath` managed by `managerId`; null when the branch lacks someone. */
export function castAround(customer: { customerId: string; customerNo: string; branchPath: string; managerId: string }): CustomerCast | null {
  const [, provinceId] = pathParts(customer.branchPath);
  const provincePath = `/${pathParts(customer.branchPath).slice(0, 2).join('/')}/`;
  const at = (role: StaffFact['role'], path: string) => org.staff.filter((staff) => staff.role === role && staff.branchPath === path);
  const manager = org.staff.find((staff) => String(staff.id) === customer.managerId);
  const otherManager = at('CUSTOMER_MANAGER', customer.branchPath).find((staff) => String(staff.id) !== customer.managerId);
  const [cityServiceCentre] = at('SERVICE_CENTER_MANAGER', customer.branchPath);
  const [provinceServiceCentre] = at('SERVICE_CENTER_MANAGER', provincePath);
  const [provinceExecutive] = at('EXECUTIVE', provincePath);
  const [claimsAdjuster] = at('CLAIMS_ADJUSTER', customer.branchPath);
  const farServiceCentre = org.staff.find(
    (staff) => staff.role === 'SERVICE_CENTER_MANAGER' && pathParts(staff.branchPath).length === 3 && pathParts(staff.branchPath)[1] !== provinceId,
  );
  const hotlineAgent = org.staff.find((staff) => staff.role === 'HOTLINE_AGENT');
  if (!manager || !otherManager || !cityServiceCentre || !provinceServiceCentre || !provinceExecutive || !claimsAdjuster || !farServiceCentre || !hotlineAgent)
    return null;
  return {
    customerId: customer.customerId,
    customerNo: customer.customerNo,
    branchPath: customer.branchPath,
    manager: acting(manager),
    otherManager: acting(otherManager),
    cityServiceCentre: acting(cityServiceCentre),
    provinceServiceCentre: acting(provinceServiceCentre),
    provinceExecutive: acting(provinceExecutive),
    claimsAdjuster: acting(claimsAdjuster),
    farServiceCentre: acting(farServiceCentre),
    hotlineAgent: acting(hotlineAgent),
  };
}

/**
 * Seeded customers with a primary manager, not blacklisted and without an open blacklist entry, that have policies
 * in the policies store naming the same manager (so the manager may quote for them): one cast each, in id order.
 */
export async function customerCasts(graph: GraphUnderTest): Promise<CustomerCast[]> {
  const crm = graph.subgraphs['customers']!.db;
  const rows = (await crm('customers')
    .whereNotNull('customer_manager_staff_id')
    .where('blacklisted', false)
    .whereNotExists(crm('blacklist_entries').whereRaw('blacklist_entries.customer_id = customers.id').whereNotNull('open_customer_id').select('id'))
    .orderBy('id')
    .select('id', 'customer_no', 'branch_path', 'customer_manager_staff_id')) as {
    id: number | string;
    customer_no: string;
    branch_path: string;
    customer_manager_staff_id: number | string;
  }[];
  const policies = (await graph.subgraphs['policies']!.db('policies').select('customer_id', 'customer_manager_staff_id')) as {
    customer_id: number | string;
    customer_manager_staff_id: number | string | null;
  }[];
  const quotable = new Set(policies.map((policy) => `${policy.customer_id}|${policy.customer_manager_staff_id}`));
  return rows
    .filter((row) => quotable.has(`${row.id}|${row.customer_manager_staff_id}`))
    .map((row) =>
      castAround({ customerId: String(row.id), customerNo: row.customer_no, branchPath: row.branch_path, managerId: String(row.customer_manager_staff_id) }),
    )
    .filter((cast): cast is CustomerCast => cast !== null);
}

export type GraphError = NonNullable<GraphQLResponse['errors']>[number];

/** The one error of a response, its message with its extensions. */
export function onlyError(response: GraphQLResponse<unknown>): Record<string, unknown> {
  expect(response.errors).toHaveLength(1);
  const error = response.errors![0]!;
  return { message: error.message, ...(error.extensions ?? {}) };
}

/** The data of a response that must have no errors. */
export function dataOf<TData>(response: GraphQLResponse<TData>): TData {
  expect(response.errors).toBeUndefined();
  return response.data!;
}

/** One mutation with a fresh idempotency key unless `variables.key` names one. */
export function mutate<TData = Record<string, unknown>>(
  graph: GraphUnderTest,
  document: string,
  variables: Record<string, unknown>,
  as: ActingAs,
): Promise<GraphQLResponse<TData>> {
  return graph.query<TData>(document, { key: randomUUID(), ...variables }, as);
}

interface DeliveryState {
  /** Events of the producer about the record, for the consumer, that the consumer has not applied yet. */
  pending: number;
  /** Those it applied (its inbox holds them: its commit is done). */
  applied: number;
}

/**
 * How the producer's events about `aggregate` stand with `consumer`, read on the consumer's side: applied means in its
 * inbox, committed with its writes. (Over JetStream the producer counts an event delivered once the stream holds it.)
 */
export async function deliveries(graph: GraphUnderTest, producer: string, consumer: string, aggregate: string): Promise<DeliveryState> {
  const sent = (await graph.subgraphs[producer]!.db('write_side_event_deliveries as d')
    .join('write_side_event_outbox as o', 'o.sequence', 'd.sequence')
    .where('o.aggregate', aggregate)
    .andWhere('d.consumer', consumer)
    .select('o.event_id')) as { event_id: string }[];
  const ids = sent.map((row) => row.event_id);
  const applied =
    ids.length === 0 ? 0 : ((await graph.subgraphs[consumer]!.db('write_side_event_inbox').whereIn('event_id', ids).select('event_id')) as unknown[]).length;
  return { pending: ids.length - applied, applied };
}

/**
 * Waits until the consumer has applied `count` events of the producer about `aggregate` and none is left (the relay
 * retries with backoff): never a fixed sleep. Fails the test otherwise.
 */
export async function waitForDeliveries(graph: GraphUnderTest, producer: string, consumer: string, aggregate: string, count: number): Promise<void> {
  const state = await waitUntil(
    () => deliveries(graph, producer, consumer, aggregate),
    (now) => now.pending === 0 && now.applied >= count,
    60_000,
  );
  expect(state).toEqual({ pending: 0, applied: count });
}

/** The change audit records of one action on one record (pseudonymised key), once the asynchronous writer has them. */
export async function auditRecordsOf(auditStore: Knex, action: string, recordKey: string, expected: number): Promise<Record<string, unknown>[]> {
  const pseudonym = pseudonymise(TEST_PSEUDONYM_SECRET, recordKey);
  return waitUntil(
    async () =>
      ((await auditStore(AUDIT_TABLE).where({ coordinate: `action:${action}` })) as Record<string, unknown>[]).filter((row) =>
        String(row['record_pseudonyms']).includes(pseudonym),
      ),
    (rows) => rows.length >= expected,
    30_000,
  );
}
