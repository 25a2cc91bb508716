/**
 * The policy workflow (DOMAIN.md section 4): quote, bind, renew, cancel and reinstate, each through
 * runMutation (authorised by the policy file's `actions`, idempotent, versioned, audited, in one
 * transaction with its outbox events). Quote, bind and renew refuse a blacklisted customer from the
 * refusal state the customers system's blacklist events keep here (blacklist-state.ts).
 */
import {
  BUSINESS_NUMBERS,
  dialectOf,
  expectVersion,
  invalidInput,
  isoDate,
  notFound,
  parseBusinessNumber,
  parseEntityId,
  parseExpectedVersion,
  recordEvent,
  rowScope,
  runMutation,
  sqlTimestamp,
  toId,
  toIsoDate,
  touch,
  updateVersioned,
  type EventPayload,
  type Knex,
  type RecordChange,
} from '@icg/shared';
import { refuseIfBlacklisted } from './blacklist-state';
import { findProduct, PRODUCT_CODES, type Product } from './catalog';
import type { MutationResolvers, ResolverContext } from './generated/schema-types';
import { policyLifecycle } from './policy-lifecycle';
import { checkPremiumWithinSumInsured, datePlusDays, daysBetween, parseCoverPeriod, parseDate, parseMoney } from './policy-input';
import {
  allocatePolicyNumber,
  branchIdOfPath,
  copyPeopleAndObjects,
  insertCoverages,
  newPolicyRow,
  placementOfCustomer,
  renewedCoverages,
  type CustomerPlacement,
} from './policy-writes';
import { objectKeyOf, policyRecord, policyScope, type CoverageRow, type InsuredObjectRow, type PolicyRow, type ScopedPolicyRecord } from './records';
import { standardCoverages } from './standard-coverages';

/** What every policy mutation answers and a retry gets back: the policy's number, never a personal value. */
interface PolicyResult {
  policyNo: string;
  [key: string]: string;
}

const field = (name: string): string => `input.${name}`;

/** Money fields are named `input.<field>` in errors, like every other input field. */
const money = (value: number, name: string): number => parseMoney(value, field(name));

function parsePolicyNo(value: unknown): string {
  return parseBusinessNumber(value, field('policyNo'), BUSINESS_NUMBERS.policyNo);
}

/**
 * The policy an action is on. On MySQL its row is locked for the transaction, so two actions on one policy
 * take turns (two renewals at once cannot both find it unrenewed); SQLite runs one write transaction at a time.
 */
async function lockedPolicy(trx: Knex.Transaction, policyNo: string): Promise<PolicyRow> {
  const query = trx('policies').where('policy_no', policyNo).first();
  const row = (await (dialectOf(trx) === 'mysql' ? query.forUpdate() : query)) as PolicyRow | undefined;
  if (!row) throw notFound('policy', field('policyNo'));
  return row;
}

const versionOf = (row: PolicyRow): number => row.version ?? 1;
const dateOf = (value: PolicyRow['effective_date']): string => toIsoDate(value)!;
const amount = (value: number | string): string => (Math.round(Number(value) * 100) / 100).toFixed(2);

/** The target of an action on an existing policy: its row scope, read as the read rules read it. */
function policyTarget(row: PolicyRow) {
  return { scope: policyScope(row), row };
}

/** Every changed column, before and after, for the audit trail (which keeps only their keyed hashes). */
function changeOf(
  policyNo: string,
  beforeVersion: number | null,
  afterVersion: number,
  before: Partial<PolicyRow> | null,
  after: Partial<PolicyRow>,
): RecordChange {
  const fields: Record<string, { before: unknown; after: unknown }> = {};
  for (const [column, value] of Object.entries(after))
    fields[column] = { before: before ? ((before as Record<string, unknown>)[column] ?? null) : null, after: value };
  return { recordKey: `Policy:${policyNo}`, beforeVersion, afterVersion, fields };
}

/** Pending reminders of a policy that will not go out (renewed, cancelled). */
async function withdrawScheduledReminders(trx: Knex.Transaction, policyId: string): Promise<void> {
  await trx('renewal_reminders').where({ policy_id: policyId, status: 'SCHEDULED' }).update({ status: 'CANCELLED' });
}

async function answer(context: ResolverContext, result: PolicyResult): Promise<ScopedPolicyRecord | null> {
  const row = await context.loaders.policyByNo.load(result.policyNo);
  return row ? policyRecord(row) : null;
}

// --- quote ------------------------------------------------------------------------------------------

interface QuoteTarget {
  scope: ReturnType<typeof rowScope>;
  customerId: string;
  product: Product;
  placement: CustomerPlacement;
  servicingManagerStaffId: string | null;
}

export const policyMutations = {
  async quotePolicy(_root, { input }, context) {
    const { idempotencyKey, ...request } = input;
    const customerId = parseEntityId(input.customerId, field('customerId'));
    const product = findProduct(input.productCode);
    if (!product) throw invalidInput(field('productCode'), `must be a product of the catalogue: ${PRODUCT_CODES.join(', ')}`);
    const sumInsured = money(input.sumInsured, 'sumInsured');
    const writtenPremium = money(input.writtenPremium, 'writtenPremium');
    checkPremiumWithinSumInsured(writtenPremium, sumInsured, field('writtenPremium'));
    const servicingInput =
      input.servicingManagerId === undefined || input.servicingManagerId === null ? null : parseEntityId(input.servicingManagerId, field('servicingManagerId'));
    const result = await runMutation<QuoteTarget, PolicyResult>(context, {
      action: 'policy.quote',
      idempotencyKey,
      input: request,
      async loadTarget(trx) {
        // A customer this store knows stays with the branch and manager of their policies; a new one is the caller's.
        const placement = (await placementOfCustomer(trx, customerId)) ?? {
          branchId: branchIdOfPath(context.caller.branchPath),
          branchPath: context.caller.branchPath,
          customerManagerStaffId: null,
        };
        const servicingManagerStaffId =
          servicingInput ?? (context.caller.role === 'CUSTOMER_MANAGER' ? context.caller.staffId : placement.customerManagerStaffId);
        // Authorised on the customer's scope: a manager quotes for their own customers, not a colleague's.
        const responsible = placement.customerManagerStaffId ?? servicingManagerStaffId;
        return {
          scope: { ...rowScope(placement.branchPath, responsible), recordKey: `Customer:${customerId}` },
          customerId,
          product,
          placement,
          servicingManagerStaffId,
        };
      },
      async perform(trx, target, _decision, now) {
        // Checked against the clock here, after the idempotency key: a retry on a later day still gets its first answer.
        const period = parseCoverPeriod(input, isoDate(now), field);
        await refuseIfBlacklisted(trx, target.customerId);
        const number = await allocatePolicyNumber(trx, target.product.line, now);
        const row = newPolicyRow({
          number,
          customerId: target.customerId,
          product: target.product,
          channel: input.channel,
          ...period,
          sumInsured,
          writtenPremium,
          placement: target.placement,
          servicingManagerStaffId: target.servicingManagerStaffId,
          priorPolicyNo: null,
          now,
        });
        await trx('policies').insert(row);
        await insertCoverages(trx, number.id, standardCoverages(target.product, sumInsured, writtenPremium));
        return { result: { policyNo: number.policyNo }, changes: [changeOf(number.policyNo, null, 1, null, row)] };
      },
    });
    return answer(context, result);
  },

  // --- bind -----------------------------------------------------------------------------------------

  async bindPolicy(_root, { input }, context) {
    const { idempotencyKey, ...request } = input;
    const policyNo = parsePolicyNo(input.policyNo);
    const expectedVersion = parseExpectedVersion(input.expectedVersion, field('expectedVersion'));
    const result = await runMutation(context, {
      action: 'policy.bind',
      idempotencyKey,
      input: request,
      loadTarget: async (trx) => policyTarget(await lockedPolicy(trx, policyNo)),
      async perform(trx, { row }, _decision, now) {
        expectVersion('policy', versionOf(row), expectedVersion);
        const today = isoDate(now);
        const effectiveDate = dateOf(row.effective_date);
        const status = effectiveDate <= today ? 'IN_FORCE' : 'BOUND';
        policyLifecycle.assertTransition(row.status, status);
        if (effectiveDate < today) throw invalidInput(field('policyNo'), `the quote's cover was to start on ${effectiveDate}, which has passed: quote again`);
        await refuseIfBlacklisted(trx, toId(row.customer_id));
        const changes: Partial<PolicyRow> = {
          status,
          bound_at: sqlTimestamp(now),
          payment_status: input.premiumPaid ? 'PAID' : 'UNPAID',
          arrears_days: 0,
          // The premium falls due when cover starts; the grace period for non-payment runs from then.
          premium_due_since: input.premiumPaid ? null : effectiveDate,
        };
        const version = await updateVersioned(trx, {
          entity: 'policy',
          table: 'policies',
          where: { id: toId(row.id) },
          expectedVersion,
          changes: { ...changes, ...touch(now) },
        });
        const recorded: RecordChange[] = [changeOf(policyNo, expectedVersion, version, row, changes)];
        const bound = { ...row, ...changes };
        const payload = boundPayload(bound, await insuredObjectKeysOf(trx, toId(row.id)));
        await recordEvent(trx, context, { type: 'policy.bound', aggregate: `Policy:${policyNo}`, payload });
        if (row.prior_policy_no !== null) recorded.push(...(await completeRenewal(trx, context, payload, row.prior_policy_no)));
        return { result: { policyNo }, changes: recorded };
      },
    });
    return answer(context, result);
  },

  // --- renew ----------------------------------------------------------------------------------------

  async renewPolicy(_root, { input }, context) {
    const { idempotencyKey, ...request } = input;
    const policyNo = parsePolicyNo(input.policyNo);
    const expectedVersion = parseExpectedVersion(input.expectedVersion, field('expectedVersion'));
    const sumInsuredInput = input.sumInsured === undefined || input.sumInsured === null ? null : money(input.sumInsured, 'sumInsured');
    const premiumInput = input.writtenPremium === undefined || input.writtenPremium === null ? null : money(input.writtenPremium, 'writtenPremium');
    const result = await runMutation(context, {
      action: 'policy.renew',
      idempotencyKey,
      input: request,
      loadTarget: async (trx) => policyTarget(await lockedPolicy(trx, policyNo)),
      async perform(trx, { row: prior }, _decision, now) {
        expectVersion('policy', versionOf(prior), expectedVersion);
        policyLifecycle.assertTransition(prior.status, 'RENEWED');
        const existing = (await trx('policies').where('prior_policy_no', policyNo).first('policy_no')) as { policy_no: string } | undefined;
        if (existing) throw invalidInput(field('policyNo'), `is already renewed by ${existing.policy_no}; bind that one`);
        await refuseIfBlacklisted(trx, toId(prior.customer_id));
        const sumInsured = sumInsuredInput ?? Number(prior.sum_insured);
        const writtenPremium = premiumInput ?? Number(prior.written_premium);
        checkPremiumWithinSumInsured(writtenPremium, sumInsured, field('writtenPremium'));
        // The next term starts when this one ends, or today for a policy that already ran out; same length.
        const priorExpiry = dateOf(prior.expiry_date);
        const today = isoDate(now);
        const effectiveDate = priorExpiry > today ? priorExpiry : today;
        const termDays = Math.max(1, daysBetween(dateOf(prior.effective_date), priorExpiry));
        const expiryDate = datePlusDays(effectiveDate, termDays);
        const number = await allocatePolicyNumber(trx, prior.line_of_business, now);
        // The product as the prior policy names it (it may no longer be sold to new customers).
        const product = { code: prior.product_code, name: prior.product_name, line: prior.line_of_business };
        const row = newPolicyRow({
          number,
          customerId: toId(prior.customer_id),
          product,
          channel: prior.channel,
          effectiveDate,
          expiryDate,
          sumInsured,
          writtenPremium,
          placement: {
            branchId: toId(prior.branch_id),
            branchPath: prior.branch_path,
            customerManagerStaffId: prior.customer_manager_staff_id === null ? null : toId(prior.customer_manager_staff_id),
          },
          servicingManagerStaffId: prior.servicing_manager_staff_id === null ? null : toId(prior.servicing_manager_staff_id),
          priorPolicyNo: policyNo,
          now,
        });
        await trx('policies').insert(row);
        const priorCoverages: CoverageRow[] = await trx('policy_coverages').where('policy_id', toId(prior.id)).orderBy('id', 'asc');
        await insertCoverages(trx, number.id, renewedCoverages(priorCoverages, writtenPremium));
        await copyPeopleAndObjects(trx, toId(prior.id), number.id);
        return { result: { policyNo: number.policyNo }, changes: [changeOf(number.policyNo, null, 1, null, row)] };
      },
    });
    return answer(context, result);
  },

  // --- cancel ---------------------------------------------------------------------------------------

  async cancelPolicy(_root, { input }, context) {
    const { idempotencyKey, ...request } = input;
    const policyNo = parsePolicyNo(input.policyNo);
    const expectedVersion = parseExpectedVersion(input.expectedVersion, field('expectedVersion'));
    const cancelledOnInput = input.cancelledOn === undefined || input.cancelledOn === null ? null : parseDate(input.cancelledOn, field('cancelledOn'));
    const result = await runMutation(context, {
      action: 'policy.cancel',
      idempotencyKey,
      input: request,
      loadTarget: async (trx) => policyTarget(await lockedPolicy(trx, policyNo)),
      async perform(trx, { row }, _decision, now) {
        expectVersion('policy', versionOf(row), expectedVersion);
        policyLifecycle.assertTransition(row.status, 'CANCELLED');
        const today = isoDate(now);
        const effectiveDate = dateOf(row.effective_date);
        // Cancellation takes effect at once; it may be dated back to when the cause arose (an object sold),
        // but not before cover started.
        const earliest = effectiveDate < today ? effectiveDate : today;
        const cancelledOn = cancelledOnInput ?? today;
        if (cancelledOn > today || cancelledOn < earliest) throw invalidInput(field('cancelledOn'), `must be from ${earliest} to ${today}`);
        const forNonPayment = input.reason === 'NON_PAYMENT';
        if (forNonPayment && row.payment_status === 'PAID') throw invalidInput(field('reason'), 'NON_PAYMENT needs an unpaid premium; this one is paid');
        const changes: Partial<PolicyRow> = {
          status: 'CANCELLED',
          terminated_at: cancelledOn === today ? sqlTimestamp(now) : `${cancelledOn} 00:00:00`,
          termination_reason: input.reason,
          // A paid premium is refunded (pro rata, by the finance system); an unpaid one stays owed.
          payment_status: row.payment_status === 'PAID' ? 'REFUNDED' : row.payment_status,
        };
        const version = await updateVersioned(trx, {
          entity: 'policy',
          table: 'policies',
          where: { id: toId(row.id) },
          expectedVersion,
          changes: { ...changes, ...touch(now) },
        });
        await withdrawScheduledReminders(trx, toId(row.id));
        await recordEvent(trx, context, {
          type: 'policy.cancelled',
          aggregate: `Policy:${policyNo}`,
          payload: { policyNo, customerId: toId(row.customer_id), cancelledOn, forNonPayment, branchId: toId(row.branch_id) },
        });
        return { result: { policyNo }, changes: [changeOf(policyNo, expectedVersion, version, row, changes)] };
      },
    });
    return answer(context, result);
  },

  // --- reinstate ------------------------------------------------------------------------------------

  async reinstatePolicy(_root, { input }, context) {
    const { idempotencyKey, ...request } = input;
    const policyNo = parsePolicyNo(input.policyNo);
    const expectedVersion = parseExpectedVersion(input.expectedVersion, field('expectedVersion'));
    const result = await runMutation(context, {
      action: 'policy.reinstate',
      idempotencyKey,
      input: request,
      loadTarget: async (trx) => policyTarget(await lockedPolicy(trx, policyNo)),
      async perform(trx, { row }, _decision, now) {
        expectVersion('policy', versionOf(row), expectedVersion);
        const today = isoDate(now);
        const status = dateOf(row.effective_date) > today ? 'BOUND' : 'IN_FORCE';
        policyLifecycle.assertTransition(row.status, status);
        const expiryDate = dateOf(row.expiry_date);
        if (expiryDate <= today) throw invalidInput(field('policyNo'), `cover ended on ${expiryDate}: a policy past its expiry is renewed, not reinstated`);
        // Back in force only with the premium in hand.
        if (row.payment_status !== 'PAID' && input.arrearsSettled !== true)
          throw invalidInput(field('arrearsSettled'), 'must be true: the premium of this policy is not paid, and a reinstated policy must be');
        const changes: Partial<PolicyRow> = {
          status,
          terminated_at: null,
          termination_reason: null,
          payment_status: 'PAID',
          arrears_days: 0,
          premium_due_since: null,
        };
        const version = await updateVersioned(trx, {
          entity: 'policy',
          table: 'policies',
          where: { id: toId(row.id) },
          expectedVersion,
          changes: { ...changes, ...touch(now) },
        });
        await recordEvent(trx, context, {
          type: 'policy.reinstated',
          aggregate: `Policy:${policyNo}`,
          payload: { policyNo, customerId: toId(row.customer_id), reinstatedOn: today, branchId: toId(row.branch_id) },
        });
        return { result: { policyNo }, changes: [changeOf(policyNo, expectedVersion, version, row, changes)] };
      },
    });
    return answer(context, result);
  },
} satisfies MutationResolvers;

function boundPayload(row: PolicyRow, insuredObjectKeys: string[]): EventPayload<'policy.bound'> {
  return {
    policyNo: row.policy_no,
    customerId: toId(row.customer_id),
    lineOfBusiness: row.line_of_business,
    effectiveDate: dateOf(row.effective_date),
    expiryDate: dateOf(row.expiry_date),
    writtenPremium: amount(row.written_premium),
    branchId: toId(row.branch_id),
    insuredObjectKeys,
  };
}

/** The keys of the objects the policy insures (a renewal's were copied from the policy it renews), in id order. */
async function insuredObjectKeysOf(trx: Knex.Transaction, policyId: string): Promise<string[]> {
  const objects = (await trx('insured_objects').where('policy_id', policyId).orderBy('id', 'asc').select('id', 'object_key')) as Pick<
    InsuredObjectRow,
    'id' | 'object_key'
  >[];
  return objects.map(objectKeyOf);
}

/**
 * Binding a renewal renews the prior policy: its pending reminders are withdrawn, and one that already ran
 * out is RENEWED now (one still covering becomes RENEWED on its expiry date, by the policy clock).
 */
async function completeRenewal(
  trx: Knex.Transaction,
  context: ResolverContext,
  renewal: EventPayload<'policy.bound'>,
  priorPolicyNo: string,
): Promise<RecordChange[]> {
  const prior = (await trx('policies').where('policy_no', priorPolicyNo).first()) as PolicyRow | undefined;
  if (!prior) return [];
  await withdrawScheduledReminders(trx, toId(prior.id));
  await recordEvent(trx, context, {
    type: 'policy.renewed',
    aggregate: `Policy:${priorPolicyNo}`,
    payload: { ...renewal, priorPolicyNo },
  });
  if (prior.status !== 'EXPIRED') return [];
  const changes: Partial<PolicyRow> = { status: 'RENEWED' };
  const version = await updateVersioned(trx, {
    entity: 'policy',
    table: 'policies',
    where: { id: toId(prior.id) },
    expectedVersion: versionOf(prior),
    changes: { ...changes, ...touch(context.clock.now()) },
  });
  return [changeOf(priorPolicyNo, versionOf(prior), version, prior, changes)];
}
