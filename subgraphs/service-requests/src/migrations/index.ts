import type { Migration } from '@icg/shared';
import { initial } from './001_initial';

/** Applied in this order; append new migrations, never edit applied ones. */
export const migrations: readonly Migration[] = [initial];
