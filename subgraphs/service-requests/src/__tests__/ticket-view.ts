import type { ServedSubgraph } from '../../../../tests/support/seeded-subgraph';

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
export async function ticketsOf(seeded: Pick<ServedSubgraph, 'query'>, customerIds: readonly number[]): Promise<TicketView[]> {
  const response = await seeded.query<CustomerTickets>(CUSTOMER_TICKETS_QUERY, { r: customerRepresentations(customerIds) });
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data!._entities.flatMap((customer) => customer?.serviceRequests ?? []);
}
