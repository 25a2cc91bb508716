import type { EntityDefinition } from '@icg/shared';

/** The insights system owns EarlyWarning; it extends Customer with their early warnings. */
export const entities = {
  // A early warning belongs to its customer's branch and the customer's primary manager.
  EarlyWarning: {
    key: 'earlyWarningNo',
    table: 'early_warnings',
    keyColumn: 'early_warning_no',
    scope: { branchPath: 'branch_path', responsibleStaffIds: ['customer_manager_staff_id'] },
  },
  Customer: { key: 'id' },
} as const satisfies Record<string, EntityDefinition>;
