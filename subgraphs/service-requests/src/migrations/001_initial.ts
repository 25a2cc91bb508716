import type { Knex, Migration } from '@icg/shared';

/** Tickets, their calls and their return visits. Written with the schema builder only, so it runs on SQLite and MySQL. */
export const initial: Migration = {
  name: '001_initial',
  async up(db: Knex): Promise<void> {
    await db.schema.createTable('service_requests', (table) => {
      table.bigInteger('id').unsigned().primary();
      table.string('ticket_no', 14).notNullable().unique();
      table.string('channel', 10).notNullable();
      table.string('type', 20).notNullable();
      table.string('status', 20).notNullable();
      table.string('priority', 10).notNullable();
      table.string('subject', 100).notNullable();
      table.text('description');
      table.string('caller_name', 100);
      table.string('caller_mobile', 20);
      table.bigInteger('customer_id').unsigned().notNullable();
      table.string('policy_no', 20).index();
      table.string('spawned_claim_report_no', 20).unique();
      table.string('spawned_complaint_no', 20).unique();
      // Row scope (docs/access-model.md section 3): the customer's branch, the assignee, the customer's manager.
      table.bigInteger('branch_id').unsigned().notNullable().index();
      table.string('branch_path', 64).notNullable().index();
      table.bigInteger('assignee_staff_id').unsigned().index();
      table.bigInteger('customer_manager_staff_id').unsigned().index();
      table.dateTime('opened_at').notNullable();
      table.dateTime('triaged_at');
      table.dateTime('assigned_at');
      table.dateTime('first_response_at');
      table.dateTime('pending_since');
      table.dateTime('resolved_at');
      table.dateTime('closed_at');
      table.dateTime('sla_due_at').notNullable();
      table.integer('sla_paused_minutes').notNullable().defaultTo(0);
      // A customer's tickets are read newest first.
      table.index(['customer_id', 'opened_at']);
    });

    await db.schema.createTable('call_records', (table) => {
      table.bigInteger('id').unsigned().primary();
      table.bigInteger('service_request_id').unsigned().notNullable().references('id').inTable('service_requests').index();
      table.string('direction', 10).notNullable();
      table.dateTime('started_at').notNullable();
      table.dateTime('answered_at');
      table.dateTime('ended_at');
      table.integer('wait_seconds').notNullable();
      table.integer('duration_seconds');
      table.boolean('answered_by_agent').notNullable();
      table.bigInteger('agent_staff_id').unsigned().index();
      table.string('recording_url', 255);
    });

    await db.schema.createTable('return_visits', (table) => {
      table.bigInteger('id').unsigned().primary();
      table.bigInteger('service_request_id').unsigned().notNullable().references('id').inTable('service_requests').index();
      table.bigInteger('agent_staff_id').unsigned().index();
      table.dateTime('scheduled_for').notNullable();
      table.dateTime('visited_at');
      table.string('outcome', 20);
      table.tinyint('satisfaction');
      table.text('notes');
    });
  },
  async down(db: Knex): Promise<void> {
    await db.schema.dropTableIfExists('return_visits');
    await db.schema.dropTableIfExists('call_records');
    await db.schema.dropTableIfExists('service_requests');
  },
};
