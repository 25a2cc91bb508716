import { randomInt } from 'node:crypto';
import { allocateId, notFound, scopeOfRow, sqlTimestamp, type ActionTarget, type Knex } from '@icg/shared';
import { entities } from './entities';
import { inputField } from './complaint-input';
import type { ComplaintRow, ComplaintStepRow, DeadlineExtensionRow, ExtensionRequestRow } from './records';
import { FORM_OF_STEP, type ComplaintStep } from './workflow';

/**
 * Reading and writing the register inside a mutation's transaction. Rows are read with a locking read, so
 * on MariaDB two changes to one complaint take turns (the version check then refuses the second); SQLite
 * serialises writes on its one connection anyway.
 */

/** A complaint as an action's target: its row, its row scope, and the people the two-person rules name. */
export interface ComplaintTarget extends ActionTarget {
  row: ComplaintRow;
}

export function complaintTarget(row: ComplaintRow, people: ActionTarget['people'] = {}): ComplaintTarget {
  return { row, scope: scopeOfRow('Complaint', entities.Complaint, row), people };
}

export async function lockComplaint(trx: Knex.Transaction, complaintNo: string): Promise<ComplaintRow> {
  const row = (await trx<ComplaintRow>('complaints').where({ complaint_no: complaintNo }).forUpdate().first()) as ComplaintRow | undefined;
  if (!row) throw notFound('complaint', inputField('complaintNo'));
  return row;
}

export async function extensionsOf(trx: Knex.Transaction, complaintId: string | number): Promise<DeadlineExtensionRow[]> {
  return trx<DeadlineExtensionRow>('complaint_deadline_extensions').where({ complaint_id: complaintId }).orderBy('sequence');
}

export async function extensionRequestsOf(trx: Knex.Transaction, complaintId: string | number): Promise<ExtensionRequestRow[]> {
  return trx<ExtensionRequestRow>('complaint_extension_requests').where({ complaint_id: complaintId }).orderBy('sequence');
}

/** The record key a change is audited under (pseudonymised in the audit store). */
export function complaintRecordKey(complaintNo: string): string {
  return `Complaint:${complaintNo}`;
}

/** A new complaint's id and number: the next id, and a random CP number (it tells nothing about the customer). */
export async function allocateComplaintNumbers(trx: Knex.Transaction): Promise<{ id: number; complaintNo: string }> {
  const id = await allocateId(trx, 'complaints');
  for (let attempt = 0; attempt < 20; attempt++) {
    const complaintNo = `CP${String(randomInt(0, 1_000_000)).padStart(6, '0')}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
    const taken = await trx('complaints').where({ complaint_no: complaintNo }).first(trx.raw('1 as taken'));
    if (!taken) return { id, complaintNo };
  }
  throw new Error('no free complaint number after 20 draws');
}

/** Records a workflow step on its form (登记表, 核实表, 转接表, 处理表), by the caller, at the clock's time. */
export async function recordStep(
  trx: Knex.Transaction,
  complaintId: string | number,
  step: ComplaintStep,
  actorStaffId: string | null,
  at: Date,
  note: string | null,
): Promise<void> {
  const sequence = Number(
    ((await trx('complaint_steps').where({ complaint_id: complaintId }).count({ steps: '*' }).first()) as { steps: number | string }).steps,
  );
  const row: ComplaintStepRow = {
    id: await allocateId(trx, 'complaint_steps'),
    complaint_id: complaintId,
    sequence,
    step,
    actor_staff_id: actorStaffId,
    at: sqlTimestamp(at),
    form: FORM_OF_STEP[step],
    note,
  };
  await trx('complaint_steps').insert(row);
}
