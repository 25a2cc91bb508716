import { GraphQLError, buildSchema, parse, print, validate, type DocumentNode } from 'graphql';
import type { AccessPolicy, Purpose, Role } from '@icg/shared';
import { readFieldClassifications } from '../field-classifications';
import { ACCESS_TYPENAME_KEY, OperationAccessFilter, type FilteredOperation } from '../operation-access-filter';
import { PARTY_SCHEMA_SDL, apiSchemaOf, committedSupergraphSdl, realPolicy } from './access-fixtures';

const supergraphSdl = committedSupergraphSdl();
const apiSchema = apiSchemaOf(supergraphSdl);
const classifications = readFieldClassifications(supergraphSdl);
const policy = realPolicy();

function newFilter(maxCachedOperations?: number): OperationAccessFilter {
  return new OperationAccessFilter({ schema: apiSchema, classifications, ...(maxCachedOperations ? { maxCachedOperations } : {}) });
}

function filterAs(
  role: Role,
  query: string | DocumentNode,
  options: { purpose?: Purpose; operationName?: string; filter?: OperationAccessFilter; policy?: AccessPolicy } = {},
): FilteredOperation {
  const document = typeof query === 'string' ? parse(query) : query;
  const subject = { policy: options.policy ?? policy, role, purpose: options.purpose ?? null };
  return (options.filter ?? newFilter()).forSubject(subject).filterOperation(document, options.operationName ?? null);
}

function removedPaths(filtered: FilteredOperation): string[] {
  return filtered.removed.map((removed) => `${removed.path.map((step) => step.responseKey).join('.')} (${removed.coordinate} ${removed.tier})`);
}

const CUSTOMER_VIEW = /* GraphQL */ `
  query CustomerView($id: ID!, $withMembers: Boolean!) {
    customer(id: $id) {
      id
      customerNo
      displayName: name
      ...Contact
      household {
        size
        members @include(if: $withMembers) {
          name
        }
      }
      branch {
        name
      }
      policies {
        policyNo
      }
    }
    customers(first: 2) {
      nodes {
        id
        name
        mobile
      }
      edges {
        node {
          ...Contact
        }
      }
    }
  }
  fragment Contact on Customer {
    mobile
    email
    addresses {
      city
    }
  }
`;

describe('OperationAccessFilter on the committed supergraph', () => {
  it('removes CONFIDENTIAL fields for a BI analyst through fragments, aliases and nesting', () => {
    const filtered = filterAs('BI_ANALYST', CUSTOMER_VIEW);
    expect(removedPaths(filtered)).toEqual([
      'customer.displayName (Customer.name CONFIDENTIAL)',
      'customer.mobile (Customer.mobile CONFIDENTIAL)',
      'customer.email (Customer.email CONFIDENTIAL)',
      'customer.addresses (Customer.addresses CONFIDENTIAL)',
      'customer.household (Customer.household CONFIDENTIAL)',
      'customers.nodes.name (Customer.name CONFIDENTIAL)',
      'customers.nodes.mobile (Customer.mobile CONFIDENTIAL)',
      'customers.edges.node.mobile (Customer.mobile CONFIDENTIAL)',
      'customers.edges.node.email (Customer.email CONFIDENTIAL)',
      'customers.edges.node.addresses (Customer.addresses CONFIDENTIAL)',
    ]);
    expect(filtered.rewritten).toBe(true);
    expect(validate(apiSchema, filtered.document)).toEqual([]);
    // Fragments are inlined; the variable only a removed field used is gone, so the document stays valid.
    expect(print(filtered.document)).toBe(
      [
        'query CustomerView($id: ID!) {',
        '  customer(id: $id) {',
        '    id',
        '    customerNo',
        '    branch {',
        '      name',
        '    }',
        '    policies {',
        '      policyNo',
        '    }',
        '  }',
        '  customers(first: 2) {',
        '    nodes {',
        '      id',
        '    }',
        '    edges {',
        '      node {',
        `        ${ACCESS_TYPENAME_KEY}: __typename`,
        '      }',
        '    }',
        '  }',
        '}',
      ].join('\n'),
    );
  });

  it('answers an emptied selection set with the reserved __typename alias, keeping the document valid', () => {
    const filtered = filterAs('BI_ANALYST', '{ customer(id: "1") { name mobile } }');
    expect(print(filtered.document)).toContain(`customer(id: "1") {\n    ${ACCESS_TYPENAME_KEY}: __typename\n  }`);
    expect(filtered.addedTypename).toBe(true);
    expect(validate(apiSchema, filtered.document)).toEqual([]);
  });

  it('records list nullability and conditions on each step', () => {
    const filtered = filterAs('BI_ANALYST', 'query ($show: Boolean!) { customers { nodes { mobile @skip(if: $show) } } }');
    const [mobile] = filtered.removed;
    expect(mobile?.path.map((step) => [step.responseKey, step.nullability])).toEqual([
      ['customers', [false]],
      ['nodes', [false, false]],
      ['mobile', [true]],
    ]);
    expect(mobile?.path[2]?.conditions).toEqual([{ directive: 'skip', variable: 'show', defaultValue: null }]);
  });

  it('leaves an operation the role may read whole untouched, under a planning hash of its own per role', () => {
    const query = parse('{ customer(id: "1") { id customerNo branch { name } } }');
    const filter = newFilter();
    const asOperator = filterAs('OPERATOR', query, { filter });
    const asAnalyst = filterAs('BI_ANALYST', query, { filter });
    expect(asOperator.rewritten).toBe(false);
    expect(asOperator.document).toBe(query);
    expect(asOperator.removed).toEqual([]);
    expect(asAnalyst.operationHash).not.toBe(asOperator.operationHash);
    expect(filterAs('OPERATOR', parse(print(query)), { filter }).operationHash).toBe(asOperator.operationHash);
    expect(filterAs('OPERATOR', query, { filter, policy: { ...policy, version: 'next' } }).operationHash).not.toBe(asOperator.operationHash);
    expect(filterAs('AUDITOR', query, { filter, purpose: 'AUDIT' }).operationHash).not.toBe(filterAs('AUDITOR', query, { filter }).operationHash);
  });

  it('keeps RESTRICTED fields for an auditor with a purpose and removes the unmaskable ones without one', () => {
    const query = '{ customer(id: "1") { idNumber creditRating } }';
    expect(filterAs('AUDITOR', query, { purpose: 'AUDIT' }).removed).toEqual([]);
    // Without a purpose ALLOW becomes MASK: idNumber has a mask style, creditRating none, so it is DENY.
    expect(removedPaths(filterAs('AUDITOR', query))).toEqual(['customer.creditRating (Customer.creditRating RESTRICTED)']);
    expect(removedPaths(filterAs('HOTLINE_AGENT', query))).toEqual([
      'customer.idNumber (Customer.idNumber RESTRICTED)',
      'customer.creditRating (Customer.creditRating RESTRICTED)',
    ]);
  });

  it('memoises per caller and document, in a bounded cache', () => {
    const filter = newFilter(2);
    const document = parse(CUSTOMER_VIEW);
    const first = filterAs('BI_ANALYST', document, { filter });
    expect(filterAs('BI_ANALYST', document, { filter })).toBe(first);
    expect(filterAs('HOTLINE_AGENT', document, { filter })).not.toBe(first);
    filterAs('EXECUTIVE', document, { filter });
    // Three callers in a cache of two: the least recently used one was computed again.
    expect(filterAs('BI_ANALYST', document, { filter })).not.toBe(first);
    expect(filterAs('BI_ANALYST', document, { filter })).toEqual(first);
  });

  it('splits root introspection off, to be answered from the role schema', () => {
    const mixed = filterAs('BI_ANALYST', '{ __schema { queryType { name } } customer(id: "1") { id } __typename }');
    expect(mixed.needsSubgraphs).toBe(true);
    expect(print(mixed.document)).not.toContain('__schema');
    expect(print(mixed.introspectionDocument!)).toContain('__schema');
    expect(print(mixed.introspectionDocument!)).not.toContain('customer');
    expect(mixed.rootResponseKeys).toEqual(['__schema', 'customer', '__typename']);

    const only = filterAs('BI_ANALYST', 'query Q { ...Root } fragment Root on Query { __type(name: "Customer") { name } }', { operationName: 'Q' });
    expect(only.needsSubgraphs).toBe(false);
    expect(only.introspectionDocument).not.toBeNull();

    const none = filterAs('BI_ANALYST', '{ customer(id: "1") { id __typename } __typename }');
    expect(none.introspectionDocument).toBeNull();
  });

  it('refuses the reserved alias and an unknown operation name', () => {
    expect(() => filterAs('BI_ANALYST', `{ customer(id: "1") { ${ACCESS_TYPENAME_KEY}: id } }`)).toThrow(/reserved/);
    expect(() => filterAs('BI_ANALYST', 'query A { branches { name } }', { operationName: 'B' })).toThrow(GraphQLError);
  });
});

describe('OperationAccessFilter on abstract types', () => {
  const schema = buildSchema(PARTY_SCHEMA_SDL);
  const filter = new OperationAccessFilter({ schema, classifications: readFieldClassifications(PARTY_SCHEMA_SDL) });
  const asAnalyst = (query: string) => filter.filterOperation({ policy, role: 'BI_ANALYST', purpose: null }, parse(query), null);

  it('removes an interface field when any implementation denies it', () => {
    const filtered = asAnalyst('{ parties { id name } }');
    expect(removedPaths(filtered)).toEqual(['parties.name (Party.name CONFIDENTIAL)']);
    expect(filtered.removed[0]?.path[1]?.onlyForTypes).toBeNull();
  });

  it('narrows removals under a type condition and asks for the runtime type beside them', () => {
    const filtered = asAnalyst('{ parties { id ... on Company { name creditRating } ...PersonFields } } fragment PersonFields on Person { idNumber }');
    expect(filtered.removed.map((removed) => [removed.coordinate, removed.path[1]?.onlyForTypes])).toEqual([
      ['Company.creditRating', ['Company']],
      ['Person.idNumber', ['Person']],
    ]);
    expect(validate(schema, filtered.document)).toEqual([]);
    expect(print(filtered.document)).toBe(
      [
        '{',
        '  parties {',
        '    id',
        '    ... on Company {',
        '      name',
        `      ${ACCESS_TYPENAME_KEY}: __typename`,
        '    }',
        '    ... on Person {',
        `      ${ACCESS_TYPENAME_KEY}: __typename`,
        '    }',
        '  }',
        '}',
      ].join('\n'),
    );
  });
});
