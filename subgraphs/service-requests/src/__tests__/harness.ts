import { assertionHeaders, testSubgraphSecurity } from '../../../../tests/support/test-security';
import { DEFAULT_AS_OF, generateCompanyBatch, generateOrg, seedStores, startSubgraph, type RunningSubgraph, type SeedBatch } from '@icg/shared';
import { postGraphQL, type GraphQLResponse } from '../../../../tests/support/graphql-client';
import { createTestDatabases, type TestDialect } from '../../../../tests/support/test-database';
import { serviceRequestsSeeder, serviceRequestsSubgraph } from '../index';

export const TEST_SEED = 8_151;

export interface SeededServiceRequests {
  running: RunningSubgraph;
  /** The facts the store was seeded from, to compare answers against. */
  facts: SeedBatch;
  query<TData = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<TData>>;
  close(): Promise<void>;
}

/** A service-requests subgraph listening on a free port over a fresh store seeded with `customers` customers. */
export async function startSeededServiceRequests(dialect: TestDialect, customers: number): Promise<SeededServiceRequests> {
  const databases = createTestDatabases(dialect);
  let running: RunningSubgraph | undefined;
  try {
    await seedStores({
      config: databases.config,
      stores: [{ manifest: serviceRequestsSubgraph, seeder: serviceRequestsSeeder }],
      customers,
      seed: TEST_SEED,
      asOf: DEFAULT_AS_OF,
      // Several batches, so the test also covers ids and numbers staying unique across them.
      batchSize: Math.ceil(customers / 3),
    });
    running = await startSubgraph(serviceRequestsSubgraph, { name: 'service-requests', host: '127.0.0.1', port: 0, database: databases.config, maxBodyBytes: 100_000, logLevel: 'silent', security: testSubgraphSecurity() });
    await running.ready;
  } catch (error) {
    await running?.close();
    await databases.cleanup();
    throw error;
  }
  const started = running;
  return {
    running: started,
    facts: generateCompanyBatch({ seed: TEST_SEED, asOf: DEFAULT_AS_OF, org: generateOrg(TEST_SEED), firstCustomerId: 1, lastCustomerId: customers }),
    query: async (query, variables = {}) => postGraphQL(`${started.url}/graphql`, query, variables, await assertionHeaders('service-requests')),
    async close() {
      await started.close();
      await databases.cleanup();
    },
  };
}

/** The fields a hotline desk shows for a ticket, children included. */
export const TICKET_FIELDS = `
  id ticketNo channel type status priority subject description callerName callerMobile
  customer { id } policy { policyNo } spawnedClaim { reportNo } spawnedComplaint { complaintNo }
  assignee { id } branch { id }
  openedAt triagedAt assignedAt firstResponseAt pendingSince resolvedAt closedAt slaDueAt slaPausedMinutes slaBreached
  callRecords { id direction startedAt answeredAt endedAt waitSeconds durationSeconds answeredByAgent agent { id } recordingUrl }
  returnVisits { id scheduledFor visitedAt outcome satisfaction agent { id } notes }
`;

export interface CallRecordView {
  id: string;
  direction: 'INBOUND' | 'OUTBOUND';
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  waitSeconds: number;
  durationSeconds: number | null;
  answeredByAgent: boolean;
  agent: { id: string } | null;
  recordingUrl: string | null;
}

export interface ReturnVisitView {
  id: string;
  scheduledFor: string;
  visitedAt: string | null;
  outcome: string | null;
  satisfaction: number | null;
  agent: { id: string } | null;
  notes: string | null;
}

export interface TicketView {
  id: string;
  ticketNo: string;
  channel: string;
  type: string;
  status: string;
  priority: string;
  subject: string;
  description: string | null;
  callerName: string | null;
  callerMobile: string | null;
  customer: { id: string };
  policy: { policyNo: string } | null;
  spawnedClaim: { reportNo: string } | null;
  spawnedComplaint: { complaintNo: string } | null;
  assignee: { id: string } | null;
  branch: { id: string };
  openedAt: string;
  triagedAt: string | null;
  assignedAt: string | null;
  firstResponseAt: string | null;
  pendingSince: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  slaDueAt: string;
  slaPausedMinutes: number;
  slaBreached: boolean;
  callRecords: CallRecordView[];
  returnVisits: ReturnVisitView[];
}

export interface CustomerTickets {
  _entities: ({ id: string; serviceRequests: TicketView[] } | null)[];
}

export const CUSTOMER_TICKETS_QUERY = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id serviceRequests { ${TICKET_FIELDS} } } } }`;

export function customerRepresentations(ids: readonly (number | string)[]): { __typename: 'Customer'; id: string }[] {
  return ids.map((id) => ({ __typename: 'Customer', id: String(id) }));
}

/** Every ticket of the given customers, read through the API the way the gateway would. */
export async function ticketsOf(seeded: SeededServiceRequests, customerIds: readonly number[]): Promise<TicketView[]> {
  const response = await seeded.query<CustomerTickets>(CUSTOMER_TICKETS_QUERY, { r: customerRepresentations(customerIds) });
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data!._entities.flatMap((customer) => customer?.serviceRequests ?? []);
}
