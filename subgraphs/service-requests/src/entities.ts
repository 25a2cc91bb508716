import type { EntityDefinition } from '@icg/shared';

/** The hotline owns tickets; it extends Customer with their tickets. */
export const entities = {
  // A ticket belongs to the customer's branch, its assignee and the customer's manager.
  ServiceRequest: {
    key: 'ticketNo',
    table: 'service_requests',
    keyColumn: 'ticket_no',
    scope: { branchPath: 'branch_path', responsibleStaffIds: ['assignee_staff_id', 'customer_manager_staff_id'] },
  },
  Customer: { key: 'id' },
  Policy: { key: 'policyNo' },
  Claim: { key: 'reportNo' },
  Complaint: { key: 'complaintNo' },
  Staff: { key: 'id' },
  Branch: { key: 'id' },
} as const satisfies Record<string, EntityDefinition>;
