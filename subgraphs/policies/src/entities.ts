import type { EntityDefinition } from '@icg/shared';

/** Policy administration owns policies; it extends Customer with their policies. */
export const entities = {
  // A policy belongs to its branch, the customer's primary manager and the manager servicing it.
  Policy: {
    key: 'policyNo',
    table: 'policies',
    keyColumn: 'policy_no',
    scope: { branchPath: 'branch_path', responsibleStaffIds: ['customer_manager_staff_id', 'servicing_manager_staff_id'] },
  },
  Customer: { key: 'id' },
  Branch: { key: 'id' },
  Staff: { key: 'id' },
} as const satisfies Record<string, EntityDefinition>;
