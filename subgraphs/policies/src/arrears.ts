import type { PolicyRecord } from './records';

const DAY_MS = 86_400_000;
const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/**
 * Days the premium has been overdue as of `today` (from the injectable clock): counted from the day it fell
 * due up to today, or up to the day cover stopped for a policy that ended. Policies that do not say when
 * their premium fell due (the seeded ones) keep the figure they were loaded with.
 */
export function arrearsDaysOf(policy: Pick<PolicyRecord, 'arrearsDays' | 'premiumDueSince' | 'paymentStatus' | 'terminatedAt'>, today: string): number {
  if (policy.premiumDueSince === null || policy.paymentStatus === 'PAID' || policy.paymentStatus === 'REFUNDED') return policy.arrearsDays;
  const until = policy.terminatedAt !== null && policy.terminatedAt.slice(0, 10) < today ? policy.terminatedAt.slice(0, 10) : today;
  return Math.max(0, dayNumber(until) - dayNumber(policy.premiumDueSince));
}
