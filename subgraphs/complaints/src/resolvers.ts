import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { badUserInput, BUSINESS_NUMBERS, parseBusinessNumber, parseEntityId, scopeOf, toIsoTimestamp, type ComplaintStatus, type RowScope, type Scoped, type SubgraphContext } from '@icg/shared';
import { deadlineWarningAt, isOverdue, type ComplaintRules } from './deadlines';
import type { ComplaintLoaders } from './loaders';
import { toComplaint, toComplaintStep, toDeadlineExtension, type ComplaintRecord, type ComplaintStepRecord, type DeadlineExtensionRecord } from './records';

type Context = SubgraphContext<ComplaintLoaders>;

const ISO_UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** `asOf` arguments: an ISO 8601 UTC timestamp that names a real instant, or now when omitted. */
function parseAsOf(value: unknown, argumentName: string): Date {
  if (value === null || value === undefined) return new Date();
  const instant = typeof value === 'string' && ISO_UTC_TIMESTAMP.test(value) ? new Date(value) : null;
  // Date rolls 2026-02-30 over into March: only a real instant prints back as it was written.
  if (instant === null || Number.isNaN(instant.getTime()) || instant.toISOString().slice(0, 19) !== String(value).slice(0, 19)) {
    throw badUserInput(argumentName, 'must be an ISO 8601 UTC timestamp, e.g. "2024-05-01T08:00:00Z"');
  }
  return instant;
}

/** The complaint's own scope, which its steps and extensions inherit. */
function scopeOfComplaint(complaint: Scoped<ComplaintRecord>): RowScope {
  return scopeOf(complaint)!;
}

export function createResolvers(rules: ComplaintRules): GraphQLResolverMap<Context> {
  return {
    Query: {
      async complaint(_root: unknown, args: { complaintNo: unknown }, { loaders }: Context): Promise<Scoped<ComplaintRecord> | null> {
        const complaintNo = parseBusinessNumber(args.complaintNo, 'complaintNo', BUSINESS_NUMBERS.complaintNo);
        const row = await loaders.complaintByNo.load(complaintNo);
        return row && toComplaint(row);
      },
      async complaintById(_root: unknown, args: { id: unknown }, { loaders }: Context): Promise<Scoped<ComplaintRecord> | null> {
        const row = await loaders.complaintById.load(parseEntityId(args.id, 'id'));
        return row && toComplaint(row);
      },
    },

    Complaint: {
      async __resolveReference(reference: { complaintNo: unknown }, { loaders }: Context): Promise<Scoped<ComplaintRecord> | null> {
        const complaintNo = parseBusinessNumber(reference.complaintNo, 'representations', BUSINESS_NUMBERS.complaintNo);
        const row = await loaders.complaintByNo.load(complaintNo);
        return row && toComplaint(row);
      },
      async steps(complaint: Scoped<ComplaintRecord>, _args: unknown, { loaders }: Context): Promise<Scoped<ComplaintStepRecord>[]> {
        const rows = await loaders.stepsByComplaintId.load(complaint.id);
        return rows.map((row) => toComplaintStep(row, scopeOfComplaint(complaint)));
      },
      async extensions(complaint: Scoped<ComplaintRecord>, _args: unknown, { loaders }: Context): Promise<Scoped<DeadlineExtensionRecord>[]> {
        const rows = await loaders.extensionsByComplaintId.load(complaint.id);
        return rows.map((row) => toDeadlineExtension(row, scopeOfComplaint(complaint)));
      },
      deadlineWarningAt(complaint: ComplaintRecord): string {
        return toIsoTimestamp(deadlineWarningAt(new Date(complaint.acceptedAt), complaint.deadlineDays, rules))!;
      },
      overdue(complaint: ComplaintRecord, args: { asOf?: unknown }): boolean {
        const asOf = parseAsOf(args.asOf, 'asOf');
        return isOverdue(complaint.dueDate, complaint.feedbackAt === null ? null : new Date(complaint.feedbackAt), asOf);
      },
    },

    Customer: {
      // The customer itself lives in the customers subgraph, which holds its row scope; here it is
      // only a key with a list of complaints, each carrying its own scope.
      __resolveReference(reference: { id: unknown }): { id: string } {
        return { id: parseEntityId(reference.id, 'representations') };
      },
      async complaints(customer: { id: string }, args: { status?: ComplaintStatus | null }, { loaders }: Context): Promise<Scoped<ComplaintRecord>[]> {
        const rows = await loaders.complaintsByCustomerId.load(customer.id);
        return rows.filter((row) => !args.status || row.status === args.status).map(toComplaint);
      },
    },
  };
}
