/**
 * Customer record maintenance (README "Mutations"; DOMAIN.md section 4): a customer manager files customers and
 * proposes changes to their basic and additional information; the back office of the customer's branch (or a branch
 * above it) completes, approves or rejects them; an approved change becomes the record as its next version, and every
 * version is kept with who and when. Each mutation runs through the shared write-side runtime (`runMutation`):
 * authorised by the policy's `actions`, idempotent, versioned and audited.
 */
import { randomInt } from 'node:crypto';
import { GraphQLError, isObjectType, type GraphQLResolveInfo } from 'graphql';
import {
  allocateId,
  classificationOf,
  conflictError,
  defineStateMachine,
  expectVersion,
  invalidInput,
  invalidTransition,
  isoDate,
  notFound,
  parseEntityId,
  parseExpectedVersion,
  parseResidentId,
  parseText,
  parseUscc,
  recordEvent,
  rowScope,
  runMutation,
  scopeOfRow,
  sqlTimestamp,
  updateVersioned,
  valueAsCallerMaySee,
  type ActionTarget,
  type Knex,
  type RecordChange,
  type RowScope,
} from '@icg/shared';
import {
  DETAIL_FIELDS,
  changedDetailFields,
  checkAgainstResidentId,
  checkConsent,
  detailsOfCustomer,
  parseCustomerDetails,
  parseDetailsInput,
  proposalOfRow,
  sameValue,
  type CustomerDetails,
  type DetailField,
  type DetailsInput,
} from './customer-details';
import { countCustomers } from './customer-counts';
import { entities } from './entities';
import type { CreateCustomerInput, MutationResolvers, ResolverContext } from './generated/schema-types';
import { changeRequestRecord, customerRecord } from './records';
import type { AddressRow, BranchRow, ChangeRequestRow, ChangeRequestStatus, CustomerKind, CustomerRow, StaffRow } from './records';

/**
 * SUBMITTED (proposed) → APPROVED / REJECTED / WITHDRAWN, or RETURNED to its proposer with the reason; completing
 * keeps it SUBMITTED. A RETURNED request is resubmitted (SUBMITTED again, revised) or withdrawn.
 */
export const changeRequestMachine = defineStateMachine<ChangeRequestStatus>('customer change request', {
  SUBMITTED: ['SUBMITTED', 'APPROVED', 'REJECTED', 'RETURNED', 'WITHDRAWN'],
  RETURNED: ['SUBMITTED', 'WITHDRAWN'],
  APPROVED: [],
  REJECTED: [],
  WITHDRAWN: [],
});

const CHANGE_REQUESTS = 'customer_change_requests';
const REASON_WIDTH = 500;

/** The customer columns each detail field is stored in (addresses live in customer_addresses). */
const COLUMN_OF: Readonly<Record<Exclude<DetailField, 'addresses'>, keyof CustomerRow>> = {
  name: 'name',
  gender: 'gender',
  birthDate: 'birth_date',
  mobile: 'mobile',
  email: 'email',
  occupation: 'occupation',
  incomeBand: 'income_band',
  marketingConsent: 'marketing_consent',
  doNotSolicit: 'do_not_solicit',
};

function customerScope(row: CustomerRow): RowScope {
  return scopeOfRow('Customer', entities.Customer, row);
}

async function customerFor(trx: Knex.Transaction, id: string, argumentName: string): Promise<CustomerRow> {
  const row = (await trx('customers').where({ id }).first()) as CustomerRow | undefined;
  if (!row) throw notFound('Customer', argumentName);
  return row;
}

async function addressesOf(trx: Knex.Transaction, customerId: string | number): Promise<AddressRow[]> {
  return (await trx('customer_addresses').where({ customer_id: customerId }).orderBy('kind')) as AddressRow[];
}

interface ChangeRequestTarget extends ActionTarget {
  request: ChangeRequestRow;
  customer: CustomerRow;
}

/** A change request and its customer: the customer's scope decides; the proposer is named for the two-person rule. */
async function changeRequestTarget(trx: Knex.Transaction, id: string): Promise<ChangeRequestTarget> {
  const request = (await trx(CHANGE_REQUESTS).where({ id }).first()) as ChangeRequestRow | undefined;
  if (!request) throw notFound('CustomerChangeRequest', 'changeRequestId');
  const customer = await customerFor(trx, String(request.customer_id), 'changeRequestId');
  return {
    scope: { ...customerScope(customer), recordKey: `CustomerChangeRequest:${id}` },
    people: { proposer: String(request.submitted_by_staff_id) },
    request,
    customer,
  };
}

/** Each changed field before and after, for the audit trail (which keeps only keyed hashes of the values). */
function fieldChanges(before: Partial<CustomerDetails>, after: Partial<CustomerDetails>, fields: readonly DetailField[]): RecordChange['fields'] {
  return Object.fromEntries(fields.map((field) => [field, { before: before[field] ?? null, after: after[field] ?? null }]));
}

/** Details given as a change: at least one field, each valid for the customer's kind and identity document. */
function parseChanges(input: DetailsInput, customer: CustomerRow, today: Date): Partial<CustomerDetails> {
  const proposal = parseDetailsInput(input, customer.kind, 'changes', today);
  if (changedDetailFields(proposal).length === 0) throw invalidInput('changes', 'must set at least one field');
  if (customer.id_type === 'RESIDENT_ID') checkAgainstResidentId(proposal, customer.id_number, 'changes');
  return proposal;
}

function firstField(proposal: Partial<CustomerDetails>) {
  return DETAIL_FIELDS[changedDetailFields(proposal)[0]!];
}

// --- Creating a customer ------------------------------------------------------------------------------------

interface NewCustomer {
  kind: CustomerKind;
  idType: CreateCustomerInput['idType'];
  idNumber: string;
  details: CustomerDetails;
}

/** Everything createCustomer checks before it touches the store. */
function parseNewCustomer(input: CreateCustomerInput, today: Date): NewCustomer {
  const person = input.kind === 'INDIVIDUAL';
  const expectedType = person ? 'RESIDENT_ID' : 'USCC';
  if (input.idType !== expectedType) throw invalidInput('input.idType', `must be ${expectedType} for ${person ? 'a person' : 'an organisation'}`);
  const idNumber = person ? parseResidentId(input.idNumber, 'input.idNumber', today) : parseUscc(input.idNumber, 'input.idNumber');
  const given = parseDetailsInput(input, input.kind, 'input', today);
  if (given.name === undefined) throw invalidInput('input.name', 'must not be empty');
  if (given.mobile === undefined) throw invalidInput('input.mobile', 'is required');
  if (person) checkAgainstResidentId(given, idNumber, 'input');
  const details: CustomerDetails = {
    name: given.name,
    // A person's gender and birth date are the ones the resident ID encodes when not given.
    gender: person ? (given.gender ?? (idNumber.charCodeAt(16) % 2 === 1 ? 'MALE' : 'FEMALE')) : null,
    birthDate: person ? (given.birthDate ?? `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`) : null,
    mobile: given.mobile,
    email: given.email ?? null,
    addresses: given.addresses ?? [],
    occupation: given.occupation ?? null,
    incomeBand: given.incomeBand ?? null,
    marketingConsent: given.marketingConsent ?? false,
    doNotSolicit: given.doNotSolicit ?? false,
  };
  checkConsent(details, 'input');
  return { kind: input.kind, idType: input.idType, idNumber, details };
}

interface CreationTarget extends ActionTarget {
  branch: BranchRow | undefined;
  managerStaffId: string | null;
}

/**
 * The record a creation will make: in the caller's own branch (from the staff register, not the token), with the
 * caller as primary manager when they are a customer manager. A caller the register does not know gets a scope
 * nobody is in, so the action is refused.
 */
async function creationTarget(trx: Knex.Transaction, staffId: string): Promise<CreationTarget> {
  const staff = (await trx('staff').where({ id: staffId }).first()) as StaffRow | undefined;
  const branch = staff ? ((await trx('branches').where({ id: staff.branch_id }).first()) as BranchRow | undefined) : undefined;
  const managerStaffId = staff?.role === 'CUSTOMER_MANAGER' && staff.grade !== null ? String(staff.id) : null;
  return { scope: { ...rowScope(branch?.path ?? '', managerStaffId), recordKey: 'Customer:new' }, branch, managerStaffId };
}

/** `CU` + 10 digits, not yet taken (issued at random, like the source systems' numbers: they reveal no count). */
async function newCustomerNo(trx: Knex.Transaction): Promise<string> {
  for (;;) {
    const candidate = `CU${String(randomInt(0, 10_000_000_000)).padStart(10, '0')}`;
    if (!(await trx('customers').where({ customer_no: candidate }).first('id'))) return candidate;
  }
}

/**
 * DUPLICATE_CUSTOMER naming the existing customer as the caller may see it: its id and customer number only where
 * the caller's read decision on that record is a clear ALLOW (never masked, pseudonymised or denied values).
 */
function duplicateCustomer(context: ResolverContext, info: GraphQLResolveInfo, duplicateOn: 'idNumber' | 'mobile', existing: CustomerRow): GraphQLError {
  const type = info.schema.getType('Customer');
  const scope = customerScope(existing);
  const visible = (fieldName: 'id' | 'customerNo', value: string) => {
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    return type && isObjectType(type) && field ? valueAsCallerMaySee(context, classificationOf(type, field), scope, value) : null;
  };
  const what = duplicateOn === 'idNumber' ? 'this ID number or social credit code' : 'this mobile';
  return new GraphQLError(`A customer with ${what} already exists`, {
    extensions: {
      code: 'DUPLICATE_CUSTOMER',
      duplicateOn,
      field: `input.${duplicateOn}`,
      existingCustomer: { id: visible('id', String(existing.id)), customerNo: visible('customerNo', existing.customer_no) },
    },
  });
}

/** Locking reads (MySQL): a concurrent creation of the same person waits for this one, then sees it. */
async function refuseDuplicates(trx: Knex.Transaction, context: ResolverContext, info: GraphQLResolveInfo, customer: NewCustomer): Promise<void> {
  const byIdNumber = (await trx('customers').where({ id_number: customer.idNumber }).forUpdate().first()) as CustomerRow | undefined;
  if (byIdNumber) throw duplicateCustomer(context, info, 'idNumber', byIdNumber);
  const byMobile = (await trx('customers').where({ mobile: customer.details.mobile }).forUpdate().first()) as CustomerRow | undefined;
  if (byMobile) throw duplicateCustomer(context, info, 'mobile', byMobile);
}

async function replaceAddresses(trx: Knex.Transaction, customerId: number | string, addresses: CustomerDetails['addresses']): Promise<void> {
  await trx('customer_addresses').where({ customer_id: customerId }).delete();
  if (addresses && addresses.length > 0) await trx('customer_addresses').insert(addresses.map((address) => ({ customer_id: customerId, ...address })));
}

async function insertVersion(
  trx: Knex.Transaction,
  version: {
    customerId: number | string;
    version: number;
    reason: string;
    changeRequestId: string | null;
    staffId: string | null;
    at: string;
    details: CustomerDetails;
  },
): Promise<void> {
  await trx('customer_versions').insert({
    customer_id: version.customerId,
    version: version.version,
    reason: version.reason,
    change_request_id: version.changeRequestId,
    changed_by_staff_id: version.staffId,
    changed_at: version.at,
    details: JSON.stringify(version.details),
  });
}

// --- The mutations ------------------------------------------------------------------------------------------

/** Results are references (ids), the records read back after the commit under the read rules. */
type CustomerRef = { customerId: string };
type ChangeRequestRef = { changeRequestId: string };

/**
 * A proposal revised by `changes` (completing, resubmitting): laid over what was proposed (a request from before the
 * write side has no structured proposal), checked as a change of the customer's record would be.
 */
async function revisedProposal(trx: Knex.Transaction, request: ChangeRequestRow, customer: CustomerRow, changes: DetailsInput, now: Date) {
  const additions = parseChanges(changes, customer, now);
  const before = proposalOfRow(request) ?? {};
  const proposal = { ...before, ...additions };
  const current = detailsOfCustomer(customer, await addressesOf(trx, customer.id));
  checkConsent({ ...current, ...proposal } as CustomerDetails, 'changes');
  return { before, additions, proposal };
}

/** The back office's decision with a reason: rejected for good, or returned to its proposer to revise. */
async function decideWithReason(
  context: ResolverContext,
  args: { changeRequestId: string; expectedVersion: number; reason: string; idempotencyKey: string },
  action: 'customer.change.reject' | 'customer.change.return',
  status: 'REJECTED' | 'RETURNED',
) {
  const id = parseEntityId(args.changeRequestId, 'changeRequestId');
  const seen = parseExpectedVersion(args.expectedVersion);
  const why = parseText(args.reason, 'reason', { maxLength: REASON_WIDTH, required: true })!;
  await runMutation<ChangeRequestTarget, ChangeRequestRef>(context, {
    action,
    idempotencyKey: args.idempotencyKey,
    input: { changeRequestId: id, expectedVersion: seen, reason: why },
    loadTarget: (trx) => changeRequestTarget(trx, id),
    perform: async (trx, { request }, _decision, now) => {
      changeRequestMachine.assertTransition(request.status, status);
      expectVersion('CustomerChangeRequest', Number(request.version), seen);
      const version = await updateVersioned(trx, {
        entity: 'CustomerChangeRequest',
        table: CHANGE_REQUESTS,
        where: { id },
        expectedVersion: seen,
        changes: { status, reviewed_by_staff_id: context.caller.staffId, reviewed_at: sqlTimestamp(now), decision_reason: why },
      });
      return {
        result: { changeRequestId: id },
        changes: [
          {
            recordKey: `CustomerChangeRequest:${id}`,
            beforeVersion: seen,
            afterVersion: version,
            fields: { status: { before: request.status, after: status }, decisionReason: { before: request.decision_reason ?? null, after: why } },
          },
        ],
      };
    },
  });
  return loadChangeRequestRecord(context, id);
}

export const recordMaintenanceMutations = {
  createCustomer: async (_root, { input, idempotencyKey }, context, info) => {
    const customer = parseNewCustomer(input, context.clock.now());
    const { customerId } = await runMutation<CreationTarget, CustomerRef>(context, {
      action: 'customer.create',
      idempotencyKey,
      input,
      loadTarget: (trx) => creationTarget(trx, context.caller.staffId),
      perform: async (trx, target, _decision, now) => {
        if (!target.branch) throw new Error('createCustomer: an authorised creation has a branch');
        // First: the id's locking read makes concurrent creations take turns, so the duplicate check below holds.
        const id = await allocateId(trx, 'customers');
        await refuseDuplicates(trx, context, info, customer);
        const at = sqlTimestamp(now);
        const { details } = customer;
        const customerNo = await newCustomerNo(trx);
        await trx('customers').insert({
          id,
          customer_no: customerNo,
          kind: customer.kind,
          name: details.name,
          gender: details.gender,
          birth_date: details.birthDate,
          id_type: customer.idType,
          id_number: customer.idNumber,
          mobile: details.mobile,
          email: details.email,
          occupation: details.occupation,
          income_band: details.incomeBand,
          credit_rating: null,
          customer_since: isoDate(now),
          do_not_solicit: details.doNotSolicit,
          marketing_consent: details.marketingConsent,
          blacklisted: false,
          branch_id: target.branch.id,
          branch_path: target.branch.path,
          customer_manager_staff_id: target.managerStaffId,
          created_at: at,
          updated_at: at,
          version: 1,
        });
        await countCustomers(trx, [{ group: { branchPath: target.branch.path, kind: customer.kind, blacklisted: false }, delta: 1 }]);
        await replaceAddresses(trx, id, details.addresses);
        if (target.managerStaffId !== null) {
          await trx('manager_assignments').insert({
            id: await allocateId(trx, 'manager_assignments'),
            customer_id: id,
            manager_staff_id: target.managerStaffId,
            is_primary: true,
            assigned_from: isoDate(now),
            assigned_to: null,
            current_primary_customer_id: id,
          });
        }
        await insertVersion(trx, { customerId: id, version: 1, reason: 'CREATED', changeRequestId: null, staffId: context.caller.staffId, at, details });
        // The insights system learns of the customer (tenure, kind, row scope) in the same commit: keys and codes only.
        await recordEvent(trx, context, {
          type: 'customer.registered',
          aggregate: `Customer:${id}`,
          payload: {
            customerId: String(id),
            customerNo,
            kind: customer.kind,
            customerSince: isoDate(now),
            branchId: String(target.branch.id),
            branchPath: target.branch.path,
            primaryManagerStaffId: target.managerStaffId === null ? null : String(target.managerStaffId),
          },
        });
        const created = { ...details, idNumber: customer.idNumber, kind: customer.kind } as Record<string, unknown>;
        return {
          result: { customerId: String(id) },
          changes: [
            {
              recordKey: `Customer:${id}`,
              beforeVersion: null,
              afterVersion: 1,
              fields: Object.fromEntries(Object.entries(created).map(([field, value]) => [field, { before: null, after: value }])),
            },
          ],
        };
      },
    });
    context.loaders.customerById.clear(customerId);
    return loadCustomerRecord(context, customerId);
  },

  proposeCustomerChange: async (_root, { customerId, expectedVersion, changes, idempotencyKey }, context) => {
    const id = parseEntityId(customerId, 'customerId');
    const seen = parseExpectedVersion(expectedVersion);
    const { changeRequestId } = await runMutation<ActionTarget & { customer: CustomerRow }, ChangeRequestRef>(context, {
      action: 'customer.change.propose',
      idempotencyKey,
      input: { customerId: id, expectedVersion: seen, changes },
      loadTarget: async (trx) => {
        const customer = await customerFor(trx, id, 'customerId');
        return { scope: customerScope(customer), customer };
      },
      perform: async (trx, { customer }, _decision, now) => {
        expectVersion('Customer', Number(customer.version), seen);
        const proposal = parseChanges(changes, customer, now);
        const current = detailsOfCustomer(customer, await addressesOf(trx, id));
        checkConsent({ ...current, ...proposal } as CustomerDetails, 'changes');
        const requestId = await allocateId(trx, CHANGE_REQUESTS);
        await trx(CHANGE_REQUESTS).insert({
          id: requestId,
          customer_id: id,
          field: firstField(proposal),
          proposed_value: '',
          status: 'SUBMITTED',
          submitted_by_staff_id: context.caller.staffId,
          submitted_at: sqlTimestamp(now),
          reviewed_by_staff_id: null,
          reviewed_at: null,
          version: 1,
          based_on_version: Number(customer.version),
          proposed: JSON.stringify(proposal),
        });
        return {
          result: { changeRequestId: String(requestId) },
          changes: [
            {
              recordKey: `CustomerChangeRequest:${requestId}`,
              beforeVersion: null,
              afterVersion: 1,
              fields: fieldChanges(current, proposal, changedDetailFields(proposal)),
            },
          ],
        };
      },
    });
    return loadChangeRequestRecord(context, changeRequestId);
  },

  completeCustomerChange: async (_root, { changeRequestId, expectedVersion, changes, idempotencyKey }, context) => {
    const id = parseEntityId(changeRequestId, 'changeRequestId');
    const seen = parseExpectedVersion(expectedVersion);
    await runMutation<ChangeRequestTarget, ChangeRequestRef>(context, {
      action: 'customer.change.complete',
      idempotencyKey,
      input: { changeRequestId: id, expectedVersion: seen, changes },
      loadTarget: (trx) => changeRequestTarget(trx, id),
      perform: async (trx, { request, customer }, _decision, now) => {
        // With its proposer (RETURNED), a request is revised by resubmitting it, not completed by the back office.
        if (request.status !== 'SUBMITTED')
          throw invalidTransition(changeRequestMachine.name, request.status, 'SUBMITTED', changeRequestMachine.next(request.status));
        expectVersion('CustomerChangeRequest', Number(request.version), seen);
        const { before, additions, proposal } = await revisedProposal(trx, request, customer, changes, now);
        const version = await updateVersioned(trx, {
          entity: 'CustomerChangeRequest',
          table: CHANGE_REQUESTS,
          where: { id },
          expectedVersion: seen,
          changes: {
            proposed: JSON.stringify(proposal),
            field: firstField(proposal),
            based_on_version: request.based_on_version ?? Number(customer.version),
            completed_by_staff_id: context.caller.staffId,
            completed_at: sqlTimestamp(now),
          },
        });
        return {
          result: { changeRequestId: id },
          changes: [
            {
              recordKey: `CustomerChangeRequest:${id}`,
              beforeVersion: seen,
              afterVersion: version,
              fields: fieldChanges(before, proposal, changedDetailFields(additions)),
            },
          ],
        };
      },
    });
    return loadChangeRequestRecord(context, id);
  },

  approveCustomerChange: async (_root, { changeRequestId, expectedVersion, idempotencyKey }, context) => {
    const id = parseEntityId(changeRequestId, 'changeRequestId');
    const seen = parseExpectedVersion(expectedVersion);
    await runMutation<ChangeRequestTarget, ChangeRequestRef>(context, {
      action: 'customer.change.approve',
      idempotencyKey,
      input: { changeRequestId: id, expectedVersion: seen },
      loadTarget: (trx) => changeRequestTarget(trx, id),
      perform: async (trx, { request }, _decision, now) => {
        changeRequestMachine.assertTransition(request.status, 'APPROVED');
        expectVersion('CustomerChangeRequest', Number(request.version), seen);
        const proposal = proposalOfRow(request);
        if (proposal === null) throw invalidInput('changeRequestId', `the request holds no structured value for ${request.field}; complete it first`);
        const fields = changedDetailFields(proposal);
        // Locked, so the version compared below is the one the update then moves on from.
        const customer = (await trx('customers').where({ id: request.customer_id }).forUpdate().first()) as CustomerRow;
        const current = detailsOfCustomer(customer, await addressesOf(trx, customer.id));
        const currentVersion = Number(customer.version);
        const storedVersion = async (version: number) =>
          (await trx('customer_versions').where({ customer_id: customer.id, version }).first('details')) as { details: string } | undefined;
        // No lost updates: a proposed field that changed on the record since the proposal was made is a conflict.
        const base = request.based_on_version ?? null;
        if (base !== null && base !== currentVersion) {
          const baseRow = await storedVersion(base);
          const baseDetails = baseRow ? parseCustomerDetails(baseRow.details) : undefined;
          if (!baseDetails || fields.some((field) => !sameValue(baseDetails, current, field))) throw conflictError('Customer', base, currentVersion);
        }
        const at = sqlTimestamp(now);
        // The record as it stands is kept as a version before it changes, even if it predates versioning.
        if (!(await storedVersion(currentVersion))) {
          await insertVersion(trx, {
            customerId: customer.id,
            version: currentVersion,
            reason: 'BEFORE_VERSIONING',
            changeRequestId: null,
            staffId: null,
            at: String(customer.updated_at).slice(0, 19),
            details: current,
          });
        }
        const after: CustomerDetails = { ...current, ...proposal };
        const columns: Record<string, unknown> = { updated_at: at };
        for (const field of fields) if (field !== 'addresses') columns[COLUMN_OF[field]] = after[field];
        const customerVersion = await updateVersioned(trx, {
          entity: 'Customer',
          table: 'customers',
          where: { id: customer.id },
          expectedVersion: currentVersion,
          changes: columns,
        });
        if (fields.includes('addresses')) await replaceAddresses(trx, customer.id, after.addresses);
        await insertVersion(trx, {
          customerId: customer.id,
          version: customerVersion,
          reason: 'CHANGE_APPROVED',
          changeRequestId: id,
          staffId: context.caller.staffId,
          at,
          details: after,
        });
        const requestVersion = await updateVersioned(trx, {
          entity: 'CustomerChangeRequest',
          table: CHANGE_REQUESTS,
          where: { id },
          expectedVersion: seen,
          changes: { status: 'APPROVED', reviewed_by_staff_id: context.caller.staffId, reviewed_at: at },
        });
        return {
          result: { changeRequestId: id },
          changes: [
            {
              recordKey: `Customer:${customer.id}`,
              beforeVersion: currentVersion,
              afterVersion: customerVersion,
              fields: fieldChanges(current, after, fields),
            },
            {
              recordKey: `CustomerChangeRequest:${id}`,
              beforeVersion: seen,
              afterVersion: requestVersion,
              fields: { status: { before: request.status, after: 'APPROVED' } },
            },
          ],
        };
      },
    });
    context.loaders.customerById.clearAll();
    return loadChangeRequestRecord(context, id);
  },

  rejectCustomerChange: (_root, args, context) => decideWithReason(context, args, 'customer.change.reject', 'REJECTED'),

  returnCustomerChange: (_root, args, context) => decideWithReason(context, args, 'customer.change.return', 'RETURNED'),

  resubmitCustomerChange: async (_root, { changeRequestId, expectedVersion, changes, idempotencyKey }, context) => {
    const id = parseEntityId(changeRequestId, 'changeRequestId');
    const seen = parseExpectedVersion(expectedVersion);
    await runMutation<ChangeRequestTarget, ChangeRequestRef>(context, {
      action: 'customer.change.resubmit',
      idempotencyKey,
      input: { changeRequestId: id, expectedVersion: seen, changes },
      loadTarget: (trx) => changeRequestTarget(trx, id),
      perform: async (trx, { request, customer }, _decision, now) => {
        changeRequestMachine.assertTransition(request.status, 'SUBMITTED');
        expectVersion('CustomerChangeRequest', Number(request.version), seen);
        const { before, additions, proposal } = await revisedProposal(trx, request, customer, changes, now);
        const version = await updateVersioned(trx, {
          entity: 'CustomerChangeRequest',
          table: CHANGE_REQUESTS,
          where: { id },
          expectedVersion: seen,
          changes: {
            status: 'SUBMITTED',
            proposed: JSON.stringify(proposal),
            field: firstField(proposal),
            // Revised against the record as it stands now: approval compares from this version.
            based_on_version: Number(customer.version),
            // The review starts again; the return's reason stays in the audit trail of the return.
            reviewed_by_staff_id: null,
            reviewed_at: null,
            decision_reason: null,
          },
        });
        return {
          result: { changeRequestId: id },
          changes: [
            {
              recordKey: `CustomerChangeRequest:${id}`,
              beforeVersion: seen,
              afterVersion: version,
              fields: {
                status: { before: request.status, after: 'SUBMITTED' },
                ...fieldChanges(before, proposal, changedDetailFields(additions)),
              },
            },
          ],
        };
      },
    });
    return loadChangeRequestRecord(context, id);
  },

  withdrawCustomerChange: async (_root, { changeRequestId, expectedVersion, idempotencyKey }, context) => {
    const id = parseEntityId(changeRequestId, 'changeRequestId');
    const seen = parseExpectedVersion(expectedVersion);
    await runMutation<ChangeRequestTarget, ChangeRequestRef>(context, {
      action: 'customer.change.withdraw',
      idempotencyKey,
      input: { changeRequestId: id, expectedVersion: seen },
      loadTarget: (trx) => changeRequestTarget(trx, id),
      perform: async (trx, { request }) => {
        changeRequestMachine.assertTransition(request.status, 'WITHDRAWN');
        expectVersion('CustomerChangeRequest', Number(request.version), seen);
        const version = await updateVersioned(trx, {
          entity: 'CustomerChangeRequest',
          table: CHANGE_REQUESTS,
          where: { id },
          expectedVersion: seen,
          changes: { status: 'WITHDRAWN' },
        });
        return {
          result: { changeRequestId: id },
          changes: [
            {
              recordKey: `CustomerChangeRequest:${id}`,
              beforeVersion: seen,
              afterVersion: version,
              fields: { status: { before: request.status, after: 'WITHDRAWN' } },
            },
          ],
        };
      },
    });
    return loadChangeRequestRecord(context, id);
  },
} satisfies MutationResolvers;

// Read back after the commit, from the request's loaders (fresh: a mutation may follow another in one operation).
async function loadCustomerRecord(context: ResolverContext, id: string) {
  const row = await context.loaders.customerById.load(id);
  return row ? customerRecord(row) : null;
}

async function loadChangeRequestRecord(context: ResolverContext, id: string) {
  context.loaders.changeRequestById.clear(id);
  const row = await context.loaders.changeRequestById.load(id);
  if (!row) return null;
  context.loaders.customerById.clear(String(row.customer_id));
  const customer = await context.loaders.customerById.load(String(row.customer_id));
  return customer ? changeRequestRecord(row, customerScope(customer)) : null;
}
