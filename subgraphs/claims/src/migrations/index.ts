import type { Migration } from '@icg/shared';
import { initial } from './001_initial';
import { injuryNarrative } from './002_injury_narrative';
import { claimWorkflow } from './003_claim_workflow';
import { idSequence } from './004_id_sequence';
import { staffRegister } from './005_staff_register';
import { updatedAt } from './006_updated_at';
import { aggregateIndex } from './007_aggregate_index';
import { investigationOutcome } from './008_investigation_outcome';

/** Applied in this order; a released migration is never edited, only followed by a new one. */
export const migrations: readonly Migration[] = [
  initial,
  injuryNarrative,
  claimWorkflow,
  idSequence,
  staffRegister,
  updatedAt,
  aggregateIndex,
  investigationOutcome,
];
