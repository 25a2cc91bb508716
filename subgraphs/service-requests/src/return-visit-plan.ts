import type { Knex, RecordChange } from '@icg/shared';
import { newChildRowId } from './row-ids';
import { TABLES, type ReturnVisitRow, type ServiceRequestRow } from './tables';

/** Plans a visit on a RETURN_VISIT ticket for `scheduledFor` (a SQL timestamp): the row, and its change for the audit trail. */
export async function planReturnVisit(trx: Knex.Transaction, ticket: Pick<ServiceRequestRow, 'id'>, scheduledFor: string, now: Date): Promise<RecordChange> {
  const visit: ReturnVisitRow = {
    id: await newChildRowId(trx, now),
    service_request_id: ticket.id,
    agent_staff_id: null,
    scheduled_for: scheduledFor,
    visited_at: null,
    outcome: null,
    satisfaction: null,
    notes: null,
  };
  await trx(TABLES.returnVisits).insert(visit);
  return {
    recordKey: `ReturnVisit:${visit.id}`,
    beforeVersion: null,
    afterVersion: null,
    fields: Object.fromEntries(Object.entries(visit).map(([column, after]) => [column, { before: null, after }])),
  };
}
