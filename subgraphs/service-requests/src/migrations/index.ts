import type { Migration } from '@icg/shared';
import { initial } from './001_initial';
import { hotlineWorkflow } from './002_hotline_workflow';
import { idSequence } from './003_id_sequence';
import { staffRegister } from './004_staff_register';
import { updatedAt } from './005_updated_at';
import { aggregateIndex } from './006_aggregate_index';
import { serviceAnalysis } from './007_service_analysis';

/** Applied in this order; append new migrations, never edit applied ones. */
export const migrations: readonly Migration[] = [initial, hotlineWorkflow, idSequence, staffRegister, updatedAt, aggregateIndex, serviceAnalysis];
