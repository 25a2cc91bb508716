import type { Knex, Migration } from '@icg/shared';

/**
 * The write side of the complaint register (issue 10, "Complaints"): a version per complaint for
 * optimistic updates, withdrawal and review times, the hotline ticket a complaint
 * came from (unique: one complaint per complaint call), pending extension requests, escalations, and the
 * org directory the accountable unit and the handler are checked against.
 */
export const complaintWorkflowSchema: Migration = {
  name: '002_complaint_workflow',
  async up(db: Knex) {
    await db.schema.alterTable('complaints', (table) => {
      table.integer('version').notNullable().defaultTo(1);
      // When the accountable unit (respondent branch) was determined, at verify or register.
      table.datetime('respondent_determined_at').nullable();
      table.datetime('withdrawn_at').nullable();
      table.datetime('review_requested_at').nullable();
      table.datetime('review_decided_at').nullable();
      table.string('source_ticket_no', 20).nullable().unique();
    });

    await db.schema.alterTable('complaint_deadline_extensions', (table) => {
      table.bigInteger('requested_by_staff_id').nullable();
      table.datetime('requested_at').nullable();
    });

    // The further (second) extension waits here for a second person's approval.
    await db.schema.createTable('complaint_extension_requests', (table) => {
      table.bigInteger('id').notNullable().primary();
      table.bigInteger('complaint_id').notNullable().references('id').inTable('complaints');
      table.integer('sequence').notNullable();
      table.integer('days').notNullable();
      table.bigInteger('requested_by_staff_id').notNullable();
      table.datetime('requested_at').notNullable();
      table.text('reason').notNullable();
      table.string('status', 16).notNullable();
      table.bigInteger('decided_by_staff_id').nullable();
      table.datetime('decided_at').nullable();
      table.unique(['complaint_id', 'sequence']);
    });

    await db.schema.createTable('complaint_escalations', (table) => {
      table.bigInteger('id').notNullable().primary();
      table.bigInteger('complaint_id').notNullable().references('id').inTable('complaints');
      table.integer('sequence').notNullable();
      table.string('from_level', 16).notNullable();
      table.string('to_level', 16).notNullable();
      table.bigInteger('branch_id').notNullable();
      table.string('reason', 32).notNullable();
      table.bigInteger('escalated_by_staff_id').notNullable();
      table.datetime('at').notNullable();
      table.unique(['complaint_id', 'sequence']);
    });

    // The org tree and its staff as the register needs them (who may be named accountable or handler);
    // reference data written by the seeder, in production fed from the HR system.
    await db.schema.createTable('complaint_org_branches', (table) => {
      table.bigInteger('id').notNullable().primary();
      table.bigInteger('parent_id').nullable();
      table.string('path', 64).notNullable().unique();
      table.string('level', 16).notNullable();
    });
    await db.schema.createTable('complaint_org_staff', (table) => {
      table.bigInteger('id').notNullable().primary();
      table.string('role', 32).notNullable();
      table.bigInteger('branch_id').notNullable();
      table.string('branch_path', 64).notNullable();
    });
  },
  async down(db: Knex) {
    await db.schema.dropTableIfExists('complaint_org_staff');
    await db.schema.dropTableIfExists('complaint_org_branches');
    await db.schema.dropTableIfExists('complaint_escalations');
    await db.schema.dropTableIfExists('complaint_extension_requests');
    await db.schema.alterTable('complaint_deadline_extensions', (table) => {
      table.dropColumns('requested_by_staff_id', 'requested_at');
    });
    await db.schema.alterTable('complaints', (table) => {
      table.dropUnique(['source_ticket_no']);
      table.dropColumns('version', 'respondent_determined_at', 'withdrawn_at', 'review_requested_at', 'review_decided_at', 'source_ticket_no');
    });
  },
};
