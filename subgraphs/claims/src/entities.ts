import type { EntityDefinition } from '@icg/shared';

/** The claims system owns claims; it extends Customer and Policy with their claims. */
export const entities = {
  // A claim belongs to its branch, its handler and the customer's manager.
  Claim: {
    key: 'reportNo',
    table: 'claims',
    keyColumn: 'report_no',
    scope: { branchPath: 'branch_path', responsibleStaffIds: ['handler_staff_id', 'customer_manager_staff_id'] },
  },
  Customer: { key: 'id' },
  Policy: { key: 'policyNo' },
  // The hotline ticket a phone report came from.
  ServiceRequest: { key: 'ticketNo' },
  Staff: { key: 'id' },
  Branch: { key: 'id' },
} as const satisfies Record<string, EntityDefinition>;
