/**
 * The blacklist (黑名单, DOMAIN.md section 5; README "Mutations"): proposed → active (a second person, never the
 * proposer) → lifted or expired, reviewed yearly; a proposal may be rejected. The reason is RESTRICTED. Every change
 * records a `customer.blacklist-changed` event in its transaction, which the policy admin system applies to its own
 * refusal state (quote, bind and renew answer CUSTOMER_BLACKLISTED while the entry is active). Each mutation runs
 * through `runMutation`: authorised by the policy's `actions`, idempotent, versioned and audited.
 */
import {
  allocateId,
  changedFields,
  expectVersion,
  invalidInput,
  isoDate,
  medicalWordsIn,
  notFound,
  parseEntityId,
  parseExpectedVersion,
  parseText,
  recordEvent,
  runMutation,
  scopeOfRow,
  sqlTimestamp,
  toIsoDate,
  updateVersioned,
  defineStateMachine,
  type ActionTarget,
  type EventRecorder,
  type Knex,
  type RecordChange,
  type RowScope,
  type ScheduledJob,
  type ScheduledJobContext,
} from '@icg/shared';
import { GraphQLError } from 'graphql';
import { countCustomers, countGroupOf } from './customer-counts';
import { entities } from './entities';
import type { MutationResolvers, ResolverContext } from './generated/schema-types';
import { aYearAfter } from './manager-deadlines';
import { blacklistEntryRecord, type BlacklistEntryRow, type BlacklistStatus, type CustomerRow } from './records';

export const BLACKLIST_ENTRIES = 'blacklist_entries';
const REASON_WIDTH = 500;

/** PROPOSED → ACTIVE (approved) or REJECTED; ACTIVE → ACTIVE (reviewed), LIFTED or EXPIRED. */
export const blacklistMachine = defineStateMachine<BlacklistStatus>('blacklist entry', {
  PROPOSED: ['ACTIVE', 'REJECTED'],
  ACTIVE: ['ACTIVE', 'LIFTED', 'EXPIRED'],
  REJECTED: [],
  LIFTED: [],
  EXPIRED: [],
});

/** The states in which an entry is open: a customer has at most one (blacklist_entries.open_customer_id). */
const OPEN_STATES: readonly BlacklistStatus[] = ['PROPOSED', 'ACTIVE'];

function customerScope(row: CustomerRow): RowScope {
  return scopeOfRow('Customer', entities.Customer, row);
}

interface EntryTarget extends ActionTarget {
  entry: BlacklistEntryRow;
  customer: CustomerRow;
}

/** An entry in its customer's scope, the proposer named for the two-person rule; the customer's row locked (MySQL). */
async function entryTarget(trx: Knex.Transaction, id: string): Promise<EntryTarget> {
  const entry = (await trx(BLACKLIST_ENTRIES).where({ id }).first()) as BlacklistEntryRow | undefined;
  if (!entry) throw notFound('BlacklistEntry', 'entryId');
  const customer = (await trx('customers').where({ id: entry.customer_id }).forUpdate().first()) as CustomerRow;
  return {
    scope: { ...customerScope(customer), recordKey: `BlacklistEntry:${id}` },
    people: { proposer: String(entry.proposed_by_staff_id) },
    entry,
    customer,
  };
}

/** The event every change records: the customer's blacklist state after it, for the policy admin system. */
async function recordChange(trx: Knex.Transaction, context: { events: EventRecorder }, customer: CustomerRow, status: BlacklistStatus, at: Date) {
  await recordEvent(trx, context, {
    type: 'customer.blacklist-changed',
    aggregate: `Customer:${customer.id}`,
    payload: { customerId: String(customer.id), customerNo: customer.customer_no, blacklisted: status === 'ACTIVE', status, effectiveAt: at.toISOString() },
  });
}

/** The customer's own flag follows the entry (Customer.blacklisted). */
async function setCustomerFlag(trx: Knex.Transaction, customer: CustomerRow, blacklisted: boolean): Promise<void> {
  await trx('customers').where({ id: customer.id }).update({ blacklisted });
  // Every caller read the row under its lock (forUpdate), so its flag is the one this update replaces.
  const before = countGroupOf(customer);
  if (before.blacklisted !== blacklisted)
    await countCustomers(trx, [
      { group: before, delta: -1 },
      { group: { ...before, blacklisted }, delta: 1 },
    ]);
}

/** The reason: required, at most 500 characters, and no health facts (the field is CREDIT, not HEALTH). */
function parseReason(value: unknown): string {
  const reason = parseText(value, 'reason', { maxLength: REASON_WIDTH, required: true })!;
  if (medicalWordsIn(reason).length > 0) throw invalidInput('reason', 'must not name injuries, illness or treatment: state the conduct, not health');
  return reason;
}

type EntryRef = { entryId: string };

/**
 * INVALID_TRANSITION for a step on an entry in another state than the one it starts from, with the entry's state and
 * the states it may go to — also where the machine would allow the target from there (reviewing a proposal).
 */
function stepRefused(current: BlacklistStatus, step: { action: string; from: BlacklistStatus; to: BlacklistStatus }): GraphQLError {
  const allowed = blacklistMachine.next(current);
  const options = allowed.length === 0 ? 'none (it is final)' : allowed.join(', ');
  return new GraphQLError(`${step.action} needs a ${step.from} blacklist entry; this one is ${current}, allowed next: ${options}`, {
    extensions: { code: 'INVALID_TRANSITION', currentState: current, requestedState: step.to, allowed: [...allowed] },
  });
}

function statusChange(
  entryId: string,
  from: number,
  to: number,
  before: BlacklistStatus,
  after: BlacklistStatus,
  more: RecordChange['fields'] = {},
): RecordChange {
  return { recordKey: `BlacklistEntry:${entryId}`, beforeVersion: from, afterVersion: to, fields: { status: { before, after }, ...more } };
}

/**
 * One step on an existing entry: load, authorise (runMutation), check the transition and the version, write the
 * entry, the customer's flag when it changes, and the event — all in the one transaction.
 */
async function entryStep(
  context: ResolverContext,
  args: { entryId: unknown; expectedVersion: unknown; idempotencyKey: unknown },
  step: {
    action: 'blacklist.approve' | 'blacklist.reject' | 'blacklist.review' | 'blacklist.lift' | 'blacklist.expire';
    /** The one state the step starts from: a review (ACTIVE → ACTIVE) is no approval (PROPOSED → ACTIVE). */
    from: BlacklistStatus;
    to: BlacklistStatus;
    /** Checks beyond the state machine (the expiry's review day). */
    check?: (entry: BlacklistEntryRow, now: Date) => void;
    columns: (now: Date, entry: BlacklistEntryRow) => Record<string, unknown>;
  },
) {
  const id = parseEntityId(args.entryId, 'entryId');
  const seen = parseExpectedVersion(args.expectedVersion);
  await runMutation<EntryTarget, EntryRef>(context, {
    action: step.action,
    idempotencyKey: args.idempotencyKey,
    input: { entryId: id, expectedVersion: seen },
    loadTarget: (trx) => entryTarget(trx, id),
    perform: async (trx, { entry, customer }, _decision, now) => {
      if (entry.status !== step.from) throw stepRefused(entry.status, step);
      blacklistMachine.assertTransition(entry.status, step.to);
      expectVersion('BlacklistEntry', Number(entry.version ?? 1), seen);
      step.check?.(entry, now);
      const columns = { status: step.to, ...step.columns(now, entry), ...(OPEN_STATES.includes(step.to) ? {} : { open_customer_id: null }) };
      const version = await updateVersioned(trx, {
        entity: 'BlacklistEntry',
        table: BLACKLIST_ENTRIES,
        where: { id },
        expectedVersion: seen,
        changes: columns,
      });
      const wasBlacklisted = entry.status === 'ACTIVE';
      const isBlacklisted = step.to === 'ACTIVE';
      if (wasBlacklisted !== isBlacklisted) await setCustomerFlag(trx, customer, isBlacklisted);
      await recordChange(trx, context, customer, step.to, now);
      const fields: RecordChange['fields'] = Object.fromEntries(
        Object.entries(columns)
          .filter(([column]) => column !== 'status')
          .map(([column, value]) => [column, { before: (entry as unknown as Record<string, unknown>)[column] ?? null, after: value }]),
      );
      const changes: RecordChange[] = [statusChange(id, seen, version, entry.status, step.to, fields)];
      if (wasBlacklisted !== isBlacklisted)
        changes.push({
          recordKey: `Customer:${customer.id}`,
          beforeVersion: Number(customer.version),
          afterVersion: Number(customer.version),
          fields: { blacklisted: { before: wasBlacklisted, after: isBlacklisted } },
        });
      return { result: { entryId: id }, changes };
    },
  });
  return loadEntryRecord(context, id);
}

export const blacklistMutations = {
  proposeBlacklistEntry: async (_root, { customerId, reason, idempotencyKey }, context) => {
    const id = parseEntityId(customerId, 'customerId');
    const why = parseReason(reason);
    const { entryId } = await runMutation<ActionTarget & { customer: CustomerRow }, EntryRef>(context, {
      action: 'blacklist.propose',
      idempotencyKey,
      input: { customerId: id, reason: why },
      loadTarget: async (trx) => {
        // Locked (MySQL): two proposals for one customer take turns, and the second finds the first.
        const customer = (await trx('customers').where({ id }).forUpdate().first()) as CustomerRow | undefined;
        if (!customer) throw notFound('Customer', 'customerId');
        return { scope: customerScope(customer), customer };
      },
      perform: async (trx, { customer }, _decision, now) => {
        const open = (await trx(BLACKLIST_ENTRIES).where({ open_customer_id: customer.id }).first('status')) as Pick<BlacklistEntryRow, 'status'> | undefined;
        // No state leads back to PROPOSED: the error names the open entry's state and what it may become.
        if (open) blacklistMachine.assertTransition(open.status, 'PROPOSED');
        const entryId = await allocateId(trx, BLACKLIST_ENTRIES);
        const row: BlacklistEntryRow = {
          id: entryId,
          customer_id: customer.id,
          status: 'PROPOSED',
          reason: why,
          proposed_by_staff_id: context.caller.staffId,
          approved_by_staff_id: null,
          proposed_at: sqlTimestamp(now),
          activated_at: null,
          lifted_at: null,
          expired_at: null,
          review_due: null,
          version: 1,
          open_customer_id: customer.id,
        };
        await trx(BLACKLIST_ENTRIES).insert(row);
        await recordChange(trx, context, customer, 'PROPOSED', now);
        return {
          result: { entryId: String(entryId) },
          changes: [
            {
              recordKey: `BlacklistEntry:${entryId}`,
              beforeVersion: null,
              afterVersion: 1,
              fields: {
                customerId: { before: null, after: String(customer.id) },
                status: { before: null, after: 'PROPOSED' },
                reason: { before: null, after: why },
              },
            },
          ],
        };
      },
    });
    return loadEntryRecord(context, entryId);
  },

  approveBlacklistEntry: (_root, args, context) =>
    entryStep(context, args, {
      action: 'blacklist.approve',
      from: 'PROPOSED',
      to: 'ACTIVE',
      // Reviewed a year after it became active.
      columns: (now) => ({ approved_by_staff_id: context.caller.staffId, activated_at: sqlTimestamp(now), review_due: aYearAfter(isoDate(now)) }),
    }),

  rejectBlacklistEntry: (_root, args, context) =>
    entryStep(context, args, {
      action: 'blacklist.reject',
      from: 'PROPOSED',
      to: 'REJECTED',
      columns: (now) => ({ rejected_by_staff_id: context.caller.staffId, rejected_at: sqlTimestamp(now) }),
    }),

  reviewBlacklistEntry: (_root, args, context) =>
    entryStep(context, args, {
      action: 'blacklist.review',
      from: 'ACTIVE',
      to: 'ACTIVE',
      columns: (now) => ({ last_reviewed_by_staff_id: context.caller.staffId, last_reviewed_at: sqlTimestamp(now), review_due: aYearAfter(isoDate(now)) }),
    }),

  liftBlacklistEntry: (_root, args, context) =>
    entryStep(context, args, {
      action: 'blacklist.lift',
      from: 'ACTIVE',
      to: 'LIFTED',
      columns: (now) => ({ lifted_by_staff_id: context.caller.staffId, lifted_at: sqlTimestamp(now), review_due: null }),
    }),

  expireBlacklistEntry: (_root, args, context) =>
    entryStep(context, args, {
      action: 'blacklist.expire',
      from: 'ACTIVE',
      to: 'EXPIRED',
      check: (entry, now) => {
        const due = toIsoDate(entry.review_due);
        if (due !== null && isoDate(now) < due) throw invalidInput('entryId', `is not due for review until ${due}: lift it to end it sooner`);
      },
      columns: (now) => ({ expired_by_staff_id: context.caller.staffId, expired_at: sqlTimestamp(now), review_due: null }),
    }),
} satisfies MutationResolvers;

async function loadEntryRecord(context: ResolverContext, id: string) {
  context.loaders.blacklistEntryById.clear(id);
  const row = await context.loaders.blacklistEntryById.load(id);
  if (!row) return null;
  context.loaders.customerById.clear(String(row.customer_id));
  const customer = await context.loaders.customerById.load(String(row.customer_id));
  return customer ? blacklistEntryRecord(row, customerScope(customer)) : null;
}

// --- The schedule: entries nobody reviewed expire ------------------------------------------------------------

export const BLACKLIST_EXPIRY_JOB = 'blacklist-expiry';

export interface BlacklistExpiryResult {
  expired: number;
}

/**
 * Expires every ACTIVE entry whose yearly review day has passed without a review (the day itself is still the
 * reviewer's), each in its own transaction with its event, so policies serves the customer again. A scheduled job
 * acts for nobody: the entry records no staff member as having expired it.
 */
export async function expireUnreviewedEntries(
  db: Knex,
  now: Date,
  events: EventRecorder,
  audited: ScheduledJobContext['transaction'],
): Promise<BlacklistExpiryResult> {
  const today = isoDate(now);
  const due = (await db(BLACKLIST_ENTRIES).where('status', 'ACTIVE').andWhere('review_due', '<', today).orderBy('id').select('id')) as {
    id: number | string;
  }[];
  let expired = 0;
  for (const { id } of due) {
    const done = await audited(async (trx, changes) => {
      const entry = (await trx(BLACKLIST_ENTRIES).where({ id }).forUpdate().first()) as BlacklistEntryRow | undefined;
      // Reviewed, lifted or expired by someone since it was listed.
      if (!entry || entry.status !== 'ACTIVE' || toIsoDate(entry.review_due)! >= today) return false;
      const customer = (await trx('customers').where({ id: entry.customer_id }).forUpdate().first()) as CustomerRow;
      const expiry = { status: 'EXPIRED', expired_at: sqlTimestamp(now), expired_by_staff_id: null, review_due: null, open_customer_id: null };
      const version = await updateVersioned(trx, {
        entity: 'BlacklistEntry',
        table: BLACKLIST_ENTRIES,
        where: { id },
        expectedVersion: Number(entry.version ?? 1),
        changes: expiry,
      });
      await setCustomerFlag(trx, customer, false);
      changes.record({
        recordKey: `BlacklistEntry:${id}`,
        beforeVersion: Number(entry.version ?? 1),
        afterVersion: version,
        fields: changedFields(entry, expiry),
      });
      changes.record({
        recordKey: `Customer:${customer.id}`,
        beforeVersion: null,
        afterVersion: null,
        fields: { blacklisted: { before: true, after: false } },
      });
      await recordChange(trx, { events }, customer, 'EXPIRED', now);
      return true;
    });
    if (done) expired++;
  }
  return { expired };
}

export function blacklistExpiryJob(intervalSeconds: number): ScheduledJob {
  return {
    name: BLACKLIST_EXPIRY_JOB,
    intervalMs: intervalSeconds * 1_000,
    run: ({ db, clock, events, transaction }) => expireUnreviewedEntries(db, clock.now(), events, transaction),
  };
}
