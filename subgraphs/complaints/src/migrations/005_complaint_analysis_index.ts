import type { Knex, Migration } from '@icg/shared';

/**
 * complaintAnalysis (issue 11, monthly report): the on-time rate groups the complaints due in a month (due date, in
 * the caller's branch range), and a repeat is found by the customer's complaints accepted in the 12 months before
 * one; an index for each, so neither reads the table's rows one by one.
 */
export const complaintAnalysisIndex: Migration = {
  name: '005_complaint_analysis_index',
  async up(db: Knex) {
    await db.schema.alterTable('complaints', (table) => {
      table.index(['branch_path', 'due_date', 'feedback_at', 'withdrawn_at'], 'complaints_analysis_due');
      table.index(['customer_id', 'accepted_at'], 'complaints_analysis_repeat');
    });
  },
  async down(db: Knex) {
    await db.schema.alterTable('complaints', (table) => {
      table.dropIndex(['branch_path', 'due_date', 'feedback_at', 'withdrawn_at'], 'complaints_analysis_due');
      table.dropIndex(['customer_id', 'accepted_at'], 'complaints_analysis_repeat');
    });
  },
};
