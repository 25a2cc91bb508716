import { insertInChunks, sqlTimestamp, type Knex } from '@icg/shared';
import { chineseName, scrambledDigits, SeededRandom, type SeedBatch, type SubgraphSeeder } from '@icg/synthetic';
import type { EarlyWarningRow } from './records';

const DAY = 24 * 60 * 60 * 1000;

/**
 * Up to two early warnings per customer of the batch, each from its own generator, so the same
 * seed gives the same rows whatever the batch size; scope columns come from the customer's facts.
 */
export function earlyWarningRows(batch: SeedBatch): EarlyWarningRow[] {
  return batch.customers.flatMap((customer) => {
    const random = SeededRandom.for(batch.seed, 'earlyWarning', customer.id);
    return Array.from({ length: random.int(0, 2) }, (_unused, index): EarlyWarningRow => {
      const id = customer.id * 10 + index + 1;
      return {
        id,
        // A keyed permutation of the id: the number does not spell out the customer's id (ids nest under it).
        early_warning_no: `EW${scrambledDigits(batch.seed, 'earlyWarning-no', id, 12)}`,
        customer_id: customer.id,
        status: random.pick(['OPEN', 'ACTIVE', 'CLOSED'] as const),
        opened_at: sqlTimestamp(new Date(batch.asOf.getTime() - random.int(1, 1_000) * DAY)),
        amount: random.chance(0.8) ? random.amount(100, 50_000) : null,
        contact_name: chineseName([batch.seed, 'earlyWarning-contact', id], random.chance(0.5) ? 'MALE' : 'FEMALE'),
        branch_id: customer.branchId,
        branch_path: customer.branchPath,
        customer_manager_staff_id: customer.primaryManagerStaffId,
      };
    });
  });
}

export const insightsSeeder: SubgraphSeeder = {
  name: 'insights',
  tables: ['early_warnings'],
  async seedBatch(db: Knex, batch: SeedBatch) {
    await insertInChunks(db, 'early_warnings', earlyWarningRows(batch));
  },
};
