import type { EntityDefinition } from '@icg/shared';

/** The CRM owns customers, the org tree and staff; a customer manager is a staff row with a grade. */
export const entities = {
  Customer: { key: 'id', table: 'customers', keyColumn: 'id', scope: { branchPath: 'branch_path', responsibleStaffIds: ['customer_manager_staff_id'] } },
  Branch: { key: 'id', table: 'branches', keyColumn: 'id', scope: { branchPath: 'path', responsibleStaffIds: [] } },
  // A staff member is in their own branch's scope and responsible for themselves.
  Staff: { key: 'id', table: 'staff', keyColumn: 'id', scope: { branchPath: 'branch_path', responsibleStaffIds: ['id'] } },
  CustomerManager: { key: 'id', table: 'staff', keyColumn: 'id', scope: { branchPath: 'branch_path', responsibleStaffIds: ['id'] } },
} as const satisfies Record<string, EntityDefinition>;
