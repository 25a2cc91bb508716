import type { BusinessNumberFormat } from '@icg/shared';

/** EW + 12 digits: a warning's own number (not the customer's: ids do not nest in it). */
export const EARLY_WARNING_NUMBER: BusinessNumberFormat = {
  pattern: /^EW\d{12}$/,
  description: 'early warning number (EW + 12 digits)',
  example: 'EW000000000101',
};
