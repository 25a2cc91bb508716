import { badUserInput } from '@icg/shared';
import type { PolicyRecord } from './records';

const DAY_MS = 86_400_000;

const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  // Round-tripping rejects days that do not exist, such as 2023-02-29.
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
}

/** A `YYYY-MM-DD` argument that names a real calendar day; BAD_USER_INPUT otherwise. */
export function parseDateArgument(value: unknown, argumentName: string): string {
  if (typeof value !== 'string' || !isCalendarDate(value)) throw badUserInput(argumentName, 'must be a date YYYY-MM-DD, e.g. "2024-06-30"');
  return value;
}

export type EarnedPremiumTerms = Pick<PolicyRecord, 'status' | 'effectiveDate' | 'expiryDate' | 'terminatedAt' | 'writtenPremium'>;

/**
 * Written premium × days of cover inside [inception, asOf) ÷ term days (DOMAIN.md section 6). Cover
 * runs from the effective date up to the expiry date (the renewal's effective date) or the day a
 * cancelled or lapsed policy stopped; a quote never covered anything.
 */
export function earnedPremium(policy: EarnedPremiumTerms, asOf: string): number {
  if (policy.status === 'QUOTED') return 0;
  const start = dayNumber(policy.effectiveDate);
  const termDays = dayNumber(policy.expiryDate) - start;
  if (termDays <= 0) return 0;
  const coverEnd = policy.terminatedAt ? Math.min(dayNumber(policy.terminatedAt.slice(0, 10)), dayNumber(policy.expiryDate)) : dayNumber(policy.expiryDate);
  const coveredDays = Math.max(0, Math.min(coverEnd, dayNumber(asOf)) - start);
  return Math.round((policy.writtenPremium * coveredDays * 100) / termDays) / 100;
}
