import type { Knex, Migration } from '@icg/shared';

const MONEY: [number, number] = [15, 2];

/**
 * The write side of the claims system (issue "CRM workflows as mutations"): a version per claim for
 * optimistic updates, the hotline ticket a phone report came from (unique, so a redelivered report can
 * never open a second claim), the customer's service segment as reported (large and quality customers
 * get a return visit after closing), the adjusted and approved payable amounts with who set them, the
 * reason a file was closed by a side exit. (New rows' ids: 004_id_sequence.)
 */
export const claimWorkflow: Migration = {
  name: '003_claim_workflow',
  async up(db: Knex) {
    await db.schema.alterTable('claims', (table) => {
      table.integer('version').notNullable().defaultTo(1);
      table.string('source_ticket_no', 14).nullable().unique();
      table.string('customer_segment', 12).nullable();
      table.decimal('adjusted_amount', ...MONEY).nullable();
      table.bigInteger('adjusted_by_staff_id').nullable();
      table.decimal('approved_amount', ...MONEY).nullable();
      table.bigInteger('approved_by_staff_id').nullable();
      table.text('close_reason').nullable();
    });
  },
  async down(db: Knex) {
    await db.schema.alterTable('claims', (table) => {
      table.dropUnique(['source_ticket_no']);
      for (const column of [
        'version',
        'source_ticket_no',
        'customer_segment',
        'adjusted_amount',
        'adjusted_by_staff_id',
        'approved_amount',
        'approved_by_staff_id',
        'close_reason',
      ])
        table.dropColumn(column);
    });
  },
};
