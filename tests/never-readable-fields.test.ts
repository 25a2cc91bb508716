import { customersSubgraph } from '@icg/subgraph-customers';
import { loadAccessPolicy } from '@icg/shared';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { waitUntil } from './support/hotline-desk';
import { countStatements } from './support/statement-counter';
import { TEST_DIALECTS } from './support/test-database';
import { bearerHeaders, type ActingAs } from './support/test-security';

type ResolverMap = Record<string, Record<string, (...args: unknown[]) => unknown>>;

const BI_ANALYST: ActingAs = { role: 'BI_ANALYST' };

/** What a client sees of an answer, byte for byte: status, the headers that do not vary per request, and the body. */
async function rawAnswer(graph: GraphUnderTest, query: string, acting: ActingAs): Promise<string> {
  const response = await fetch(graph.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await bearerHeaders(acting)) },
    body: JSON.stringify({ query }),
  });
  const headers = [...response.headers.entries()].filter(([name]) => !['date', 'x-request-id'].includes(name));
  return JSON.stringify({ status: response.status, headers, body: await response.text() });
}

describe.each(TEST_DIALECTS)('a field the role may never read, on %s', (dialect) => {
  let graph: GraphUnderTest;
  const resolvers = customersSubgraph.resolvers as unknown as ResolverMap;
  // Spied on before each dialect's graph starts (the subgraph takes its resolvers then), restored after it.
  let householdResolver: jest.SpyInstance;

  beforeAll(async () => {
    householdResolver = jest.spyOn(resolvers['Customer']!, 'household');
    graph = await startGraph({ dialect, customers: 20 });
  }, 120_000);
  afterAll(async () => {
    householdResolver.mockRestore();
    await graph?.close();
  });

  const WITH_HOUSEHOLD = '{ customer(id: "2") { customerNo household { members { name relationship } } } }';
  const WITHOUT_HOUSEHOLD = '{ customer(id: "2") { customerNo } }';
  const databases = () => Object.values(graph.subgraphs).map((running) => running.db);

  it('is answered null with FORBIDDEN_FIELD, not naming its tier, without a resolver call or a statement for it', async () => {
    // Executives see CONFIDENTIAL values masked, and an object cannot be masked: the gateway removes `household`.
    expect(loadAccessPolicy().roles.EXECUTIVE.neverReadable).toBe('null');
    householdResolver.mockClear();
    const baseline = await countStatements(databases(), () => graph.query(WITHOUT_HOUSEHOLD, {}, { role: 'EXECUTIVE' }));
    let response: Awaited<ReturnType<GraphUnderTest['query']>> | undefined;
    const withField = await countStatements(databases(), async () => {
      response = await graph.query(WITH_HOUSEHOLD, {}, { role: 'EXECUTIVE' });
    });
    expect(response!.data).toEqual({ customer: { customerNo: expect.any(String), household: null } });
    expect(response!.errors).toEqual([
      {
        message: 'Not authorised to read Customer.household',
        path: ['customer', 'household'],
        extensions: { code: 'FORBIDDEN_FIELD', coordinate: 'Customer.household', policyVersion: loadAccessPolicy().version, decisionId: expect.any(String) },
      },
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
    // The auditor reads idNumber (RESTRICTED) in clear only while the audit store takes writes (fail closed): on a loaded
    // machine the SQLite audit store can be busy for a moment, so the auditor's answer is read again until it has no
    // FORBIDDEN_FIELD. A plan shared with the executive's would answer null every time.
    const auditorAnswer = () =>
      waitUntil(
        () => graph.query(asked),
        (response) => response.errors === undefined,
        5_000,
      );
    const executiveFirst = await graph.query(asked, {}, { role: 'EXECUTIVE' });
    const auditorSecond = await auditorAnswer();
    const auditorFirst = await auditorAnswer();
    expect(auditorSecond.errors).toBeUndefined();
    const executiveSecond = await graph.query(asked, {}, { role: 'EXECUTIVE' });
    expect(executiveFirst).toMatchObject({ data: executiveSecond.data });
    expect(auditorFirst).toMatchObject({ data: auditorSecond.data });
    // A role whose policy says `unknown` is refused the same document, whoever asked before it.
    expect((await graph.query(asked, {}, { role: 'HOTLINE_AGENT' })).errors).toEqual([
      expect.objectContaining({ message: 'Cannot query field "idNumber" on type "Customer".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
    ]);
    expect(await graph.query(asked)).toMatchObject({ data: auditorFirst.data });
    const hotline = executiveFirst.data as { customer: { mobile: string; idNumber: string | null } };
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

  describe('for a role whose policy says neverReadable: unknown (BI_ANALYST)', () => {
    it('answers a guessed hidden field byte for byte as a made-up field', async () => {
      expect(loadAccessPolicy().roles.BI_ANALYST.neverReadable).toBe('unknown');
      // Same length, so even content-length cannot tell them apart.
      const guessed = await rawAnswer(graph, '{ customer(id: "2") { customerNo idNumber } }', BI_ANALYST);
      const madeUp = await rawAnswer(graph, '{ customer(id: "2") { customerNo passport } }', BI_ANALYST);
      expect(JSON.parse(JSON.parse(guessed).body as string)).toEqual({
        errors: [
          {
            message: 'Cannot query field "idNumber" on type "Customer".',
            locations: [{ line: 1, column: 34 }],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          },
        ],
      });
      expect(guessed.replaceAll('idNumber', 'passport')).toBe(madeUp);
    });

    it('answers a hidden object field misused the way a probe would misuse it as a made-up field', async () => {
      // Against the full schema these would say "must have a selection of subfields" and "Unknown argument": both name a real field.
      for (const [hidden, madeUp] of [
        ['{ customer(id: "2") { household } }', '{ customer(id: "2") { housemate } }'],
        ['{ customer(id: "2") { addresses(first: 1) { x } } }', '{ customer(id: "2") { addressez(first: 1) { x } } }'],
      ] as const) {
        const hiddenName = /\{ (\w+)[ (]/.exec(hidden.slice(20))![1]!;
        const madeUpName = /\{ (\w+)[ (]/.exec(madeUp.slice(20))![1]!;
        expect((await rawAnswer(graph, hidden, BI_ANALYST)).replaceAll(hiddenName, madeUpName)).toBe(await rawAnswer(graph, madeUp, BI_ANALYST));
      }
    });

    it('lets a clairvoyance-style loop of guesses recover nothing it could not introspect', async () => {
      const fieldsOf = async (acting: ActingAs) => {
        const response = await graph.query<{ __type: { fields: { name: string }[] } }>('{ __type(name: "Customer") { fields { name } } }', {}, acting);
        return response.data!.__type.fields.map((field) => field.name);
      };
      const visible = await fieldsOf(BI_ANALYST);
      const every = await fieldsOf({ role: 'AUDITOR', purpose: 'AUDIT' });
      const hidden = every.filter((name) => !visible.includes(name));
      expect(hidden).toEqual(expect.arrayContaining(['name', 'email', 'idNumber', 'mobile', 'household', 'creditRating']));
      const wordlist = [...every, 'fullName', 'phone', 'address', 'ssn', 'passport', 'birthday', 'password', 'salary'];
      // The answer with the guessed name blanked out of the message, and without content-length (it grows with the name).
      const answerTo = async (guess: string) =>
        (await rawAnswer(graph, `{ customer(id: "2") { ${guess} } }`, BI_ANALYST))
          .replaceAll(`field \\\\\\"${guess}\\\\\\"`, 'field \\\\\\"?\\\\\\"')
          .replace(/\["content-length","\d+"\],?/, '');
      const unknown = await answerTo('zzzzzzzz');
      expect(unknown).toContain('Cannot query field');
      const recovered: string[] = [];
      for (const guess of wordlist) if ((await answerTo(guess)) !== unknown) recovered.push(guess);
      expect(recovered.sort()).toEqual([...visible].sort());
    }, 60_000);
  });
});
