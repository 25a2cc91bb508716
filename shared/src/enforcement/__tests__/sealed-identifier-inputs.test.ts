/**
 * Sealed identifiers through the subgraph layer of enforcement, on a small subgraph schema executed in process:
 * IDENTITY values leave sealed for a role that seals identifiers, and its IDENTITY arguments, input fields and
 * entity keys are opened before any resolver sees them; other roles are untouched.
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql, parse, type GraphQLSchema } from 'graphql';
import { loadAccessPolicy, sealIdentifier, type Caller, type Role } from '../../access';
import { classificationSdl } from '../../schema-files';
import { enforceClassifiedFields, type DecisionAuditSink, type EnforcementContext } from '../enforce-classified-fields';

const SECRET = 'enforcement-test-pseudonym-secret-01';
const seal = (value: string) => sealIdentifier(SECRET, value);

const SDL = `
type Query {
  ticket(ticketNo: String! @classified(tier: INTERNAL, category: IDENTITY)): Ticket @classified(tier: INTERNAL)
  tickets(ids: [ID!] @classified(tier: INTERNAL, category: IDENTITY), filter: TicketFilter, first: Int): [Ticket!]! @classified(tier: INTERNAL)
}
input TicketFilter { agentId: ID @classified(tier: INTERNAL, category: IDENTITY) status: String nested: TicketFilter }
type Ticket @key(fields: "ticketNo") {
  ticketNo: String! @classified(tier: INTERNAL, category: IDENTITY)
  status: String! @classified(tier: INTERNAL)
}
type Customer @key(fields: "id") {
  id: ID! @classified(tier: INTERNAL, category: IDENTITY)
  tickets: [Ticket!]! @classified(tier: INTERNAL)
}`;

/** What the resolvers were called with: they must only ever see raw values. */
const seen: unknown[] = [];

function enforcedSchema(): GraphQLSchema {
  const schema = buildSubgraphSchema({
    typeDefs: parse(`${classificationSdl()}\n${SDL}`),
    resolvers: {
      Query: {
        ticket: (_source: unknown, args: { ticketNo: string }) => (seen.push(args), { ticketNo: args.ticketNo, status: 'OPEN' }),
        tickets: (_source: unknown, args: Record<string, unknown>) => (seen.push(args), [{ ticketNo: 'SR260000000001', status: 'OPEN' }]),
      },
      Ticket: { __resolveReference: (reference: { ticketNo: string }) => (seen.push(reference), { ticketNo: reference.ticketNo, status: 'CLOSED' }) },
      Customer: { tickets: (customer: { id: string }) => (seen.push(customer), [{ ticketNo: `SR26000000${customer.id}`, status: 'OPEN' }]) },
    },
  });
  const audit: DecisionAuditSink = { record: () => 'decision', healthy: () => true, finish: () => undefined };
  return enforceClassifiedFields(schema, {
    policy: loadAccessPolicy(),
    audit,
    pseudonymSecret: SECRET,
    entities: { Ticket: { key: 'ticketNo' }, Customer: { key: 'id' } },
  });
}

const schema = enforcedSchema();

async function run(role: Role, source: string, variableValues: Record<string, unknown> = {}) {
  seen.length = 0;
  const caller: Caller = { staffId: '1', role, branchPath: '/1/', grade: null, purpose: null };
  const contextValue: EnforcementContext = { caller, requestId: 'test', operation: null };
  return graphql({ schema, source, variableValues, contextValue });
}

describe('sealed identifiers in the subgraph layer', () => {
  it('seal what a pseudonymising role reads, and open what it sends before the resolver runs', async () => {
    const result = await run('BI_ANALYST', 'query ($no: String!) { ticket(ticketNo: $no) { ticketNo status } }', { no: seal('SR260000000042') });
    expect(result).toEqual({ data: { ticket: { ticketNo: seal('SR260000000042'), status: 'OPEN' } } });
    expect(seen).toEqual([{ ticketNo: 'SR260000000042' }]);
  });

  it('open lists and input fields at any depth, leaving other arguments as they are', async () => {
    const result = await run('BI_ANALYST', 'query ($ids: [ID!], $filter: TicketFilter) { tickets(ids: $ids, filter: $filter, first: 2) { status } }', {
      ids: [seal('1'), seal('2')],
      filter: { agentId: seal('17'), status: 'OPEN', nested: { agentId: seal('18') } },
    });
    expect(result.errors).toBeUndefined();
    expect(seen).toEqual([{ ids: ['1', '2'], filter: { agentId: '17', status: 'OPEN', nested: { agentId: '18' } }, first: 2 }]);
  });

  it.each([
    ['ticketNo', '{ ticket(ticketNo: "SR260000000042") { status } }'],
    ['ids', '{ tickets(ids: ["1"]) { status } }'],
    ['filter.agentId', '{ tickets(filter: { agentId: "17" }) { status } }'],
    ['filter.nested.agentId', '{ tickets(filter: { nested: { agentId: "17" } }) { status } }'],
    ['ticketNo', `{ ticket(ticketNo: "${sealIdentifier('another-secret-of-enough-length', 'SR260000000042')}") { status } }`],
  ])('refuse a raw or foreign identifier (%s) from a pseudonymising role, naming the argument, before the resolver', async (argumentName, source) => {
    const result = await run('BI_ANALYST', source);
    expect(result.errors?.map((error) => error.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName })]);
    expect(seen).toEqual([]);
  });

  it('open the sealed keys of _entities representations, and refuse raw ones', async () => {
    const entities =
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { ticketNo status } ... on Customer { id tickets { ticketNo } } } }';
    const result = await run('BI_ANALYST', entities, {
      r: [
        { __typename: 'Ticket', ticketNo: seal('SR260000000042') },
        { __typename: 'Customer', id: seal('7') },
      ],
    });
    expect(result).toEqual({
      data: {
        _entities: [
          { ticketNo: seal('SR260000000042'), status: 'CLOSED' },
          { id: seal('7'), tickets: [{ ticketNo: seal('SR260000007') }] },
        ],
      },
    });
    expect(seen).toEqual([{ __typename: 'Ticket', ticketNo: 'SR260000000042' }, expect.objectContaining({ id: '7' })]);
    const raw = await run('BI_ANALYST', entities, { r: [{ __typename: 'Customer', id: '7' }] });
    expect(raw.errors?.map((error) => error.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName: 'representations' })]);
    expect(seen).toEqual([]);
  });

  it('leave other roles alone: raw values in and out, a sealed-looking value passed on as it is', async () => {
    const raw = await run('AUDITOR', '{ ticket(ticketNo: "SR260000000042") { ticketNo } }');
    expect(raw).toEqual({ data: { ticket: { ticketNo: 'SR260000000042' } } });
    const sealed = seal('SR260000000042');
    await run('OPERATOR', 'query ($no: String!) { ticket(ticketNo: $no) { ticketNo } }', { no: sealed });
    expect(seen).toEqual([{ ticketNo: sealed }]);
    const entities = await run('OPERATOR', 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id } } }', {
      r: [{ __typename: 'Customer', id: '7' }],
    });
    expect(entities).toEqual({ data: { _entities: [{ id: '7' }] } });
  });
});
