import { ApolloServer } from '@apollo/server';
import { buildClientSchema, getIntrospectionQuery, isObjectType, print, type IntrospectionQuery } from 'graphql';
import type { GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import type { AccessPolicy, RolePolicy, StaffIdentity } from '@icg/shared';
import { EnforcingGateway, type AccessRequestContext, type GatewayDenial } from '../enforcing-gateway';
import { fixtureGraph, identity, realPolicy, type FixtureGraph } from './access-fixtures';

/** The shipped policy with every role answering never-readable fields with null (the default). */
const policy = withNeverReadable(realPolicy(), 'null');
const shippedPolicy = realPolicy();
const hotlineAgent = identity('HOTLINE_AGENT');
const auditor = identity('AUDITOR', 'AUDIT');
const biAnalyst = identity('BI_ANALYST');

const PEOPLE_QUERY = /* GraphQL */ `
  query People {
    people {
      id
      name
      idNumber
      diagnosis
      riskBand
      contacts {
        label
        note
      }
    }
  }
`;

function withNeverReadable(base: AccessPolicy, answer: RolePolicy['neverReadable']): AccessPolicy {
  const roles = Object.fromEntries(Object.entries(base.roles).map(([role, rolePolicy]) => [role, { ...rolePolicy, neverReadable: answer }]));
  return { ...base, version: `${base.version}-${answer}`, roles: roles as AccessPolicy['roles'] };
}

interface Response {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<{ message: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }>;
}

interface Harness {
  graph: FixtureGraph;
  server: ApolloServer<AccessRequestContext>;
  denials: GatewayDenial[];
  run(as: StaffIdentity, query: string, variables?: Record<string, unknown>): Promise<Response>;
  /** The same, with the HTTP status Apollo Server would send. */
  runWithStatus(as: StaffIdentity, query: string): Promise<{ status: number | undefined; body: Response }>;
}

/** What the wrapped gateway's executor was given, per call. */
interface InnerCall {
  queryHash: string;
  document: string;
}

/** Passes everything to the real gateway and records what its executor receives. */
function recordingGateway(inner: GatewayInterface, calls: InnerCall[]): GatewayInterface {
  return {
    onSchemaLoadOrUpdate: (callback) => inner.onSchemaLoadOrUpdate(callback),
    stop: () => inner.stop(),
    async load(options) {
      const loaded = await inner.load(options);
      const executor = loaded.executor!;
      return {
        ...loaded,
        executor: (requestContext: GatewayGraphQLRequestContext) => {
          calls.push({ queryHash: requestContext.queryHash, document: print(requestContext.document) });
          return executor(requestContext);
        },
      };
    },
  };
}

interface HarnessOptions {
  policy?: AccessPolicy | (() => AccessPolicy);
  innerCalls?: InnerCall[];
  /** To show what the executor's own check leaves to the plugin. */
  withoutValidationPlugin?: boolean;
}

async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const graph = fixtureGraph();
  const denials: GatewayDenial[] = [];
  const inner = options.innerCalls ? recordingGateway(graph.createGateway(), options.innerCalls) : graph.createGateway();
  const gateway = new EnforcingGateway({ gateway: inner, policy: options.policy ?? policy, onDenied: (reported) => denials.push(...reported) });
  const server = new ApolloServer<AccessRequestContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    plugins: options.withoutValidationPlugin ? [] : [gateway.validationPlugin()],
  });
  await server.start();
  return {
    graph,
    server,
    denials,
    async run(as, query, variables) {
      const response = await server.executeOperation({ query, ...(variables ? { variables } : {}) }, { contextValue: { identity: as } });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return response.body.singleResult as Response;
    },
    async runWithStatus(as, query) {
      const response = await server.executeOperation({ query }, { contextValue: { identity: as } });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return { status: response.http.status, body: response.body.singleResult as Response };
    },
  };
}

const harnesses: Harness[] = [];
async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const started = await startHarness(options);
  harnesses.push(started);
  return started;
}
afterAll(async () => {
  for (const started of harnesses) await started.server.stop();
});

const AUDITOR_ANSWER = {
  people: [
    {
      id: '1',
      name: '张三丰',
      idNumber: '11010519491231002X',
      diagnosis: 'fracture',
      riskBand: 'LOW',
      contacts: [
        { label: 'home', note: 'prefers evenings' },
        { label: 'work', note: 'switchboard' },
      ],
    },
    { id: '2', name: '李四', idNumber: '440301199001011234', diagnosis: 'none', riskBand: 'HIGH', contacts: [] },
  ],
};

const HOTLINE_ANSWER = {
  people: [
    {
      id: '1',
      name: '张三丰',
      idNumber: null,
      diagnosis: null,
      riskBand: 'LOW',
      contacts: [
        { label: 'home', note: null },
        { label: 'work', note: null },
      ],
    },
    { id: '2', name: '李四', idNumber: null, diagnosis: null, riskBand: 'HIGH', contacts: [] },
  ],
};

function forbiddenPaths(response: Response): string[] {
  return (response.errors ?? []).filter((error) => error.extensions?.['code'] === 'FORBIDDEN_FIELD').map((error) => (error.path ?? []).join('.'));
}

describe('EnforcingGateway over a real ApolloGateway', () => {
  it.each([
    ['the auditor first', [auditor, hotlineAgent]],
    ['the hotline agent first', [hotlineAgent, auditor]],
  ])('answers the same operation for two roles each their own way, %s', async (_order, callers) => {
    const { run } = await harness();
    for (const caller of [...callers, ...callers]) {
      const response = await run(caller, PEOPLE_QUERY);
      if (caller.role === 'AUDITOR') {
        expect(response.errors).toBeUndefined();
        expect(response.data).toEqual(AUDITOR_ANSWER);
      } else {
        expect(response.data).toEqual(HOTLINE_ANSWER);
        expect(forbiddenPaths(response).sort()).toEqual(
          ['people.0.idNumber', 'people.1.idNumber', 'people.0.diagnosis', 'people.1.diagnosis', 'people.0.contacts.0.note', 'people.0.contacts.1.note'].sort(),
        );
      }
    }
  });

  it('plans each role under its own operation hash, and the rewritten document under a hash of its own', async () => {
    const innerCalls: InnerCall[] = [];
    const { run } = await harness({ innerCalls });
    const clientHashes = new Set<string>();
    for (const caller of [auditor, hotlineAgent, auditor, hotlineAgent, biAnalyst]) {
      await run(caller, PEOPLE_QUERY);
    }
    const [auditorFirst, hotlineFirst, auditorAgain, hotlineAgain, analyst] = innerCalls;
    expect(auditorAgain?.queryHash).toBe(auditorFirst?.queryHash);
    expect(hotlineAgain?.queryHash).toBe(hotlineFirst?.queryHash);
    for (const call of innerCalls) clientHashes.add(call.queryHash);
    expect(clientHashes.size).toBe(3);
    expect(hotlineFirst?.document).not.toContain('idNumber');
    expect(hotlineFirst?.document).not.toContain('diagnosis');
    expect(auditorFirst?.document).toContain('diagnosis');
    expect(analyst?.document).not.toMatch(/\bname\b/);
  });

  it('follows a policy that changes while running, under new plans', async () => {
    const opened: AccessPolicy = {
      ...policy,
      version: `${policy.version}-restricted-masked`,
      roles: {
        ...policy.roles,
        HOTLINE_AGENT: { ...policy.roles.HOTLINE_AGENT, tiers: { ...policy.roles.HOTLINE_AGENT.tiers, RESTRICTED: { in: 'MASK', out: 'MASK' } } },
      },
    };
    let current = policy;
    const { run } = await harness({ policy: () => current });
    const before = await run(hotlineAgent, '{ person(id: "1") { idNumber } }');
    expect(before.data).toEqual({ person: { idNumber: null } });
    expect(before.errors?.[0]?.extensions?.['policyVersion']).toBe(policy.version);
    current = opened;
    // The subgraph layer masks it; the fixture subgraph has no such layer, so the clear value shows it was asked for.
    const after = await run(hotlineAgent, '{ person(id: "1") { idNumber } }');
    expect(after).toEqual({ data: { person: { idNumber: '11010519491231002X' } } });
  });

  it('never calls a subgraph for a removed field, even after another role warmed the plan cache', async () => {
    const { run, graph } = await harness();
    await run(auditor, PEOPLE_QUERY);
    const afterAuditor = { ...graph.calls };
    expect(afterAuditor.diagnosis).toBe(2);

    await run(hotlineAgent, PEOPLE_QUERY);
    expect(graph.calls.personIdNumber).toBe(afterAuditor.personIdNumber);
    expect(graph.calls.diagnosis).toBe(afterAuditor.diagnosis);
    expect(graph.calls.contactNote).toBe(afterAuditor.contactNote);
    // riskBand still comes from the medical subgraph: it is asked, but only for riskBand.
    expect(graph.calls.medicalReference).toBe(afterAuditor.medicalReference + 2);
  });

  it('does not call a subgraph at all when everything asked of it is removed', async () => {
    const { run, graph } = await harness();
    const response = await run(hotlineAgent, '{ person(id: "1") { id diagnosis } }');
    expect(response.data).toEqual({ person: { id: '1', diagnosis: null } });
    expect(graph.calls.medicalReference).toBe(0);
    expect(graph.calls.diagnosis).toBe(0);
  });

  it('does not plan an operation whose every root field is removed', async () => {
    const internalDenied: AccessPolicy = {
      ...policy,
      version: `${policy.version}-no-internal`,
      roles: {
        ...policy.roles,
        BI_ANALYST: { ...policy.roles.BI_ANALYST, tiers: { ...policy.roles.BI_ANALYST.tiers, INTERNAL: { in: 'DENY', out: 'DENY' } } },
      },
    };
    const innerCalls: InnerCall[] = [];
    const { run, graph } = await harness({ innerCalls, policy: internalDenied });
    const response = await run(biAnalyst, '{ person(id: "1") { id riskBand } }');
    expect(response.data).toEqual({ person: null });
    expect(forbiddenPaths(response)).toEqual(['person']);
    expect(innerCalls).toHaveLength(0);
    // `people: [Person!]!` cannot be null: the whole response is, as GraphQL would answer.
    expect((await run(biAnalyst, '{ people { id } }')).data).toBeNull();
    expect(graph.calls).toEqual({ personName: 0, personIdNumber: 0, contactNote: 0, medicalReference: 0, diagnosis: 0 });
  });

  it('gives the FORBIDDEN_FIELD error with coordinate, policy version and a decision id, but not the tier', async () => {
    const { run, denials } = await harness();
    const response = await run(biAnalyst, '{ person(id: "1") { id fullName: name } }');
    expect(response.data).toEqual({ person: { id: '1', fullName: null } });
    expect(response.errors).toEqual([
      {
        message: 'Not authorised to read Person.name',
        path: ['person', 'fullName'],
        extensions: {
          code: 'FORBIDDEN_FIELD',
          coordinate: 'Person.name',
          policyVersion: policy.version,
          decisionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        },
      },
    ]);
    // The audit trail is told the tier, under the decision id the client got.
    expect(denials).toEqual([
      expect.objectContaining({
        coordinate: 'Person.name',
        tier: 'CONFIDENTIAL',
        path: ['person', 'fullName'],
        operationName: null,
        decisionId: response.errors?.[0]?.extensions?.['decisionId'],
        policyVersion: policy.version,
      }),
    ]);
  });

  it('answers a selection emptied by the filter without showing the placeholder it asked for', async () => {
    const { run, graph } = await harness();
    const response = await run(biAnalyst, '{ person(id: "1") { name idNumber } }');
    expect(response.data).toEqual({ person: { name: null, idNumber: null } });
    expect(Object.keys((response.data as { person: object }).person)).toEqual(['name', 'idNumber']);
    expect(graph.calls.personName + graph.calls.personIdNumber).toBe(0);
  });

  it('answers introspection from the role schema, without the fields the role may never read', async () => {
    const { run, graph } = await harness();
    const fieldsOfPerson = async (caller: StaffIdentity) => {
      const response = await run(caller, '{ __type(name: "Person") { fields { name } } }');
      return ((response.data as { __type: { fields: { name: string }[] } }).__type.fields ?? []).map((field) => field.name).sort();
    };
    expect(await fieldsOfPerson(hotlineAgent)).toEqual(['contacts', 'id', 'name', 'riskBand']);
    expect(await fieldsOfPerson(auditor)).toEqual(['contacts', 'diagnosis', 'id', 'idNumber', 'name', 'riskBand']);
    expect(await fieldsOfPerson(biAnalyst)).toEqual(['contacts', 'id', 'riskBand']);

    const full = await run(hotlineAgent, getIntrospectionQuery());
    const schema = buildClientSchema(full.data as unknown as IntrospectionQuery);
    const contact = schema.getType('Contact');
    expect(isObjectType(contact) ? Object.keys(contact.getFields()).sort() : []).toEqual(['label', 'phone']);
    expect(schema.getType('Person')).toBeDefined();
    expect(Object.values(graph.calls).every((count) => count === 0)).toBe(true);
  });

  it('answers introspection beside data fields from the role schema too', async () => {
    const { run } = await harness();
    const response = await run(hotlineAgent, '{ people { id idNumber } t: __type(name: "Person") { fields { name } } __typename }');
    expect(Object.keys(response.data ?? {})).toEqual(['people', 't', '__typename']);
    expect(response.data).toEqual({
      people: [
        { id: '1', idNumber: null },
        { id: '2', idNumber: null },
      ],
      t: { fields: expect.arrayContaining([{ name: 'id' }, { name: 'name' }, { name: 'contacts' }, { name: 'riskBand' }]) },
      __typename: 'Query',
    });
    expect((response.data as { t: { fields: unknown[] } }).t.fields).toHaveLength(4);
  });

  it('respects @skip and @include on removed fields', async () => {
    const { run } = await harness();
    const query = 'query ($withId: Boolean!) { person(id: "1") { id idNumber @include(if: $withId) } }';
    const without = await run(hotlineAgent, query, { withId: false });
    expect(without).toEqual({ data: { person: { id: '1' } } });
    const withId = await run(hotlineAgent, query, { withId: true });
    expect(withId.data).toEqual({ person: { id: '1', idNumber: null } });
    expect(forbiddenPaths(withId)).toEqual(['person.idNumber']);
  });

  it('refuses a request without an identity', async () => {
    const { server } = await harness();
    const response = await server.executeOperation({ query: '{ people { id } }' }, { contextValue: {} as AccessRequestContext });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    expect(response.body.singleResult.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});

describe('EnforcingGateway for roles whose policy says neverReadable: unknown', () => {
  /** The response with the guessed name put back, to compare an answer about one name with one about another. */
  const renamed = (response: { status: number | undefined; body: Response }, from: string, to: string) => JSON.stringify(response).replaceAll(from, to);

  it('refuses a never-readable field exactly as a field that does not exist, without calling a subgraph', async () => {
    const innerCalls: InnerCall[] = [];
    const { runWithStatus, graph, denials } = await harness({ policy: shippedPolicy, innerCalls });
    const guessed = await runWithStatus(hotlineAgent, '{ person(id: "1") { id idNumber } }');
    const madeUp = await runWithStatus(hotlineAgent, '{ person(id: "1") { id idNumbex } }');
    expect(guessed).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message: 'Cannot query field "idNumber" on type "Person".',
            locations: [{ line: 1, column: 24 }],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          },
        ],
      },
    });
    expect(renamed(guessed, 'idNumber', 'idNumbex')).toBe(JSON.stringify(madeUp));
    expect(innerCalls).toHaveLength(0);
    expect(Object.values(graph.calls).every((count) => count === 0)).toBe(true);
    expect(denials).toEqual([]);
  });

  it('answers a hidden field the full schema also finds invalid as a made-up field, not with what the full schema says', async () => {
    const { runWithStatus } = await harness({ policy: shippedPolicy });
    // The full schema would say `Unknown argument "style" on field "Person.name"`: that names a real field.
    const hidden = await runWithStatus(biAnalyst, '{ person(id: "1") { name(style: 1) } }');
    const madeUp = await runWithStatus(biAnalyst, '{ person(id: "1") { nope(style: 1) } }');
    expect(hidden.body.errors?.map((error) => error.message)).toEqual(['Cannot query field "name" on type "Person".']);
    expect(JSON.stringify(hidden).replaceAll('name', 'nope')).toBe(JSON.stringify(madeUp));
    // Without the plugin, Apollo Server's validation against the full schema would answer first.
    const unprotected = await harness({ policy: shippedPolicy, withoutValidationPlugin: true });
    expect((await unprotected.runWithStatus(biAnalyst, '{ person(id: "1") { name(style: 1) } }')).body.errors?.[0]?.message).toMatch(/Unknown argument/);
  });

  it('refuses every hidden field of the operation at once, and nothing else', async () => {
    const { runWithStatus } = await harness({ policy: shippedPolicy });
    const response = await runWithStatus(biAnalyst, '{ person(id: "1") { id name riskBand idNumber } }');
    expect(response.status).toBe(400);
    expect(response.body.errors?.map((error) => error.message)).toEqual([
      'Cannot query field "name" on type "Person".',
      'Cannot query field "idNumber" on type "Person".',
    ]);
  });

  it('validates per role: the same document still answers the roles that may read the field, whoever asked first', async () => {
    const { run, runWithStatus } = await harness({ policy: shippedPolicy });
    const query = '{ person(id: "1") { id idNumber } }';
    expect((await runWithStatus(hotlineAgent, query)).status).toBe(400);
    expect(await run(auditor, query)).toEqual({ data: { person: { id: '1', idNumber: '11010519491231002X' } } });
    expect((await runWithStatus(hotlineAgent, query)).status).toBe(400);
  });

  it('answers what the role may read as before', async () => {
    const { run } = await harness({ policy: shippedPolicy });
    expect(await run(hotlineAgent, '{ person(id: "1") { id name riskBand contacts { label } } }')).toEqual({
      data: { person: { id: '1', name: '张三丰', riskBand: 'LOW', contacts: [{ label: 'home' }, { label: 'work' }] } },
    });
  });
});
