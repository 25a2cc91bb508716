/**
 * Early warnings (预警, DOMAIN.md section 5) as findings: what is true of a customer as of `asOf`. The read
 * model turns findings into warnings with a lifecycle (open → acknowledged → resolved / dismissed); a
 * finding's `subjectKey` with its kind identifies the warning it raises or keeps open, so recomputing
 * the same facts never raises a second one.
 */
import type { ComplaintFigures, CustomerFigures } from './customer-figures';
import type { InsightRules, WarningLevel } from './insight-rules';
import { largeCustomer } from './classify';
import { asOfDay, claimsInMonths, lossFigures } from './measures';
import { DAY_MS, dayOf, instantOf } from '../metrics/calendar';
import { countedClaims } from '../metrics/formulas';
import { fenToYuan } from '../metrics/money';

export const EARLY_WARNING_KINDS = [
  'MULTIPLE_CLAIMS',
  'MULTIPLE_CLAIMS_SAME_OBJECT',
  'HIGH_LOSS_RATIO',
  'LARGE_CUSTOMER_HIGH_LOSS_RATIO',
  'RENEWAL_DUE',
  'COMPLAINT_NEAR_DEADLINE',
] as const;
export type EarlyWarningKind = (typeof EARLY_WARNING_KINDS)[number];

/** What a finding is about: the customer as a whole, one policy, one insured object or one complaint. */
export type WarningSubject = 'CUSTOMER' | 'POLICY' | 'INSURED_OBJECT' | 'COMPLAINT';

export interface EarlyWarningFinding {
  readonly kind: EarlyWarningKind;
  readonly level: WarningLevel;
  readonly subject: WarningSubject;
  /** customerId, policyNo, insuredObjectKey or complaintNo: with `kind`, the identity of the warning. */
  readonly subjectKey: string;
  /** The rules-file entry that raised it, e.g. `warnings.highLossRatio`. */
  readonly rule: string;
  /** The figures and thresholds behind it (money as yuan strings). */
  readonly figures: Readonly<Record<string, number | string | boolean | null>>;
  readonly ruleVersion: string;
}

/** Decided and notified (or closed): no longer near any deadline. */
function complaintDecided(complaint: ComplaintFigures): boolean {
  return (
    complaint.feedbackAt !== null ||
    (complaint.onTime ?? null) !== null ||
    (complaint.closedAt ?? null) !== null ||
    complaint.status === 'FEEDBACK_GIVEN' ||
    complaint.status === 'ARCHIVED'
  );
}

/** Every early warning the figures raise as of `asOf`, in a stable order (kind, then subject key). */
export function findEarlyWarnings(figures: CustomerFigures, rules: InsightRules, asOf: Date | string): EarlyWarningFinding[] {
  const findings: EarlyWarningFinding[] = [];
  const raise = (finding: Omit<EarlyWarningFinding, 'ruleVersion'>): void => {
    findings.push({ ...finding, ruleVersion: rules.version });
  };
  const { multipleClaims, sameInsuredObject, highLossRatio, largeHighLossRatio, renewalDue, complaintDeadline } = rules.warnings;
  const today = asOfDay(asOf);
  const now = instantOf(asOf, 'asOf');

  // Multiple claims: counted claims in the window.
  const claims = claimsInMonths(figures, rules, asOf, multipleClaims.windowMonths);
  if (claims >= multipleClaims.warnAt)
    raise({
      kind: 'MULTIPLE_CLAIMS',
      level: claims >= multipleClaims.highAt ? 'HIGH' : 'WARN',
      subject: 'CUSTOMER',
      subjectKey: figures.customerId,
      rule: 'warnings.multipleClaims',
      figures: { claims, windowMonths: multipleClaims.windowMonths, warnAt: multipleClaims.warnAt, highAt: multipleClaims.highAt },
    });

  // Several claims on one insured object within the last windowDays days, asOf's day included.
  const objectWindow = { start: today + 1 - sameInsuredObject.windowDays, end: today + 1 };
  const byObject = new Map<string, number>();
  for (const claim of countedClaims(figures.claims, objectWindow, rules.claimsNotCounted)) {
    if (claim.insuredObjectKey !== null) byObject.set(claim.insuredObjectKey, (byObject.get(claim.insuredObjectKey) ?? 0) + 1);
  }
  for (const [insuredObjectKey, count] of [...byObject].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (count >= sameInsuredObject.atLeast)
      raise({
        kind: 'MULTIPLE_CLAIMS_SAME_OBJECT',
        level: sameInsuredObject.level,
        subject: 'INSURED_OBJECT',
        subjectKey: insuredObjectKey,
        rule: 'warnings.sameInsuredObject',
        figures: { claims: count, windowDays: sameInsuredObject.windowDays, atLeast: sameInsuredObject.atLeast },
      });
  }

  // High loss ratio, and the same for a large customer.
  const loss = lossFigures(figures, rules, asOf, highLossRatio.windowMonths, highLossRatio.minEarnedPremiumFen);
  const lossFiguresText = {
    lossRatio: loss.lossRatio,
    earnedPremium: fenToYuan(loss.earnedPremiumFen),
    incurred: fenToYuan(loss.incurredFen),
    windowMonths: highLossRatio.windowMonths,
    minEarnedPremium: fenToYuan(highLossRatio.minEarnedPremiumFen),
  };
  if (loss.lossRatio !== null && loss.lossRatio >= highLossRatio.warnAt)
    raise({
      kind: 'HIGH_LOSS_RATIO',
      level: loss.lossRatio >= highLossRatio.highAt ? 'HIGH' : 'WARN',
      subject: 'CUSTOMER',
      subjectKey: figures.customerId,
      rule: 'warnings.highLossRatio',
      figures: { ...lossFiguresText, warnAt: highLossRatio.warnAt, highAt: highLossRatio.highAt },
    });
  if (loss.lossRatio !== null && loss.lossRatio >= largeHighLossRatio.atLeast && largeCustomer(figures, rules, asOf).large)
    raise({
      kind: 'LARGE_CUSTOMER_HIGH_LOSS_RATIO',
      level: largeHighLossRatio.level,
      subject: 'CUSTOMER',
      subjectKey: figures.customerId,
      rule: 'warnings.largeHighLossRatio',
      figures: { ...lossFiguresText, atLeast: largeHighLossRatio.atLeast },
    });

  // Renewal due: policies still covering, expiring within the first stage, with no bound renewal; never
  // for a blacklisted customer, who may not be offered a renewal.
  if (!figures.blacklisted) {
    const renewed = new Set(
      figures.policies.filter((policy) => policy.renewalOfPolicyNo !== null && policy.status !== 'QUOTED').map((policy) => policy.renewalOfPolicyNo),
    );
    const dueFindings = figures.policies
      .filter((policy) => (policy.status === 'BOUND' || policy.status === 'IN_FORCE') && !renewed.has(policy.policyNo))
      .map((policy) => ({ policy, daysLeft: dayOf(policy.expiryDate, 'expiryDate') - today }))
      .filter(({ daysLeft }) => daysLeft >= 1)
      .map(({ policy, daysLeft }) => {
        // The stage is the last (fewest days) one that still covers the days left.
        const stage = [...renewalDue.stages].reverse().find((candidate) => daysLeft <= candidate.daysBefore);
        return { policy, daysLeft, stage };
      })
      .sort((a, b) => (a.policy.policyNo < b.policy.policyNo ? -1 : 1));
    for (const { policy, daysLeft, stage } of dueFindings) {
      if (stage === undefined) continue;
      raise({
        kind: 'RENEWAL_DUE',
        level: stage.level,
        subject: 'POLICY',
        subjectKey: policy.policyNo,
        rule: 'warnings.renewalDue',
        figures: { expiryDate: policy.expiryDate, daysLeft, stageDaysBefore: stage.daysBefore },
      });
    }
  }

  // Complaints near (or past) their deadline and not yet decided and notified.
  const open = figures.complaints.filter((complaint) => !complaintDecided(complaint)).sort((a, b) => (a.complaintNo < b.complaintNo ? -1 : 1));
  for (const complaint of open) {
    const accepted = instantOf(complaint.acceptedAt, 'acceptedAt');
    // Due by the end of the due day (UTC).
    const deadline = (dayOf(complaint.dueDate, 'dueDate') + 1) * DAY_MS;
    const elapsedShare = deadline > accepted ? (now - accepted) / (deadline - accepted) : 1;
    const overdue = now >= deadline;
    if (!overdue && elapsedShare < complaintDeadline.warnAtShare) continue;
    raise({
      kind: 'COMPLAINT_NEAR_DEADLINE',
      level: overdue ? complaintDeadline.overdueLevel : complaintDeadline.level,
      subject: 'COMPLAINT',
      subjectKey: complaint.complaintNo,
      rule: 'warnings.complaintDeadline',
      figures: { dueDate: complaint.dueDate, elapsedShare: Math.min(1, Math.max(0, elapsedShare)), overdue, warnAtShare: complaintDeadline.warnAtShare },
    });
  }
  return findings;
}
