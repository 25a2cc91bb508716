import type { Migration } from '@icg/shared';
import { initial } from './001_initial';
import { metricsIndexes } from './002_metrics_indexes';
import { segmentIndexes } from './003_segment_indexes';
import { unitLeaders } from './004_unit_leaders';
import { policyObjectKey } from './005_policy_object_key';

/** Applied in this order; a released migration is never edited, only followed by a new one. */
export const migrations: readonly Migration[] = [initial, metricsIndexes, segmentIndexes, unitLeaders, policyObjectKey];
