import { tableGroupLoader, tableRowLoader, type DataLoader, type Knex } from '@icg/shared';
import type { ClaimParticipantRow, ClaimPaymentRow, ClaimRow, LossAssessmentRow, SurveyTaskRow } from './records';

type Key = string | number;

/** One set per request: every lookup is batched into one `WHERE … IN (…)` per table and tick. */
export interface ClaimsLoaders {
  claimById: DataLoader<Key, ClaimRow | null, string>;
  claimByReportNo: DataLoader<Key, ClaimRow | null, string>;
  claimsByCustomerId: DataLoader<Key, ClaimRow[], string>;
  claimsByPolicyNo: DataLoader<Key, ClaimRow[], string>;
  participantsByClaimId: DataLoader<Key, ClaimParticipantRow[], string>;
  surveyTasksByClaimId: DataLoader<Key, SurveyTaskRow[], string>;
  lossAssessmentsByClaimId: DataLoader<Key, LossAssessmentRow[], string>;
  paymentsByClaimId: DataLoader<Key, ClaimPaymentRow[], string>;
}

const newestFirst = (query: Knex.QueryBuilder): Knex.QueryBuilder =>
  query.orderBy([
    { column: 'reported_at', order: 'desc' },
    { column: 'id', order: 'desc' },
  ]);
const inIdOrder = (query: Knex.QueryBuilder): Knex.QueryBuilder => query.orderBy('id');

export function createLoaders(db: Knex): ClaimsLoaders {
  return {
    claimById: tableRowLoader<ClaimRow>(db, 'claims', 'id'),
    claimByReportNo: tableRowLoader<ClaimRow>(db, 'claims', 'report_no'),
    claimsByCustomerId: tableGroupLoader<ClaimRow>(db, 'claims', 'customer_id', newestFirst),
    claimsByPolicyNo: tableGroupLoader<ClaimRow>(db, 'claims', 'policy_no', newestFirst),
    participantsByClaimId: tableGroupLoader<ClaimParticipantRow>(db, 'claim_participants', 'claim_id', inIdOrder),
    surveyTasksByClaimId: tableGroupLoader<SurveyTaskRow>(db, 'survey_tasks', 'claim_id', inIdOrder),
    lossAssessmentsByClaimId: tableGroupLoader<LossAssessmentRow>(db, 'loss_assessments', 'claim_id', inIdOrder),
    paymentsByClaimId: tableGroupLoader<ClaimPaymentRow>(db, 'claim_payments', 'claim_id', inIdOrder),
  };
}
