import type { CustomerFact } from '@icg/synthetic';
import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { TEST_STORE } from './test-store';

const CUSTOMERS = 300;

/** Whole years from a YYYY-MM-DD day to today (UTC), counted the way people count ages. */
function yearsSince(day: string, today = new Date()): number {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const monthDay = (today.getUTCMonth() + 1) * 100 + today.getUTCDate();
  return today.getUTCFullYear() - year - (monthDay < month * 100 + date ? 1 : 0);
}

interface ConnectionPage {
  totalCount?: number;
  edges: { cursor: string; node: { id: string } }[];
  nodes: { id: string }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const PAGE_FIELDS = 'totalCount edges { cursor node { id } } nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

describe.each(TEST_DIALECTS)('customers subgraph on %s', (dialect) => {
  let crm: SeededSubgraph;
  beforeAll(async () => {
    crm = await startSeededSubgraph({ ...TEST_STORE, dialect, customers: CUSTOMERS });
  }, 120_000);
  afterAll(async () => crm?.close());

  const idsOf = (facts: readonly CustomerFact[]) => facts.map((fact) => String(fact.id));

  /** Follows `after` cursors to the end, checking each page's Relay bookkeeping on the way. */
  async function collectPages(pageQuery: (after: string | null) => Promise<ConnectionPage>): Promise<{ ids: string[]; totalCount: number | undefined }> {
    const ids: string[] = [];
    let after: string | null = null;
    let totalCount: number | undefined;
    for (let page = 0; page < 100; page++) {
      const connection = await pageQuery(after);
      totalCount = connection.totalCount;
      expect(connection.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(connection.nodes.map((node) => node.id)).toEqual(connection.edges.map((edge) => edge.node.id));
      expect(connection.pageInfo.startCursor).toBe(connection.edges[0]?.cursor ?? null);
      expect(connection.pageInfo.endCursor).toBe(connection.edges[connection.edges.length - 1]?.cursor ?? null);
      ids.push(...connection.nodes.map((node) => node.id));
      if (!connection.pageInfo.hasNextPage) return { ids, totalCount };
      after = connection.pageInfo.endCursor;
    }
    throw new Error('paging did not end');
  }

  it('returns a customer as the company facts describe them', async () => {
    const person = crm.facts.customers.find((fact) => fact.kind === 'INDIVIDUAL' && fact.primaryManagerStaffId !== null)!;
    const manager = crm.org.staff.find((member) => member.id === person.primaryManagerStaffId)!;
    const response = await crm.query<{ customer: Record<string, unknown> }>(
      `query($id: ID!) { customer(id: $id) {
        id customerNo kind name gender birthDate idType idNumber mobile customerSince tenureYears blacklisted
        branch { id path level } businessProfile { industry }
        primaryManager { id grade staff { id name role branch { id } } }
      } }`,
      { id: String(person.id) },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.customer).toEqual({
      id: String(person.id),
      customerNo: person.customerNo,
      kind: 'INDIVIDUAL',
      name: person.name,
      gender: person.gender,
      birthDate: person.birthDate,
      idType: 'RESIDENT_ID',
      idNumber: person.idNumber,
      mobile: person.mobile,
      customerSince: person.customerSince,
      tenureYears: yearsSince(person.customerSince),
      blacklisted: person.blacklisted,
      branch: { id: String(person.branchId), path: person.branchPath, level: 'CITY' },
      businessProfile: null,
      primaryManager: {
        id: String(manager.id),
        grade: manager.grade,
        staff: { id: String(manager.id), name: manager.name, role: 'CUSTOMER_MANAGER', branch: { id: String(manager.branchId) } },
      },
    });

    const organisation = crm.facts.customers.find((fact) => fact.kind === 'ORGANISATION')!;
    const byNumber = await crm.query<{ customerByNo: Record<string, unknown> }>(
      `query($no: String!) { customerByNo(customerNo: $no) { id name idType idNumber gender birthDate businessProfile { industry employees } } }`,
      { no: organisation.customerNo },
    );
    expect(byNumber.errors).toBeUndefined();
    expect(byNumber.data!.customerByNo).toMatchObject({
      id: String(organisation.id),
      name: organisation.name,
      idType: 'USCC',
      idNumber: organisation.idNumber,
      gender: null,
      birthDate: null,
    });
    expect(byNumber.data!.customerByNo['businessProfile']).toEqual({ industry: expect.any(String), employees: expect.any(Number) });
  });

  it('answers unknown ids and numbers with null, without errors', async () => {
    const hotlineAgent = crm.org.staff.find((member) => member.role === 'HOTLINE_AGENT')!;
    const response = await crm.query(
      `query($agent: ID!) {
        customer(id: "999999") { id } customerByNo(customerNo: "CU9999999999") { id } branch(id: "9999") { id }
        staff(id: "999999") { id } customerManager(id: "999999") { id } agentAsManager: customerManager(id: $agent) { id }
      }`,
      { agent: String(hotlineAgent.id) },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ customer: null, customerByNo: null, branch: null, staff: null, customerManager: null, agentAsManager: null });
  });

  it('refuses malformed arguments with BAD_USER_INPUT naming the argument', async () => {
    const managerId = String(crm.facts.customers.find((fact) => fact.primaryManagerStaffId !== null)!.primaryManagerStaffId);
    const cases: [string, string][] = [
      ['{ customer(id: "abc") { id } }', 'id'],
      ['{ customer(id: "0") { id } }', 'id'],
      ['{ customerByNo(customerNo: "CU123") { id } }', 'customerNo'],
      ['{ customers(first: 201) { totalCount } }', 'first'],
      ['{ customers(first: -1) { totalCount } }', 'first'],
      ['{ customers(after: "not a cursor") { totalCount } }', 'after'],
      ['{ customers(after: "azE6YWJj") { totalCount } }', 'after'],
      ['{ customers(filter: { branchId: "x" }) { totalCount } }', 'filter.branchId'],
      ['{ customers(filter: { primaryManagerId: "-3" }) { totalCount } }', 'filter.primaryManagerId'],
      ['{ customers(filter: { customerSinceFrom: "2024-02-30" }) { totalCount } }', 'filter.customerSinceFrom'],
      ['{ customers(filter: { customerSinceTo: "yesterday" }) { totalCount } }', 'filter.customerSinceTo'],
      ['{ branch(id: "b1") { id } }', 'id'],
      ['{ staff(id: "1.5") { id } }', 'id'],
      ['{ customerManager(id: "x") { id } }', 'id'],
      [`{ customerManager(id: "${managerId}") { portfolio(first: 500) { totalCount } } }`, 'first'],
      [`{ customerManager(id: "${managerId}") { portfolio(after: "abc") { totalCount } } }`, 'after'],
      ['{ _entities(representations: [{ __typename: "Customer", id: "DROP TABLE" }]) { ... on Customer { id } } }', 'representations'],
    ];
    for (const [query, argumentName] of cases) {
      const response = await crm.query(query);
      expect({ query, errors: response.errors?.map((error) => error.extensions) }).toEqual({
        query,
        errors: [expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName })],
      });
      expect(JSON.stringify(response.errors)).not.toMatch(/stack|select |sqlite|mysql/i);
    }
  });

  it('pages through every customer in id order with keyset cursors, counting only what it pages', async () => {
    const { ids, totalCount } = await collectPages(async (after) => {
      const response = await crm.query<{ customers: ConnectionPage }>(`query($after: String) { customers(first: 37, after: $after) { ${PAGE_FIELDS} } }`, {
        after,
      });
      expect(response.errors).toBeUndefined();
      return response.data!.customers;
    });
    expect(totalCount).toBe(CUSTOMERS);
    expect(ids).toEqual(idsOf(crm.facts.customers));

    const empty = await crm.query<{ customers: ConnectionPage }>(`{ customers(first: 0) { ${PAGE_FIELDS} } }`);
    expect(empty.data!.customers).toMatchObject({ totalCount: CUSTOMERS, nodes: [], pageInfo: { hasNextPage: true, startCursor: null, endCursor: null } });
  });

  it('filters on business facts, a branch filter covering its whole subtree', async () => {
    const facts = crm.facts.customers;
    const sample = facts.find((fact) => fact.primaryManagerStaffId !== null)!;
    const province = crm.org.branches.find((branch) => branch.id === crm.org.branches.find((city) => city.id === sample.branchId)!.parentId)!;
    const cases: [Record<string, unknown>, CustomerFact[]][] = [
      [{ branchId: '1' }, facts],
      [{ branchId: String(province.id) }, facts.filter((fact) => fact.branchPath.startsWith(province.path))],
      [{ branchId: String(sample.branchId) }, facts.filter((fact) => fact.branchId === sample.branchId)],
      [{ kind: 'ORGANISATION' }, facts.filter((fact) => fact.kind === 'ORGANISATION')],
      [{ blacklisted: true }, facts.filter((fact) => fact.blacklisted)],
      [{ primaryManagerId: String(sample.primaryManagerStaffId) }, facts.filter((fact) => fact.primaryManagerStaffId === sample.primaryManagerStaffId)],
      [
        { kind: 'INDIVIDUAL', branchId: String(province.id), customerSinceFrom: '2020-01-01', customerSinceTo: '2023-12-31' },
        facts.filter(
          (fact) =>
            fact.kind === 'INDIVIDUAL' && fact.branchPath.startsWith(province.path) && fact.customerSince >= '2020-01-01' && fact.customerSince <= '2023-12-31',
        ),
      ],
      [{ branchId: '9999' }, []],
    ];
    for (const [filter, expected] of cases) {
      const { ids, totalCount } = await collectPages(async (after) => {
        const response = await crm.query<{ customers: ConnectionPage }>(
          `query($filter: CustomerFilter, $after: String) { customers(first: 50, after: $after, filter: $filter) { ${PAGE_FIELDS} } }`,
          { filter, after },
        );
        expect(response.errors).toBeUndefined();
        return response.data!.customers;
      });
      expect({ filter, ids, totalCount }).toEqual({ filter, ids: idsOf(expected), totalCount: expected.length });
    }
    // A filter that matches nothing real must not be vacuous for the others.
    expect(facts.filter((fact) => fact.blacklisted).length).toBeGreaterThan(0);
  });

  it('resolves entity references in order, null for unknown keys', async () => {
    const [first, second] = crm.facts.customers;
    const manager = crm.org.staff.find((member) => member.role === 'CUSTOMER_MANAGER')!;
    const operator = crm.org.staff.find((member) => member.role === 'OPERATOR')!;
    const representations = [
      { __typename: 'Customer', id: String(second!.id) },
      { __typename: 'Customer', id: '999999' },
      { __typename: 'Customer', id: String(first!.id) },
      { __typename: 'Branch', id: '1' },
      { __typename: 'Staff', id: String(operator.id) },
      { __typename: 'CustomerManager', id: String(manager.id) },
      { __typename: 'CustomerManager', id: String(operator.id) },
    ];
    const response = await crm.query<{ _entities: unknown[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Customer { id customerNo } ... on Branch { id level } ... on Staff { id role } ... on CustomerManager { id grade }
      } }`,
      { r: representations },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities).toEqual([
      { id: String(second!.id), customerNo: second!.customerNo },
      null,
      { id: String(first!.id), customerNo: first!.customerNo },
      { id: '1', level: 'HEAD_OFFICE' },
      { id: String(operator.id), role: 'OPERATOR' },
      { id: String(manager.id), grade: manager.grade },
      null,
    ]);
  });

  it("gives every customer's child records consistent with each other", async () => {
    interface Staffish {
      id: string;
      role: string;
    }
    interface Node {
      id: string;
      kind: string;
      name: string;
      blacklisted: boolean;
      primaryManager: { id: string } | null;
      addresses: { kind: string; province: string; city: string; line: string; fullAddress: string }[];
      household: {
        size: number;
        members: { name: string; relationship: string; isHead: boolean; birthDate: string }[];
        minors: { relationship: string; birthDate: string }[];
      } | null;
      businessProfile: {
        employees: number;
        registeredCapital: number;
        annualRevenue: number;
        legalRepresentative: string;
        groupParent: { id: string; kind: string } | null;
      } | null;
      managerAssignments: { manager: { id: string } | null; isPrimary: boolean; from: string; to: string | null }[];
      visitReports: { month: string; manager: { id: string } | null; visitCount: number; summary: string }[];
      blacklistEntries: { status: string; reason: string; proposedBy: Staffish; approvedBy: Staffish | null; activatedAt: string | null }[];
      pendingChangeRequests: {
        status: string;
        proposedValue: string;
        submittedBy: Staffish;
        submittedAt: string;
        reviewedBy: Staffish | null;
        reviewedAt: string | null;
      }[];
    }
    // One list per selection, each within the operation cost limit the subgraph shares with the gateway, merged by id.
    const selections = [
      'id kind name blacklisted primaryManager { id } addresses { kind province city line fullAddress }',
      'id name household { size members { name relationship isHead birthDate } minors { relationship birthDate } }',
      'id businessProfile { employees registeredCapital annualRevenue legalRepresentative groupParent { id kind } }',
      'id managerAssignments { manager { id } isPrimary from to }',
      'id visitReports { month manager { id } visitCount summary }',
      'id blacklistEntries { status reason proposedBy { id role } approvedBy { id role } activatedAt }',
      'id pendingChangeRequests { status proposedValue submittedBy { id role } submittedAt reviewedBy { id role } reviewedAt }',
    ];
    const byId = new Map<string, Node>();
    for (const selection of selections) {
      let after: string | null = null;
      do {
        const response: Awaited<ReturnType<typeof crm.query<{ customers: { nodes: Node[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>>> =
          await crm.query(`query($after: String) { customers(first: 200, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${selection} } } }`, {
            after,
          });
        expect(response.errors).toBeUndefined();
        for (const node of response.data!.customers.nodes) byId.set(node.id, { ...byId.get(node.id), ...node });
        after = response.data!.customers.pageInfo.hasNextPage ? response.data!.customers.pageInfo.endCursor : null;
      } while (after);
    }
    const nodes = [...byId.values()];
    expect(nodes).toHaveLength(CUSTOMERS);

    for (const customer of nodes) {
      for (const address of customer.addresses) {
        expect(address.fullAddress).toBe(`${address.province === address.city ? '' : address.province}${address.city}${address.line}`);
      }
      expect(customer.addresses.map((address) => address.kind)).toContain(customer.kind === 'INDIVIDUAL' ? 'HOME' : 'REGISTERED');

      if (customer.household) {
        const everyone = [...customer.household.members, ...customer.household.minors];
        expect(everyone).toHaveLength(customer.household.size);
        expect(customer.household.members.filter((member) => member.isHead)).toHaveLength(1);
        expect(customer.household.members.find((member) => member.relationship === 'SELF')?.name).toBe(customer.name);
        for (const minor of customer.household.minors) expect(yearsSince(minor.birthDate)).toBeLessThan(18);
        for (const adult of customer.household.members) expect(yearsSince(adult.birthDate)).toBeGreaterThanOrEqual(18);
      }
      if (customer.kind === 'ORGANISATION') {
        expect(customer.household).toBeNull();
        expect(customer.businessProfile).not.toBeNull();
        if (customer.businessProfile!.groupParent) {
          expect(customer.businessProfile!.groupParent.kind).toBe('ORGANISATION');
          expect(Number(customer.businessProfile!.groupParent.id)).toBeLessThan(Number(customer.id));
        }
      } else {
        expect(customer.businessProfile).toBeNull();
      }

      const currentPrimaries = customer.managerAssignments.filter((assignment) => assignment.isPrimary && assignment.to === null);
      expect(currentPrimaries.map((assignment) => assignment.manager?.id)).toEqual(customer.primaryManager ? [customer.primaryManager.id] : []);
      const primaries = customer.managerAssignments.filter((assignment) => assignment.isPrimary);
      for (let index = 1; index < primaries.length; index++) {
        const handOver = new Date(`${primaries[index - 1]!.to}T00:00:00Z`).getTime() + 86_400_000;
        expect(new Date(`${primaries[index]!.from}T00:00:00Z`).getTime()).toBe(handOver);
      }
      for (const assignment of customer.managerAssignments) if (assignment.to) expect(assignment.to >= assignment.from).toBe(true);

      expect(customer.visitReports.map((report) => report.month)).toEqual(
        customer.visitReports
          .map((report) => report.month)
          .sort()
          .reverse(),
      );
      for (const report of customer.visitReports) {
        expect(report.manager).not.toBeNull();
        expect(report.summary).toContain(`${report.visitCount}次`);
      }

      expect(customer.blacklistEntries.some((entry) => entry.status === 'ACTIVE')).toBe(customer.blacklisted);
      for (const entry of customer.blacklistEntries) {
        expect(entry.reason.length).toBeGreaterThan(0);
        expect(entry.approvedBy === null).toBe(entry.status === 'PROPOSED');
        if (entry.approvedBy) expect(entry.approvedBy.id).not.toBe(entry.proposedBy.id);
      }

      for (const request of customer.pendingChangeRequests) {
        expect(['SUBMITTED', 'RETURNED']).toContain(request.status);
        expect(request.submittedBy.role).toBe('CUSTOMER_MANAGER');
        if (request.status === 'RETURNED') {
          expect(request.reviewedBy?.role).toBe('OPERATOR');
          expect(request.reviewedAt! > request.submittedAt).toBe(true);
        } else {
          expect(request.reviewedBy).toBeNull();
        }
      }
    }
    // Each rule above was exercised on real data, not on empty lists.
    expect(nodes.filter((customer) => customer.household?.minors.length).length).toBeGreaterThan(0);
    expect(nodes.filter((customer) => customer.businessProfile?.groupParent).length).toBeGreaterThan(0);
    expect(nodes.filter((customer) => customer.managerAssignments.filter((assignment) => assignment.isPrimary).length > 1).length).toBeGreaterThan(0);
    expect(nodes.filter((customer) => customer.visitReports.length).length).toBeGreaterThan(0);
    expect(nodes.filter((customer) => customer.blacklisted).length).toBeGreaterThan(0);
    expect(nodes.filter((customer) => customer.pendingChangeRequests.some((request) => request.status === 'RETURNED')).length).toBeGreaterThan(0);
  });

  it('serves the org tree: every branch once, parents and children agreeing', async () => {
    interface BranchNode {
      id: string;
      code: string;
      name: string;
      level: string;
      path: string;
      parent: { id: string } | null;
      children: { id: string }[];
    }
    const response = await crm.query<{ branches: BranchNode[] }>('{ branches { id code name level path parent { id } children { id } } }');
    expect(response.errors).toBeUndefined();
    const branches = response.data!.branches;
    expect(branches.map((branch) => ({ id: branch.id, code: branch.code, name: branch.name, level: branch.level, path: branch.path }))).toEqual(
      crm.org.branches.map((branch) => ({ id: String(branch.id), code: branch.code, name: branch.name, level: branch.level, path: branch.path })),
    );
    const byId = new Map(branches.map((branch) => [branch.id, branch]));
    for (const branch of branches) {
      for (const child of branch.children) {
        expect(byId.get(child.id)!.parent?.id).toBe(branch.id);
        expect(byId.get(child.id)!.path.startsWith(branch.path)).toBe(true);
      }
      if (branch.parent) expect(byId.get(branch.parent.id)!.children.map((child) => child.id)).toContain(branch.id);
    }
    expect(branches.filter((branch) => branch.parent === null).map((branch) => branch.level)).toEqual(['HEAD_OFFICE']);
  });

  it("shows a customer manager's grades and pages through their portfolio", async () => {
    const counts = new Map<number, number>();
    for (const fact of crm.facts.customers)
      if (fact.primaryManagerStaffId !== null) counts.set(fact.primaryManagerStaffId, (counts.get(fact.primaryManagerStaffId) ?? 0) + 1);
    const [managerId] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const manager = crm.org.staff.find((member) => member.id === managerId)!;
    const expected = crm.facts.customers.filter((fact) => fact.primaryManagerStaffId === managerId);
    expect(expected.length).toBeGreaterThan(4);

    const profile = await crm.query<{
      customerManager: {
        grade: string;
        staff: { staffNo: string };
        gradeHistory: { year: number; grade: string; approvedByLevel: string; approvedByBranch: { level: string }; approvedOn: string }[];
      };
    }>(
      `query($id: ID!) { customerManager(id: $id) { grade staff { staffNo } gradeHistory { year grade approvedByLevel approvedByBranch { level } approvedOn } } }`,
      { id: String(managerId) },
    );
    expect(profile.errors).toBeUndefined();
    const { grade, staff, gradeHistory } = profile.data!.customerManager;
    expect({ grade, staffNo: staff.staffNo }).toEqual({ grade: manager.grade, staffNo: manager.staffNo });
    expect(gradeHistory.length).toBeGreaterThan(0);
    expect(gradeHistory[gradeHistory.length - 1]!.grade).toBe(manager.grade);
    expect(gradeHistory.map((entry) => entry.year)).toEqual([...gradeHistory.map((entry) => entry.year)].sort((a, b) => a - b));
    for (const certification of gradeHistory) {
      expect(certification.approvedByLevel).toBe(['SENIOR', 'PRINCIPAL'].includes(certification.grade) ? 'PROVINCE' : 'CITY');
      expect(certification.approvedByBranch.level).toBe(certification.approvedByLevel);
      expect(certification.approvedOn.startsWith(String(certification.year))).toBe(true);
    }

    const { ids, totalCount } = await collectPages(async (after) => {
      const response = await crm.query<{ customerManager: { portfolio: ConnectionPage } }>(
        `query($id: ID!, $after: String) { customerManager(id: $id) { portfolio(first: 2, after: $after) { ${PAGE_FIELDS} } } }`,
        { id: String(managerId), after },
      );
      expect(response.errors).toBeUndefined();
      return response.data!.customerManager.portfolio;
    });
    expect({ ids, totalCount }).toEqual({ ids: idsOf(expected), totalCount: expected.length });
  });
});
