import { dialectOf, type Knex, type Migration } from '@icg/shared';

/** Who a row belongs to, as service_requests says (the row scope every view carries for the aggregate mechanism). */
const OWNER = 's.id as service_request_id, s.branch_id, s.branch_path, s.assignee_staff_id, s.customer_manager_staff_id';

/**
 * customerServiceAnalysis (issue 11, monthly report). The shared aggregate mechanism groups one table by its columns
 * in the caller's row scope; these views give it what the report groups and counts:
 * - service_report_tickets: each ticket's handling minutes (opened → resolved, less the minutes paused waiting for the
 *   customer), a column so the p90 can be read from a GROUP BY on it, and whether it met its SLA (resolved by
 *   slaDeadlineAt: the due time moved back by the paused minutes);
 * - service_report_calls and service_report_visits: call records and return visits with their ticket's branch and
 *   staff, since the row scope is the ticket's.
 * Indexes on the call and visit times the report selects a month by.
 */
export const serviceAnalysis: Migration = {
  name: '007_service_analysis',
  async up(db: Knex) {
    const mysql = dialectOf(db) === 'mysql';
    const minutes = mysql
      ? 'cast(round(timestampdiff(second, s.opened_at, s.resolved_at) / 60) as signed)'
      : 'cast(round((julianday(s.resolved_at) - julianday(s.opened_at)) * 1440) as integer)';
    const deadline = mysql
      ? 'date_add(s.sla_due_at, interval s.sla_paused_minutes minute)'
      : "datetime(s.sla_due_at, '+' || s.sla_paused_minutes || ' minutes')";
    await db.raw(
      `create view service_report_tickets as select s.id, ${OWNER}, s.type, s.channel, s.opened_at,` +
        ` case when s.resolved_at is null then null else ${minutes} - s.sla_paused_minutes end as handling_minutes,` +
        ` case when s.resolved_at is not null and s.resolved_at <= ${deadline} then 1 else 0 end as sla_met` +
        ' from service_requests s',
    );
    await db.raw(
      `create view service_report_calls as select c.id, ${OWNER}, c.direction, c.started_at, c.answered_by_agent` +
        ' from call_records c join service_requests s on s.id = c.service_request_id',
    );
    await db.raw(
      `create view service_report_visits as select v.id, ${OWNER}, v.scheduled_for, v.visited_at, v.outcome, v.satisfaction` +
        ' from return_visits v join service_requests s on s.id = v.service_request_id',
    );
    await db.schema.alterTable('call_records', (table) => table.index(['started_at'], 'call_records_started_at'));
    await db.schema.alterTable('return_visits', (table) => table.index(['scheduled_for'], 'return_visits_scheduled_for'));
  },
  async down(db: Knex) {
    await db.schema.alterTable('return_visits', (table) => table.dropIndex(['scheduled_for'], 'return_visits_scheduled_for'));
    await db.schema.alterTable('call_records', (table) => table.dropIndex(['started_at'], 'call_records_started_at'));
    for (const view of ['service_report_visits', 'service_report_calls', 'service_report_tickets']) await db.raw(`drop view if exists ${view}`);
  },
};
