import { tableGroupLoader, tableRowLoader, type DataLoader, type Knex } from '@icg/shared';
import type { ComplaintRow, ComplaintStepRow, DeadlineExtensionRow, EscalationRow, ExtensionRequestRow } from './records';

type Key = string | number;

/** One set per request: every reference and child list is one batched `WHERE … IN` per kind. */
export interface ComplaintLoaders {
  complaintById: DataLoader<Key, ComplaintRow | null, string>;
  complaintByNo: DataLoader<Key, ComplaintRow | null, string>;
  /** Most recently accepted first. */
  complaintsByCustomerId: DataLoader<Key, ComplaintRow[], string>;
  /** In workflow order. */
  stepsByComplaintId: DataLoader<Key, ComplaintStepRow[], string>;
  /** Oldest first. */
  extensionsByComplaintId: DataLoader<Key, DeadlineExtensionRow[], string>;
  /** Oldest first. */
  extensionRequestsByComplaintId: DataLoader<Key, ExtensionRequestRow[], string>;
  /** Oldest first. */
  escalationsByComplaintId: DataLoader<Key, EscalationRow[], string>;
}

export function createLoaders(db: Knex): ComplaintLoaders {
  return {
    complaintById: tableRowLoader<ComplaintRow>(db, 'complaints', 'id'),
    complaintByNo: tableRowLoader<ComplaintRow>(db, 'complaints', 'complaint_no'),
    complaintsByCustomerId: tableGroupLoader<ComplaintRow>(db, 'complaints', 'customer_id', (query) =>
      query.orderBy([
        { column: 'accepted_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]),
    ),
    stepsByComplaintId: tableGroupLoader<ComplaintStepRow>(db, 'complaint_steps', 'complaint_id', (query) => query.orderBy('sequence')),
    extensionsByComplaintId: tableGroupLoader<DeadlineExtensionRow>(db, 'complaint_deadline_extensions', 'complaint_id', (query) => query.orderBy('sequence')),
    extensionRequestsByComplaintId: tableGroupLoader<ExtensionRequestRow>(db, 'complaint_extension_requests', 'complaint_id', (query) =>
      query.orderBy('sequence'),
    ),
    escalationsByComplaintId: tableGroupLoader<EscalationRow>(db, 'complaint_escalations', 'complaint_id', (query) => query.orderBy('sequence')),
  };
}
