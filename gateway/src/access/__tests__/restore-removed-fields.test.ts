import { buildSchema, parse, type GraphQLError } from 'graphql';
import { readFieldClassifications } from '../field-classifications';
import { ACCESS_TYPENAME_KEY, OperationAccessFilter } from '../operation-access-filter';
import { restoreRemovedFields, type ResponseData } from '../restore-removed-fields';
import { PARTY_SCHEMA_SDL, apiSchemaOf, committedSupergraphSdl, realPolicy } from './access-fixtures';

const policy = realPolicy();
const supergraphSdl = committedSupergraphSdl();
const customerFilter = new OperationAccessFilter({ schema: apiSchemaOf(supergraphSdl), classifications: readFieldClassifications(supergraphSdl) });
const partySchema = buildSchema(PARTY_SCHEMA_SDL);
const partyFilter = new OperationAccessFilter({ schema: partySchema, classifications: readFieldClassifications(PARTY_SCHEMA_SDL) });

function sequentialIds(): () => string {
  let next = 0;
  return () => `decision-${++next}`;
}

function pathsOf(errors: readonly GraphQLError[]): string[] {
  return errors.map((error) => (error.path ?? []).join('.'));
}

describe('restoreRemovedFields', () => {
  const query = parse(/* GraphQL */ `
    {
      customer(id: "1") {
        id
        displayName: name
        ...Contact
        branch {
          name
        }
      }
      customers(first: 3) {
        nodes {
          id
          name
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
    }
  `);
  const filtered = customerFilter.filterOperation({ policy, role: 'BI_ANALYST', purpose: null }, query, null);

  it('puts null and one error at every concrete path, inside lists and under aliases, in the operation order', () => {
    const data: ResponseData = {
      customer: { id: '1', branch: { name: '总公司' } },
      customers: {
        nodes: [{ id: '1' }, { id: '2' }, { id: '3' }],
        edges: [{ node: { [ACCESS_TYPENAME_KEY]: 'Customer' } }, { node: { [ACCESS_TYPENAME_KEY]: 'Customer' } }],
      },
    };
    const restored = restoreRemovedFields(data, filtered, { policyVersion: policy.version, newDecisionId: sequentialIds() });
    expect(restored.data).toEqual({
      customer: { id: '1', displayName: null, mobile: null, branch: { name: '总公司' } },
      customers: {
        nodes: [
          { id: '1', name: null },
          { id: '2', name: null },
          { id: '3', name: null },
        ],
        edges: [{ node: { mobile: null } }, { node: { mobile: null } }],
      },
    });
    expect(Object.keys((restored.data as { customer: object }).customer)).toEqual(['id', 'displayName', 'mobile', 'branch']);
    expect(pathsOf(restored.errors)).toEqual([
      'customer.displayName',
      'customer.mobile',
      'customers.nodes.0.name',
      'customers.nodes.1.name',
      'customers.nodes.2.name',
      'customers.edges.0.node.mobile',
      'customers.edges.1.node.mobile',
    ]);
    expect(restored.errors[0]?.toJSON()).toEqual({
      message: 'Not authorised to read Customer.name',
      path: ['customer', 'displayName'],
      // No tier: the role may read the field nowhere, and the tier would only help it guess what else is hidden.
      extensions: { code: 'FORBIDDEN_FIELD', coordinate: 'Customer.name', policyVersion: policy.version, decisionId: 'decision-1' },
    });
    // The audit trail still learns the tier, under the same decision id.
    expect(restored.denials[0]).toEqual({ coordinate: 'Customer.name', tier: 'CONFIDENTIAL', path: ['customer', 'displayName'], decisionId: 'decision-1' });
    expect(restored.denials).toHaveLength(restored.errors.length);
  });

  it('skips null parents and missing data, and gives each decision its own id', () => {
    const restored = restoreRemovedFields({ customer: null, customers: { nodes: [], edges: [{ node: { [ACCESS_TYPENAME_KEY]: 'Customer' } }] } }, filtered, {
      policyVersion: policy.version,
    });
    expect(restored.data).toEqual({ customer: null, customers: { nodes: [], edges: [{ node: { mobile: null } }] } });
    expect(pathsOf(restored.errors)).toEqual(['customers.edges.0.node.mobile']);
    expect(restoreRemovedFields(null, filtered, { policyVersion: policy.version })).toEqual({ data: null, errors: [], denials: [] });

    const twice = restoreRemovedFields({ customer: { id: '1' }, customers: { nodes: [], edges: [] } }, filtered, { policyVersion: policy.version });
    const ids = twice.errors.map((error) => error.extensions['decisionId']);
    expect(new Set(ids).size).toBe(2);
    expect(ids.every((id) => typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id))).toBe(true);
  });

  it('reports a field selected twice (through two fragments) once', () => {
    const duplicated = customerFilter.filterOperation(
      { policy, role: 'BI_ANALYST', purpose: null },
      parse('{ customer(id: "1") { mobile ... on Customer { mobile } ...M } } fragment M on Customer { mobile }'),
      null,
    );
    expect(duplicated.removed).toHaveLength(3);
    const restored = restoreRemovedFields({ customer: { [ACCESS_TYPENAME_KEY]: 'Customer' } }, duplicated, { policyVersion: policy.version });
    expect(restored.data).toEqual({ customer: { mobile: null } });
    expect(pathsOf(restored.errors)).toEqual(['customer.mobile']);
  });

  it('only answers objects of the type a fragment narrows to', () => {
    const narrowed = partyFilter.filterOperation(
      { policy, role: 'BI_ANALYST', purpose: null },
      parse('{ parties { id ... on Company { name creditRating } } }'),
      null,
    );
    const data: ResponseData = {
      parties: [{ id: 'p1' }, { id: 'c1', name: 'ACME', [ACCESS_TYPENAME_KEY]: 'Company' }, null],
    };
    const restored = restoreRemovedFields(data, narrowed, { policyVersion: policy.version });
    expect(restored.data).toEqual({ parties: [{ id: 'p1' }, { id: 'c1', name: 'ACME', creditRating: null }, null] });
    expect(pathsOf(restored.errors)).toEqual(['parties.1.creditRating']);
  });

  it('lets a removed non-null field null its nearest nullable ancestor, as GraphQL would', () => {
    const nonNull = partyFilter.filterOperation(
      { policy, role: 'BI_ANALYST', purpose: null },
      parse('{ parties { id ... on Person { idNumber } } party(id: "p1") { id } }'),
      null,
    );
    const data: ResponseData = {
      parties: [{ id: 'p1', [ACCESS_TYPENAME_KEY]: 'Person' }, { id: 'c1' }],
      party: { id: 'p1' },
    };
    const restored = restoreRemovedFields(data, nonNull, { policyVersion: policy.version });
    // `parties: [Party]!`: the Person item becomes null, the list and the rest stay.
    expect(restored.data).toEqual({ parties: [null, { id: 'c1' }], party: { id: 'p1' } });
    expect(pathsOf(restored.errors)).toEqual(['parties.0.idNumber']);
  });

  it('leaves fields that @skip or @include excluded alone', () => {
    const conditional = customerFilter.filterOperation(
      { policy, role: 'BI_ANALYST', purpose: null },
      parse('query ($hide: Boolean = true) { customer(id: "1") { id mobile @skip(if: $hide) ... @include(if: false) { name } } }'),
      null,
    );
    const fresh = () => ({ customer: { id: '1' } });
    expect(restoreRemovedFields(fresh(), conditional, { policyVersion: policy.version })).toEqual({ data: { customer: { id: '1' } }, errors: [], denials: [] });
    const shown = restoreRemovedFields(fresh(), conditional, { policyVersion: policy.version, variables: { hide: false } });
    expect(shown.data).toEqual({ customer: { id: '1', mobile: null } });
    expect(pathsOf(shown.errors)).toEqual(['customer.mobile']);
  });
});
