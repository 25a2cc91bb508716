import { insertInChunks, type Knex } from '@icg/shared';
import type { OrgFacts, SeedBatch, SubgraphSeeder } from '@icg/synthetic';
import { draftTickets, indexFacts } from './seed-drafts';
import { ticketRows, type RowContext } from './seed-rows';
import { TABLES, type CallRecordRow, type CustomerDirectoryRow, type PolicyDirectoryRow, type ReturnVisitRow, type ServiceRequestRow } from './tables';

/**
 * Elaborates a batch's facts into the hotline's tickets, calls and return visits, and its directory of callers
 * (every customer's branch and manager, every policy's holder); rows are built in memory and written in chunks.
 */
export const serviceRequestsSeeder: SubgraphSeeder = {
  name: 'service-requests',
  tables: [TABLES.returnVisits, TABLES.callRecords, TABLES.serviceRequests, TABLES.policyDirectory, TABLES.customerDirectory, TABLES.staffRegister],
  /** The staff register: who a ticket may be assigned to (hotline-mutations.ts). */
  async seedReference(db: Knex, org: OrgFacts): Promise<void> {
    await insertInChunks(
      db,
      TABLES.staffRegister,
      org.staff.map((member) => ({ id: member.id, role: member.role, branch_path: member.branchPath })),
    );
  },
  async seedBatch(db: Knex, batch: SeedBatch): Promise<void> {
    const facts = indexFacts(batch);
    const headOffice = batch.org.branches.find((branch) => branch.level === 'HEAD_OFFICE');
    const hotlineAgents = headOffice ? batch.org.staffByRoleAndBranch('HOTLINE_AGENT', headOffice.id) : [];
    if (hotlineAgents.length === 0) throw new Error('The org facts have no head-office hotline agents to staff the hotline');
    const context: RowContext = { seed: batch.seed, asOf: facts.asOf, hotlineAgents };

    const tickets: ServiceRequestRow[] = [];
    const calls: CallRecordRow[] = [];
    const visits: ReturnVisitRow[] = [];
    for (const draft of draftTickets(facts)) {
      const rows = ticketRows(draft, context);
      tickets.push(rows.ticket);
      calls.push(...rows.calls);
      visits.push(...rows.visits);
    }
    // Parents first: calls and visits reference their ticket.
    await insertInChunks(db, TABLES.serviceRequests, tickets);
    await insertInChunks(db, TABLES.callRecords, calls);
    await insertInChunks(db, TABLES.returnVisits, visits);

    const customers: CustomerDirectoryRow[] = batch.customers.map((customer) => ({
      customer_id: customer.id,
      branch_id: customer.branchId,
      branch_path: customer.branchPath,
      customer_manager_staff_id: customer.primaryManagerStaffId,
    }));
    const policies: PolicyDirectoryRow[] = batch.policies.map((policy) => ({
      policy_no: policy.policyNo,
      customer_id: policy.customerId,
      line_of_business: policy.lineOfBusiness,
    }));
    await insertInChunks(db, TABLES.customerDirectory, customers);
    await insertInChunks(db, TABLES.policyDirectory, policies);
  },
};
