import type { Knex, Migration } from '@icg/shared';

/**
 * Customer record maintenance (README "Mutations"): a version on every customer and change request for
 * optimistic updates, every version of a customer kept with who and when, change requests that hold several
 * proposed fields, and the indexes the duplicate check on ID number and mobile reads.
 */
async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('customers', (table) => {
    // Existing records start at version 1; their first approved change also keeps them as version 1.
    table.integer('version').notNullable().defaultTo(1);
    // Duplicate checks on creation (a locking read on MySQL, which locks only the matching index range).
    table.index(['id_number'], 'customers_id_number_index');
    table.index(['mobile'], 'customers_mobile_index');
  });

  await db.schema.createTable('customer_versions', (table) => {
    table.bigInteger('customer_id').notNullable().references('id').inTable('customers');
    table.integer('version').notNullable();
    // CREATED, CHANGE_APPROVED or BEFORE_VERSIONING (the record as it stood before versions were kept).
    table.string('reason', 24).notNullable();
    table.bigInteger('change_request_id').nullable().index();
    table.bigInteger('changed_by_staff_id').nullable().index().references('id').inTable('staff');
    table.dateTime('changed_at').notNullable();
    // The basic and additional information the version held, as JSON (customer-details.ts).
    table.text('details').notNullable();
    table.primary(['customer_id', 'version']);
  });

  await db.schema.alterTable('customer_change_requests', (table) => {
    table.integer('version').notNullable().defaultTo(1);
    // Null for requests from before the write side, which hold one field as text (field, proposed_value).
    table.integer('based_on_version').nullable();
    table.text('proposed').nullable();
    table.bigInteger('completed_by_staff_id').nullable();
    table.dateTime('completed_at').nullable();
    table.string('decision_reason', 500).nullable();
  });
}

async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('customer_change_requests', (table) => {
    for (const column of ['version', 'based_on_version', 'proposed', 'completed_by_staff_id', 'completed_at', 'decision_reason']) table.dropColumn(column);
  });
  await db.schema.dropTableIfExists('customer_versions');
  await db.schema.alterTable('customers', (table) => {
    table.dropIndex(['id_number'], 'customers_id_number_index');
    table.dropIndex(['mobile'], 'customers_mobile_index');
    table.dropColumn('version');
  });
}

export const recordMaintenanceMigration: Migration = { name: '002_record_maintenance', up, down };
