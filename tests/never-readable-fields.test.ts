import { customersSubgraph } from '@icg/subgraph-customers';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { countStatements } from './support/statement-counter';

type ResolverMap = Record<string, Record<string, (...args: unknown[]) => unknown>>;

describe('a field the role may never read', () => {
  let graph: GraphUnderTest;
  const resolvers = customersSubgraph.resolvers as unknown as ResolverMap;
  const householdResolver = jest.spyOn(resolvers['Customer']!, 'household');

  beforeAll(async () => {
    graph = await startGraph({ customers: 20 });
  }, 120_000);
  afterAll(async () => {
    householdResolver.mockRestore();
    await graph?.close();
  });

  const WITH_HOUSEHOLD = '{ customer(id: "2") { customerNo household { members { name relationship } } } }';
  const WITHOUT_HOUSEHOLD = '{ customer(id: "2") { customerNo } }';
  const databases = () => Object.values(graph.subgraphs).map((running) => running.db);

  it('is answered null with FORBIDDEN_FIELD, without a resolver call or a statement for it', async () => {
    // BI analysts read no CONFIDENTIAL field in any scope: the gateway removes `household` before planning.
    householdResolver.mockClear();
    const baseline = await countStatements(databases(), () => graph.query(WITHOUT_HOUSEHOLD, {}, { role: 'BI_ANALYST' }));
    let response: Awaited<ReturnType<GraphUnderTest['query']>> | undefined;
    const withField = await countStatements(databases(), async () => {
      response = await graph.query(WITH_HOUSEHOLD, {}, { role: 'BI_ANALYST' });
    });
    expect(response!.data).toEqual({ customer: { customerNo: expect.stringMatching(/^ps_/), household: null } });
    expect(response!.errors).toEqual([
      expect.objectContaining({
        path: ['customer', 'household'],
        extensions: expect.objectContaining({ code: 'FORBIDDEN_FIELD', coordinate: 'Customer.household', tier: 'CONFIDENTIAL' }),
      }),
    ]);
    expect(householdResolver).not.toHaveBeenCalled();
    expect(withField).toBe(baseline);
  });

  it('still resolves for a role that may read it', async () => {
    householdResolver.mockClear();
    const response = await graph.query<{ customer: { household: unknown } }>(WITH_HOUSEHOLD);
    expect(response.errors).toBeUndefined();
    expect(householdResolver).toHaveBeenCalledTimes(1);
  });

  it("keeps each role's own answer whichever role asks first (plans are keyed by role and policy version)", async () => {
    const asked = '{ customer(id: "2") { customerNo mobile idNumber } }';
    const hotlineFirst = await graph.query(asked, {}, { role: 'HOTLINE_AGENT' });
    const auditorSecond = await graph.query(asked);
    const auditorFirst = await graph.query(asked);
    const hotlineSecond = await graph.query(asked, {}, { role: 'HOTLINE_AGENT' });
    expect(hotlineFirst).toMatchObject({ data: hotlineSecond.data });
    expect(auditorFirst).toMatchObject({ data: auditorSecond.data });
    const hotline = hotlineFirst.data as { customer: { mobile: string; idNumber: string | null } };
    const auditor = auditorFirst.data as { customer: { mobile: string; idNumber: string | null } };
    expect(hotline.customer.idNumber).toBeNull();
    expect(hotline.customer.mobile).toMatch(/^\d{3}\*{4}\d{4}$/);
    expect(auditor.customer.idNumber).toMatch(/^\d{17}[\dX]$|^[0-9A-Y]{18}$/);
    expect(auditor.customer.mobile).toMatch(/^1\d{10}$/);
  });

  it("is absent from the role's introspection", async () => {
    const fieldsOf = async (role: 'HOTLINE_AGENT' | 'AUDITOR') => {
      const response = await graph.query<{ __type: { fields: { name: string }[] } }>(
        '{ __type(name: "Customer") { fields { name } } }',
        {},
        role === 'AUDITOR' ? { role, purpose: 'AUDIT' } : { role },
      );
      return response.data!.__type.fields.map((field) => field.name);
    };
    expect(await fieldsOf('HOTLINE_AGENT')).not.toContain('idNumber');
    expect(await fieldsOf('HOTLINE_AGENT')).toContain('mobile');
    expect(await fieldsOf('AUDITOR')).toContain('idNumber');
  });
});
