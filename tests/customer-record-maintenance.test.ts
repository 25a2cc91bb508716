/**
 * Customer record maintenance through the gateway (README "Mutations"; issue "CRM workflows as mutations"): create,
 * propose, complete, approve, reject, withdraw and read every version back, with each rule every mutation keeps —
 * authorised by the policy's actions, validated, idempotent, no lost updates, audited without clear values — on
 * SQLite and MariaDB.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { AUDIT_TABLE, loadAccessPolicy, openAuditStore, pseudonymise, residentIdCheckChar, usccCheckChar, type Knex } from '@icg/shared';
import { DEFAULT_SEED, generateOrg, type StaffFact } from '@icg/synthetic';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { TEST_DIALECTS } from './support/test-database';
import { bearerHeaders, TEST_PSEUDONYM_SECRET, type ActingAs } from './support/test-security';

const POLICY_VERSION = loadAccessPolicy().version;
const org = generateOrg(DEFAULT_SEED);

/** Staff of one city branch (the customer's), a second manager there, and an operator of another province. */
const city = org.cityBranches[0]!;
const managersHere = org.staffByRoleAndBranch('CUSTOMER_MANAGER', city.id).filter((staff) => staff.grade !== null);
const operatorsHere = org.staffByRoleAndBranch('OPERATOR', city.id);
const province = city.path.split('/').filter(Boolean)[1]!;
const farCity = org.cityBranches.find((branch) => branch.path.split('/').filter(Boolean)[1] !== province)!;
const acting = (staff: StaffFact): ActingAs => ({ role: staff.role, staffId: String(staff.id) });
const MANAGER = acting(managersHere[0]!);
const OTHER_MANAGER = acting(managersHere[1]!);
const OPERATOR = acting(operatorsHere[0]!);
const SECOND_OPERATOR = acting(operatorsHere[1] ?? operatorsHere[0]!);
const FAR_OPERATOR = acting(org.staffByRoleAndBranch('OPERATOR', farCity.id)[0]!);
/** The back office of the city branch or above it (the customer's branch is in its BRANCH scope). */
const SERVICE_CENTER = acting(org.staff.find((staff) => staff.role === 'SERVICE_CENTER_MANAGER' && city.path.startsWith(staff.branchPath))!);
const HOTLINE: ActingAs = { role: 'HOTLINE_AGENT' };
const BI: ActingAs = { role: 'BI_ANALYST' };

let sequence = 0;
/** A valid resident ID nobody in the seeded company has (birth year 1966, sequence from this suite). */
function newResidentId(): string {
  sequence++;
  const body = `110105196601${String((sequence % 28) + 1).padStart(2, '0')}${String(100 + sequence).slice(-3)}`;
  return `${body}${residentIdCheckChar(body)}`;
}
/** A valid unified social credit code of a made-up organisation. */
function newUscc(): string {
  sequence++;
  const body = `91110105MA${String(1_000_000 + sequence).slice(-7)}`;
  return `${body}${usccCheckChar(body)}`;
}
/** A mobile on a real prefix (199) that the seeded company does not use in this range. */
function newMobile(): string {
  sequence++;
  return `1990${String(1_000_000 + sequence).slice(-7)}`;
}

const CUSTOMER_FIELDS = 'id customerNo kind name mobile idNumber version branch { id } primaryManager { id }';
const REQUEST_FIELDS =
  'id version status field changedFields basedOnVersion proposed { name mobile email occupation } submittedBy { id } reviewedBy { id } completedBy { id } decisionReason';

const CREATE = `mutation Create($input: CreateCustomerInput!, $key: String!) { createCustomer(input: $input, idempotencyKey: $key) { ${CUSTOMER_FIELDS} } }`;
const PROPOSE = `mutation Propose($id: ID!, $version: Int!, $changes: CustomerDetailsInput!, $key: String!) {
  proposeCustomerChange(customerId: $id, expectedVersion: $version, changes: $changes, idempotencyKey: $key) { ${REQUEST_FIELDS} } }`;
const COMPLETE = `mutation Complete($id: ID!, $version: Int!, $changes: CustomerDetailsInput!, $key: String!) {
  completeCustomerChange(changeRequestId: $id, expectedVersion: $version, changes: $changes, idempotencyKey: $key) { ${REQUEST_FIELDS} } }`;
const APPROVE = `mutation Approve($id: ID!, $version: Int!, $key: String!) {
  approveCustomerChange(changeRequestId: $id, expectedVersion: $version, idempotencyKey: $key) { ${REQUEST_FIELDS} } }`;
const REJECT = `mutation Reject($id: ID!, $version: Int!, $reason: String!, $key: String!) {
  rejectCustomerChange(changeRequestId: $id, expectedVersion: $version, reason: $reason, idempotencyKey: $key) { ${REQUEST_FIELDS} } }`;
const RETURN = `mutation Return($id: ID!, $version: Int!, $reason: String!, $key: String!) {
  returnCustomerChange(changeRequestId: $id, expectedVersion: $version, reason: $reason, idempotencyKey: $key) { ${REQUEST_FIELDS} } }`;
const RESUBMIT = `mutation Resubmit($id: ID!, $version: Int!, $changes: CustomerDetailsInput!, $key: String!) {
  resubmitCustomerChange(changeRequestId: $id, expectedVersion: $version, changes: $changes, idempotencyKey: $key) { ${REQUEST_FIELDS} } }`;
const WITHDRAW = `mutation Withdraw($id: ID!, $version: Int!, $key: String!) {
  withdrawCustomerChange(changeRequestId: $id, expectedVersion: $version, idempotencyKey: $key) { ${REQUEST_FIELDS} } }`;

interface CustomerData {
  id: string;
  customerNo: string;
  kind: string;
  name: string | null;
  mobile: string | null;
  idNumber: string | null;
  version: number;
  branch: { id: string } | null;
  primaryManager: { id: string } | null;
}
interface RequestData {
  id: string;
  version: number;
  status: string;
  field: string;
  changedFields: string[];
  basedOnVersion: number | null;
  proposed: { name: string | null; mobile: string | null; email: string | null; occupation: string | null } | null;
  submittedBy: { id: string } | null;
  reviewedBy: { id: string } | null;
  completedBy: { id: string } | null;
  decisionReason: string | null;
}
type GraphError = NonNullable<Awaited<ReturnType<GraphUnderTest['query']>>['errors']>[number];

function person(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'INDIVIDUAL',
    name: '林晓梅',
    idType: 'RESIDENT_ID',
    idNumber: newResidentId(),
    mobile: newMobile(),
    email: 'linxiaomei@example.cn',
    addresses: [{ kind: 'HOME', province: '广东省', city: '深圳市', line: '南山区科技园路1号' }],
    occupation: '教师',
    incomeBand: 'FROM_120K_TO_300K',
    ...overrides,
  };
}

describe.each(TEST_DIALECTS)('customer record maintenance through the gateway on %s', (dialect) => {
  let graph: GraphUnderTest;
  let auditStore: Knex;

  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: 60 });
    auditStore = await openAuditStore(graph.databases.config);
  }, 180_000);
  afterAll(async () => {
    await auditStore?.destroy();
    await graph?.close();
  });

  const crm = () => graph.subgraphs['customers']!.db;

  async function create(input: Record<string, unknown>, as: ActingAs = MANAGER, key = randomUUID()) {
    return graph.query<{ createCustomer: CustomerData | null }>(CREATE, { input, key }, as);
  }
  async function created(input: Record<string, unknown> = person(), as: ActingAs = MANAGER): Promise<CustomerData> {
    const response = await create(input, as);
    expect(response.errors).toBeUndefined();
    return response.data!.createCustomer!;
  }
  async function proposed(customer: CustomerData, changes: Record<string, unknown>, as: ActingAs = MANAGER): Promise<RequestData> {
    const response = await graph.query<{ proposeCustomerChange: RequestData }>(
      PROPOSE,
      { id: customer.id, version: customer.version, changes, key: randomUUID() },
      as,
    );
    expect(response.errors).toBeUndefined();
    return response.data!.proposeCustomerChange;
  }
  async function act(mutation: string, request: RequestData, as: ActingAs, extra: Record<string, unknown> = {}) {
    const name = /^mutation (\w+)/.exec(mutation)![1]!;
    const field = `${name.charAt(0).toLowerCase()}${name.slice(1)}CustomerChange`;
    const response = await graph.query<Record<string, RequestData | null>>(
      mutation,
      { id: request.id, version: request.version, key: randomUUID(), ...extra },
      as,
    );
    return { response, request: response.data?.[field] ?? null, error: response.errors?.[0] };
  }
  function onlyError(response: { errors?: GraphError[] }): GraphError {
    expect(response.errors).toHaveLength(1);
    return response.errors![0]!;
  }
  async function statusOf(requestId: string): Promise<string> {
    return String(((await crm()('customer_change_requests').where({ id: requestId }).first('status')) as { status: string }).status);
  }
  async function customersWithIdNumber(idNumber: string): Promise<number> {
    return ((await crm()('customers').where({ id_number: idNumber })) as unknown[]).length;
  }

  describe('the happy path', () => {
    it('creates a customer, proposes a change, approves it and reads every version back with who and when', async () => {
      const input = person();
      const customer = await created(input);
      expect(customer).toMatchObject({ kind: 'INDIVIDUAL', name: '林晓梅', mobile: input['mobile'], version: 1, branch: { id: String(city.id) } });
      expect(customer.primaryManager).toEqual({ id: MANAGER.staffId });
      expect(customer.customerNo).toMatch(/^CU\d{10}$/);

      const request = await proposed(customer, { mobile: '13912340001', occupation: '工程师' });
      expect(request).toMatchObject({ status: 'SUBMITTED', version: 1, basedOnVersion: 1, field: 'MOBILE', changedFields: ['MOBILE', 'OCCUPATION'] });
      expect(request.proposed).toEqual({ name: null, mobile: '13912340001', email: null, occupation: '工程师' });
      expect(request.submittedBy).toEqual({ id: MANAGER.staffId });

      const approved = await act(APPROVE, request, OPERATOR);
      expect(approved.error).toBeUndefined();
      expect(approved.request).toMatchObject({ status: 'APPROVED', version: 2, reviewedBy: { id: OPERATOR.staffId } });

      const read = await graph.query<{
        customer: { version: number; mobile: string; occupation: string; pendingChangeRequests: unknown[]; versions: unknown[] };
      }>(
        `query ($id: ID!) { customer(id: $id) { version mobile occupation pendingChangeRequests { id }
           versions { version reason changedBy { id } changedAt changeRequest { id status } details { name mobile occupation addresses { kind fullAddress } } } } }`,
        { id: customer.id },
        MANAGER,
      );
      expect(read.errors).toBeUndefined();
      expect(read.data!.customer).toMatchObject({ version: 2, mobile: '13912340001', occupation: '工程师', pendingChangeRequests: [] });
      expect(read.data!.customer.versions).toEqual([
        {
          version: 1,
          reason: 'CREATED',
          changedBy: { id: MANAGER.staffId },
          changedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
          changeRequest: null,
          details: { name: '林晓梅', mobile: input['mobile'], occupation: '教师', addresses: [{ kind: 'HOME', fullAddress: '广东省深圳市南山区科技园路1号' }] },
        },
        {
          version: 2,
          reason: 'CHANGE_APPROVED',
          changedBy: { id: OPERATOR.staffId },
          changedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
          changeRequest: { id: request.id, status: 'APPROVED' },
          details: { name: '林晓梅', mobile: '13912340001', occupation: '工程师', addresses: [{ kind: 'HOME', fullAddress: '广东省深圳市南山区科技园路1号' }] },
        },
      ]);
    });

    it('counts a created customer at once in totalCount: the whole book, its branch and its kind', async () => {
      const totals = async () => {
        const response = await graph.query<Record<string, { totalCount: number }>>(
          `{ all: customers(first: 1) { totalCount } branch: customers(first: 1, filter: { branchId: "${city.id}" }) { totalCount }
             people: customers(first: 1, filter: { branchId: "${city.id}", kind: INDIVIDUAL, blacklisted: false }) { totalCount } }`,
        );
        expect(response.errors).toBeUndefined();
        return Object.fromEntries(Object.entries(response.data!).map(([name, connection]) => [name, connection.totalCount]));
      };
      const before = await totals();
      const customer = await created();
      expect(await totals()).toEqual({ all: before['all']! + 1, branch: before['branch']! + 1, people: before['people']! + 1 });
      // And as the rows count them.
      const [{ rows }] = (await crm()('customers').count({ rows: '*' })) as [{ rows: number | string }];
      expect((await totals())['all']).toBe(Number(rows));
      expect(customer.branch).toEqual({ id: String(city.id) });
    });

    it('lets the back office complete a proposal before approving it, and reject one with a reason', async () => {
      const customer = await created();
      const request = await proposed(customer, { occupation: '医生' });
      const completed = await act(COMPLETE, request, OPERATOR, { changes: { email: 'new@example.cn' } });
      expect(completed.error).toBeUndefined();
      expect(completed.request).toMatchObject({
        version: 2,
        status: 'SUBMITTED',
        changedFields: ['EMAIL', 'OCCUPATION'],
        completedBy: { id: OPERATOR.staffId },
      });
      expect(completed.request!.proposed).toMatchObject({ email: 'new@example.cn', occupation: '医生' });
      const approved = await act(APPROVE, completed.request!, SECOND_OPERATOR);
      expect(approved.request).toMatchObject({ status: 'APPROVED' });

      const other = await proposed({ ...customer, version: 2 }, { name: '林小梅' });
      const rejected = await act(REJECT, other, OPERATOR, { reason: '证件与姓名不符' });
      expect(rejected.request).toMatchObject({ status: 'REJECTED', decisionReason: '证件与姓名不符', reviewedBy: { id: OPERATOR.staffId } });
    });

    it('returns a proposal to its proposer with the reason; resubmitted revised, a second person approves it', async () => {
      const customer = await created();
      const request = await proposed(customer, { mobile: '13912340002' });
      // Sending it back is the back office's step, not the manager's.
      expect((await act(RETURN, request, MANAGER, { reason: '请核实' })).error?.extensions).toMatchObject({
        code: 'FORBIDDEN_ACTION',
        action: 'customer.change.return',
      });
      const returned = await act(RETURN, request, OPERATOR, { reason: '手机号未与客户本人确认' });
      expect(returned.error).toBeUndefined();
      expect(returned.request).toMatchObject({
        status: 'RETURNED',
        version: 2,
        decisionReason: '手机号未与客户本人确认',
        reviewedBy: { id: OPERATOR.staffId },
      });

      // While it is with its proposer, the back office neither completes nor approves it.
      expect((await act(COMPLETE, returned.request!, OPERATOR, { changes: { email: 'x@example.cn' } })).error?.extensions).toMatchObject({
        code: 'INVALID_TRANSITION',
        currentState: 'RETURNED',
        allowed: ['SUBMITTED', 'WITHDRAWN'],
      });
      expect((await act(APPROVE, returned.request!, SECOND_OPERATOR)).error?.extensions).toMatchObject({
        code: 'INVALID_TRANSITION',
        currentState: 'RETURNED',
      });
      // Another manager's customer is not theirs to resubmit.
      expect((await act(RESUBMIT, returned.request!, OTHER_MANAGER, { changes: { mobile: '13912340003' } })).error?.extensions).toMatchObject({
        code: 'FORBIDDEN_ACTION',
        action: 'customer.change.resubmit',
      });

      const resubmitted = await act(RESUBMIT, returned.request!, MANAGER, { changes: { mobile: '13912340003', occupation: '律师' } });
      expect(resubmitted.error).toBeUndefined();
      expect(resubmitted.request).toMatchObject({
        status: 'SUBMITTED',
        version: 3,
        basedOnVersion: 1,
        changedFields: ['MOBILE', 'OCCUPATION'],
        decisionReason: null,
        reviewedBy: null,
      });
      expect(resubmitted.request!.proposed).toMatchObject({ mobile: '13912340003', occupation: '律师' });
      // A resubmitted request is not returned again by a stale version, and the proposer still never approves it.
      expect((await act(RETURN, returned.request!, OPERATOR, { reason: '再次核实' })).error?.extensions).toMatchObject({ code: 'CONFLICT' });
      expect((await act(APPROVE, resubmitted.request!, MANAGER)).error?.extensions).toMatchObject({ code: 'FORBIDDEN_ACTION' });
      const approved = await act(APPROVE, resubmitted.request!, OPERATOR);
      expect(approved.request).toMatchObject({ status: 'APPROVED' });
      const read = await graph.query<{ customer: { version: number; mobile: string; occupation: string } }>(
        'query ($id: ID!) { customer(id: $id) { version mobile occupation } }',
        { id: customer.id },
        MANAGER,
      );
      expect(read.data!.customer).toEqual({ version: 2, mobile: '13912340003', occupation: '律师' });

      // Both steps are audited as actions on the request, with its versions.
      const pseudonym = pseudonymise(TEST_PSEUDONYM_SECRET, `CustomerChangeRequest:${request.id}`);
      for (const [action, staffId, versions] of [
        ['customer.change.return', OPERATOR.staffId, { beforeVersion: 1, afterVersion: 2 }],
        ['customer.change.resubmit', MANAGER.staffId, { beforeVersion: 2, afterVersion: 3 }],
      ] as const) {
        const records = await eventually(async () =>
          ((await auditStore(AUDIT_TABLE).where({ coordinate: `action:${action}`, decision: 'ALLOW' })) as Record<string, unknown>[]).filter((row) =>
            String(row['record_pseudonyms']).includes(pseudonym),
          ),
        );
        expect(records).toHaveLength(1);
        expect(records[0]).toMatchObject({ staff_id: staffId, policy_version: POLICY_VERSION });
        expect(JSON.parse(String(records[0]!['change']))).toMatchObject(versions);
      }
    });

    it('reads a mutation’s result under the same field rules as a query', async () => {
      // An operator files a customer for the branch: in scope, so the RESTRICTED ID number comes back masked, as in a query.
      const input = person();
      const customer = await created(input, OPERATOR);
      expect(customer.primaryManager).toBeNull();
      expect(customer.idNumber).toBe(`${String(input['idNumber']).slice(0, 4)}**********${String(input['idNumber']).slice(-4)}`);
      // Versions hold personal data under the classes of the fields they copy: a hotline agent sees them masked.
      const read = await graph.query<{ customer: { versions: { details: { name: string; mobile: string } }[] } }>(
        'query ($id: ID!) { customer(id: $id) { versions { details { name mobile } } } }',
        { id: customer.id },
        HOTLINE,
      );
      expect(read.data!.customer.versions[0]!.details).toEqual({
        name: '林**',
        mobile: `${String(input['mobile']).slice(0, 3)}****${String(input['mobile']).slice(-4)}`,
      });
    });
  });

  describe('illegal transitions get INVALID_TRANSITION with the current state and the states allowed next', () => {
    it.each([
      ['approve', APPROVE, 'APPROVED', {}],
      ['reject', REJECT, 'REJECTED', { reason: '已过期' }],
      ['complete', COMPLETE, 'SUBMITTED', { changes: { occupation: '律师' } }],
      ['withdraw', WITHDRAW, 'WITHDRAWN', {}],
    ])('%s an approved request', async (_step, mutation, requestedState, extra) => {
      const customer = await created();
      const request = await proposed(customer, { occupation: '会计' });
      const approved = (await act(APPROVE, request, OPERATOR)).request!;
      const as = mutation === WITHDRAW ? MANAGER : SECOND_OPERATOR;
      const { error, request: result } = await act(mutation, approved, as, extra);
      expect(result).toBeNull();
      expect(error?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'APPROVED', requestedState, allowed: [] });
    });

    it('refuses approving a withdrawn request and names what a returned one still allows', async () => {
      const customer = await created();
      const request = await proposed(customer, { occupation: '会计' });
      const withdrawn = (await act(WITHDRAW, request, MANAGER)).request!;
      expect(withdrawn.status).toBe('WITHDRAWN');
      expect((await act(APPROVE, withdrawn, OPERATOR)).error?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'WITHDRAWN', allowed: [] });

      // A request sent back to its manager before the write side (seeded): resubmitted or withdrawn, never approved as it is.
      const returned = (await crm()('customer_change_requests').where({ status: 'RETURNED' }).first('id', 'customer_id')) as {
        id: number;
        customer_id: number;
      };
      const customerRow = (await crm()('customers').where({ id: returned.customer_id }).first('branch_path')) as { branch_path: string };
      const backOffice = org.staff.find((staff) => staff.role === 'SERVICE_CENTER_MANAGER' && customerRow.branch_path.startsWith(staff.branchPath))!;
      const { error } = await act(APPROVE, { id: String(returned.id), version: 1 } as RequestData, acting(backOffice));
      expect(error?.extensions).toMatchObject({
        code: 'INVALID_TRANSITION',
        currentState: 'RETURNED',
        requestedState: 'APPROVED',
        allowed: ['SUBMITTED', 'WITHDRAWN'],
      });
    });
  });

  describe('authorisation: FORBIDDEN_ACTION naming the action, and nothing written', () => {
    it.each([
      ['a hotline agent', HOTLINE],
      ['a BI analyst', BI],
    ])('refuses createCustomer to %s (role not granted)', async (_who, as) => {
      const input = person();
      // A selection every role's schema has (a hotline agent's or BI analyst's lacks the ID number).
      const response = await graph.query<{ createCustomer: { id: string } | null }>(
        'mutation ($input: CreateCustomerInput!, $key: String!) { createCustomer(input: $input, idempotencyKey: $key) { id } }',
        { input, key: randomUUID() },
        as,
      );
      expect(response.data?.createCustomer ?? null).toBeNull();
      expect(onlyError(response).extensions).toEqual({
        code: 'FORBIDDEN_ACTION',
        action: 'customer.create',
        reason: 'NOT_GRANTED',
        policyVersion: POLICY_VERSION,
        decisionId: expect.any(String),
        subgraph: 'customers',
      });
      expect(await customersWithIdNumber(String(input['idNumber']))).toBe(0);
    });

    it('refuses approval to a customer manager (role not granted)', async () => {
      const request = await proposed(await created(), { occupation: '会计' });
      const { error } = await act(APPROVE, request, MANAGER);
      expect(error?.extensions).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'customer.change.approve', reason: 'NOT_GRANTED' });
      expect(await statusOf(request.id)).toBe('SUBMITTED');
    });

    it('refuses an operator of another province (out of branch) and a colleague’s customer to another manager (not their own)', async () => {
      const customer = await created();
      const request = await proposed(customer, { occupation: '会计' });
      const { error } = await act(APPROVE, request, FAR_OPERATOR);
      expect(error?.extensions).toMatchObject({
        code: 'FORBIDDEN_ACTION',
        action: 'customer.change.approve',
        reason: 'OUT_OF_SCOPE',
        policyVersion: POLICY_VERSION,
      });
      expect(await statusOf(request.id)).toBe('SUBMITTED');

      const response = await graph.query<{ proposeCustomerChange: RequestData | null }>(
        PROPOSE,
        { id: customer.id, version: 1, changes: { occupation: '律师' }, key: randomUUID() },
        OTHER_MANAGER,
      );
      expect(onlyError(response).extensions).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'customer.change.propose', reason: 'OUT_OF_SCOPE' });
    });

    it('never lets the proposer approve their own change (two-person rule)', async () => {
      const customer = await created();
      const request = await proposed(customer, { occupation: '会计' }, OPERATOR);
      const { error } = await act(APPROVE, request, OPERATOR);
      expect(error?.message).toContain('"customer.change.approve"');
      expect(error?.extensions).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'customer.change.approve', reason: 'SECOND_PERSON' });
      expect(await statusOf(request.id)).toBe('SUBMITTED');
      // A second person of the back office may.
      expect((await act(APPROVE, request, SERVICE_CENTER)).request?.status).toBe('APPROVED');
    });

    it('keeps the mutation visible in every role’s schema: the action decides, not the field', async () => {
      const response = await graph.query<{ __schema: { mutationType: { fields: { name: string }[] } } }>(
        '{ __schema { mutationType { fields { name } } } }',
        {},
        HOTLINE,
      );
      expect(response.data!.__schema.mutationType.fields.map((field) => field.name)).toEqual(
        expect.arrayContaining(['createCustomer', 'approveCustomerChange']),
      );
    });
  });

  describe('idempotency', () => {
    it('answers a retry with the same key and input with the first result: one row, one audit record, no value in clear', async () => {
      const input = person();
      const key = randomUUID();
      const first = await create(input, MANAGER, key);
      const retry = await create(input, MANAGER, key);
      expect(retry.errors).toBeUndefined();
      expect(retry.data!.createCustomer!.id).toBe(first.data!.createCustomer!.id);
      expect(await customersWithIdNumber(String(input['idNumber']))).toBe(1);

      const customerId = first.data!.createCustomer!.id;
      const pseudonym = pseudonymise(TEST_PSEUDONYM_SECRET, `Customer:${customerId}`);
      const records = await eventually(async () =>
        ((await auditStore(AUDIT_TABLE).where({ coordinate: 'action:customer.create' })) as Record<string, unknown>[]).filter((row) =>
          String(row['record_pseudonyms']).includes(pseudonym),
        ),
      );
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        format: 3,
        staff_id: MANAGER.staffId,
        role: 'CUSTOMER_MANAGER',
        decision: 'ALLOW',
        rule: 'customer.create/CUSTOMER_MANAGER/OWN',
        policy_version: POLICY_VERSION,
      });
      expect(JSON.parse(String(records[0]!['change']))).toMatchObject({ beforeVersion: null, afterVersion: 1 });
      const stored = JSON.stringify(records[0]);
      for (const clear of [input['name'], input['mobile'], input['idNumber'], input['email'], `Customer:${customerId}`])
        expect(stored).not.toContain(String(clear));
    });

    it('refuses the same key with different input, writing nothing', async () => {
      const key = randomUUID();
      await create(person(), MANAGER, key);
      const other = person();
      const response = await create(other, MANAGER, key);
      expect(onlyError(response).extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(await customersWithIdNumber(String(other['idNumber']))).toBe(0);
    });

    it('writes once when the same request arrives twice at the same time', async () => {
      const input = person();
      const key = randomUUID();
      const [a, b] = await Promise.all([create(input, MANAGER, key), create(input, MANAGER, key)]);
      expect(a.data!.createCustomer!.id).toBe(b.data!.createCustomer!.id);
      expect(await customersWithIdNumber(String(input['idNumber']))).toBe(1);
    });
  });

  describe('no lost updates', () => {
    it('refuses a stale version with CONFLICT and the current version', async () => {
      const customer = await created();
      const first = await proposed(customer, { occupation: '会计' });
      await act(APPROVE, first, OPERATOR);
      // The manager still holds version 1 of the record.
      const response = await graph.query(PROPOSE, { id: customer.id, version: 1, changes: { occupation: '律师' }, key: randomUUID() }, MANAGER);
      expect(onlyError(response).extensions).toMatchObject({ code: 'CONFLICT', entity: 'Customer', expectedVersion: 1, currentVersion: 2 });

      // A request completed by someone else since it was read.
      const request = await proposed({ ...customer, version: 2 }, { email: 'a@example.cn' });
      await act(COMPLETE, request, OPERATOR, { changes: { email: 'b@example.cn' } });
      expect((await act(APPROVE, request, SECOND_OPERATOR)).error?.extensions).toMatchObject({
        code: 'CONFLICT',
        entity: 'CustomerChangeRequest',
        currentVersion: 2,
      });
    });

    it('refuses to approve a proposal whose field changed on the record since it was proposed', async () => {
      const customer = await created();
      const early = await proposed(customer, { occupation: '会计' });
      const late = await proposed(customer, { occupation: '律师' });
      const email = await proposed(customer, { email: 'c@example.cn' });
      expect((await act(APPROVE, late, OPERATOR)).request?.status).toBe('APPROVED');
      expect((await act(APPROVE, early, OPERATOR)).error?.extensions).toMatchObject({
        code: 'CONFLICT',
        entity: 'Customer',
        expectedVersion: 1,
        currentVersion: 2,
      });
      expect(await statusOf(early.id)).toBe('SUBMITTED');
      // A proposal made on the same version about another field still applies.
      expect((await act(APPROVE, email, OPERATOR)).request?.status).toBe('APPROVED');
    });
  });

  describe('duplicates answer with the existing customer as the caller may see it', () => {
    async function seeded(kind: 'INDIVIDUAL' | 'ORGANISATION') {
      return (await crm()('customers').where({ kind }).orderBy('id').first('id', 'customer_no', 'id_number', 'mobile')) as {
        id: number;
        customer_no: string;
        id_number: string;
        mobile: string;
      };
    }

    it('refuses a person whose resident ID is on file', async () => {
      const existing = await seeded('INDIVIDUAL');
      const response = await create(person({ idNumber: existing.id_number }));
      expect(onlyError(response).extensions).toMatchObject({
        code: 'DUPLICATE_CUSTOMER',
        duplicateOn: 'idNumber',
        field: 'input.idNumber',
        existingCustomer: { id: String(existing.id), customerNo: existing.customer_no },
      });
    });

    it('refuses an organisation whose social credit code is on file', async () => {
      const existing = await seeded('ORGANISATION');
      const response = await create({
        kind: 'ORGANISATION',
        name: '深圳市某某科技有限公司',
        idType: 'USCC',
        idNumber: existing.id_number,
        mobile: newMobile(),
      });
      expect(onlyError(response).extensions).toMatchObject({
        code: 'DUPLICATE_CUSTOMER',
        duplicateOn: 'idNumber',
        existingCustomer: { id: String(existing.id) },
      });
      // A new organisation with a new code is filed.
      expect(
        (await create({ kind: 'ORGANISATION', name: '深圳市另一家科技有限公司', idType: 'USCC', idNumber: newUscc(), mobile: newMobile() })).errors,
      ).toBeUndefined();
    });

    it('refuses a customer whose mobile is on file', async () => {
      const existing = await seeded('INDIVIDUAL');
      const response = await create(person({ mobile: existing.mobile }));
      expect(onlyError(response).extensions).toMatchObject({ code: 'DUPLICATE_CUSTOMER', duplicateOn: 'mobile', field: 'input.mobile' });
    });
  });

  describe('bad input gets BAD_USER_INPUT naming the field and the reason', () => {
    it.each<[string, () => Record<string, unknown>, string]>([
      ['a resident ID with a wrong check character', () => person({ idNumber: `${newResidentId().slice(0, 17)}${'Z'}` }), 'input.idNumber'],
      ['a mobile that is not one', () => person({ mobile: '12345' }), 'input.mobile'],
      [
        'an organisation with a gender',
        () => ({ kind: 'ORGANISATION', name: '某公司', idType: 'USCC', idNumber: newUscc(), mobile: newMobile(), gender: 'MALE' }),
        'input.gender',
      ],
      ['a person with an organisation’s code', () => person({ idType: 'USCC' }), 'input.idType'],
      ['an empty name', () => person({ name: '  ' }), 'input.name'],
      [
        'two home addresses',
        () =>
          person({
            addresses: [
              { kind: 'HOME', province: '广东省', city: '深圳市', line: 'a' },
              { kind: 'HOME', province: '广东省', city: '深圳市', line: 'b' },
            ],
          }),
        'input.addresses[1].kind',
      ],
    ])('%s', async (_case, input, field) => {
      const response = await create(input());
      expect(onlyError(response).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: field, reason: expect.any(String) });
    });

    it('names the idempotency key, an empty change and an empty reason', async () => {
      const empty = await graph.query(CREATE, { input: person(), key: '' }, MANAGER);
      expect(onlyError(empty).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'idempotencyKey' });
      const customer = await created();
      const nothing = await graph.query(PROPOSE, { id: customer.id, version: 1, changes: {}, key: randomUUID() }, MANAGER);
      expect(onlyError(nothing).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'changes', reason: 'must set at least one field' });
      const request = await proposed(customer, { occupation: '会计' });
      expect((await act(REJECT, request, OPERATOR, { reason: ' ' })).error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'reason' });
    });
  });
});

/** The gateway never resends a mutation: a subgraph that committed and then lost the connection is called once. */
describe('mutations are not retried by the gateway', () => {
  let graph: GraphUnderTest;
  let proxy: Server;
  let forwarded = 0;
  let target = '';

  beforeAll(async () => {
    // Forwards each request to the customers subgraph, then drops the connection before answering.
    proxy = createServer((request, response) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        const headers = Object.fromEntries(
          Object.entries(request.headers).filter(
            (entry): entry is [string, string] => typeof entry[1] === 'string' && !['host', 'content-length', 'connection'].includes(entry[0]),
          ),
        );
        const body = Buffer.concat(chunks).toString('utf8');
        const isMutation = body.includes('createCustomer');
        if (isMutation) forwarded++;
        const answer = await fetch(target, { method: 'POST', headers, body });
        if (isMutation) return response.destroy();
        response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(await answer.text());
      })();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    graph = await startGraph({
      dialect: 'sqlite',
      customers: 20,
      subgraphUrlOverrides: { customers: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql` },
    });
    target = `${graph.subgraphs['customers']!.url}/graphql`;
  }, 180_000);
  afterAll(async () => {
    await graph?.close();
    await new Promise((resolve) => proxy?.close(resolve));
  });

  it('calls the subgraph once and reports it unavailable; the write happened once', async () => {
    const input = person();
    const response = await graph.query(CREATE, { input, key: randomUUID() }, MANAGER);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'customers' });
    expect(forwarded).toBe(1);
    expect(((await graph.subgraphs['customers']!.db('customers').where({ id_number: input['idNumber'] })) as unknown[]).length).toBe(1);
  });

  it('refuses a mutation sent with GET', async () => {
    const url = new URL(graph.graphqlUrl);
    url.searchParams.set('query', 'mutation { withdrawCustomerChange(changeRequestId: "1", expectedVersion: 1, idempotencyKey: "k") { id } }');
    const headers = await bearerHeaders(MANAGER);
    const response = await fetch(url, { headers: { ...headers, 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(405);
  });
});

async function eventually<T extends unknown[]>(probe: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value.length > 0 || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
