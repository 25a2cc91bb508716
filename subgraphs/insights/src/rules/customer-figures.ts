/**
 * What the insights read model supplies per customer to the rules (classifyCustomer, segmentCustomer,
 * findEarlyWarnings): facts only — keys, states, codes, dates and amounts, never personal data. The rules
 * are pure functions of these figures, the rules file and `asOf`, so a classification can be recomputed
 * and explained from what is stored.
 *
 * Stability: other code builds against this type. Only optional fields may be added.
 */
import type { BranchLevel, ClaimStatus, ComplaintStatus, LineOfBusiness, PolicyStatus } from '@icg/shared';
import type { UnitLeaders } from './unit-leaders';

/**
 * An amount of money in yuan with at most two decimal places: a decimal string as the events carry it
 * (`money` in shared/src/events/payload-schema.ts, e.g. "1234.50") or a number as DECIMAL columns come
 * back. Every amount is turned into whole fen on entry (src/metrics/money.ts) before anything is summed,
 * so no binary fraction ever accumulates.
 */
export type MoneyAmount = string | number;

/** A calendar day, YYYY-MM-DD (UTC). */
export type IsoDate = string;
/** An instant, ISO 8601 UTC (e.g. `2026-12-01T08:30:00.000Z`); a bare YYYY-MM-DD means midnight UTC. */
export type IsoTimestamp = string;

/** How a closed claim ended (enum ClaimClosedOutcome of the claims subgraph). */
export type ClaimClosedOutcome = 'PAID' | 'DENIED' | 'WITHDRAWN' | 'CANCELLED' | 'ZERO_CLOSED';

export interface PolicyFigures {
  policyNo: string;
  lineOfBusiness: LineOfBusiness;
  status: PolicyStatus;
  /** First day of cover. */
  effectiveDate: IsoDate;
  /** Day cover ends (the renewal's effective date); the term is [effectiveDate, expiryDate). */
  expiryDate: IsoDate;
  /**
   * When the policy was bound (premium written); null for a quote. The 12-month written premium counts
   * policies by this instant (by effectiveDate when absent).
   */
  boundAt: IsoTimestamp | null;
  /** When a cancelled or lapsed policy stopped covering; cover (and earned premium) ends there. */
  terminatedAt: IsoTimestamp | null;
  writtenPremium: MoneyAmount;
  /** Cancelled or lapsed because the premium was not paid (TerminationReason NON_PAYMENT). */
  cancelledForNonPayment: boolean;
  /** The policy this one renews (Policy.priorPolicy), or null. */
  renewalOfPolicyNo: string | null;
  /** Product code, when known: products held counts distinct products (distinct lines when absent). */
  productCode?: string | null;
  /** Days this policy's premium is overdue, when known (0 when nothing is overdue). */
  arrearsDays?: number | null;
}

export interface ClaimFigures {
  reportNo: string;
  policyNo: string;
  /**
   * A stable key of the insured object the claim is on (e.g. the InsuredObject id or a hash of the
   * plate/VIN), never the plate itself; null when the claim names none. Used for "2 claims on the same
   * insured object in 90 days".
   */
  insuredObjectKey: string | null;
  /** Day of the loss, when known; a claim's date for the windows is lossDate, else the day it was reported. */
  lossDate?: IsoDate | null;
  reportedAt: IsoTimestamp;
  /** 立案: null until registered. */
  registeredAt?: IsoTimestamp | null;
  closedAt: IsoTimestamp | null;
  status: ClaimStatus;
  /** Null while open (or reopened). */
  closedOutcome: ClaimClosedOutcome | null;
  paid: MoneyAmount;
  outstandingReserve: MoneyAmount;
  recoveries: MoneyAmount;
  /** Fraud confirmed by the special investigation (not merely a high fraud score). */
  fraudConfirmed: boolean;
}

export interface ComplaintFigures {
  complaintNo: string;
  acceptedAt: IsoTimestamp;
  registeredAt?: IsoTimestamp | null;
  /** The decision must be notified by the end of this day (UTC), extensions included. */
  dueDate: IsoDate;
  status: ComplaintStatus;
  /** When the decision was notified to the complainant (the step that meets the deadline); null before. */
  feedbackAt: IsoTimestamp | null;
  /** When it was archived (closed), if it was. */
  closedAt?: IsoTimestamp | null;
  /**
   * Whether the decision was notified by the due date, when the source says so (complaint.closed carries
   * it): used in preference to comparing feedbackAt with dueDate. A complaint with onTime set is decided.
   */
  onTime?: boolean | null;
}

/**
 * Premium of one org unit on the customer's branch path, for the large-customer rule: the unit's
 * 12-month written premium and this customer's (or its corporate group's) rank in it.
 */
export interface OrgUnitPremium {
  level: BranchLevel;
  branchId: string;
  /**
   * Written premium of the unit's whole subtree over the same trailing 12 months and by the same rule as
   * the customer's (policies not QUOTED, counted by boundAt, else effectiveDate; see writtenPremiumWithin).
   */
  writtenPremium12m: MoneyAmount;
  /**
   * The unit's largest parties (customers, or corporate groups counted once) by the large rule's premium, as of the
   * last full recompute, for the top-N clause; null or absent when not known (the clause then does not fire).
   */
  leaders?: UnitLeaders | null;
}

/** The party the customer is ranked as: its corporate group when it has one, else itself. */
export function rankedPartyOf(figures: CustomerFigures): string {
  return figures.corporateGroup?.groupKey ?? figures.customerId;
}

export interface CustomerFigures {
  customerId: string;
  /** First day the customer held cover with us (tenure counts from here). */
  customerSince: IsoDate;
  /** An ACTIVE blacklist entry exists. */
  blacklisted: boolean;
  /** Longest current overdue premium in days, when known (null: unknown, treated as no arrears). */
  arrearsDays: number | null;
  policies: readonly PolicyFigures[];
  claims: readonly ClaimFigures[];
  complaints: readonly ComplaintFigures[];
  /** The org units on the customer's branch path (head office, province, city), for the share rule. */
  orgUnitPremiums: readonly OrgUnitPremium[];
  /**
   * When the customer belongs to a corporate group: the group's consolidated 12-month written premium
   * (all members, this customer included), which replaces the customer's own for the large rule.
   */
  corporateGroup?: { groupKey: string; writtenPremium12m: MoneyAmount } | null;
}
