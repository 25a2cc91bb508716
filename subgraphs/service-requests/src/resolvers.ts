import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { BUSINESS_NUMBERS, parseBusinessNumber, parseEntityId, type Scoped, type ServiceRequestStatus, type ServiceRequestType, type SubgraphContext } from '@icg/shared';
import type { ServiceRequestLoaders } from './loaders';
import { callRecordRecord, returnVisitRecord, serviceRequestRecord, type CallRecordRecord, type ReturnVisitRecord, type ServiceRequestRecord } from './records';
import type { ServiceRequestRow } from './tables';

type Context = SubgraphContext<ServiceRequestLoaders>;
type Ticket = Scoped<ServiceRequestRecord>;

function ticketOrNull(row: ServiceRequestRow | null): Ticket | null {
  return row === null ? null : serviceRequestRecord(row, new Date());
}

export const resolvers: GraphQLResolverMap<Context> = {
  Query: {
    async serviceRequest(_root: unknown, args: { ticketNo: string }, { loaders }: Context): Promise<Ticket | null> {
      const ticketNo = parseBusinessNumber(args.ticketNo, 'ticketNo', BUSINESS_NUMBERS.ticketNo);
      return ticketOrNull(await loaders.serviceRequestByTicketNo.load(ticketNo));
    },
    async serviceRequestById(_root: unknown, args: { id: string }, { loaders }: Context): Promise<Ticket | null> {
      const id = parseEntityId(args.id, 'id');
      return ticketOrNull(await loaders.serviceRequestById.load(id));
    },
  },
  ServiceRequest: {
    async __resolveReference(reference: { ticketNo: string }, { loaders }: Context): Promise<Ticket | null> {
      const ticketNo = parseBusinessNumber(reference.ticketNo, 'representations', BUSINESS_NUMBERS.ticketNo);
      return ticketOrNull(await loaders.serviceRequestByTicketNo.load(ticketNo));
    },
    async callRecords(ticket: Ticket, _args: unknown, { loaders }: Context): Promise<Scoped<CallRecordRecord>[]> {
      const rows = await loaders.callRecordsByServiceRequest.load(ticket.id);
      return rows.map((row) => callRecordRecord(row, ticket));
    },
    async returnVisits(ticket: Ticket, _args: unknown, { loaders }: Context): Promise<Scoped<ReturnVisitRecord>[]> {
      const rows = await loaders.returnVisitsByServiceRequest.load(ticket.id);
      return rows.map((row) => returnVisitRecord(row, ticket));
    },
  },
  Customer: {
    async serviceRequests(
      customer: { id: string },
      args: { type?: ServiceRequestType | null; status?: ServiceRequestStatus | null },
      { loaders }: Context,
    ): Promise<Ticket[]> {
      // The id arrives in an entity representation, which GraphQL does not validate for us.
      const customerId = parseEntityId(customer.id, 'representations');
      const rows = await loaders.serviceRequestsByCustomer({ type: args.type ?? null, status: args.status ?? null }).load(customerId);
      const now = new Date();
      return rows.map((row) => serviceRequestRecord(row, now));
    },
  },
};
