/**
 * The monthly customer-service analysis (issue 11 "Monthly reports the documents name"; DOMAIN.md sections 2, 4 and 6)
 * for one month and org unit, computed by the shared aggregate mechanism (shared/src/aggregates, docs/access-model.md
 * "Aggregates") over the views of migration 007: a few GROUP BY statements, each in the caller's row scope (a ticket's,
 * for its calls and visits too) and with small groups suppressed for a role the policy grants only aggregates.
 *
 * - Tickets opened in the month by type × channel; SLA met: resolved by slaDeadlineAt (the due time moved back by the
 *   minutes paused waiting for the customer) ÷ tickets opened (an unresolved ticket has not met it).
 * - Handling minutes: opened → resolved less the paused minutes, over the resolved tickets: the average, and the p90
 *   (nearest rank, from a GROUP BY on the minutes). The p90 is one ticket's own figure, so it is shown where the
 *   figures are exact only, as min and max are.
 * - Hotline answer rate (DOMAIN.md section 6): inbound calls answered by an agent ÷ inbound calls (an inbound call is
 *   a caller asking for an agent; outbound calls are the centre's own).
 * - Return visits scheduled in the month, and those that reached the customer within 7 days of the scheduled time;
 *   the satisfaction (1–5) the customers gave on them.
 * - Complaint calls taken: tickets of type COMPLAINT opened by phone in the month.
 */
import {
  aggregateAccessOf,
  flaggedCount,
  monthBounds,
  dialectOf,
  parseEntityId,
  previousMonth,
  runAggregate,
  withAggregateAccess,
  type AggregateArguments,
  type AggregateDefinition,
  type AggregateFilterSpec,
  type AggregateGroup,
  type AggregateResult,
  type Knex,
} from '@icg/shared';
import { entities } from './entities';
import type { QueryResolvers, ResolversTypes } from './generated/schema-types';

const BRANCH_FILTER = { kind: 'branchSubtree', idColumn: 'branch_id', pathColumn: 'branch_path' } as const;

/** A view of migration 007 grouped by month of `monthColumn`, branch and `dimensions`. */
function definitionOver(
  table: string,
  monthColumn: string,
  dimensions: AggregateDefinition['dimensions'],
  measures: AggregateDefinition['measures'],
): AggregateDefinition {
  const filters: AggregateFilterSpec = {
    fields: { branchId: BRANCH_FILTER, from: { kind: 'dateFrom', column: monthColumn }, to: { kind: 'dateTo', column: monthColumn } },
    dimensions: { branchId: 'BRANCH', from: 'MONTH', to: 'MONTH' },
  };
  return {
    entity: 'ServiceRequest',
    table,
    scope: entities.ServiceRequest.scope,
    dimensions: {
      ...dimensions,
      BRANCH: { kind: 'branch', pathColumn: 'branch_path', field: 'branch' },
      MONTH: { kind: 'month', column: monthColumn, field: 'month' },
    },
    measures,
    filters,
  };
}

/** 1 or 0 per row: a group's sum counts the rows with the flag. */
const flag = (condition: string) => ({ sql: () => `(case when ${condition} then 1 else 0 end)` });

const TICKETS = definitionOver(
  'service_report_tickets',
  'opened_at',
  {
    TYPE: { kind: 'value', column: 'type', field: 'type' },
    CHANNEL: { kind: 'value', column: 'channel', field: 'channel' },
    // Its own field name: the measure of the same minutes is `handlingMinutes`.
    HANDLING_MINUTES: { kind: 'value', column: 'handling_minutes', field: 'minutes' },
  },
  { slaMet: flag('service_report_tickets.sla_met = 1'), handlingMinutes: { sql: () => 'service_report_tickets.handling_minutes' } },
);

const CALLS = definitionOver(
  'service_report_calls',
  'started_at',
  {},
  {
    inbound: flag("service_report_calls.direction = 'INBOUND'"),
    answered: flag("service_report_calls.direction = 'INBOUND' and service_report_calls.answered_by_agent = 1"),
  },
);

function visitsDefinition(db: Knex): AggregateDefinition {
  const within =
    dialectOf(db) === 'mysql' ? 'date_add(service_report_visits.scheduled_for, interval 7 day)' : "datetime(service_report_visits.scheduled_for, '+7 days')";
  return definitionOver(
    'service_report_visits',
    'scheduled_for',
    { SATISFACTION: { kind: 'value', column: 'satisfaction', field: 'satisfaction' } },
    { doneInTime: flag(`service_report_visits.outcome = 'REACHED' and service_report_visits.visited_at <= ${within}`) },
  );
}

const ratio = (part: number | null, whole: number | null): number | null => (part === null || whole === null || whole === 0 ? null : part / whole);

function ticketCell(group: AggregateGroup, p90: number | null) {
  const tickets = group.suppressed ? null : group.count;
  const slaMet = flaggedCount(group, 'slaMet');
  const handling = group.handlingMinutes as { avg: number } | null | undefined;
  return {
    id: group.id,
    type: (group.type as string | null | undefined) ?? null,
    channel: (group.channel as string | null | undefined) ?? null,
    suppressed: group.suppressed,
    tickets,
    slaMet,
    slaMetRate: ratio(slaMet, tickets),
    averageHandlingMinutes: group.suppressed || !handling ? null : handling.avg,
    p90HandlingMinutes: p90,
  };
}

/** Nearest-rank p90 of the resolved tickets' minutes, from the histogram groups (exact figures only). */
export function ninetiethPercentile(histogram: AggregateResult | null): number | null {
  if (histogram?.mode !== 'EXACT') return null;
  const bins = histogram.groups
    .filter((group) => group.minutes !== null && group.count !== null)
    .map((group) => ({ minutes: Number(group.minutes), count: group.count! }))
    .sort((a, b) => a.minutes - b.minutes);
  const total = bins.reduce((sum, bin) => sum + bin.count, 0);
  if (total === 0) return null;
  const rank = Math.ceil(0.9 * total);
  let seen = 0;
  for (const bin of bins) {
    seen += bin.count;
    if (seen >= rank) return bin.minutes;
  }
  return null;
}

/** The depth of a branch in the org tree as the tickets know it; null when no ticket lies in its subtree. */
async function branchDepth(db: Knex, branchId: string): Promise<number | null> {
  // Its own tickets (indexed), else any below it (a province's tickets are its cities').
  const row = ((await db.table('service_requests').where('branch_id', branchId).first('branch_path')) ??
    (await db.table('service_requests').where('branch_path', 'like', `%/${branchId}/%`).first('branch_path'))) as { branch_path: string } | undefined;
  if (!row) return null;
  const parts = row.branch_path.split('/').filter((part) => part !== '');
  return parts.indexOf(branchId) + 1;
}

export const serviceAnalysisResolvers = {
  customerServiceAnalysis: async (_root, args, { db, policy, caller, clock }, info) => {
    const month = args.month ?? previousMonth(clock.now());
    const { first, last } = monthBounds(month);
    const branchId = args.branchId === null || args.branchId === undefined ? null : parseEntityId(args.branchId, 'branchId');
    // An org unit's figures group by branch at its depth (a suppressed role may filter only on a grouped dimension),
    // which gathers its whole subtree into one group; a unit with no ticket below it selects nothing.
    const depth = branchId === null ? null : await branchDepth(db, branchId);
    const byUnit = (groupBy: string[]): AggregateArguments => (branchId === null ? { groupBy } : { groupBy: [...groupBy, 'BRANCH'], branchLevel: depth ?? 3 });
    const filter = { ...(branchId === null ? {} : { branchId }), from: first, to: last };
    const granted = aggregateAccessOf(args);
    // The enforcement layer's decision rides on `args`; each statement gets it (runAggregate refuses without one).
    const run = (definition: AggregateDefinition, aggregate: AggregateArguments) =>
      runAggregate(definition, {
        db,
        policy,
        caller,
        schema: info.schema,
        coordinate: 'Query.customerServiceAnalysis',
        args: granted ? withAggregateAccess({ ...aggregate, filter }, granted) : { ...aggregate, filter },
      });
    const visits = visitsDefinition(db);
    // Independent statements, side by side.
    const [tickets, histogram, calls, due, scores] = await Promise.all([
      run(TICKETS, byUnit(['TYPE', 'CHANNEL', 'MONTH'])),
      // The p90 is one ticket's own figure: read only where the figures are exact.
      granted?.mode === 'EXACT' ? run(TICKETS, byUnit(['HANDLING_MINUTES', 'MONTH'])) : null,
      run(CALLS, byUnit(['MONTH'])),
      run(visits, byUnit(['MONTH'])),
      run(visits, byUnit(['SATISFACTION', 'MONTH'])),
    ]);

    const complaintCall = tickets.groups.find((group) => group.type === 'COMPLAINT' && group.channel === 'PHONE');
    const inbound = flaggedCount(calls.total, 'inbound');
    const answered = flaggedCount(calls.total, 'answered');
    const visitsDue = due.total.suppressed ? null : due.total.count;
    const doneInTime = flaggedCount(due.total, 'doneInTime');
    return {
      month,
      minimumGroupSize: tickets.minimumGroupSize,
      tickets: tickets.groups.map((group) => ticketCell(group, null)),
      total: ticketCell(tickets.total, tickets.total.suppressed ? null : ninetiethPercentile(histogram)),
      complaintCalls: complaintCall ? (complaintCall.suppressed ? null : complaintCall.count) : 0,
      hotline: { suppressed: calls.total.suppressed, inboundCalls: inbound, answeredByAgent: answered, answerRate: ratio(answered, inbound) },
      returnVisits: { suppressed: due.total.suppressed, due: visitsDue, doneWithin7Days: doneInTime, rate: ratio(doneInTime, visitsDue) },
      satisfaction: scores.groups
        .filter((group) => group.satisfaction !== null)
        .map((group) => ({ id: group.id, score: Number(group.satisfaction), suppressed: group.suppressed, visits: group.suppressed ? null : group.count })),
    } as unknown as ResolversTypes['CustomerServiceAnalysis'];
  },
} satisfies Pick<QueryResolvers, 'customerServiceAnalysis'>;
