/**
 * The monthly complaint analysis (客户投诉分析表; issue 11 "Monthly reports the documents name", DOMAIN.md sections 4
 * and 6) for one month and org unit, computed by the shared aggregate mechanism (shared/src/aggregates,
 * docs/access-model.md "Aggregates"): three GROUP BY statements over `complaints`, each in the caller's row scope and
 * with small groups suppressed for a role the policy grants only aggregates.
 *
 * - Counts: complaints registered in the month by category × line of business × channel (source) × branch (city),
 *   each group with how many of them are overdue and how many are repeats.
 * - Overdue: due before the report's cut-off (the end of the month, or now while the month runs) and neither
 *   notified (feedback given) nor withdrawn by then.
 * - Repeat: the same customer had another complaint accepted in the 12 months before this one was accepted
 *   (whatever its branch, so a repeat is a fact about the complaint, not about the reader's scope).
 * - On-time rate: complaints due in the month (their due date in it) whose decision was notified, or which were
 *   withdrawn, by the end of the due date ÷ complaints due in the month (DOMAIN.md section 6).
 * - Top root causes: the decided complaints registered in the month by `Complaint.rootCause` (the handling form's
 *   root-cause field), largest first; suppressed groups are not ranked.
 */
import {
  aggregateAccessOf,
  flaggedCount,
  monthBounds,
  parseEntityId,
  previousMonth,
  runAggregate,
  sqlTimestamp,
  withAggregateAccess,
  type AggregateArguments,
  type AggregateDefinition,
  type AggregateGroup,
  type DatabaseDialect,
} from '@icg/shared';
import { COMPLAINT_FILTER } from './complaint-connection';
import { entities } from './entities';
import { requireBranch } from './org-directory';
import type { QueryResolvers, ResolversTypes } from './generated/schema-types';

/** How many root causes the report ranks. */
export const TOP_ROOT_CAUSES = 5;

/** `twelve months before` a date-time column, per dialect. */
function yearBefore(dialect: DatabaseDialect, column: string): string {
  return dialect === 'mysql' ? `date_sub(${column}, interval 12 month)` : `datetime(${column}, '-12 months')`;
}

/**
 * The definition the three statements read. `cutOff` (`YYYY-MM-DD HH:MM:SS`, built here from a checked month and the
 * clock, never from client text) is the instant overdue is judged at.
 */
export function complaintAnalysisDefinition(cutOff: string): AggregateDefinition {
  const cutOffDay = cutOff.slice(0, 10);
  return {
    entity: 'Complaint',
    table: 'complaints',
    scope: entities.Complaint.scope,
    dimensions: {
      CATEGORY: { kind: 'value', column: 'category', field: 'category' },
      LINE_OF_BUSINESS: { kind: 'value', column: 'line_of_business', field: 'lineOfBusiness' },
      SOURCE: { kind: 'value', column: 'source', field: 'source' },
      BRANCH: { kind: 'branch', pathColumn: 'branch_path', field: 'branch' },
      MONTH: { kind: 'month', column: 'registered_at', field: 'month' },
      DUE_MONTH: { kind: 'month', column: 'due_date', field: 'dueMonth' },
      ROOT_CAUSE: { kind: 'value', column: 'root_cause', field: 'rootCause' },
    },
    measures: {
      // 1 or 0 per complaint: the group's sum is how many are overdue, repeats, on time.
      overdue: {
        sql: () =>
          `(case when complaints.due_date < '${cutOffDay}' and (complaints.feedback_at is null or complaints.feedback_at >= '${cutOff}')` +
          ` and (complaints.withdrawn_at is null or complaints.withdrawn_at >= '${cutOff}') then 1 else 0 end)`,
      },
      repeats: {
        sql: (dialect) =>
          `(case when exists (select 1 from complaints earlier where earlier.customer_id = complaints.customer_id and earlier.id <> complaints.id` +
          ` and earlier.accepted_at <= complaints.accepted_at and earlier.accepted_at >= ${yearBefore(dialect, 'complaints.accepted_at')}` +
          ` and (earlier.accepted_at < complaints.accepted_at or earlier.id < complaints.id)) then 1 else 0 end)`,
      },
      onTime: {
        sql: () => '(case when date(complaints.feedback_at) <= complaints.due_date or date(complaints.withdrawn_at) <= complaints.due_date then 1 else 0 end)',
      },
    },
    filters: {
      fields: {
        branchId: COMPLAINT_FILTER.branchId!,
        registeredFrom: COMPLAINT_FILTER.registeredFrom!,
        registeredTo: COMPLAINT_FILTER.registeredTo!,
        dueFrom: { kind: 'dateFrom', column: 'due_date' },
        dueTo: { kind: 'dateTo', column: 'due_date' },
      },
      dimensions: { branchId: 'BRANCH', registeredFrom: 'MONTH', registeredTo: 'MONTH', dueFrom: 'DUE_MONTH', dueTo: 'DUE_MONTH' },
    },
  };
}

export interface ComplaintAnalysisCellRecord {
  id: string;
  category: string | null;
  lineOfBusiness: string | null;
  source: string | null;
  branch: { id: string } | null;
  branchLevel: number | null;
  suppressed: boolean;
  complaints: number | null;
  overdue: number | null;
  repeats: number | null;
}

function cellOf(group: AggregateGroup): ComplaintAnalysisCellRecord {
  return {
    // The group's key, which the audit trail records as the record read.
    id: group.id,
    category: (group.category as string | null | undefined) ?? null,
    lineOfBusiness: (group.lineOfBusiness as string | null | undefined) ?? null,
    source: (group.source as string | null | undefined) ?? null,
    branch: (group.branch as { id: string } | null | undefined) ?? null,
    branchLevel: (group.branchLevel as number | undefined) ?? null,
    suppressed: group.suppressed,
    complaints: group.count,
    overdue: flaggedCount(group, 'overdue'),
    repeats: flaggedCount(group, 'repeats'),
  };
}

export const complaintAnalysisResolvers = {
  complaintAnalysis: async (_root, args, { db, policy, caller, clock }, info) => {
    const month = args.month ?? previousMonth(clock.now());
    const { first, last, next } = monthBounds(month);
    // The org unit's depth: its figures group by branch at that depth (a suppressed role may filter only on a
    // grouped dimension), which gathers the unit's whole subtree into one group.
    const unit = args.branchId === null || args.branchId === undefined ? null : await requireBranch(db, parseEntityId(args.branchId, 'branchId'), 'branchId');
    const unitLevel = unit ? unit.path.split('/').filter((part) => part !== '').length : null;
    const byUnit = (groupBy: string[]): AggregateArguments => (unit ? { groupBy: [...groupBy, 'BRANCH'], branchLevel: unitLevel } : { groupBy });
    const inUnit = unit ? { branchId: unit.id } : {};
    const granted = aggregateAccessOf(args);
    // The enforcement layer's decision rides on `args`; each statement gets it (runAggregate refuses without one).
    const run = (aggregate: AggregateArguments) =>
      runAggregate(definition, {
        db,
        policy,
        caller,
        schema: info.schema,
        coordinate: 'Query.complaintAnalysis',
        args: granted ? withAggregateAccess(aggregate, granted) : aggregate,
      });
    const now = clock.now();
    const monthEnd = new Date(`${next}T00:00:00Z`);
    const definition = complaintAnalysisDefinition(sqlTimestamp(now < monthEnd ? now : monthEnd));
    const registered = { ...inUnit, registeredFrom: first, registeredTo: last };
    // Independent statements, side by side.
    const [counts, due, causes] = await Promise.all([
      run({ groupBy: ['CATEGORY', 'LINE_OF_BUSINESS', 'SOURCE', 'BRANCH', 'MONTH'], filter: registered }),
      run({ ...byUnit(['DUE_MONTH']), filter: { ...inUnit, dueFrom: first, dueTo: last } }),
      run({ ...byUnit(['ROOT_CAUSE', 'MONTH']), filter: registered }),
    ]);
    const dueCount = due.total.suppressed ? null : due.total.count;
    const onTime = flaggedCount(due.total, 'onTime');
    return {
      month,
      minimumGroupSize: counts.minimumGroupSize,
      cells: counts.groups.map(cellOf),
      total: cellOf(counts.total),
      onTime: {
        suppressed: due.total.suppressed,
        due: dueCount,
        onTime,
        rate: dueCount === null || dueCount === 0 || onTime === null ? null : onTime / dueCount,
      },
      rootCauses: causes.groups
        .filter((group) => group.rootCause !== null && !group.suppressed)
        .sort((a, b) => (b.count ?? 0) - (a.count ?? 0) || String(a.rootCause).localeCompare(String(b.rootCause)))
        .slice(0, TOP_ROOT_CAUSES)
        .map((group) => ({ rootCause: group.rootCause, complaints: group.count })),
    } as unknown as ResolversTypes['ComplaintAnalysis'];
  },
} satisfies Pick<QueryResolvers, 'complaintAnalysis'>;
