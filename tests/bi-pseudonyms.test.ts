/**
 * BI pseudonyms (docs/access-model.md section 2): a role whose policy pseudonymises identifiers gets every identifier
 * that leads to a person (ids, customer/policy/claim/ticket/complaint numbers, cursors) under one keyed hash, so its
 * answers still join, and cannot look a record up by a raw identifier.
 */
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { pseudonymise } from '@icg/shared';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { TEST_DIALECTS } from './support/test-database';
import { AUDITOR, TEST_PSEUDONYM_SECRET, type ActingAs } from './support/test-security';

const BI_ANALYST: ActingAs = { role: 'BI_ANALYST' };
/** Deep enough to reach every subgraph from a page of customers (customer → policy → claim → …), within the cost limit. */
const MAX_DEPTH = 2;

/** Every field BI's own schema offers from `customers`, recursively: object types once per path, no required arguments. */
function selectAll(schema: GraphQLSchema, type: GraphQLNamedType, depth: number, path: readonly string[]): string {
  if (!isObjectType(type)) return '';
  const selections: string[] = [];
  for (const field of Object.values(type.getFields())) {
    if (field.args.some((argument) => isNonNullType(argument.type) && argument.defaultValue === undefined)) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) {
      selections.push(field.name);
    } else if (depth < MAX_DEPTH && !path.includes(named.name)) {
      const inner = selectAll(schema, named, depth + 1, [...path, named.name]);
      if (inner) selections.push(`${field.name} ${inner}`);
    }
  }
  return selections.length > 0 ? `{ ${selections.join(' ')} }` : '';
}

/** Every string leaf of an answer. */
function stringLeaves(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const item of value) stringLeaves(item, into);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) stringLeaves(item, into);
  return into;
}

describe.each(TEST_DIALECTS)('identifiers for BI analysts on %s', (dialect) => {
  let graph: GraphUnderTest;
  let biSchema: GraphQLSchema;

  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: 20 });
    const introspection = await graph.query<IntrospectionQuery>(getIntrospectionQuery(), {}, BI_ANALYST);
    biSchema = buildClientSchema(introspection.data!);
  }, 120_000);
  afterAll(() => graph?.close());

  it('finds no raw id, business number or cursor anywhere in what BI reads of its whole schema', async () => {
    // One operation per field of a customer (the whole tree at once exceeds the cost limit), each with the page's cursors.
    const customer = biSchema.getType('Customer');
    if (!isObjectType(customer)) throw new Error('BI sees no Customer type');
    const operations = Object.values(customer.getFields()).flatMap((field) => {
      const single = selectAll(biSchema, customer, 0, ['CustomerConnection', 'Customer']).length > 0 ? field : undefined;
      if (!single || single.args.some((argument) => isNonNullType(argument.type))) return [];
      const named = getNamedType(single.type);
      const inner = isLeafType(named) ? '' : selectAll(biSchema, named, 1, ['CustomerConnection', 'Customer', named.name]);
      if (!isLeafType(named) && !inner) return [];
      return [`{ customers(first: 20) { edges { cursor } pageInfo { startCursor endCursor } nodes { id ${single.name} ${inner} } } }`];
    });
    expect(operations.length).toBeGreaterThan(5);
    const audited: unknown[] = [];
    const answered: unknown[] = [];
    for (const query of operations) {
      // The auditor reads every identifier in clear through the same operation.
      const clear = await graph.query(query, {}, AUDITOR);
      expect({ query, errors: clear.errors }).toEqual({ query, errors: undefined });
      const bi = await graph.query(query, {}, BI_ANALYST);
      expect({ query, errors: bi.errors }).toEqual({ query, errors: undefined });
      audited.push(clear.data);
      answered.push(bi.data);
    }

    const raw = [...stringLeaves(audited)].filter((value) => /^(\d+|CU\d{10}|P[A-Z]{2}\d{12}|RPT\d{12}|SR\d{12}|CP\d{12})$/.test(value));
    const numbers = raw.filter((value) => !/^\d+$/.test(value));
    // Customer, policy, claim and ticket numbers are reached (20 seeded customers raise no complaint), and the cursors.
    const kinds = [/^CU/, /^P[A-Z]{2}\d/, /^RPT/, /^SR/].map((pattern) => numbers.some((value) => pattern.test(value)));
    expect(kinds).toEqual([true, true, true, true]);
    const cursors = (audited as { customers: { edges: { cursor: string }[] } }[]).flatMap((data) => data.customers.edges.map((edge) => edge.cursor));
    expect(cursors.length).toBeGreaterThan(0);
    const biLeaves = stringLeaves(answered);
    const biText = JSON.stringify(answered);
    const identifiers = [...raw, ...cursors];
    expect(identifiers.filter((value) => biLeaves.has(value) || (value.length > 8 && biText.includes(value)))).toEqual([]);
    // Each identifier is there, as its keyed-hash pseudonym.
    expect(identifiers.filter((value) => !biLeaves.has(pseudonymise(TEST_PSEUDONYM_SECRET, value)))).toEqual([]);
  });

  it('gives the same pseudonym to a customer in customers() and as a policy’s customer, so answers still join', async () => {
    type Page = { customers: { nodes: { id: string; customerNo: string }[] } };
    const customers = await graph.query<Page>('{ customers(first: 10) { nodes { id customerNo } } }', {}, BI_ANALYST);
    const policies = await graph.query<{ customers: { nodes: { policies: { customer: { id: string; customerNo: string } }[] }[] } }>(
      '{ customers(first: 10) { nodes { policies { policyNo customer { id customerNo } } } } }',
      {},
      BI_ANALYST,
    );
    expect(customers.errors).toBeUndefined();
    expect(policies.errors).toBeUndefined();
    const ids = new Set(customers.data!.customers.nodes.map((node) => `${node.id}/${node.customerNo}`));
    const holders = policies.data!.customers.nodes.flatMap((node) => node.policies.map((policy) => `${policy.customer.id}/${policy.customer.customerNo}`));
    expect(holders.length).toBeGreaterThan(0);
    expect(holders.filter((holder) => !ids.has(holder))).toEqual([]);
    expect([...ids].every((id) => /^ps_[\w-]{22}\/ps_[\w-]{22}$/.test(id))).toBe(true);
  });

  it.each([
    ['id', '{ customer(id: "2") { customerNo } }'],
    ['customerNo', '{ customerByNo(customerNo: "CU0000000002") { customerNo } }'],
    ['policyNo', '{ policy(policyNo: "PMO000000000201") { status } }'],
    ['reportNo', '{ claim(reportNo: "RPT000000020101") { status } }'],
    ['ticketNo', '{ serviceRequest(ticketNo: "SR260000000200") { status } }'],
    ['complaintNo', '{ complaint(complaintNo: "CP000000000021") { status } }'],
    ['after', '{ customers(first: 2, after: "azE6Mg") { totalCount } }'],
  ])('refuses a lookup by a raw identifier (%s), naming the argument', async (argumentName, query) => {
    const response = await graph.query(query, {}, BI_ANALYST);
    expect(response.data ?? null).toBeNull();
    expect(response.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName }) })]);
    expect(JSON.stringify(response)).not.toMatch(/select|stack|http:\/\//i);
  });
});
