/**
 * Customer managers through the gateway (README "Mutations"; DOMAIN.md section 2): assign, transfer and release a
 * customer's primary manager (one at most; a large customer's of principal grade or above, large by the 12-month
 * written premium the policy events bring), grade changes approved at the grade's org level, the yearly
 * re-certification, monthly visit reports with due date and overdue flag, major customer events — each rule every
 * mutation keeps: authorised by the policy's actions, validated, idempotent, no lost updates, audited — on SQLite and
 * MariaDB, the clock moved by the test. The premium reaches a customers subgraph that was down exactly once, over
 * HTTP and NATS JetStream.
 */
import { randomUUID } from 'node:crypto';
import { loadAccessPolicy, openAuditStore, residentIdCheckChar, SettableClock, type EventDraft, type Knex } from '@icg/shared';
import { acting, auditRecordsOf, dataOf, mutate, onlyError, org, waitForDeliveries } from './support/crm-workflows';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { STORES_AND_TRANSPORTS_UNDER_TEST } from './support/stores-and-transports';
import { TEST_DIALECTS } from './support/test-database';
import type { ActingAs } from './support/test-security';

const POLICY_VERSION = loadAccessPolicy().version;
const START = '2026-12-07T02:00:00.000Z';

/** One city branch and the people around it: its managers by grade, its back office, the province above it. */
const city = org.cityBranches[0]!;
const provincePath = `/${city.path.split('/').filter(Boolean).slice(0, 2).join('/')}/`;
const cityManagers = org.staffByRoleAndBranch('CUSTOMER_MANAGER', city.id);
const managerOf = (grade: string, nth = 0) => acting(cityManagers.filter((staff) => staff.grade === grade)[nth]!);
const staffAt = (role: Parameters<typeof org.staffByRoleAndBranch>[0], path: string) =>
  acting(org.staff.find((staff) => staff.role === role && staff.branchPath === path)!);
const OPERATOR = staffAt('OPERATOR', city.path);
const CITY_SCM = staffAt('SERVICE_CENTER_MANAGER', city.path);
const PROVINCE_SCM = staffAt('SERVICE_CENTER_MANAGER', provincePath);
const PROVINCE_EXECUTIVE = staffAt('EXECUTIVE', provincePath);
const farCity = org.cityBranches.find((branch) => !branch.path.startsWith(provincePath))!;
const FAR_SCM = staffAt('SERVICE_CENTER_MANAGER', farCity.path);
const FAR_MANAGER = acting(org.staffByRoleAndBranch('CUSTOMER_MANAGER', farCity.id)[0]!);
const HOTLINE: ActingAs = { role: 'HOTLINE_AGENT' };

let sequence = 0;
/** A person nobody in the seeded company is (birth year 1971, numbered by this suite). */
function person(): Record<string, unknown> {
  sequence++;
  const body = `110105197103${String((sequence % 28) + 1).padStart(2, '0')}${String(100 + sequence).slice(-3)}`;
  return {
    kind: 'INDIVIDUAL',
    name: '周建国',
    idType: 'RESIDENT_ID',
    idNumber: `${body}${residentIdCheckChar(body)}`,
    mobile: `1991${String(1_000_000 + sequence).slice(-7)}`,
  };
}

const CUSTOMER =
  'id primaryManagerVersion primaryManagerState largeCustomer primaryManager { id } managerAssignments { manager { id } isPrimary from to startedBy endedBy }';
const CREATE = `mutation Create($input: CreateCustomerInput!, $key: String!) { createCustomer(input: $input, idempotencyKey: $key) { ${CUSTOMER} } }`;
const ASSIGN = `mutation Assign($customerId: ID!, $managerId: ID!, $version: Int!, $key: String!) {
  assignPrimaryManager(customerId: $customerId, managerId: $managerId, expectedVersion: $version, idempotencyKey: $key) { ${CUSTOMER} } }`;
const TRANSFER = `mutation Transfer($customerId: ID!, $managerId: ID!, $version: Int!, $key: String!) {
  transferPrimaryManager(customerId: $customerId, managerId: $managerId, expectedVersion: $version, idempotencyKey: $key) { ${CUSTOMER} } }`;
const RELEASE = `mutation Release($customerId: ID!, $version: Int!, $key: String!) {
  releasePrimaryManager(customerId: $customerId, expectedVersion: $version, idempotencyKey: $key) { ${CUSTOMER} } }`;
const READ_CUSTOMER = `query Read($id: ID!) { customer(id: $id) { ${CUSTOMER} } }`;

const MANAGER_FIELDS = `id grade version certificationDue certificationStatus
  gradeHistory { year grade approvedByLevel approvedByBranch { id } approvedOn }
  gradeChanges { kind fromGrade toGrade certificationYear approvedBy { id } approvedByLevel approvedByBranch { id } approvedAt }`;
const CHANGE_GRADE = `mutation Change($managerId: ID!, $grade: ManagerGrade!, $version: Int!, $key: String!) {
  changeManagerGrade(managerId: $managerId, grade: $grade, expectedVersion: $version, idempotencyKey: $key) { ${MANAGER_FIELDS} } }`;
const RECERTIFY = `mutation Recertify($managerId: ID!, $grade: ManagerGrade!, $version: Int!, $key: String!) {
  recertifyManager(managerId: $managerId, grade: $grade, expectedVersion: $version, idempotencyKey: $key) { ${MANAGER_FIELDS} } }`;
const READ_MANAGER = `query Manager($id: ID!) { customerManager(id: $id) { ${MANAGER_FIELDS} overdueVisitReports { customer { id } month dueDate overdue } } }`;

const SUBMIT_VISIT = `mutation Visit($input: VisitReportInput!, $key: String!) {
  submitVisitReport(input: $input, idempotencyKey: $key) { month visitCount summary submittedAt dueDate late manager { id } } }`;
const VISIT_DUE = `query Due($id: ID!) { customer(id: $id) { visitReportDue { month dueDate submitted overdue } visitReports { month } } }`;
const REPORT_EVENT = `mutation Event($input: MajorCustomerEventInput!, $key: String!) {
  reportMajorCustomerEvent(input: $input, idempotencyKey: $key) { id kind occurredOn description reportedBy { id } reportedAt } }`;

interface CustomerView {
  id: string;
  primaryManagerVersion: number;
  primaryManagerState: string;
  largeCustomer: boolean;
  primaryManager: { id: string } | null;
  managerAssignments: {
    manager: { id: string } | null;
    isPrimary: boolean;
    from: string;
    to: string | null;
    startedBy: string | null;
    endedBy: string | null;
  }[];
}
interface ManagerView {
  id: string;
  grade: string;
  version: number;
  certificationDue: string | null;
  certificationStatus: string;
  gradeHistory: { year: number; grade: string; approvedByLevel: string; approvedByBranch: { id: string } | null; approvedOn: string }[];
  gradeChanges: Record<string, unknown>[];
  overdueVisitReports?: { customer: { id: string } | null; month: string; dueDate: string; overdue: boolean }[];
}

let policySequence = 0;
/** A policy the policy admin system bound for the customer, as its event says (recorded in its outbox, delivered by its relay). */
async function bindPolicyFor(graph: GraphUnderTest, customerId: string, writtenPremium: number, effectiveDate: string): Promise<string> {
  policySequence++;
  const policyNo = `PPR${String(202_612_900_000 + policySequence)}`;
  await recordPolicyEvent(graph, {
    type: 'policy.bound',
    aggregate: `Policy:${policyNo}`,
    payload: {
      policyNo,
      customerId,
      lineOfBusiness: 'PROPERTY',
      effectiveDate,
      expiryDate: `${Number(effectiveDate.slice(0, 4)) + 1}${effectiveDate.slice(4)}`,
      writtenPremium: writtenPremium.toFixed(2),
      branchId: String(city.id),
      insuredObjectKeys: [],
    },
  });
  return policyNo;
}

async function recordPolicyEvent(graph: GraphUnderTest, draft: EventDraft): Promise<void> {
  const policies = graph.subgraphs['policies']!;
  await policies.db.transaction((trx) => policies.events.recorder.record(trx, draft));
}

describe.each(TEST_DIALECTS)('customer managers through the gateway on %s', (dialect) => {
  let graph: GraphUnderTest;
  let auditStore: Knex;
  const clock = new SettableClock(START);

  beforeAll(async () => {
    graph = await startGraph({ dialect, clock, customers: 120 });
    auditStore = await openAuditStore(graph.databases.config);
  }, 240_000);
  afterAll(async () => {
    await auditStore?.destroy();
    await graph?.close();
  });
  beforeEach(() => clock.set(START));

  /** A new customer of the city branch, filed by its operator: nobody is its primary manager yet. */
  async function prospect(): Promise<CustomerView> {
    return dataOf(await mutate<{ createCustomer: CustomerView }>(graph, CREATE, { input: person() }, OPERATOR)).createCustomer;
  }
  async function assigned(customer: CustomerView, manager: ActingAs, as: ActingAs = CITY_SCM): Promise<CustomerView> {
    return dataOf(
      await mutate<{ assignPrimaryManager: CustomerView }>(
        graph,
        ASSIGN,
        { customerId: customer.id, managerId: manager.staffId, version: customer.primaryManagerVersion },
        as,
      ),
    ).assignPrimaryManager;
  }
  async function readCustomer(id: string): Promise<CustomerView> {
    return dataOf(await graph.query<{ customer: CustomerView }>(READ_CUSTOMER, { id })).customer;
  }
  async function readManager(manager: ActingAs): Promise<ManagerView> {
    return dataOf(await graph.query<{ customerManager: ManagerView }>(READ_MANAGER, { id: manager.staffId })).customerManager;
  }
  async function premiumArrives(customerId: string, premium: number, effectiveDate = START.slice(0, 10)): Promise<string> {
    const policyNo = await bindPolicyFor(graph, customerId, premium, effectiveDate);
    await waitForDeliveries(graph, 'policies', 'customers', `Policy:${policyNo}`, 1);
    return policyNo;
  }

  describe('the primary manager', () => {
    it('is assigned, transferred and released, each period kept with how it began and ended', async () => {
      const customer = await prospect();
      expect(customer).toMatchObject({ primaryManagerVersion: 1, primaryManagerState: 'UNASSIGNED', primaryManager: null, managerAssignments: [] });
      const first = managerOf('REGULAR');
      const second = managerOf('REGULAR', 1);

      const withFirst = await assigned(customer, first);
      expect(withFirst).toMatchObject({ primaryManagerVersion: 2, primaryManagerState: 'ASSIGNED', primaryManager: { id: first.staffId } });
      expect(withFirst.managerAssignments).toEqual([
        { manager: { id: first.staffId }, isPrimary: true, from: '2026-12-07', to: null, startedBy: 'ASSIGNED', endedBy: null },
      ]);

      clock.set('2026-12-20T03:00:00Z');
      const transfer = await mutate<{ transferPrimaryManager: CustomerView }>(
        graph,
        TRANSFER,
        { customerId: customer.id, managerId: second.staffId, version: 2 },
        CITY_SCM,
      );
      const withSecond = dataOf(transfer).transferPrimaryManager;
      expect(withSecond).toMatchObject({ primaryManagerVersion: 3, primaryManagerState: 'TRANSFERRED', primaryManager: { id: second.staffId } });
      expect(withSecond.managerAssignments).toEqual([
        { manager: { id: first.staffId }, isPrimary: true, from: '2026-12-07', to: '2026-12-19', startedBy: 'ASSIGNED', endedBy: 'TRANSFERRED' },
        { manager: { id: second.staffId }, isPrimary: true, from: '2026-12-20', to: null, startedBy: 'TRANSFERRED', endedBy: null },
      ]);

      // The province's service centre has the city in its scope too.
      clock.set('2027-01-05T03:00:00Z');
      const released = dataOf(
        await mutate<{ releasePrimaryManager: CustomerView }>(graph, RELEASE, { customerId: customer.id, version: 3 }, PROVINCE_SCM),
      ).releasePrimaryManager;
      expect(released).toMatchObject({ primaryManagerVersion: 4, primaryManagerState: 'UNASSIGNED', primaryManager: null });
      expect(released.managerAssignments[1]).toMatchObject({ to: '2027-01-04', endedBy: 'RELEASED' });
      // Who owns the record follows: the former manager no longer has the customer as their own.
      const byFormer = await graph.query<{ customer: { name: string | null } }>('query ($id: ID!) { customer(id: $id) { name } }', { id: customer.id }, second);
      expect(byFormer.data!.customer.name).not.toBe('周建国');
    });

    it("moves the customer's records in every system to the new manager: the one before no longer sees them as theirs", async () => {
      // A seeded customer with policies and claims, its manager, a colleague of the same branch to take it over, and
      // the branch's service centre to decide it.
      const crm = graph.subgraphs['customers']!.db;
      const countIn = async (subgraph: string, table: string, customerId: string) =>
        Number(((await graph.subgraphs[subgraph]!.db(table).where('customer_id', customerId).count({ n: '*' })) as { n: number | string }[])[0]!.n);
      const candidates = (await crm('customers')
        .whereNotNull('customer_manager_staff_id')
        .orderBy('id')
        .select('id', 'branch_id', 'branch_path', 'customer_manager_staff_id', 'primary_manager_version')) as {
        id: number | string;
        branch_id: number | string;
        branch_path: string;
        customer_manager_staff_id: number | string;
        primary_manager_version: number | null;
      }[];
      let chosen: (typeof candidates)[number] | undefined;
      let manager: (typeof org.staff)[number] | undefined;
      for (const candidate of candidates) {
        manager = org.staff.find((staff) => String(staff.id) === String(candidate.customer_manager_staff_id));
        if (manager === undefined || !candidate.branch_path.startsWith(manager.branchPath)) continue;
        if (org.staffByRoleAndBranch('CUSTOMER_MANAGER', manager.branchId).length < 2) continue;
        if (!org.staff.some((staff) => staff.role === 'SERVICE_CENTER_MANAGER' && staff.branchPath === manager!.branchPath)) continue;
        const id = String(candidate.id);
        if ((await countIn('policies', 'policies', id)) > 0 && (await countIn('claims', 'claims', id)) > 0) {
          chosen = candidate;
          break;
        }
      }
      expect(chosen).toBeDefined();
      const customerId = String(chosen!.id);
      const before = acting(manager!);
      const after = acting(org.staffByRoleAndBranch('CUSTOMER_MANAGER', manager!.branchId).find((staff) => staff.id !== manager!.id)!);
      // The service centre of the managers' branch names one of its managers.
      const branchScm = staffAt('SERVICE_CENTER_MANAGER', manager!.branchPath);

      // What a manager sees of the customer's records in each system: values in clear, or the error codes instead.
      const VIEW = `query View($id: ID!) { customer(id: $id) {
        policies { policyNo writtenPremium } claims { reportNo paid } serviceRequests { ticketNo description }
        insight { figures { earnedPremium36m } } } }`;
      const viewOf = async (manager: ActingAs) => {
        const response = await graph.query<{ customer: Record<string, unknown> }>(VIEW, { id: customerId }, manager);
        return {
          data: response.data?.customer,
          denied: [
            ...new Set(
              (response.errors ?? []).map(
                (error) => `${error.path?.filter((part) => typeof part === 'string').join('.')}:${String(error.extensions?.['code'])}`,
              ),
            ),
          ].sort(),
        };
      };
      const owners = await viewOf(before);
      expect(owners.denied).toEqual([]);
      const colleagues = await viewOf(after);
      expect(colleagues).not.toEqual(owners);

      const version = Number(chosen!.primary_manager_version ?? 1);
      dataOf(await mutate(graph, TRANSFER, { customerId, managerId: after.staffId, version }, branchScm));
      for (const consumer of ['policies', 'claims', 'complaints', 'service-requests', 'insights'])
        await waitForDeliveries(graph, 'customers', consumer, `Customer:${customerId}`, 1);

      // The new manager sees what the one before saw.
      expect(await viewOf(after)).toEqual(owners);
      // The one before sees the claims, tickets and insight as a colleague does…
      const former = await viewOf(before);
      const beyondPolicies = (view: typeof former) => view.denied.filter((denial) => !denial.startsWith('customer.policies.'));
      expect(beyondPolicies(former)).toEqual(beyondPolicies(colleagues));
      expect(beyondPolicies(former).length).toBeGreaterThan(0);
      for (const field of ['claims', 'serviceRequests', 'insight']) expect(former.data?.[field]).toEqual(colleagues.data?.[field]);
      // …and keeps only the policies they service themselves (a policy's servicing manager is scope of its own).
      const serviced = new Set(
        (
          (await graph.subgraphs['policies']!.db('policies')
            .where({ customer_id: customerId, servicing_manager_staff_id: before.staffId })
            .select('policy_no')) as {
            policy_no: string;
          }[]
        ).map((row) => row.policy_no),
      );
      for (const policy of former.data!['policies'] as { policyNo: string; writtenPremium: number | null }[])
        expect({ policyNo: policy.policyNo, inClear: policy.writtenPremium !== null }).toEqual({
          policyNo: policy.policyNo,
          inClear: serviced.has(policy.policyNo),
        });
    });

    it('refuses the steps the state does not allow, naming the state and what it may become', async () => {
      const customer = await prospect();
      for (const [document, variables, requestedState] of [
        [TRANSFER, { managerId: managerOf('REGULAR').staffId }, 'TRANSFERRED'],
        [RELEASE, {}, 'UNASSIGNED'],
      ] as const) {
        expect(onlyError(await mutate(graph, document, { customerId: customer.id, version: 1, ...variables }, CITY_SCM))).toMatchObject({
          code: 'INVALID_TRANSITION',
          currentState: 'UNASSIGNED',
          requestedState,
          allowed: ['ASSIGNED'],
        });
      }
      const withManager = await assigned(customer, managerOf('JUNIOR'));
      expect(onlyError(await mutate(graph, ASSIGN, { customerId: customer.id, managerId: managerOf('REGULAR').staffId, version: 2 }, CITY_SCM))).toMatchObject({
        code: 'INVALID_TRANSITION',
        currentState: 'ASSIGNED',
        requestedState: 'ASSIGNED',
        allowed: ['TRANSFERRED', 'UNASSIGNED'],
      });
      expect(onlyError(await mutate(graph, TRANSFER, { customerId: customer.id, managerId: managerOf('JUNIOR').staffId, version: 2 }, CITY_SCM))).toMatchObject(
        { code: 'BAD_USER_INPUT', field: 'managerId', reason: expect.stringContaining('already') },
      );
      expect((await readCustomer(customer.id)).primaryManager).toEqual(withManager.primaryManager);
    });

    it('is decided by the service centre of the branch, among the branch’s managers', async () => {
      const customer = await prospect();
      const manager = managerOf('REGULAR');
      const variables = { customerId: customer.id, managerId: manager.staffId, version: 1 };
      expect(onlyError(await mutate(graph, ASSIGN, variables, manager))).toMatchObject({
        code: 'FORBIDDEN_ACTION',
        action: 'manager.assign',
        reason: 'NOT_GRANTED',
        policyVersion: POLICY_VERSION,
      });
      expect(onlyError(await mutate(graph, ASSIGN, variables, FAR_SCM))).toMatchObject({ code: 'FORBIDDEN_ACTION', reason: 'OUT_OF_SCOPE' });
      expect(onlyError(await mutate(graph, ASSIGN, { ...variables, managerId: FAR_MANAGER.staffId }, CITY_SCM))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'managerId',
        reason: 'is not a manager of your branch',
      });
      expect(onlyError(await mutate(graph, ASSIGN, { ...variables, managerId: OPERATOR.staffId }, CITY_SCM))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'managerId',
        reason: 'is not a customer manager',
      });
      expect(await readCustomer(customer.id)).toMatchObject({ primaryManagerVersion: 1, primaryManager: null });
    });

    it('answers a retry with the first result and writes once; the same key with other input is refused', async () => {
      const customer = await prospect();
      const key = randomUUID();
      const variables = { customerId: customer.id, managerId: managerOf('REGULAR').staffId, version: 1, key };
      const first = dataOf(await mutate<{ assignPrimaryManager: CustomerView }>(graph, ASSIGN, variables, CITY_SCM));
      const retry = dataOf(await mutate<{ assignPrimaryManager: CustomerView }>(graph, ASSIGN, variables, CITY_SCM));
      expect(retry).toEqual(first);
      expect(first.assignPrimaryManager.managerAssignments).toHaveLength(1);
      const records = await auditRecordsOf(auditStore, 'manager.assign', `Customer:${customer.id}`, 1);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ decision: 'ALLOW', rule: 'manager.assign/SERVICE_CENTER_MANAGER/BRANCH', policy_version: POLICY_VERSION });
      expect(JSON.parse(String(records[0]!['change']))).toMatchObject({ beforeVersion: 1, afterVersion: 2 });
      expect(onlyError(await mutate(graph, ASSIGN, { ...variables, managerId: managerOf('JUNIOR').staffId }, CITY_SCM))).toMatchObject({
        code: 'IDEMPOTENCY_KEY_REUSED',
      });
    });

    it('refuses a stale version with CONFLICT; of two assignments at once exactly one wins', async () => {
      const customer = await prospect();
      await assigned(customer, managerOf('REGULAR'));
      const stale = await mutate(graph, TRANSFER, { customerId: customer.id, managerId: managerOf('JUNIOR').staffId, version: 1 }, CITY_SCM);
      expect(onlyError(stale)).toMatchObject({ code: 'CONFLICT', entity: 'CustomerPrimaryManager', expectedVersion: 1, currentVersion: 2 });

      const contested = await prospect();
      const answers = await Promise.all(
        [managerOf('REGULAR'), managerOf('JUNIOR')].map((manager) =>
          mutate(graph, ASSIGN, { customerId: contested.id, managerId: manager.staffId, version: 1 }, CITY_SCM),
        ),
      );
      expect(answers.filter((answer) => answer.errors === undefined)).toHaveLength(1);
      expect(answers.flatMap((answer) => answer.errors ?? []).map((error) => error.extensions?.['code'])).toEqual([
        expect.stringMatching(/^(CONFLICT|INVALID_TRANSITION)$/),
      ]);
      const primaries = await graph.subgraphs['customers']!.db('manager_assignments')
        .where({ customer_id: contested.id })
        .whereNotNull('current_primary_customer_id');
      expect(primaries).toHaveLength(1);
    });
  });

  describe('large customers', () => {
    it('need a manager of principal grade or above, from the 12-month written premium the policy events bring', async () => {
      const customer = await prospect();
      expect(customer.largeCustomer).toBe(false);
      const policyNo = await premiumArrives(customer.id, 1_200_000);
      expect((await readCustomer(customer.id)).largeCustomer).toBe(true);

      const regular = await mutate(graph, ASSIGN, { customerId: customer.id, managerId: managerOf('REGULAR').staffId, version: 1 }, CITY_SCM);
      expect(onlyError(regular)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'managerId', reason: expect.stringContaining('PRINCIPAL or above') });
      const principal = managerOf('PRINCIPAL', 1);
      const withPrincipal = await assigned(customer, principal);
      expect(withPrincipal.primaryManager).toEqual({ id: principal.staffId });

      // Nor may the principal be downgraded while the large customer is theirs.
      const manager = await readManager(principal);
      const downgrade = await mutate(graph, CHANGE_GRADE, { managerId: principal.staffId, grade: 'REGULAR', version: manager.version }, CITY_SCM);
      expect(onlyError(downgrade)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'grade', reason: expect.stringContaining('large customer') });

      // A cancelled policy's premium no longer counts; reinstated, it counts again; after 12 months it no longer does.
      await recordPolicyEvent(graph, {
        type: 'policy.cancelled',
        aggregate: `Policy:${policyNo}`,
        payload: { policyNo, customerId: customer.id, cancelledOn: '2026-12-07', forNonPayment: false, branchId: String(city.id) },
      });
      await waitForDeliveries(graph, 'policies', 'customers', `Policy:${policyNo}`, 2);
      expect((await readCustomer(customer.id)).largeCustomer).toBe(false);
      await recordPolicyEvent(graph, {
        type: 'policy.reinstated',
        aggregate: `Policy:${policyNo}`,
        payload: { policyNo, customerId: customer.id, reinstatedOn: '2026-12-08', branchId: String(city.id) },
      });
      await waitForDeliveries(graph, 'policies', 'customers', `Policy:${policyNo}`, 3);
      expect((await readCustomer(customer.id)).largeCustomer).toBe(true);
      clock.set('2027-12-08T02:00:00Z');
      expect((await readCustomer(customer.id)).largeCustomer).toBe(false);
    });

    it('are large with their corporate group: an organisation under a large group head is large', async () => {
      const crm = graph.subgraphs['customers']!.db;
      const members = (await crm('business_profiles')
        .whereNotNull('group_parent_customer_id')
        .orderBy('customer_id')
        .select('customer_id', 'group_parent_customer_id')) as {
        customer_id: number | string;
        group_parent_customer_id: number | string;
      }[];
      let member: (typeof members)[number] | undefined;
      for (const candidate of members) if (!(await readCustomer(String(candidate.customer_id))).largeCustomer) member ??= candidate;
      expect(member).toBeDefined();
      // Premium of the group head alone, none of the member's own.
      await premiumArrives(String(member!.group_parent_customer_id), 1_000_000);
      expect((await readCustomer(String(member!.customer_id))).largeCustomer).toBe(true);
    });
  });

  describe('grades', () => {
    it('are changed at the level the grade needs: others by a city branch, senior and principal by a provincial one', async () => {
      const target = managerOf('REGULAR', 2);
      const before = await readManager(target);
      expect(before.grade).toBe('REGULAR');
      const junior = dataOf(
        await mutate<{ changeManagerGrade: ManagerView }>(
          graph,
          CHANGE_GRADE,
          { managerId: target.staffId, grade: 'JUNIOR', version: before.version },
          CITY_SCM,
        ),
      ).changeManagerGrade;
      expect(junior).toMatchObject({ grade: 'JUNIOR', version: before.version + 1 });
      // Kept after the seeded yearly certifications.
      expect(junior.gradeChanges.slice(0, -1)).toEqual(before.gradeChanges);
      expect(junior.gradeChanges.at(-1)).toEqual({
        kind: 'CHANGE',
        fromGrade: 'REGULAR',
        toGrade: 'JUNIOR',
        certificationYear: null,
        approvedBy: { id: CITY_SCM.staffId },
        approvedByLevel: 'CITY',
        approvedByBranch: { id: String(city.id) },
        approvedAt: '2026-12-07T02:00:00Z',
      });

      // Principal is the province's to approve: the city's service centre is refused, and the province's executive approves.
      const byCity = await mutate(graph, CHANGE_GRADE, { managerId: target.staffId, grade: 'PRINCIPAL', version: junior.version }, CITY_SCM);
      expect(onlyError(byCity)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'manager.grade.change', reason: 'APPROVAL_LEVEL' });
      const principal = dataOf(
        await mutate<{ changeManagerGrade: ManagerView }>(
          graph,
          CHANGE_GRADE,
          { managerId: target.staffId, grade: 'PRINCIPAL', version: junior.version },
          PROVINCE_EXECUTIVE,
        ),
      ).changeManagerGrade;
      expect(principal.gradeChanges.at(-1)).toMatchObject({
        toGrade: 'PRINCIPAL',
        approvedByLevel: 'PROVINCE',
        approvedBy: { id: PROVINCE_EXECUTIVE.staffId },
      });
      // And a city grade is the city's: the province's service centre is refused.
      const byProvince = await mutate(graph, CHANGE_GRADE, { managerId: target.staffId, grade: 'REGULAR', version: principal.version }, PROVINCE_SCM);
      expect(onlyError(byProvince)).toMatchObject({ code: 'FORBIDDEN_ACTION', reason: 'APPROVAL_LEVEL' });
      const refusals = await auditRecordsOf(auditStore, 'manager.grade.change', `CustomerManager:${target.staffId}`, 4);
      expect(refusals.filter((row) => row['decision'] === 'DENY').map((row) => row['rule'])).toEqual(
        expect.arrayContaining([expect.stringContaining('approval-level:PROVINCE'), expect.stringContaining('approval-level:CITY')]),
      );
    });

    it('refuses the manager themself, another province, the same grade, a stale version; a retry changes nothing', async () => {
      const target = managerOf('TRAINEE');
      const { version, gradeChanges } = await readManager(target);
      const change = (as: ActingAs, grade: string, expected = version, key = randomUUID()) =>
        mutate(graph, CHANGE_GRADE, { managerId: target.staffId, grade, version: expected, key }, as);
      expect(onlyError(await change(target, 'JUNIOR'))).toMatchObject({ code: 'FORBIDDEN_ACTION', reason: 'NOT_GRANTED' });
      expect(onlyError(await change(FAR_SCM, 'JUNIOR'))).toMatchObject({ code: 'FORBIDDEN_ACTION', reason: 'OUT_OF_SCOPE' });
      expect(onlyError(await change(CITY_SCM, 'TRAINEE'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'grade' });
      const key = randomUUID();
      const first = dataOf(await change(CITY_SCM, 'JUNIOR', version, key));
      expect(dataOf(await change(CITY_SCM, 'JUNIOR', version, key))).toEqual(first);
      expect((await readManager(target)).gradeChanges).toHaveLength(gradeChanges.length + 1);
      expect(onlyError(await change(CITY_SCM, 'REGULAR', version))).toMatchObject({
        code: 'CONFLICT',
        entity: 'CustomerManager',
        expectedVersion: version,
        currentVersion: version + 1,
      });
    });

    it('are re-certified yearly once due, the certification kept in the grade history; overdue shows by the clock', async () => {
      const target = managerOf('REGULAR', 1);
      const before = await readManager(target);
      const last = before.gradeHistory.at(-1)!;
      expect(last.year).toBe(2026);
      expect(before.certificationDue).toBe(`2027${last.approvedOn.slice(4)}`);
      // Within 60 days of the due day (January 2027).
      expect(before.certificationStatus).toBe('DUE');

      const recertified = dataOf(
        await mutate<{ recertifyManager: ManagerView }>(graph, RECERTIFY, { managerId: target.staffId, grade: 'REGULAR', version: before.version }, CITY_SCM),
      ).recertifyManager;
      expect(recertified).toMatchObject({ grade: 'REGULAR', certificationStatus: 'CERTIFIED', certificationDue: '2027-12-07' });
      expect(recertified.gradeHistory.at(-1)).toEqual({
        year: 2027,
        grade: 'REGULAR',
        approvedByLevel: 'CITY',
        approvedByBranch: { id: String(city.id) },
        approvedOn: '2026-12-07',
      });
      expect(recertified.gradeChanges.at(-1)).toMatchObject({ kind: 'RECERTIFICATION', fromGrade: 'REGULAR', toGrade: 'REGULAR', certificationYear: 2027 });

      const again = await mutate(graph, RECERTIFY, { managerId: target.staffId, grade: 'REGULAR', version: recertified.version }, CITY_SCM);
      expect(onlyError(again)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'CERTIFIED', requestedState: 'CERTIFIED', allowed: ['DUE'] });

      // Another manager of the branch, never re-certified: overdue once January's due day has passed.
      clock.set('2027-02-01T02:00:00Z');
      expect((await readManager(managerOf('REGULAR', 2))).certificationStatus).toBe('OVERDUE');
      expect((await readManager(target)).certificationStatus).toBe('CERTIFIED');
    });
  });

  describe('visit reports', () => {
    it('fall due after the month ends, show overdue by the clock, and are on time or late when submitted', async () => {
      const customer = await prospect();
      const manager = managerOf('JUNIOR');
      await assigned(customer, manager);
      const due = async () => dataOf(await graph.query<{ customer: { visitReportDue: Record<string, unknown> } }>(VISIT_DUE, { id: customer.id })).customer;
      expect((await due()).visitReportDue).toEqual({ month: '2026-11', dueDate: '2026-12-10', submitted: false, overdue: false });
      expect((await readManager(manager)).overdueVisitReports).toEqual([]);

      clock.set('2026-12-11T01:00:00Z');
      expect((await due()).visitReportDue).toEqual({ month: '2026-11', dueDate: '2026-12-10', submitted: false, overdue: true });
      expect((await readManager(manager)).overdueVisitReports).toContainEqual({
        customer: { id: customer.id },
        month: '2026-11',
        dueDate: '2026-12-10',
        overdue: true,
      });

      const report = dataOf(
        await mutate<{ submitVisitReport: Record<string, unknown> }>(
          graph,
          SUBMIT_VISIT,
          { input: { customerId: customer.id, month: '2026-11', visitCount: 2, summary: '上门拜访两次，介绍企业财产险续保方案，客户有意向' } },
          manager,
        ),
      ).submitVisitReport;
      expect(report).toEqual({
        month: '2026-11',
        visitCount: 2,
        summary: '上门拜访两次，介绍企业财产险续保方案，客户有意向',
        submittedAt: '2026-12-11T01:00:00Z',
        dueDate: '2026-12-10',
        late: true,
        manager: { id: manager.staffId },
      });
      expect(await due()).toEqual({
        visitReportDue: { month: '2026-11', dueDate: '2026-12-10', submitted: true, overdue: false },
        visitReports: [{ month: '2026-11' }],
      });
      expect((await readManager(manager)).overdueVisitReports!.map((row) => row.customer?.id)).not.toContain(customer.id);
    });

    it('refuses a month not ended, a second report, health facts and bad counts; only the customer’s own manager submits', async () => {
      const customer = await prospect();
      const manager = managerOf('TRAINEE');
      await assigned(customer, manager);
      const submit = (input: Record<string, unknown>, as: ActingAs = manager) =>
        mutate(graph, SUBMIT_VISIT, { input: { customerId: customer.id, month: '2026-11', visitCount: 1, summary: '电话回访一次', ...input } }, as);
      expect(onlyError(await submit({ month: '2026-12' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.month' });
      expect(onlyError(await submit({ month: '2026-13' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.month' });
      expect(onlyError(await submit({ visitCount: -1 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.visitCount' });
      expect(onlyError(await submit({ summary: '客户住院治疗，未能拜访' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.summary' });
      expect(onlyError(await submit({}, managerOf('REGULAR')))).toMatchObject({
        code: 'FORBIDDEN_ACTION',
        action: 'manager.visitReport.submit',
        reason: 'OUT_OF_SCOPE',
      });
      expect(onlyError(await submit({}, CITY_SCM))).toMatchObject({ code: 'FORBIDDEN_ACTION', reason: 'NOT_GRANTED' });
      const key = randomUUID();
      const variables = { input: { customerId: customer.id, month: '2026-11', visitCount: 1, summary: '电话回访一次' }, key };
      const first = dataOf(await mutate(graph, SUBMIT_VISIT, variables, manager));
      expect(dataOf(await mutate(graph, SUBMIT_VISIT, variables, manager))).toEqual(first);
      expect(onlyError(await submit({ visitCount: 3 }))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.month',
        reason: expect.stringContaining('already'),
      });
    });
  });

  describe('major customer events', () => {
    it('are reported by the customer’s manager or the branch’s service centre, read back newest first', async () => {
      const customer = await prospect();
      const manager = managerOf('JUNIOR');
      await assigned(customer, manager);
      const report = (input: Record<string, unknown>, as: ActingAs) =>
        mutate<{ reportMajorCustomerEvent: Record<string, unknown> }>(
          graph,
          REPORT_EVENT,
          { input: { customerId: customer.id, kind: 'MAJOR_LOSS', occurredOn: '2026-12-01', description: '仓库火灾，存货损失约三百万元', ...input } },
          as,
        );
      const first = dataOf(await report({}, manager)).reportMajorCustomerEvent;
      expect(first).toMatchObject({ kind: 'MAJOR_LOSS', occurredOn: '2026-12-01', reportedBy: { id: manager.staffId }, reportedAt: '2026-12-07T02:00:00Z' });
      dataOf(await report({ kind: 'RELOCATION', occurredOn: '2026-12-05', description: '公司迁至新址' }, CITY_SCM));
      const read = dataOf(
        await graph.query<{ customer: { majorEvents: { kind: string }[] } }>('query ($id: ID!) { customer(id: $id) { majorEvents { kind } } }', {
          id: customer.id,
        }),
      );
      expect(read.customer.majorEvents.map((event) => event.kind)).toEqual(['RELOCATION', 'MAJOR_LOSS']);

      expect(onlyError(await report({ occurredOn: '2026-12-08' }, manager))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.occurredOn' });
      expect(onlyError(await report({ description: '法定代表人确诊癌症' }, manager))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.description' });
      // A role that may not read an event's description asks for its id only (to it, the description does not exist).
      const byHotline = await mutate(
        graph,
        `mutation Event($input: MajorCustomerEventInput!, $key: String!) { reportMajorCustomerEvent(input: $input, idempotencyKey: $key) { id } }`,
        { input: { customerId: customer.id, kind: 'OTHER', occurredOn: '2026-12-01', description: '客户来电反映经营变化' } },
        HOTLINE,
      );
      expect(onlyError(byHotline)).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'customer.majorEvent.report', reason: 'NOT_GRANTED' });
      expect(onlyError(await report({}, managerOf('REGULAR')))).toMatchObject({ code: 'FORBIDDEN_ACTION', reason: 'OUT_OF_SCOPE' });
    });
  });
});

/**
 * Nothing lost across systems: the CRM is down while the policy admin system binds a large policy for a customer;
 * the premium reaches it exactly once when it is back, over HTTP on SQLite and MariaDB, and over NATS JetStream on MariaDB.
 */
describe.each(STORES_AND_TRANSPORTS_UNDER_TEST)('policy premium reaches a customers subgraph that was down, on %s over %s', (dialect, transport) => {
  let graph: GraphUnderTest;
  const clock = new SettableClock(START);

  beforeAll(async () => {
    graph = await startGraph({ dialect, clock, eventTransport: transport });
  }, 240_000);
  afterAll(async () => {
    await graph?.close();
  });

  it('is applied once when the CRM is back, and makes the customer large', async () => {
    const crm = () => graph.subgraphs['customers']!.db;
    const { id } = (await crm()('customers').where({ kind: 'INDIVIDUAL' }).orderBy('id').first('id')) as { id: number | string };
    const customerId = String(id);
    await graph.stopSubgraph('customers');
    const policyNo = await bindPolicyFor(graph, customerId, 2_000_000, '2026-12-01');
    const first = await bindPolicyFor(graph, customerId, 1_000, '2026-12-02');
    await graph.restartSubgraph('customers');
    await waitForDeliveries(graph, 'policies', 'customers', `Policy:${policyNo}`, 1);
    await waitForDeliveries(graph, 'policies', 'customers', `Policy:${first}`, 1);
    const count = async (table: string, column: string, values: string[]) =>
      Number(((await crm()(table).whereIn(column, values).count({ rows: '*' })) as { rows: number | string }[])[0]!.rows);
    // Exactly once: one ledger row and one inbox entry per policy event.
    expect(await count('customer_premium_ledger', 'policy_no', [policyNo, first])).toBe(2);
    expect(await count('write_side_event_inbox', 'aggregate', [`Policy:${policyNo}`, `Policy:${first}`])).toBe(2);
    const read = await graph.query<{ customer: { largeCustomer: boolean } }>('query ($id: ID!) { customer(id: $id) { largeCustomer } }', { id: customerId });
    expect(dataOf(read).customer.largeCustomer).toBe(true);
  });
});
