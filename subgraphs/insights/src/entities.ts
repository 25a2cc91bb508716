import type { EntityDefinition } from '@icg/shared';
import { EARLY_WARNING_NUMBER } from './warning-numbers';

/**
 * The insights system owns EarlyWarning and CustomerInsight; it extends Customer with their insight and early warnings and names staff
 * (who acknowledged, resolved or dismissed a warning) by their key only.
 */
export const entities = {
  // A warning, like the insight, is the customer's record: the customer's branch and primary manager.
  EarlyWarning: {
    key: 'earlyWarningNo',
    table: 'early_warnings',
    keyColumn: 'early_warning_no',
    scope: { branchPath: 'branch_path', responsibleStaffIds: ['customer_manager_staff_id'] },
    keyFormat: EARLY_WARNING_NUMBER,
  },
  // The insight is the customer's record too, with the same columns: so its fields are decided in the customer's
  // scope wherever it is read (`Customer.insight` under the gateway's `_entities` carries no scope of its own).
  CustomerInsight: {
    key: 'customerId',
    table: 'customer_insights',
    keyColumn: 'customer_id',
    scope: { branchPath: 'branch_path', responsibleStaffIds: ['customer_manager_staff_id'] },
  },
  Customer: { key: 'id' },
  Staff: { key: 'id' },
  // Metrics name their groups' branch by key only (insightMetrics).
  Branch: { key: 'id' },
} as const satisfies Record<string, EntityDefinition>;
