import type { Migration } from '@icg/shared';
import { initialSchema } from './001_initial';

/** Applied in this order; a migration, once released, is never edited. */
export const migrations: readonly Migration[] = [initialSchema];
