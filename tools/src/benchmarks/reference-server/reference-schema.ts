import {
  GraphQLFloat,
  GraphQLID,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfigMap,
  type GraphQLOutputType,
} from 'graphql';
import { badUserInput, toIsoDate, toIsoTimestamp } from '@icg/shared';
import type { ClaimRow, ComplaintRow, CustomerRow, PolicyRow, ReferenceLoaders, ServiceRequestRow, StaffRow } from './reference-loaders';

export interface ReferenceContext {
  loaders: ReferenceLoaders;
}

/** Ids as the subgraphs accept them (`parseEntityId`): a positive whole number. */
const ENTITY_ID = /^[1-9]\d{0,17}$/;

const required = <T extends GraphQLOutputType>(type: T) => new GraphQLNonNull(type);
const listOf = <T extends GraphQLOutputType>(type: T) => new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(type)));

/** The conversions the subgraphs make (policies' and claims' records.ts): money as numbers, claims' incurred rounded to fen. */
const money = (value: number | string): number => Number(value);
const roundMoney = (value: number): number => Math.round(value * 100) / 100;

function field<Source, Value>(type: GraphQLOutputType, resolve: (source: Source, context: ReferenceContext) => Value | Promise<Value>) {
  return { type, resolve: (source: Source, _args: unknown, context: ReferenceContext) => resolve(source, context) };
}

/*
 * Enumerations are String here: the stores hold the enum values' names, so the JSON answer is the same, and the
 * reference answers only the customer-360 query (no enum argument).
 */

const BranchType = new GraphQLObjectType<{ name: string }, ReferenceContext>({ name: 'Branch', fields: { name: { type: required(GraphQLString) } } });

const StaffType = new GraphQLObjectType<StaffRow, ReferenceContext>({ name: 'Staff', fields: { name: { type: required(GraphQLString) } } });

const CustomerManagerType = new GraphQLObjectType<StaffRow, ReferenceContext>({
  name: 'CustomerManager',
  fields: {
    grade: field<StaffRow, string | null>(required(GraphQLString), (staff) => staff.grade),
    staff: field<StaffRow, StaffRow>(required(StaffType), (staff) => staff),
  },
});

/** A claim's policy: only its key, which the claims system holds (as in the federated plan, no policy lookup). */
const PolicyReferenceType = new GraphQLObjectType<{ policyNo: string }, ReferenceContext>({
  name: 'PolicyReference',
  fields: { policyNo: { type: required(GraphQLString) } },
});

const ClaimType = new GraphQLObjectType<ClaimRow, ReferenceContext>({
  name: 'Claim',
  fields: {
    reportNo: field<ClaimRow, string>(required(GraphQLString), (claim) => claim.report_no),
    status: field<ClaimRow, string>(required(GraphQLString), (claim) => claim.status),
    reportedAt: field<ClaimRow, string | null>(required(GraphQLString), (claim) => toIsoTimestamp(claim.reported_at)),
    incurred: field<ClaimRow, number>(required(GraphQLFloat), (claim) =>
      roundMoney(money(claim.paid) + money(claim.outstanding_reserve) - money(claim.recoveries)),
    ),
    policy: field<ClaimRow, { policyNo: string }>(PolicyReferenceType, (claim) => ({ policyNo: claim.policy_no })),
  },
});

const PolicyType = new GraphQLObjectType<PolicyRow, ReferenceContext>({
  name: 'Policy',
  fields: {
    policyNo: field<PolicyRow, string>(required(GraphQLString), (policy) => policy.policy_no),
    lineOfBusiness: field<PolicyRow, string>(required(GraphQLString), (policy) => policy.line_of_business),
    status: field<PolicyRow, string>(required(GraphQLString), (policy) => policy.status),
    effectiveDate: field<PolicyRow, string | null>(required(GraphQLString), (policy) => toIsoDate(policy.effective_date)),
    expiryDate: field<PolicyRow, string | null>(required(GraphQLString), (policy) => toIsoDate(policy.expiry_date)),
    writtenPremium: field<PolicyRow, number>(required(GraphQLFloat), (policy) => money(policy.written_premium)),
    claims: field<PolicyRow, Promise<ClaimRow[]>>(listOf(ClaimType), (policy, { loaders }) => loaders.claimsByPolicyNo.load(policy.policy_no)),
  },
});

const ServiceRequestType = new GraphQLObjectType<ServiceRequestRow, ReferenceContext>({
  name: 'ServiceRequest',
  fields: {
    ticketNo: field<ServiceRequestRow, string>(required(GraphQLString), (ticket) => ticket.ticket_no),
    type: field<ServiceRequestRow, string>(required(GraphQLString), (ticket) => ticket.type),
    status: field<ServiceRequestRow, string>(required(GraphQLString), (ticket) => ticket.status),
    openedAt: field<ServiceRequestRow, string | null>(required(GraphQLString), (ticket) => toIsoTimestamp(ticket.opened_at)),
  },
});

const ComplaintType = new GraphQLObjectType<ComplaintRow, ReferenceContext>({
  name: 'Complaint',
  fields: {
    complaintNo: field<ComplaintRow, string>(required(GraphQLString), (complaint) => complaint.complaint_no),
    status: field<ComplaintRow, string>(required(GraphQLString), (complaint) => complaint.status),
    category: field<ComplaintRow, string>(required(GraphQLString), (complaint) => complaint.category),
    dueDate: field<ComplaintRow, string | null>(required(GraphQLString), (complaint) => toIsoDate(complaint.due_date)),
  },
});

const customerFields: GraphQLFieldConfigMap<CustomerRow, ReferenceContext> = {
  id: field<CustomerRow, string>(required(GraphQLID), (customer) => String(customer.id)),
  customerNo: field<CustomerRow, string>(required(GraphQLString), (customer) => customer.customer_no),
  kind: field<CustomerRow, string>(required(GraphQLString), (customer) => customer.kind),
  name: { type: GraphQLString },
  mobile: { type: GraphQLString },
  branch: field<CustomerRow, Promise<{ name: string } | null>>(BranchType, (customer, { loaders }) => loaders.branchById.load(String(customer.branch_id))),
  // Like the customers subgraph: a manager only when the staff member is a customer manager with a grade.
  primaryManager: field<CustomerRow, Promise<StaffRow | null> | null>(CustomerManagerType, async (customer, { loaders }) => {
    if (customer.customer_manager_staff_id === null) return null;
    const staff = await loaders.staffById.load(String(customer.customer_manager_staff_id));
    return staff && staff.role === 'CUSTOMER_MANAGER' && staff.grade !== null ? staff : null;
  }),
  policies: field<CustomerRow, Promise<PolicyRow[]>>(listOf(PolicyType), (customer, { loaders }) => loaders.policiesByCustomer.load(String(customer.id))),
  claims: field<CustomerRow, Promise<ClaimRow[]>>(listOf(ClaimType), (customer, { loaders }) => loaders.claimsByCustomer.load(String(customer.id))),
  serviceRequests: field<CustomerRow, Promise<ServiceRequestRow[]>>(listOf(ServiceRequestType), (customer, { loaders }) =>
    loaders.serviceRequestsByCustomer.load(String(customer.id)),
  ),
  complaints: field<CustomerRow, Promise<ComplaintRow[]>>(listOf(ComplaintType), (customer, { loaders }) =>
    loaders.complaintsByCustomer.load(String(customer.id)),
  ),
};

const CustomerType = new GraphQLObjectType<CustomerRow, ReferenceContext>({ name: 'Customer', fields: customerFields });

/** The part of the graph the customer-360 view reads, as one graphql-js schema over the five databases. */
export const REFERENCE_SCHEMA = new GraphQLSchema({
  query: new GraphQLObjectType<unknown, ReferenceContext>({
    name: 'Query',
    fields: {
      customer: {
        type: CustomerType,
        args: { id: { type: new GraphQLNonNull(GraphQLID) } },
        resolve: (_root, args: { id: string }, { loaders }) => {
          if (!ENTITY_ID.test(args.id)) throw badUserInput('id', 'must be a positive whole number');
          return loaders.customerById.load(args.id);
        },
      },
    },
  }),
});
