/**
 * The operations the README shows, which clients are known to send: the tools run them (npm start prints the
 * customer-360, the benchmarks load it) and the gateway builds their query plans before it reports ready
 * (gateway/src/plan-warm-up.ts).
 */
/** The customer-360 view a portal asks for: one customer with data from all five subgraphs. */
export const CUSTOMER_360_QUERY = `query Customer360($id: ID!) {
  customer(id: $id) {
    id
    customerNo
    kind
    name
    mobile
    branch { name }
    primaryManager { grade staff { name } }
    policies {
      policyNo
      lineOfBusiness
      status
      effectiveDate
      expiryDate
      writtenPremium
      claims { reportNo status incurred }
    }
    claims { reportNo status reportedAt policy { policyNo } }
    serviceRequests { ticketNo type status openedAt }
    complaints { complaintNo status category dueDate }
  }
}`;

export const CUSTOMERS_PAGE_QUERY = `query CustomersPage($first: Int, $after: String) {
  customers(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id customerNo kind branch { name } }
  }
}`;

/** By operation name, as the gateway warms them. */
export const EXAMPLE_OPERATIONS: readonly { query: string; operationName: string }[] = [
  { query: CUSTOMER_360_QUERY, operationName: 'Customer360' },
  { query: CUSTOMERS_PAGE_QUERY, operationName: 'CustomersPage' },
];
