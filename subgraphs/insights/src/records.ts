import { attachScope, connectionFromRows, scopeOfRow, toBoolean, toId, toIsoTimestamp, type Connection, type Scoped } from '@icg/shared';
import { entities } from './entities';
import type {
  CustomerClassification,
  CustomerInsight,
  CustomerInsightFigures,
  EarlyWarning,
  EarlyWarningKind,
  EarlyWarningLevel,
  InsightFigure,
  InsightReason,
} from './generated/schema-types';
import type { CustomerInsightRow, EarlyWarningRow } from './read-model';
import type { ClassificationFigures, CustomerSegments, RuleReason } from './rules';

export type { EarlyWarningRow } from './read-model';

/** A customer as this system knows it: a stub by its key. It owns no customers, so the stub carries no row scope. */
export interface CustomerStub {
  id: string;
}

export interface StaffStub {
  id: string;
}

export type EarlyWarningRecord = Scoped<
  Omit<EarlyWarning, 'customer' | 'acknowledgedBy' | 'resolvedBy' | 'dismissedBy' | 'figures'> & {
    customer: CustomerStub;
    acknowledgedBy: StaffStub | null;
    resolvedBy: StaffStub | null;
    dismissedBy: StaffStub | null;
    figures: Scoped<InsightFigure>[];
  }
>;

const staff = (id: number | string | null): StaffStub | null => (id === null ? null : { id: toId(id) });

/** Figures as name/value text: numbers and amounts as decimal text, flags as true/false, nothing as null. */
function figureList(values: Readonly<Record<string, unknown>>, scope: ReturnType<typeof scopeOfRow>): Scoped<InsightFigure>[] {
  return Object.entries(values)
    .filter(([, value]) => typeof value !== 'object' || value === null)
    .map(([name, value]) => attachScope({ name, value: value === null || value === undefined ? null : String(value) }, scope));
}

export function earlyWarningRecord(row: EarlyWarningRow): EarlyWarningRecord {
  const scope = scopeOfRow('EarlyWarning', entities.EarlyWarning, row);
  const { rule, subject: _subject, ...figures } = JSON.parse(row.figures) as Record<string, unknown>;
  return attachScope(
    {
      id: toId(row.id),
      earlyWarningNo: row.early_warning_no,
      // The warning's scope (the customer's), so the customer's insight read under it is decided in that scope.
      customer: attachScope({ id: toId(row.customer_id) }, scope),
      kind: row.kind as EarlyWarningKind,
      level: row.level as EarlyWarningLevel,
      status: row.status,
      subjectKey: row.subject_key,
      rule: typeof rule === 'string' ? rule : null,
      ruleVersion: row.rule_version,
      figures: figureList(figures, scope),
      raisedAt: toIsoTimestamp(row.raised_at)!,
      updatedAt: toIsoTimestamp(row.updated_at)!,
      clearedAt: toIsoTimestamp(row.cleared_at),
      acknowledgedAt: toIsoTimestamp(row.acknowledged_at),
      acknowledgedBy: staff(row.acknowledged_by_staff_id),
      resolvedAt: toIsoTimestamp(row.resolved_at),
      resolvedBy: staff(row.resolved_by_staff_id),
      dismissedAt: toIsoTimestamp(row.dismissed_at),
      dismissedBy: staff(row.dismissed_by_staff_id),
      dismissReason: row.dismiss_reason,
      version: Number(row.version),
    },
    scope,
  );
}

export type CustomerInsightRecord = Scoped<
  Omit<CustomerInsight, 'customer' | 'reasons' | 'figures'> & {
    customer: CustomerStub;
    reasons: Scoped<InsightReason>[];
    figures: Scoped<CustomerInsightFigures>;
  }
>;

const amount = (value: string | null | undefined): number | null => (value === null || value === undefined ? null : Number(value));

/**
 * An insight is a record this subgraph owns, carrying its customer's scope (branch path and primary manager, copied
 * from the customer's events): its fields are decided in that scope wherever it is read. A placeholder row made for
 * an event about a customer not known yet has no branch, so it is out of every scope but company-wide ones.
 */
export function customerInsightRecord(row: CustomerInsightRow): CustomerInsightRecord {
  const scope = scopeOfRow('CustomerInsight', entities.CustomerInsight, row);
  const unscoped = <T extends object>(record: T): Scoped<T> => attachScope(record, scope);
  const { classification: figures, segments } = JSON.parse(row.figures) as { classification: ClassificationFigures; segments: CustomerSegments };
  const reasons = JSON.parse(row.reasons) as RuleReason[];
  return unscoped({
    customerId: toId(row.customer_id),
    // The insight's scope (the customer's), as an early warning's customer.
    customer: unscoped({ id: toId(row.customer_id) }),
    classification: row.classification as CustomerClassification,
    large: toBoolean(row.large),
    blacklisted: toBoolean(row.blacklisted),
    valueSegment: row.value_segment,
    contributionSegment: row.contribution_segment,
    loyaltySegment: row.loyalty_segment,
    ruleVersion: row.rule_version,
    asOf: toIsoTimestamp(row.as_of)!,
    reasons: reasons.map((reason) =>
      unscoped({ rule: reason.rule, figure: String(reason.figure), comparison: reason.comparison, threshold: String(reason.threshold) }),
    ),
    figures: unscoped({
      tenureYears: figures.tenureYears,
      claimFreeYears: figures.claimFreeYears,
      claims12m: figures.claims12m,
      earnedPremium36m: amount(figures.earnedPremium36m),
      incurred36m: amount(figures.incurred36m),
      lossRatio36m: figures.lossRatio36m,
      writtenPremium12m: amount(figures.writtenPremium12m),
      consolidated: figures.consolidated,
      arrearsDays: figures.arrearsDays,
      nonPaymentCancellations36m: figures.nonPaymentCancellations36m,
      fraudConfirmed: figures.fraudConfirmed,
      contribution: amount(segments.contribution.amount),
      contributionMargin: segments.contribution.margin,
      consecutiveRenewals: segments.loyalty.consecutiveRenewals,
      productsHeld: segments.loyalty.productsHeld,
    }),
  });
}

export interface CustomerInsightConnectionRecord extends Connection<CustomerInsightRecord> {
  /** Runs the count query only if a client asks for totalCount. */
  countTotal(): Promise<number>;
}

/** A page of insights from `pageSize + 1` rows, keyed by customer id. */
export function customerInsightConnection(
  rows: readonly CustomerInsightRow[],
  pageSize: number,
  hasCursor: boolean,
  countTotal: () => Promise<number>,
): CustomerInsightConnectionRecord {
  return { ...connectionFromRows(rows.map(customerInsightRecord), pageSize, (insight) => insight.customerId, hasCursor), countTotal };
}

export interface EarlyWarningConnectionRecord extends Connection<EarlyWarningRecord> {
  /** Runs the count query only if a client asks for totalCount. */
  countTotal(): Promise<number>;
}

/** A page of warnings from `pageSize + 1` rows; the connection describes the query, so it carries no row scope. */
export function earlyWarningConnection(
  rows: readonly EarlyWarningRow[],
  pageSize: number,
  hasCursor: boolean,
  countTotal: () => Promise<number>,
): EarlyWarningConnectionRecord {
  return { ...connectionFromRows(rows.map(earlyWarningRecord), pageSize, (warning) => warning.id, hasCursor), countTotal };
}
