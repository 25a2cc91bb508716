import type { Migration } from '@icg/shared';
import { initial } from './001_initial';

/** Applied in this order; a released migration is never edited, only followed by a new one. */
export const migrations: readonly Migration[] = [initial];
