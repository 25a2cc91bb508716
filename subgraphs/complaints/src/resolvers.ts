import { badUserInput, BUSINESS_NUMBERS, parseBusinessNumber, parseEntityId, ROW_SCOPE, toIsoTimestamp, type Clock } from '@icg/shared';
import { complaintConnectionResolvers } from './complaint-connection';
import { complaintAggregateResolvers } from './complaint-aggregates';
import { complaintAnalysisResolvers } from './complaint-analysis';
import { createMutationResolvers } from './complaint-mutations';
import { deadlineWarningAt, isDeadlineWarning, isOverdue, type ComplaintRules } from './deadlines';
import type { Resolvers } from './generated/schema-types';
import { complaintRecord, complaintStepRecord, deadlineExtensionRecord, escalationRecord, extensionRequestRecord, type ComplaintRecord } from './records';

const ISO_UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** `asOf` arguments: an ISO 8601 UTC timestamp that names a real instant, or the clock's now when omitted. */
function parseAsOf(value: unknown, argumentName: string, clock: Clock): Date {
  if (value === null || value === undefined) return clock.now();
  const instant = typeof value === 'string' && ISO_UTC_TIMESTAMP.test(value) ? new Date(value) : null;
  // Date rolls 2026-02-30 over into March: only a real instant prints back as it was written.
  if (instant === null || Number.isNaN(instant.getTime()) || instant.toISOString().slice(0, 19) !== String(value).slice(0, 19)) {
    throw badUserInput(argumentName, 'must be an ISO 8601 UTC timestamp, e.g. "2024-05-01T08:00:00Z"');
  }
  return instant;
}

/** When the deadline stopped running: the decision notified, or the complaint withdrawn, whichever came first. */
function deadlineClosedAt(complaint: Pick<ComplaintRecord, 'feedbackAt' | 'withdrawnAt'>): Date | null {
  const times = [complaint.feedbackAt, complaint.withdrawnAt].filter((time): time is string => time !== null).map((time) => new Date(time));
  return times.length === 0 ? null : new Date(Math.min(...times.map((time) => time.getTime())));
}

/** Checked against the types generated from schema.graphql (parents are the records records.ts builds). */
export function createResolvers(rules: ComplaintRules) {
  return {
    ComplaintConnection: complaintConnectionResolvers.ComplaintConnection,
    Query: {
      ...complaintConnectionResolvers.Query,
      ...complaintAggregateResolvers,
      ...complaintAnalysisResolvers,
      async complaint(_root, args, { loaders }) {
        const complaintNo = parseBusinessNumber(args.complaintNo, 'complaintNo', BUSINESS_NUMBERS.complaintNo);
        const row = await loaders.complaintByNo.load(complaintNo);
        return row && complaintRecord(row);
      },
      async complaintById(_root, args, { loaders }) {
        const row = await loaders.complaintById.load(parseEntityId(args.id, 'id'));
        return row && complaintRecord(row);
      },
    },

    Mutation: createMutationResolvers(),

    Complaint: {
      async __resolveReference(reference, { loaders }) {
        const complaintNo = parseBusinessNumber(reference.complaintNo, 'representations', BUSINESS_NUMBERS.complaintNo);
        const row = await loaders.complaintByNo.load(complaintNo);
        return row && complaintRecord(row);
      },
      async steps(complaint, _args, { loaders }) {
        const rows = await loaders.stepsByComplaintId.load(complaint.id);
        return rows.map((row) => complaintStepRecord(row, complaint[ROW_SCOPE]));
      },
      async extensions(complaint, _args, { loaders }) {
        const rows = await loaders.extensionsByComplaintId.load(complaint.id);
        return rows.map((row) => deadlineExtensionRecord(row, complaint[ROW_SCOPE]));
      },
      async extensionRequests(complaint, _args, { loaders }) {
        const rows = await loaders.extensionRequestsByComplaintId.load(complaint.id);
        return rows.map((row) => extensionRequestRecord(row, complaint[ROW_SCOPE]));
      },
      async escalations(complaint, _args, { loaders }) {
        const rows = await loaders.escalationsByComplaintId.load(complaint.id);
        return rows.map((row) => escalationRecord(row, complaint[ROW_SCOPE]));
      },
      deadlineWarningAt(complaint) {
        return toIsoTimestamp(deadlineWarningAt(new Date(complaint.acceptedAt), complaint.deadlineDays, rules))!;
      },
      overdue(complaint, args, { clock }) {
        const asOf = parseAsOf(args.asOf, 'asOf', clock);
        return isOverdue(complaint.dueDate, deadlineClosedAt(complaint), asOf);
      },
      deadlineWarning(complaint, args, { clock }) {
        const asOf = parseAsOf(args.asOf, 'asOf', clock);
        return isDeadlineWarning(deadlineWarningAt(new Date(complaint.acceptedAt), complaint.deadlineDays, rules), deadlineClosedAt(complaint), asOf);
      },
    },

    Customer: {
      // The customer itself lives in the customers subgraph, which holds its row scope; here it is
      // only a key with a list of complaints, each carrying its own scope.
      __resolveReference(reference) {
        return { id: parseEntityId(reference.id, 'representations') };
      },
      async complaints(customer, args, { loaders }) {
        const rows = await loaders.complaintsByCustomerId.load(customer.id);
        return rows.filter((row) => !args.status || row.status === args.status).map(complaintRecord);
      },
    },
  } satisfies Resolvers;
}
