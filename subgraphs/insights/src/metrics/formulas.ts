/**
 * The metrics of ../../shared/DOMAIN.md section 6, exactly, as pure functions: first each formula on its
 * totals (what a SQL aggregate gives), then the same over rows for a period, which is what the tests
 * check by hand. Money is summed in whole fen and returned as yuan strings ("1234.50"); ratios and
 * rates are numbers, or null when their denominator is zero (no figure, rather than 0 or Infinity).
 *
 * Periods are half-open days [start, end) (calendar.ts). Which row belongs to a period:
 * - a policy earns in every period its cover overlaps; it is *written* (premium income, policies
 *   written) on the day it was bound (effective date when no bind instant is known);
 * - a claim belongs to the period of its loss date, else its report date (accident-period basis), and
 *   claims cancelled (注销) or withdrawn (撤案) are not claims for frequency, severity or incurred;
 * - a closed claim belongs to the period it closed in (settlement cycle);
 * - a complaint is counted in the period it was accepted; it is *due* in the period of its due date.
 */
import type { ClaimClosedOutcome, IsoDate, IsoTimestamp, MoneyAmount } from '../rules/customer-figures';
import type { ClaimStatus, PolicyStatus } from '@icg/shared';
import { addMonths, dayOf, DAY_MS, instantOf, overlapDays, type DayNumber } from './calendar';
import { fenToYuan, prorateFen, ratio, sumFen, toFen, type Fen } from './money';

/** [start, end) in UTC days. */
export interface Period {
  readonly start: DayNumber;
  readonly end: DayNumber;
}

/** The period [from, to) given as YYYY-MM-DD days. */
export function periodOf(from: IsoDate, to: IsoDate): Period {
  const period = { start: dayOf(from, 'from'), end: dayOf(to, 'to') };
  if (period.end < period.start) throw new RangeError('to: must not be before from');
  return period;
}

/** The `months` calendar months before `asOf`'s day: [asOf − months, asOf). */
export function trailingMonths(asOf: Date | IsoTimestamp, months: number): Period {
  const end = dayOf(asOf, 'asOf');
  return { start: addMonths(end, -months), end };
}

/**
 * The `months` calendar months up to and including `asOf`'s day: (asOf − months, asOf]. Windows that
 * count events (claims, cancellations) use it, so a claim reported today counts today.
 */
export function trailingMonthsThrough(asOf: Date | IsoTimestamp, months: number): Period {
  const today = dayOf(asOf, 'asOf');
  return { start: addMonths(today, -months) + 1, end: today + 1 };
}

/** A calendar month, e.g. monthPeriod('2026-11') = [2026-11-01, 2026-12-01). */
export function monthPeriod(month: string): Period {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new RangeError('month: must be YYYY-MM');
  const start = dayOf(`${month}-01`);
  return { start, end: addMonths(start, 1) };
}

const within = (day: DayNumber, period: Period): boolean => day >= period.start && day < period.end;

/** Days in a policy-year for exposure: a policy covering 365 days is one policy-year. */
export const DAYS_PER_POLICY_YEAR = 365;

// --- Premium ----------------------------------------------------------------------------------------------

export interface PremiumPolicy {
  status: PolicyStatus;
  effectiveDate: IsoDate;
  expiryDate: IsoDate;
  /** Cover stopped here when cancelled or lapsed. */
  terminatedAt: IsoTimestamp | null;
  writtenPremium: MoneyAmount;
  /** When it was bound; the day premium is written (effectiveDate when absent). */
  boundAt?: IsoTimestamp | null;
}

/** [effective, end of cover) of a policy, or null for a quote (which never covers anything). */
function coverOf(policy: PremiumPolicy): { start: DayNumber; end: DayNumber; termDays: number } | null {
  if (policy.status === 'QUOTED') return null;
  const start = dayOf(policy.effectiveDate, 'effectiveDate');
  const expiry = dayOf(policy.expiryDate, 'expiryDate');
  const end = policy.terminatedAt ? Math.min(dayOf(policy.terminatedAt, 'terminatedAt'), expiry) : expiry;
  return { start, end, termDays: expiry - start };
}

/** Days of cover inside the period. */
export function coveredDays(policy: PremiumPolicy, period: Period): number {
  const cover = coverOf(policy);
  return cover === null ? 0 : overlapDays(cover.start, cover.end, period.start, period.end);
}

/** Earned premium = written premium × days of cover inside the period ÷ term days, in fen (rounded once). */
export function earnedPremiumFen(policy: PremiumPolicy, period: Period): Fen {
  const cover = coverOf(policy);
  if (cover === null || cover.termDays <= 0) return 0;
  return prorateFen(toFen(policy.writtenPremium, 'writtenPremium'), overlapDays(cover.start, cover.end, period.start, period.end), cover.termDays);
}

export function totalEarnedPremiumFen(policies: readonly PremiumPolicy[], period: Period): Fen {
  return sumFen(policies.map((policy) => earnedPremiumFen(policy, period)));
}

/** The day a policy's premium is written: its bind day, else its effective date; null for a quote. */
export function writtenDay(policy: PremiumPolicy): DayNumber | null {
  if (policy.status === 'QUOTED') return null;
  return policy.boundAt ? dayOf(policy.boundAt, 'boundAt') : dayOf(policy.effectiveDate, 'effectiveDate');
}

/** Premium income: written premium of the policies written in the period, in fen. */
export function writtenPremiumWithinFen(policies: readonly PremiumPolicy[], period: Period): Fen {
  return sumFen(
    policies.map((policy) => {
      const day = writtenDay(policy);
      return day !== null && within(day, period) ? toFen(policy.writtenPremium, 'writtenPremium') : 0;
    }),
  );
}

/** Policy-years of exposure: Σ days of cover inside the period ÷ 365. */
export function policyYears(policies: readonly PremiumPolicy[], period: Period): number {
  return policies.reduce((days, policy) => days + coveredDays(policy, period), 0) / DAYS_PER_POLICY_YEAR;
}

// --- Claims -----------------------------------------------------------------------------------------------

export interface ClaimAmounts {
  paid: MoneyAmount;
  outstandingReserve: MoneyAmount;
  recoveries: MoneyAmount;
}

export interface MetricClaim extends ClaimAmounts {
  status: ClaimStatus;
  closedOutcome: ClaimClosedOutcome | null;
  lossDate?: IsoDate | null;
  reportedAt: IsoTimestamp;
  registeredAt?: IsoTimestamp | null;
  closedAt: IsoTimestamp | null;
}

/** Statuses that are not claims for counts (a cancelled or withdrawn report was never a loss we owed). */
export const CLAIM_STATUSES_NOT_COUNTED: readonly ClaimStatus[] = ['CANCELLED', 'WITHDRAWN'];

/** Incurred = paid + outstanding reserve − recoveries, in fen. */
export function incurredFen(claim: ClaimAmounts): Fen {
  return toFen(claim.paid, 'paid') + toFen(claim.outstandingReserve, 'outstandingReserve') - toFen(claim.recoveries, 'recoveries');
}

/** The day a claim belongs to: its loss date, else the day it was reported. */
export function claimDay(claim: Pick<MetricClaim, 'lossDate' | 'reportedAt'>): DayNumber {
  return claim.lossDate ? dayOf(claim.lossDate, 'lossDate') : dayOf(claim.reportedAt, 'reportedAt');
}

/** Claims of the period that count (not cancelled or withdrawn, by status or by closed outcome). */
export function countedClaims<C extends MetricClaim>(
  claims: readonly C[],
  period: Period,
  notCounted: readonly ClaimStatus[] = CLAIM_STATUSES_NOT_COUNTED,
): C[] {
  return claims.filter(
    (claim) =>
      within(claimDay(claim), period) &&
      !notCounted.includes(claim.status) &&
      !(claim.closedOutcome !== null && (notCounted as readonly string[]).includes(claim.closedOutcome)),
  );
}

// --- The formulas on totals -------------------------------------------------------------------------------

/** Loss ratio = incurred ÷ earned premium. */
export const lossRatio = (incurred: Fen, earnedPremium: Fen): number | null => ratio(incurred, earnedPremium);
/** Claim frequency = claims ÷ policy-years. */
export const claimFrequency = (claims: number, exposurePolicyYears: number): number | null => ratio(claims, exposurePolicyYears);
/** Severity = incurred ÷ claims, in fen (rounded to the fen). */
export const severityFen = (incurred: Fen, claims: number): Fen | null => (claims === 0 ? null : prorateFen(incurred, 1, claims));
/** Settlement cycle = Σ(closed − reported) ÷ claims closed, in days. */
export const settlementCycleDays = (totalDaysToClose: number, claimsClosed: number): number | null => ratio(totalDaysToClose, claimsClosed);
/** Closure rate = claims registered and closed in the window ÷ claims registered in it. */
export const closureRate = (registeredAndClosed: number, registered: number): number | null => ratio(registeredAndClosed, registered);
/** Renewal rate = policies renewed ÷ policies due for renewal. */
export const renewalRate = (renewed: number, dueForRenewal: number): number | null => ratio(renewed, dueForRenewal);
/** Complaints per ¥100 million premium = complaints ÷ (premium income ÷ 10⁸), computed on fen: complaints × 10¹⁰ ÷ fen. */
export const complaintsPer100MillionPremium = (complaints: number, premiumIncome: Fen): number | null => ratio(complaints * 1e10, premiumIncome);
/** Complaints per 10,000 policies = complaints ÷ (policies ÷ 10⁴). */
export const complaintsPer10kPolicies = (complaints: number, policies: number): number | null => ratio(complaints * 1e4, policies);
/** Complaint on-time rate = decided and notified by the due date ÷ complaints due. */
export const complaintOnTimeRate = (onTime: number, due: number): number | null => ratio(onTime, due);
/** Hotline answer rate = calls answered by an agent ÷ calls asking for an agent. */
export const hotlineAnswerRate = (answeredByAgent: number, askingForAgent: number): number | null => ratio(answeredByAgent, askingForAgent);

// --- The same over rows, for a period ---------------------------------------------------------------------

export interface MetricPolicy extends PremiumPolicy {
  /** A renewal of this policy has been bound (the renewal is past QUOTED), whatever this one's status. */
  renewalBound?: boolean;
}

export interface MetricComplaint {
  acceptedAt: IsoTimestamp;
  dueDate: IsoDate;
  /** When the decision was notified to the complainant; null before. */
  feedbackAt: IsoTimestamp | null;
  /** Notified by the due date, when the source says so: preferred to comparing feedbackAt with dueDate. */
  onTime?: boolean | null;
}

export interface MetricCall {
  /** The caller asked to speak to an agent (left the IVR for the agent queue). */
  askedForAgent: boolean;
  answeredByAgent: boolean;
}

/** Incurred of the period's counted claims, in fen. */
export function incurredWithinFen(claims: readonly MetricClaim[], period: Period): Fen {
  return sumFen(countedClaims(claims, period).map(incurredFen));
}

export function lossRatioWithin(policies: readonly PremiumPolicy[], claims: readonly MetricClaim[], period: Period): number | null {
  return lossRatio(incurredWithinFen(claims, period), totalEarnedPremiumFen(policies, period));
}

export function claimFrequencyWithin(policies: readonly PremiumPolicy[], claims: readonly MetricClaim[], period: Period): number | null {
  return claimFrequency(countedClaims(claims, period).length, policyYears(policies, period));
}

export function severityWithinFen(claims: readonly MetricClaim[], period: Period): Fen | null {
  const counted = countedClaims(claims, period);
  return severityFen(sumFen(counted.map(incurredFen)), counted.length);
}

const isZeroClosed = (claim: MetricClaim): boolean => claim.closedOutcome === 'ZERO_CLOSED' || claim.status === 'ZERO_CLOSED';
const isCancelled = (claim: MetricClaim): boolean => claim.closedOutcome === 'CANCELLED' || claim.status === 'CANCELLED';

/** Σ(closed − reported) in days and the count, over claims closed in the period, zero-closed excluded. */
export function settlementTotals(claims: readonly MetricClaim[], period: Period): { totalDays: number; closed: number } {
  const closed = claims.filter((claim) => claim.closedAt !== null && !isZeroClosed(claim) && within(dayOf(claim.closedAt, 'closedAt'), period));
  const totalMs = closed.reduce((total, claim) => total + (instantOf(claim.closedAt!, 'closedAt') - instantOf(claim.reportedAt, 'reportedAt')), 0);
  return { totalDays: totalMs / DAY_MS, closed: closed.length };
}

export function settlementCycleWithin(claims: readonly MetricClaim[], period: Period): number | null {
  const { totalDays, closed } = settlementTotals(claims, period);
  return settlementCycleDays(totalDays, closed);
}

/**
 * Closure rate over the 12 months before `asOf`: of the claims registered in the window (cancelled and
 * zero-closed excluded), the share also closed within it.
 */
export function closureRateTrailing12Months(claims: readonly MetricClaim[], asOf: Date | IsoTimestamp): number | null {
  const window = trailingMonths(asOf, 12);
  const registered = claims.filter(
    (claim) => claim.registeredAt && within(dayOf(claim.registeredAt, 'registeredAt'), window) && !isZeroClosed(claim) && !isCancelled(claim),
  );
  const closed = registered.filter((claim) => claim.closedAt !== null && within(dayOf(claim.closedAt, 'closedAt'), window));
  return closureRate(closed.length, registered.length);
}

/** Policies due for renewal in the period: expiring in it, and not cancelled, lapsed or a mere quote. */
export function renewalTotals(policies: readonly MetricPolicy[], period: Period): { due: number; renewed: number } {
  const due = policies.filter((policy) => !['QUOTED', 'CANCELLED', 'LAPSED'].includes(policy.status) && within(dayOf(policy.expiryDate, 'expiryDate'), period));
  return { due: due.length, renewed: due.filter((policy) => policy.status === 'RENEWED' || policy.renewalBound === true).length };
}

export function renewalRateWithin(policies: readonly MetricPolicy[], period: Period): number | null {
  const { due, renewed } = renewalTotals(policies, period);
  return renewalRate(renewed, due);
}

const acceptedWithin = (complaints: readonly MetricComplaint[], period: Period): number =>
  complaints.filter((complaint) => within(dayOf(complaint.acceptedAt, 'acceptedAt'), period)).length;

/** Complaints accepted in the period per ¥100 million of premium written in it. */
export function complaintsPer100MillionPremiumWithin(
  complaints: readonly MetricComplaint[],
  policies: readonly PremiumPolicy[],
  period: Period,
): number | null {
  return complaintsPer100MillionPremium(acceptedWithin(complaints, period), writtenPremiumWithinFen(policies, period));
}

/** Complaints accepted in the period per 10,000 policies written in it. */
export function complaintsPer10kPoliciesWithin(complaints: readonly MetricComplaint[], policies: readonly PremiumPolicy[], period: Period): number | null {
  const written = policies.filter((policy) => {
    const day = writtenDay(policy);
    return day !== null && within(day, period);
  }).length;
  return complaintsPer10kPolicies(acceptedWithin(complaints, period), written);
}

/**
 * Complaints due in the period (due date inside it) and those decided and notified by the end of their
 * due day (UTC). A complaint due but still undecided counts as due and not on time.
 */
export function complaintOnTimeTotals(complaints: readonly MetricComplaint[], period: Period): { due: number; onTime: number } {
  const due = complaints.filter((complaint) => within(dayOf(complaint.dueDate, 'dueDate'), period));
  const onTime = due.filter((complaint) =>
    complaint.onTime !== undefined && complaint.onTime !== null
      ? complaint.onTime
      : complaint.feedbackAt !== null && dayOf(complaint.feedbackAt, 'feedbackAt') <= dayOf(complaint.dueDate, 'dueDate'),
  );
  return { due: due.length, onTime: onTime.length };
}

export function complaintOnTimeRateWithin(complaints: readonly MetricComplaint[], period: Period): number | null {
  const { due, onTime } = complaintOnTimeTotals(complaints, period);
  return complaintOnTimeRate(onTime, due);
}

export function hotlineAnswerRateOf(calls: readonly MetricCall[]): number | null {
  const asking = calls.filter((call) => call.askedForAgent);
  return hotlineAnswerRate(asking.filter((call) => call.answeredByAgent).length, asking.length);
}

/** Yuan string of a fen figure, or null. */
export const yuanOrNull = (fen: Fen | null): string | null => (fen === null ? null : fenToYuan(fen));

// --- All metrics of one set of rows, as additive components and back -------------------------------------

/** The additive components every metric is computed from: sums in fen and counts, so they roll up by addition. */
export interface MetricComponents extends AdditiveFigures {
  readonly earnedPremiumFen: number;
  readonly writtenPremiumFen: number;
  readonly policiesWritten: number;
  readonly exposureDays: number;
  readonly claims: number;
  readonly incurredFen: number;
  readonly claimsClosed: number;
  readonly daysToCloseTotal: number;
  readonly registeredTrailing12m: number;
  readonly registeredAndClosedTrailing12m: number;
  readonly renewalsDue: number;
  readonly renewed: number;
  readonly complaints: number;
  readonly complaintsDue: number;
  readonly complaintsOnTime: number;
  readonly callsAskingForAgent: number;
  readonly callsAnsweredByAgent: number;
}

export interface MetricRows {
  readonly policies: readonly MetricPolicy[];
  readonly claims: readonly MetricClaim[];
  readonly complaints: readonly MetricComplaint[];
  readonly calls: readonly MetricCall[];
}

/**
 * The components of one branch's (or line's, or month's) rows for the period. The closure rate's trailing
 * 12 months end where the period ends. Calls are taken as given (the caller picks the period's calls).
 */
export function metricComponents(rows: MetricRows, period: Period): MetricComponents {
  const counted = countedClaims(rows.claims, period);
  const settlement = settlementTotals(rows.claims, period);
  const window: Period = { start: addMonths(period.end, -12), end: period.end };
  const registered = rows.claims.filter(
    (claim) => claim.registeredAt && within(dayOf(claim.registeredAt, 'registeredAt'), window) && !isZeroClosed(claim) && !isCancelled(claim),
  );
  const renewals = renewalTotals(rows.policies, period);
  const onTime = complaintOnTimeTotals(rows.complaints, period);
  const asking = rows.calls.filter((call) => call.askedForAgent);
  return {
    earnedPremiumFen: totalEarnedPremiumFen(rows.policies, period),
    writtenPremiumFen: writtenPremiumWithinFen(rows.policies, period),
    policiesWritten: rows.policies.filter((policy) => {
      const day = writtenDay(policy);
      return day !== null && within(day, period);
    }).length,
    exposureDays: rows.policies.reduce((days, policy) => days + coveredDays(policy, period), 0),
    claims: counted.length,
    incurredFen: sumFen(counted.map(incurredFen)),
    claimsClosed: settlement.closed,
    daysToCloseTotal: settlement.totalDays,
    registeredTrailing12m: registered.length,
    registeredAndClosedTrailing12m: registered.filter((claim) => claim.closedAt !== null && within(dayOf(claim.closedAt, 'closedAt'), window)).length,
    renewalsDue: renewals.due,
    renewed: renewals.renewed,
    complaints: acceptedWithin(rows.complaints, period),
    complaintsDue: onTime.due,
    complaintsOnTime: onTime.onTime,
    callsAskingForAgent: asking.length,
    callsAnsweredByAgent: asking.filter((call) => call.answeredByAgent).length,
  };
}

/** Every metric of DOMAIN.md section 6 from (possibly rolled-up) components: money as yuan strings. */
export interface Metrics {
  readonly earnedPremium: string;
  readonly incurred: string;
  readonly lossRatio: number | null;
  readonly claimFrequency: number | null;
  readonly severity: string | null;
  readonly settlementCycleDays: number | null;
  readonly closureRate: number | null;
  readonly renewalRate: number | null;
  readonly complaintsPer100MillionPremium: number | null;
  readonly complaintsPer10kPolicies: number | null;
  readonly complaintOnTimeRate: number | null;
  readonly hotlineAnswerRate: number | null;
}

export function metricsFrom(components: MetricComponents): Metrics {
  const c = components;
  return {
    earnedPremium: fenToYuan(c.earnedPremiumFen),
    incurred: fenToYuan(c.incurredFen),
    lossRatio: lossRatio(c.incurredFen, c.earnedPremiumFen),
    claimFrequency: claimFrequency(c.claims, c.exposureDays / DAYS_PER_POLICY_YEAR),
    severity: yuanOrNull(severityFen(c.incurredFen, c.claims)),
    settlementCycleDays: settlementCycleDays(c.daysToCloseTotal, c.claimsClosed),
    closureRate: closureRate(c.registeredAndClosedTrailing12m, c.registeredTrailing12m),
    renewalRate: renewalRate(c.renewed, c.renewalsDue),
    complaintsPer100MillionPremium: complaintsPer100MillionPremium(c.complaints, c.writtenPremiumFen),
    complaintsPer10kPolicies: complaintsPer10kPolicies(c.complaints, c.policiesWritten),
    complaintOnTimeRate: complaintOnTimeRate(c.complaintsOnTime, c.complaintsDue),
    hotlineAnswerRate: hotlineAnswerRate(c.callsAnsweredByAgent, c.callsAskingForAgent),
  };
}

// --- Roll-up through the org tree -------------------------------------------------------------------------

/** Additive components of the metrics (fen sums and counts): ratios are computed after summing, never averaged. */
export type AdditiveFigures = Readonly<Record<string, number>>;

/**
 * Sums each branch's own rows into every branch on its path, so a province's figures include its
 * cities' and head office's include everyone's. `branchPaths` maps a branch id to its materialised path
 * (`/1/3/9/`: head office 1 → province 3 → city 9). Every figure of the rows is summed; compute
 * ratios from the rolled-up sums (e.g. lossRatio(incurredFen, earnedPremiumFen)). A row whose branch is
 * not in `branchPaths` is an error (its figures would silently vanish from every total).
 */
export function rollUpByBranch<F extends AdditiveFigures>(
  rows: readonly { readonly branchId: string; readonly figures: F }[],
  branchPaths: ReadonlyMap<string, string>,
): Map<string, Record<keyof F, number>> {
  const totals = new Map<string, Record<string, number>>();
  for (const row of rows) {
    const path = branchPaths.get(row.branchId);
    if (path === undefined) throw new RangeError(`branchId: ${row.branchId} is not a known branch`);
    const ancestors = path.split('/').filter((id) => id !== '');
    if (ancestors[ancestors.length - 1] !== row.branchId) throw new RangeError(`branchPaths: the path of ${row.branchId} (${path}) does not end at it`);
    for (const branchId of ancestors) {
      const total = totals.get(branchId) ?? {};
      for (const [key, value] of Object.entries(row.figures)) total[key] = (total[key] ?? 0) + value;
      totals.set(branchId, total);
    }
  }
  return totals as Map<string, Record<keyof F, number>>;
}
