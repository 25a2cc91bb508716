/**
 * Whose records are whose: the row scope each subgraph attaches to the records it returns, rebuilt from
 * the facts the stores were seeded with, exactly as each subgraph's records.ts and resolvers build it.
 */
import {
  DEFAULT_AS_OF,
  DEFAULT_SEED,
  generateCompanyBatch,
  generateOrg,
  rowScope,
  type BranchFact,
  type ClaimFact,
  type ComplaintFact,
  type CustomerFact,
  type OrgFacts,
  type PolicyFact,
  type RowScope,
  type StaffFact,
} from '@icg/shared';

/** An object of a GraphQL response (the auditor's reference values): field name → value. */
export type ResponseObject = Readonly<Record<string, unknown>>;

export interface CompanyFacts {
  org: OrgFacts;
  customers: ReadonlyMap<string, CustomerFact>;
  policies: ReadonlyMap<string, PolicyFact>;
  claims: ReadonlyMap<string, ClaimFact>;
  complaints: ReadonlyMap<string, ComplaintFact>;
  staff: ReadonlyMap<string, StaffFact>;
  branches: ReadonlyMap<string, BranchFact>;
  policiesOfCustomer(customerId: string): readonly PolicyFact[];
  claimsOfCustomer(customerId: string): readonly ClaimFact[];
  claimsOfPolicy(policyNo: string): readonly ClaimFact[];
  complaintsOfCustomer(customerId: string): readonly ComplaintFact[];
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** The company `startGraph({ customers })` seeds: the same generator, seed and clock as the seed runner. */
export function seededCompany(customers: number, seed: number = DEFAULT_SEED): CompanyFacts {
  const org = generateOrg(seed);
  const batch = generateCompanyBatch({ seed, asOf: DEFAULT_AS_OF, org, firstCustomerId: 1, lastCustomerId: customers });
  const policiesOfCustomer = groupBy(batch.policies, (policy) => String(policy.customerId));
  const claimsOfCustomer = groupBy(batch.claims, (claim) => String(claim.customerId));
  const claimsOfPolicy = groupBy(batch.claims, (claim) => claim.policyNo);
  const complaintsOfCustomer = groupBy(batch.complaints, (complaint) => String(complaint.customerId));
  return {
    org,
    customers: new Map(batch.customers.map((customer) => [String(customer.id), customer])),
    policies: new Map(batch.policies.map((policy) => [policy.policyNo, policy])),
    claims: new Map(batch.claims.map((claim) => [claim.reportNo, claim])),
    complaints: new Map(batch.complaints.map((complaint) => [complaint.complaintNo, complaint])),
    staff: new Map(org.staff.map((member) => [String(member.id), member])),
    branches: new Map(org.branches.map((branch) => [String(branch.id), branch])),
    policiesOfCustomer: (customerId) => policiesOfCustomer.get(customerId) ?? [],
    claimsOfCustomer: (customerId) => claimsOfCustomer.get(customerId) ?? [],
    claimsOfPolicy: (policyNo) => claimsOfPolicy.get(policyNo) ?? [],
    complaintsOfCustomer: (customerId) => complaintsOfCustomer.get(customerId) ?? [],
  };
}

/** A record the matrix cannot place: its scope is not modelled, or its facts are missing. */
export class UnknownScopeError extends Error {
  override name = 'UnknownScopeError';
}

function known<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new UnknownScopeError(`${what} is not in the seeded facts`);
  return value;
}

function stringField(object: ResponseObject, name: string, typeName: string): string {
  const value = object[name];
  if (typeof value !== 'string') throw new UnknownScopeError(`${typeName}.${name} was not selected or is not a string in the reference`);
  return value;
}

/** policies/src/records.ts policyScope: the policy's branch, the customer's manager and the servicing manager. */
function policyScope(facts: CompanyFacts, policy: PolicyFact): RowScope {
  const customer = known(facts.customers.get(String(policy.customerId)), `Customer ${policy.customerId}`);
  // The seed stores customer_manager_staff_id as the customer's primary manager, else the servicing manager.
  const customerManager = customer.primaryManagerStaffId ?? policy.servicingManagerStaffId;
  return rowScope(policy.branchPath, ...new Set([customerManager, policy.servicingManagerStaffId]));
}

function staffScope(member: StaffFact): RowScope {
  return rowScope(member.branchPath, member.id);
}

/**
 * The scope a record carries in the subgraph that owns it (loaded from its own row), from the auditor's
 * reference object for it, which holds its key (and, for tickets, their customer and assignee).
 */
export function ownScope(facts: CompanyFacts, typeName: string, reference: ResponseObject): RowScope {
  switch (typeName) {
    case 'Customer': {
      const customer = known(facts.customers.get(stringField(reference, 'id', typeName)), `Customer ${String(reference['id'])}`);
      return rowScope(customer.branchPath, customer.primaryManagerStaffId);
    }
    case 'Policy':
      return policyScope(facts, known(facts.policies.get(stringField(reference, 'policyNo', typeName)), `Policy ${String(reference['policyNo'])}`));
    case 'Claim': {
      const claim = known(facts.claims.get(stringField(reference, 'reportNo', typeName)), `Claim ${String(reference['reportNo'])}`);
      return rowScope(claim.branchPath, claim.handlerStaffId, claim.customerManagerStaffId);
    }
    case 'Complaint': {
      const complaint = known(facts.complaints.get(stringField(reference, 'complaintNo', typeName)), `Complaint ${String(reference['complaintNo'])}`);
      const customer = known(facts.customers.get(String(complaint.customerId)), `Customer ${complaint.customerId}`);
      return rowScope(complaint.branchPath, complaint.handlerStaffId, customer.primaryManagerStaffId);
    }
    case 'ServiceRequest': {
      // Tickets are not among the facts (the hotline's seed draws them), but their scope is: the customer's
      // branch and manager, plus the assignee the reference names.
      const customerReference = reference['customer'];
      const assigneeReference = reference['assignee'];
      if (typeof customerReference !== 'object' || customerReference === null || assigneeReference === undefined) {
        throw new UnknownScopeError('ServiceRequest.customer and ServiceRequest.assignee were not selected in the reference');
      }
      const customer = known(facts.customers.get(stringField(customerReference as ResponseObject, 'id', 'Customer')), 'The ticket customer');
      const assigneeId = assigneeReference === null ? null : stringField(assigneeReference as ResponseObject, 'id', 'Staff');
      return rowScope(customer.branchPath, assigneeId, customer.primaryManagerStaffId);
    }
    case 'Staff':
    case 'CustomerManager':
      // customers/src/records.ts: a staff member is in their own branch's scope and responsible for themselves.
      return staffScope(known(facts.staff.get(stringField(reference, 'id', typeName)), `Staff ${String(reference['id'])}`));
    case 'Branch':
      return rowScope(known(facts.branches.get(stringField(reference, 'id', typeName)), `Branch ${String(reference['id'])}`).path);
    default:
      throw new UnknownScopeError(`No scope model for records of ${typeName}`);
  }
}

const newestFirst = <T>(items: readonly T[], ...keys: ((item: T) => string | number)[]): T[] =>
  [...items].sort((left, right) => {
    for (const key of keys) {
      const [a, b] = [key(left), key(right)];
      if (a !== b) return a < b ? 1 : -1;
    }
    return 0;
  });

/**
 * The scope an entity gets in a subgraph that extends it without owning it, when the gateway fetches the
 * subgraph's fields of it by key (`_entities`); undefined where that subgraph attaches none.
 */
export function extensionScope(facts: CompanyFacts, typeName: string, subgraph: string, reference: ResponseObject): RowScope | undefined {
  const entity = `${subgraph}:${typeName}`;
  switch (entity) {
    // claims/src/records.ts referencedEntity: the scope of the most recently reported claim (branch and
    // customer manager), none without claims.
    case 'claims:Customer':
    case 'claims:Policy': {
      const claims = typeName === 'Customer' ? facts.claimsOfCustomer(stringField(reference, 'id', typeName)) : facts.claimsOfPolicy(stringField(reference, 'policyNo', typeName));
      const latest = newestFirst(claims, (claim) => claim.reportedAt, (claim) => claim.id)[0];
      return latest ? rowScope(latest.branchPath, latest.customerManagerStaffId) : undefined;
    }
    // policies/src/records.ts toCustomer: the newest policy's scope; an empty one without policies.
    case 'policies:Customer': {
      const newest = newestFirst(facts.policiesOfCustomer(stringField(reference, 'id', typeName)), (policy) => policy.effectiveDate, (policy) => policy.id)[0];
      return newest ? policyScope(facts, newest) : rowScope('');
    }
    // complaints: its reference resolver returns the bare key; service-requests has none (the representation).
    case 'complaints:Customer':
    case 'service-requests:Customer':
      return undefined;
    default:
      throw new UnknownScopeError(`No scope model for ${typeName} as the ${subgraph} subgraph resolves it by key`);
  }
}
