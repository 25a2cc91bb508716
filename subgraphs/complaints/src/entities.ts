import type { EntityDefinition } from '@icg/shared';

/** The complaint register owns complaints; it extends Customer with their complaints. */
export const entities = {
  // A complaint belongs to the accountable branch, its handler and the customer's manager.
  Complaint: {
    key: 'complaintNo',
    table: 'complaints',
    keyColumn: 'complaint_no',
    scope: { branchPath: 'branch_path', responsibleStaffIds: ['handler_staff_id', 'customer_manager_staff_id'] },
  },
  Customer: { key: 'id' },
  Policy: { key: 'policyNo' },
  Claim: { key: 'reportNo' },
  ServiceRequest: { key: 'ticketNo' },
  Branch: { key: 'id' },
  Staff: { key: 'id' },
} as const satisfies Record<string, EntityDefinition>;
