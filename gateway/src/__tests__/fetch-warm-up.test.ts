import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { ABSENT_ENTITY_ID } from '@icg/shared';
import { absentKeyVariables, fetchesOf, type QueryPlan } from '../fetch-warm-up';

const operationOf = (text: string) => parse(text).definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;

const fetch = (serviceName: string, extra: Record<string, unknown> = {}) => ({
  kind: 'Fetch',
  serviceName,
  operation: `{ ${serviceName} }`,
  operationName: undefined,
  operationKind: 'query',
  ...extra,
});
const entityFetch = (serviceName: string, typeCondition: string, keys: readonly string[], nested = false) =>
  fetch(serviceName, {
    requires: [
      {
        kind: 'InlineFragment',
        typeCondition,
        selections: [{ kind: 'Field', name: '__typename' }, ...keys.map((name) => ({ kind: 'Field', name, ...(nested ? { selections: [] } : {}) }))],
      },
    ],
  });

describe('the fetch warm-up', () => {
  it('finds every fetch of a plan, through sequences, parallel branches, flattened paths, conditions and deferred parts', () => {
    const plan = {
      kind: 'QueryPlan',
      node: {
        kind: 'Sequence',
        nodes: [
          fetch('customers'),
          {
            kind: 'Parallel',
            nodes: [
              { kind: 'Flatten', path: ['customer'], node: fetch('policies') },
              { kind: 'Condition', condition: 'x', ifClause: fetch('claims'), elseClause: fetch('complaints') },
              { kind: 'Defer', primary: { node: fetch('service-requests') }, deferred: [{ node: fetch('insights') }] },
            ],
          },
        ],
      },
    } as unknown as QueryPlan;
    expect(fetchesOf(plan).map((node) => node.serviceName)).toEqual(['customers', 'policies', 'claims', 'complaints', 'service-requests', 'insights']);
    expect(fetchesOf({ kind: 'QueryPlan' } as unknown as QueryPlan)).toEqual([]);
  });

  it('looks entities up by absent ids, and leaves out a fetch keyed by anything else', () => {
    const operation = operationOf('query Q($id: ID!) { customer(id: $id) { id } }');
    expect(absentKeyVariables(entityFetch('policies', 'Customer', ['id']) as never, operation)).toEqual({
      representations: [{ __typename: 'Customer', id: ABSENT_ENTITY_ID }],
    });
    expect(absentKeyVariables(entityFetch('insights', 'CustomerInsight', ['customerId']) as never, operation)).toEqual({
      representations: [{ __typename: 'CustomerInsight', customerId: ABSENT_ENTITY_ID }],
    });
    // A business number could be a real one's format and find a record; a nested key is not made up either.
    expect(absentKeyVariables(entityFetch('policies', 'Policy', ['policyNo']) as never, operation)).toBeUndefined();
    expect(absentKeyVariables(entityFetch('claims', 'Claim', ['id'], true) as never, operation)).toBeUndefined();
  });

  it('sends a root fetch only when it has variables and all are ids', () => {
    expect(absentKeyVariables(fetch('customers', { variableUsages: ['id'] }) as never, operationOf('query Q($id: ID!) { customer(id: $id) { id } }'))).toEqual({
      id: ABSENT_ENTITY_ID,
    });
    // A page size or a cursor would read a real page.
    const page = operationOf('query P($first: Int, $after: String) { customers(first: $first, after: $after) { nodes { id } } }');
    expect(absentKeyVariables(fetch('customers', { variableUsages: ['first', 'after'] }) as never, page)).toBeUndefined();
    // Without one, a root field lists what it holds.
    expect(absentKeyVariables(fetch('customers', { variableUsages: [] }) as never, page)).toBeUndefined();
  });
});
