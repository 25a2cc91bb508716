import type { Knex, Migration } from '@icg/shared';
/** Named here, not imported: a shipped migration must not change with the code. */
const CUSTOMER_COUNTS_TABLE = 'customer_counts';

/**
 * How many customers each branch holds, by kind and blacklist flag (customer-counts.ts): the connection's `totalCount`
 * sums these few rows where a COUNT over every customer row grew with the store (about 9 ms per page at 100,000
 * customers). Filled from the customers as they stand; the writes keep it from then on.
 */
async function up(db: Knex): Promise<void> {
  await db.schema.createTable(CUSTOMER_COUNTS_TABLE, (table) => {
    table.string('branch_path', 200).notNullable();
    table.string('kind', 16).notNullable();
    table.boolean('blacklisted').notNullable();
    table.integer('customers').notNullable();
    table.primary(['branch_path', 'kind', 'blacklisted']);
  });
  await db
    .into(db.raw('?? (??, ??, ??, ??)', [CUSTOMER_COUNTS_TABLE, 'branch_path', 'kind', 'blacklisted', 'customers']))
    .insert(db.table('customers').select('branch_path', 'kind', 'blacklisted').count({ customers: '*' }).groupBy('branch_path', 'kind', 'blacklisted'));
}

async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists(CUSTOMER_COUNTS_TABLE);
}

export const customerCountsMigration: Migration = { name: '004_customer_counts', up, down };
