import { BUSINESS_NUMBERS, parseBusinessNumber, parseEntityId } from '@icg/shared';
import type { Resolvers } from './generated/schema-types';
import { hotlineMutations } from './hotline-mutations';
import { serviceRequestConnectionResolvers } from './service-request-connection';
import { serviceRequestAggregateResolvers } from './service-request-aggregates';
import { serviceAnalysisResolvers } from './service-analysis';
import { returnVisitMutations } from './return-visits';
import { callRecordRecord, returnVisitRecord, serviceRequestRecord, type ScopedServiceRequestRecord } from './records';
import type { ServiceRequestRow } from './tables';

type Ticket = ScopedServiceRequestRecord;

/** SLA figures are computed against the subgraph's one clock (tests set it). */
function ticketOrNull(row: ServiceRequestRow | null, now: Date): Ticket | null {
  return row === null ? null : serviceRequestRecord(row, now);
}

// Checked against the types generated from schema.graphql (parents are the records records.ts builds).
export const resolvers = {
  ServiceRequestConnection: serviceRequestConnectionResolvers.ServiceRequestConnection,
  Query: {
    ...serviceRequestConnectionResolvers.Query,
    ...serviceRequestAggregateResolvers,
    ...serviceAnalysisResolvers,
    async serviceRequest(_root, args, { loaders, clock }) {
      const ticketNo = parseBusinessNumber(args.ticketNo, 'ticketNo', BUSINESS_NUMBERS.ticketNo);
      return ticketOrNull(await loaders.serviceRequestByTicketNo.load(ticketNo), clock.now());
    },
    async serviceRequestById(_root, args, { loaders, clock }) {
      const id = parseEntityId(args.id, 'id');
      return ticketOrNull(await loaders.serviceRequestById.load(id), clock.now());
    },
  },
  Mutation: { ...hotlineMutations, ...returnVisitMutations },
  ServiceRequest: {
    async __resolveReference(reference, { loaders, clock }) {
      const ticketNo = parseBusinessNumber(reference.ticketNo, 'representations', BUSINESS_NUMBERS.ticketNo);
      return ticketOrNull(await loaders.serviceRequestByTicketNo.load(ticketNo), clock.now());
    },
    async callRecords(ticket, _args, { loaders }) {
      const rows = await loaders.callRecordsByServiceRequest.load(ticket.id);
      return rows.map((row) => callRecordRecord(row, ticket));
    },
    async returnVisits(ticket, _args, { loaders }) {
      const rows = await loaders.returnVisitsByServiceRequest.load(ticket.id);
      return rows.map((row) => returnVisitRecord(row, ticket));
    },
  },
  Customer: {
    async serviceRequests(customer, args, { loaders, clock }) {
      // The id arrives in an entity representation, which GraphQL does not validate for us.
      const customerId = parseEntityId(customer.id, 'representations');
      const rows = await loaders.serviceRequestsByCustomer({ type: args.type ?? null, status: args.status ?? null }).load(customerId);
      const now = clock.now();
      return rows.map((row) => serviceRequestRecord(row, now));
    },
  },
} satisfies Resolvers;
