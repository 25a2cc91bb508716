import { loadInsightRules } from './rules';

/** The rules file, read and validated when the module loads, so a bad entry stops the process at start, named. */
export const insightRules = loadInsightRules();
