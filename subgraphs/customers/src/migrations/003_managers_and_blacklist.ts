import type { Knex, Migration } from '@icg/shared';

/**
 * The customer-manager and blacklist workflows (README "Mutations"): versions for optimistic updates of a
 * customer's primary manager, of a manager's grade and of a blacklist entry; how each primary assignment
 * began and ended; every grade decision with its approving level; major customer events; at most one open
 * blacklist entry per customer, held by the database itself; and the premium ledger the policy events keep,
 * from which a customer is large.
 */
async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('customers', (table) => {
    // Apart from the record's own version: reassigning a manager must not make a pending detail change stale.
    table.integer('primary_manager_version').notNullable().defaultTo(1);
  });

  await db.schema.alterTable('staff', (table) => {
    // A manager's grade and certifications change with it.
    table.integer('version').notNullable().defaultTo(1);
  });

  await db.schema.alterTable('manager_assignments', (table) => {
    // ASSIGNED or TRANSFERRED; null for periods from before the write side (taken as ASSIGNED).
    table.string('started_by', 12).nullable();
    table.bigInteger('started_by_staff_id').nullable();
    // TRANSFERRED or RELEASED; null while the period lasts, or for periods from before the write side.
    table.string('ended_by', 12).nullable();
    table.bigInteger('ended_by_staff_id').nullable();
  });

  await db.schema.createTable('manager_grade_changes', (table) => {
    table.bigInteger('id').primary();
    table.bigInteger('staff_id').notNullable().index().references('id').inTable('staff');
    // CHANGE (during the year) or RECERTIFICATION (the yearly certification, also in manager_grade_history).
    table.string('kind', 16).notNullable();
    table.string('from_grade', 16).notNullable();
    table.string('to_grade', 16).notNullable();
    table.integer('certification_year').nullable();
    table.bigInteger('approved_by_staff_id').notNullable().references('id').inTable('staff');
    table.string('approved_by_level', 16).notNullable();
    table.bigInteger('approved_by_branch_id').notNullable().references('id').inTable('branches');
    table.dateTime('approved_at').notNullable();
  });

  await db.schema.createTable('major_customer_events', (table) => {
    table.bigInteger('id').primary();
    table.bigInteger('customer_id').notNullable().index().references('id').inTable('customers');
    table.string('kind', 32).notNullable();
    table.date('occurred_on').notNullable();
    table.string('description', 1000).notNullable();
    table.bigInteger('reported_by_staff_id').notNullable().references('id').inTable('staff');
    table.dateTime('reported_at').notNullable();
  });

  await db.schema.alterTable('blacklist_entries', (table) => {
    table.integer('version').notNullable().defaultTo(1);
    // Set to customer_id while the entry is PROPOSED or ACTIVE, null otherwise. Unique, so the database itself
    // holds at most one open entry per customer (as manager_assignments.current_primary_customer_id does).
    table.bigInteger('open_customer_id').nullable().unique();
    table.bigInteger('rejected_by_staff_id').nullable();
    table.dateTime('rejected_at').nullable();
    table.bigInteger('lifted_by_staff_id').nullable();
    // Null when the schedule expired an entry nobody reviewed.
    table.bigInteger('expired_by_staff_id').nullable();
    table.bigInteger('last_reviewed_by_staff_id').nullable();
    table.dateTime('last_reviewed_at').nullable();
  });
  // Entries already open (a store migrated with data in it).
  await db('blacklist_entries')
    .whereIn('status', ['PROPOSED', 'ACTIVE'])
    .update({ open_customer_id: db.ref('customer_id') });

  // One row per policy the policy admin system wrote for a customer (policy.bound / policy.renewed events, or the
  // seed): the 12-month written premium that makes a customer large. Amounts only, nothing about the cover.
  await db.schema.createTable('customer_premium_ledger', (table) => {
    table.string('policy_no', 20).primary();
    table.bigInteger('customer_id').notNullable();
    table.date('effective_date').notNullable();
    table.decimal('written_premium', 15, 2).notNullable();
    // False while the policy is cancelled: its premium no longer counts.
    table.boolean('counts').notNullable();
    table.index(['customer_id', 'effective_date']);
  });
}

async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('customer_premium_ledger');
  await db.schema.alterTable('blacklist_entries', (table) => {
    table.dropUnique(['open_customer_id']);
    for (const column of [
      'version',
      'open_customer_id',
      'rejected_by_staff_id',
      'rejected_at',
      'lifted_by_staff_id',
      'expired_by_staff_id',
      'last_reviewed_by_staff_id',
      'last_reviewed_at',
    ])
      table.dropColumn(column);
  });
  await db.schema.dropTableIfExists('major_customer_events');
  await db.schema.dropTableIfExists('manager_grade_changes');
  await db.schema.alterTable('manager_assignments', (table) => {
    for (const column of ['started_by', 'started_by_staff_id', 'ended_by', 'ended_by_staff_id']) table.dropColumn(column);
  });
  await db.schema.alterTable('staff', (table) => table.dropColumn('version'));
  await db.schema.alterTable('customers', (table) => table.dropColumn('primary_manager_version'));
}

export const managersAndBlacklistMigration: Migration = { name: '003_managers_and_blacklist', up, down };
