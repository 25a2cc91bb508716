/**
 * What the hotline and claims suites share: the seeded staff they act as, callers drawn from the hotline's
 * directory, the mutations as a desk would send them, and waiting for a delivery between systems.
 */
import { randomUUID } from 'node:crypto';
import type { StaffRole } from '@icg/shared';
import { DEFAULT_SEED, generateOrg, type StaffFact } from '@icg/synthetic';
import type { GraphUnderTest } from './graph-under-test';
import type { GraphQLResponse } from './graphql-client';
import type { ActingAs } from './test-security';

const ORG = generateOrg(DEFAULT_SEED);

/** Every seeded staff member with the role, optionally only those working in the branch at `branchPath`. */
export function staffWith(role: StaffRole, branchPath?: string): StaffFact[] {
  return ORG.staff.filter((member) => member.role === role && (branchPath === undefined || member.branchPath === branchPath));
}

export function actingAs(staff: StaffFact): ActingAs {
  // Claims and complaint work is done with its purpose stated, as the desks send it.
  const purpose = staff.role === 'CLAIMS_ADJUSTER' ? 'CLAIM_HANDLING' : staff.role === 'HOTLINE_AGENT' ? 'CUSTOMER_SERVICE' : null;
  return { role: staff.role, staffId: String(staff.id), purpose };
}

/** The province above a city branch path (`/1/2/6/` → `/1/2/`). */
export function provinceOf(cityPath: string): string {
  return `/${cityPath.split('/').filter(Boolean).slice(0, 2).join('/')}/`;
}

export interface Caller {
  customerId: string;
  branchPath: string;
  managerStaffId: string | null;
  policyNo: string;
}

/**
 * Customers of city branches with a primary manager and a policy, read from the hotline's directory (setting
 * up only: what the tests check is read through the gateway). `n` picks a different one per test.
 */
export async function callers(graph: GraphUnderTest, count: number): Promise<Caller[]> {
  const db = graph.subgraphs['service-requests']!.db;
  const rows = (await db('customer_directory as c')
    .join('policy_directory as p', 'p.customer_id', 'c.customer_id')
    .whereNotNull('c.customer_manager_staff_id')
    .whereRaw("c.branch_path like '/%/%/%/'")
    .select('c.customer_id', 'c.branch_path', 'c.customer_manager_staff_id', 'p.policy_no')
    .orderBy([{ column: 'c.customer_id' }, { column: 'p.policy_no' }])) as {
    customer_id: number | string;
    branch_path: string;
    customer_manager_staff_id: number | string | null;
    policy_no: string;
  }[];
  const seen = new Set<string>();
  const found: Caller[] = [];
  for (const row of rows) {
    const customerId = String(row.customer_id);
    if (seen.has(customerId)) continue;
    seen.add(customerId);
    found.push({
      customerId,
      branchPath: row.branch_path,
      managerStaffId: row.customer_manager_staff_id === null ? null : String(row.customer_manager_staff_id),
      policyNo: row.policy_no,
    });
    if (found.length === count) return found;
  }
  throw new Error(`only ${found.length} callers in the directory, ${count} wanted`);
}

export const newKey = (): string => `test-${randomUUID()}`;

export const TICKET_FIELDS = `
  ticketNo type status priority channel version subject
  openedAt triagedAt assignedAt firstResponseAt pendingSince pendingReason resolvedAt closedAt reopenedAt reopenReason
  slaDueAt slaDeadlineAt slaPausedMinutes slaElapsedMinutes slaBreached
  assignee { id } customer { id } policy { policyNo } spawnedClaim { reportNo } relatedClaim { reportNo }
`;

export interface Ticket {
  ticketNo: string;
  type: string;
  status: string;
  priority: string;
  channel: string;
  version: number;
  subject: string;
  openedAt: string;
  triagedAt: string | null;
  assignedAt: string | null;
  firstResponseAt: string | null;
  pendingSince: string | null;
  pendingReason: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  reopenedAt: string | null;
  reopenReason: string | null;
  slaDueAt: string;
  slaDeadlineAt: string;
  slaPausedMinutes: number;
  slaElapsedMinutes: number;
  slaBreached: boolean;
  assignee: { id: string } | null;
  customer: { id: string };
  policy: { policyNo: string } | null;
  spawnedClaim: { reportNo: string } | null;
  relatedClaim: { reportNo: string } | null;
}

/** One mutation through the gateway; answers the payload's field (or null) and the errors. */
export async function mutate<T>(
  graph: GraphUnderTest,
  field: string,
  inputType: string,
  input: Record<string, unknown>,
  selection: string,
  acting: ActingAs,
): Promise<{ value: T | null; errors: NonNullable<GraphQLResponse['errors']>; response: GraphQLResponse<Record<string, T | null>> }> {
  const response = await graph.query<Record<string, T | null>>(
    `mutation Desk($input: ${inputType}!) { ${field}(input: $input) { ${selection} } }`,
    { input },
    acting,
  );
  return { value: response.data?.[field] ?? null, errors: response.errors ?? [], response };
}

export async function readTicket(graph: GraphUnderTest, ticketNo: string, acting?: ActingAs): Promise<Ticket | null> {
  const response = await graph.query<{ serviceRequest: Ticket | null }>(
    `query Ticket($no: String!) { serviceRequest(ticketNo: $no) { ${TICKET_FIELDS} } }`,
    { no: ticketNo },
    acting,
  );
  if (response.errors?.length) throw new Error(`reading ticket ${ticketNo} failed: ${JSON.stringify(response.errors)}`);
  return response.data?.serviceRequest ?? null;
}

/** The one error's code and extensions, for refusals. */
export function refusal(errors: GraphQLResponse['errors']): Record<string, unknown> {
  expect(errors).toHaveLength(1);
  return errors![0]!.extensions ?? {};
}

/** Polls until `done` holds (a relay retries with backoff), or gives up after `limitMs` with what it last saw. */
export async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, limitMs = 30_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}
