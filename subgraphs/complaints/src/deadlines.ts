import { addDays, envPrefix, EnvReader, isoDate, type Environment } from '@icg/shared';

/**
 * Complaint deadlines (DOMAIN.md section 4, CBIRC 2020 consumer-complaint measures): decide and notify
 * within 15 days of acceptance; complex cases may be extended to 30; especially complex ones a further
 * 30 after internal approval, 60 at most. These are regulation. The warning share is our default and
 * therefore configuration.
 */
export const STANDARD_DEADLINE_DAYS = 15;
export const COMPLEX_EXTENSION_DAYS = 15;
export const ESPECIALLY_COMPLEX_EXTENSION_DAYS = 30;
export const MAX_DEADLINE_DAYS = 60;

export interface ComplaintRules {
  /** Share of the deadline, in percent, after which a complaint is flagged as near its deadline. */
  deadlineWarningPercent: number;
}

export const DEFAULT_COMPLAINT_RULES: ComplaintRules = { deadlineWarningPercent: 80 };

export const DEADLINE_WARNING_PERCENT_VARIABLE = `${envPrefix('complaints')}_DEADLINE_WARNING_PERCENT`;

export function loadComplaintRules(env: Environment = process.env): ComplaintRules {
  const reader = new EnvReader(env);
  return { deadlineWarningPercent: reader.int(DEADLINE_WARNING_PERCENT_VARIABLE, DEFAULT_COMPLAINT_RULES.deadlineWarningPercent, { min: 1, max: 99 }) };
}

/** Days each extension adds, in order: to 30 for a complex case, then a further 30 (approved by a second person). */
export const EXTENSION_DAYS: readonly number[] = [COMPLEX_EXTENSION_DAYS, ESPECIALLY_COMPLEX_EXTENSION_DAYS];

/** The days the next extension would add, or null once both were granted (60 days at most). */
export function nextExtensionDays(extensionsGranted: number): number | null {
  return EXTENSION_DAYS[extensionsGranted] ?? null;
}

/** The deadline after extensions, never beyond the statutory maximum. */
export function deadlineDays(extensionDays: readonly number[]): number {
  return Math.min(
    MAX_DEADLINE_DAYS,
    extensionDays.reduce((total, days) => total + days, STANDARD_DEADLINE_DAYS),
  );
}

/** `YYYY-MM-DD`: the last day on which the decision may be notified. */
export function dueDateOf(acceptedAt: Date, days: number): string {
  return isoDate(addDays(acceptedAt, days));
}

/** The first instant after the due date (midnight UTC that ends it). */
export function deadlineExpiresAt(dueDate: string): Date {
  return addDays(new Date(`${dueDate}T00:00:00Z`), 1);
}

export function deadlineWarningAt(acceptedAt: Date, days: number, rules: ComplaintRules): Date {
  return new Date(acceptedAt.getTime() + Math.round((days * 86_400_000 * rules.deadlineWarningPercent) / 100));
}

/**
 * The deadline warning: the warning point has passed as of `asOf` and the decision had not been notified
 * (nor the complaint withdrawn) by then. It stays on once the complaint is overdue.
 */
export function isDeadlineWarning(warningAt: Date, closedAt: Date | null, asOf: Date): boolean {
  return asOf >= warningAt && (closedAt === null || closedAt > asOf);
}

/**
 * Overdue: the due date has passed as of `asOf` and the decision was not notified by then. A complaint
 * notified late stays overdue, which is what the on-time rate counts.
 */
export function isOverdue(dueDate: string, feedbackAt: Date | null, asOf: Date): boolean {
  const expiresAt = deadlineExpiresAt(dueDate);
  return asOf >= expiresAt && (feedbackAt === null || feedbackAt >= expiresAt);
}
