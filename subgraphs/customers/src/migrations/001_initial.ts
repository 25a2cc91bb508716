import type { Knex, Migration } from '@icg/shared';

/**
 * The CRM's tables. Ids are BIGINTs given by the seed (no auto-increment), money is DECIMAL(15,2),
 * timestamps are UTC strings in DATETIME columns. Customer-owned child tables inherit the customer's
 * row scope (branch_path and customer_manager_staff_id on `customers`).
 */
async function up(db: Knex): Promise<void> {
  // Reference data: a branch's own id and path are its row scope.
  await db.schema.createTable('branches', (table) => {
    table.bigInteger('id').primary();
    table.string('code', 16).notNullable().unique();
    table.string('name', 100).notNullable();
    table.string('level', 16).notNullable();
    // No constraint on the self-reference: emptying the table in one DELETE would trip it on MySQL.
    table.bigInteger('parent_id').nullable().index();
    table.string('path', 200).notNullable().unique();
    table.string('province', 50).notNullable();
    table.string('city', 50).nullable();
    table.string('area_code', 6).notNullable();
  });

  await db.schema.createTable('staff', (table) => {
    table.bigInteger('id').primary();
    table.string('staff_no', 16).notNullable().unique();
    table.string('name', 50).notNullable();
    table.string('gender', 8).notNullable();
    table.string('role', 32).notNullable().index();
    table.string('grade', 16).nullable();
    table.date('hired_on').notNullable();
    table.bigInteger('branch_id').notNullable().index().references('id').inTable('branches');
    table.string('branch_path', 200).notNullable().index();
  });

  await db.schema.createTable('manager_grade_history', (table) => {
    table.bigInteger('staff_id').notNullable().references('id').inTable('staff');
    table.integer('year').notNullable();
    table.string('grade', 16).notNullable();
    table.string('approved_by_level', 16).notNullable();
    table.bigInteger('approved_by_branch_id').notNullable().index().references('id').inTable('branches');
    table.date('approved_on').notNullable();
    // The key's leading column doubles as the staff_id index.
    table.primary(['staff_id', 'year']);
  });

  await db.schema.createTable('customers', (table) => {
    table.bigInteger('id').primary();
    table.string('customer_no', 12).notNullable().unique();
    table.string('kind', 16).notNullable().index();
    table.string('name', 200).notNullable();
    table.string('gender', 8).nullable();
    table.date('birth_date').nullable();
    table.string('id_type', 16).notNullable();
    table.string('id_number', 18).notNullable();
    table.string('mobile', 11).notNullable();
    table.string('email', 100).nullable();
    table.string('occupation', 50).nullable();
    table.string('income_band', 24).nullable();
    table.string('credit_rating', 4).nullable();
    table.date('customer_since').notNullable().index();
    table.boolean('do_not_solicit').notNullable();
    table.boolean('marketing_consent').notNullable();
    table.boolean('blacklisted').notNullable().index();
    table.bigInteger('branch_id').notNullable().index().references('id').inTable('branches');
    table.string('branch_path', 200).notNullable().index();
    // The primary manager, kept here as the row scope; the history is in manager_assignments.
    table.bigInteger('customer_manager_staff_id').nullable().index().references('id').inTable('staff');
    table.dateTime('created_at').notNullable();
    table.dateTime('updated_at').notNullable();
  });

  await db.schema.createTable('customer_addresses', (table) => {
    table.bigInteger('customer_id').notNullable().references('id').inTable('customers');
    table.string('kind', 16).notNullable();
    table.string('province', 50).notNullable();
    table.string('city', 50).notNullable();
    table.string('line', 200).notNullable();
    table.primary(['customer_id', 'kind']);
  });

  await db.schema.createTable('household_members', (table) => {
    table.bigInteger('customer_id').notNullable().references('id').inTable('customers');
    table.integer('member_no').notNullable();
    table.string('name', 50).notNullable();
    table.string('gender', 8).notNullable();
    table.string('relationship', 16).notNullable();
    table.boolean('is_head').notNullable();
    table.date('birth_date').notNullable();
    table.primary(['customer_id', 'member_no']);
  });

  await db.schema.createTable('business_profiles', (table) => {
    table.bigInteger('customer_id').primary().references('id').inTable('customers');
    table.string('industry', 50).notNullable();
    table.decimal('registered_capital', 15, 2).notNullable();
    table.integer('employees').notNullable();
    table.decimal('annual_revenue', 15, 2).notNullable();
    table.string('legal_representative', 50).notNullable();
    table.bigInteger('group_parent_customer_id').nullable().index().references('id').inTable('customers');
  });

  await db.schema.createTable('manager_assignments', (table) => {
    table.bigInteger('id').primary();
    table.bigInteger('customer_id').notNullable().index().references('id').inTable('customers');
    table.bigInteger('manager_staff_id').notNullable().index().references('id').inTable('staff');
    table.boolean('is_primary').notNullable();
    table.date('assigned_from').notNullable();
    table.date('assigned_to').nullable();
    // Set to customer_id on the current primary assignment only, null elsewhere. Unique, so the
    // database itself allows one primary manager per customer (MySQL has no partial indexes, and
    // both dialects let a unique column hold many nulls).
    table.bigInteger('current_primary_customer_id').nullable().unique();
    table.check('current_primary_customer_id is null or current_primary_customer_id = customer_id', {}, 'manager_assignments_current_primary_own');
  });

  await db.schema.createTable('visit_reports', (table) => {
    table.bigInteger('customer_id').notNullable().references('id').inTable('customers');
    table.string('month', 7).notNullable();
    table.bigInteger('manager_staff_id').notNullable().index().references('id').inTable('staff');
    table.integer('visit_count').notNullable();
    table.text('summary').notNullable();
    table.dateTime('submitted_at').notNullable();
    table.primary(['customer_id', 'month']);
  });

  await db.schema.createTable('blacklist_entries', (table) => {
    table.bigInteger('id').primary();
    table.bigInteger('customer_id').notNullable().index().references('id').inTable('customers');
    table.string('status', 16).notNullable().index();
    table.text('reason').notNullable();
    table.bigInteger('proposed_by_staff_id').notNullable().index().references('id').inTable('staff');
    table.bigInteger('approved_by_staff_id').nullable().index().references('id').inTable('staff');
    table.dateTime('proposed_at').notNullable();
    table.dateTime('activated_at').nullable();
    table.dateTime('lifted_at').nullable();
    table.dateTime('expired_at').nullable();
    table.date('review_due').nullable();
  });

  await db.schema.createTable('customer_change_requests', (table) => {
    table.bigInteger('id').primary();
    table.bigInteger('customer_id').notNullable().index().references('id').inTable('customers');
    table.string('field', 24).notNullable();
    table.string('proposed_value', 300).notNullable();
    table.string('status', 16).notNullable().index();
    table.bigInteger('submitted_by_staff_id').notNullable().index().references('id').inTable('staff');
    table.dateTime('submitted_at').notNullable();
    table.bigInteger('reviewed_by_staff_id').nullable().index().references('id').inTable('staff');
    table.dateTime('reviewed_at').nullable();
  });
}

/** Children before parents, the reverse of `up`. */
const TABLES_CHILDREN_FIRST = [
  'customer_change_requests',
  'blacklist_entries',
  'visit_reports',
  'manager_assignments',
  'business_profiles',
  'household_members',
  'customer_addresses',
  'customers',
  'manager_grade_history',
  'staff',
  'branches',
] as const;

async function down(db: Knex): Promise<void> {
  for (const table of TABLES_CHILDREN_FIRST) await db.schema.dropTableIfExists(table);
}

export const initialMigration: Migration = { name: '001_initial', up, down };
