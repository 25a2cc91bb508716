import { sqlTimestamp, type Knex } from '@icg/shared';

/**
 * Ids of the rows the claims system creates itself, from its auto-increment sequence (migration 004): concurrent
 * transactions each get their own without locking anything else. Offset above every id the source system issued
 * (seeded claims nest under policies: policy × 100 + n), and within a report number's 12 digits.
 */
const CLAIM_ID_OFFSET = 900_000_000_000;
/** Survey tasks, assessments and payments; below 2^53, so ids stay exact numbers in JavaScript. */
const CHILD_ID_OFFSET = 8_000_000_000_000_000;

async function nextInSequence(trx: Knex.Transaction, now: Date): Promise<number> {
  const [id] = await trx('claims_id_sequence').insert({ issued_at: sqlTimestamp(now) });
  return Number(id);
}

/**
 * 报案号: RPT and the new claim's id in 12 digits. Numbers the source system issued are scattered over the whole
 * range (seeded ones are a keyed permutation of their ids), so one may already hold it: the sequence's next id then.
 */
export async function newClaimNumber(trx: Knex.Transaction, now: Date): Promise<{ id: number; reportNo: string }> {
  for (;;) {
    const id = CLAIM_ID_OFFSET + (await nextInSequence(trx, now));
    if (id >= 10 ** 12) throw new Error(`Claim id ${id} does not fit a report number`);
    const reportNo = `RPT${String(id).padStart(12, '0')}`;
    if ((await trx('claims').where('report_no', reportNo).first('id')) === undefined) return { id, reportNo };
  }
}

export async function newChildRowId(trx: Knex.Transaction, now: Date): Promise<number> {
  return CHILD_ID_OFFSET + (await nextInSequence(trx, now));
}
