import type { Migration } from '@icg/shared';
import { initialSchema } from './001_initial';
import { complaintWorkflowSchema } from './002_complaint_workflow';
import { updatedAtSchema } from './003_updated_at';
import { aggregateIndex } from './004_aggregate_index';
import { complaintAnalysisIndex } from './005_complaint_analysis_index';

/** Applied in this order; a migration, once released, is never edited. */
export const migrations: readonly Migration[] = [initialSchema, complaintWorkflowSchema, updatedAtSchema, aggregateIndex, complaintAnalysisIndex];
