/**
 * BI pseudonyms (docs/access-model.md section 9, issue 9 item 2): a role whose policy pseudonymises identifiers
 * gets every identifier that leads to a person — ids, keys, customer/policy/claim/ticket/complaint/registration
 * numbers, foreign keys, cursors — sealed (`ps_…`), the same in every answer and every subgraph, so its answers
 * still join; it hands the sealed values back as lookup arguments and cursors, and a raw identifier from it is
 * refused. The walk reads BI's whole schema through the gateway and compares every string it gets with the raw
 * identifiers of the seeded stores, read directly.
 */
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { encodeCursor, SEALED_IDENTIFIER_PREFIX, sealIdentifier, unsealIdentifier, type Knex } from '@icg/shared';
import type { GraphQLResponse } from './support/graphql-client';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { sideBySide } from './support/side-by-side';
import { TEST_DIALECTS } from './support/test-database';
import { AUDITOR, postToSubgraph, TEST_PSEUDONYM_SECRET, type ActingAs } from './support/test-security';

const BI_ANALYST: ActingAs = { role: 'BI_ANALYST' };
/** The first 150 customers of the seeded company raise complaints; fewer raise none. */
const CUSTOMERS = 150;
const PAGE_SIZE = 50;
/** Object levels below each root field's own type: customer → policies → claims → policy. */
const MAX_DEPTH = 3;

const seal = (value: string) => sealIdentifier(TEST_PSEUDONYM_SECRET, value);

/** The identifier columns of every table of every subgraph's store: ids, foreign keys and business numbers. */
async function storedIdentifiers(db: Knex): Promise<Set<string>> {
  const tables: string[] =
    db.client.config.client === 'mysql2'
      ? ((await db.raw('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()')) as [{ name: string }[]])[0].map(
          (row) => row.name,
        )
      : ((await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) as { name: string }[]).map((row) => row.name);
  const values = new Set<string>();
  for (const table of tables.filter((name) => !name.startsWith('knex_'))) {
    const columns = Object.keys(await db(table).columnInfo()).filter((column) => column === 'id' || /_(id|no)$/.test(column));
    if (columns.length === 0) continue;
    for (const row of (await db(table).select(columns)) as Record<string, unknown>[])
      for (const value of Object.values(row)) if (value !== null && value !== undefined && String(value) !== '') values.add(String(value));
  }
  return values;
}

/** A field selected, with what is selected below it (null for a leaf). */
interface Selection {
  name: string;
  children: Selection[] | null;
}

/** A field and, for an object, every field of BI's schema below it (depth-limited, each type once per path). */
function selectionOf(field: GraphQLField<unknown, unknown>, depth: number, path: readonly string[]): Selection | null {
  if (field.args.some((argument) => isNonNullType(argument.type) && argument.defaultValue === undefined)) return null;
  const named = getNamedType(field.type);
  if (isLeafType(named)) return { name: field.name, children: null };
  if (!isObjectType(named) || depth >= MAX_DEPTH) return null;
  // A type already open on the path (a branch's parent, a policy's renewal) is read once more, its leaves only.
  const again = path.includes(named.name);
  const children = Object.values(named.getFields())
    .filter((child) => !again || isLeafType(getNamedType(child.type)))
    .map((child) => selectionOf(child, depth + 1, [...path, named.name]))
    .filter((selection): selection is Selection => selection !== null);
  return children.length > 0 ? { name: field.name, children } : null;
}

const render = (selection: Selection): string =>
  selection.children === null ? selection.name : `${selection.name} { __typename ${selection.children.map(render).join(' ')} }`;

/** The selection as several smaller ones that together select the same fields (for an operation over the cost limit). */
function narrowed(selection: Selection): Selection[] {
  const children = selection.children ?? [];
  if (children.length > 1) return children.map((child) => ({ name: selection.name, children: [child] }));
  if (children.length === 1) return narrowed(children[0]!).map((child) => ({ name: selection.name, children: [child] }));
  return [];
}

/** Every coordinate a selection names below `type`. */
function coordinatesIn(type: GraphQLObjectType, selections: readonly Selection[], into: Set<string>): void {
  for (const selection of selections) {
    into.add(`${type.name}.${selection.name}`);
    const named = getNamedType(type.getFields()[selection.name]!.type);
    if (selection.children && isObjectType(named)) coordinatesIn(named, selection.children, into);
  }
}

/** Every string leaf of an answer. */
function stringLeaves(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) stringLeaves(item, into);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) stringLeaves(item, into);
  return into;
}

/** `Type.field` → the string values BI got for it, read along `__typename`. */
function valuesByCoordinate(value: unknown, into: Map<string, Set<string>>): Map<string, Set<string>> {
  if (Array.isArray(value)) for (const item of value) valuesByCoordinate(item, into);
  else if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const typeName = object['__typename'];
    for (const [key, field] of Object.entries(object)) {
      if (typeof typeName === 'string' && typeof field === 'string' && key !== '__typename') {
        const coordinate = `${typeName}.${key}`;
        into.set(coordinate, (into.get(coordinate) ?? new Set()).add(field));
      }
      valuesByCoordinate(field, into);
    }
  }
  return into;
}

/** Roots walked at once. */
const ROOTS_AT_ONCE = 3;

const overCostLimit = (response: GraphQLResponse) => response.errors?.some((error) => error.extensions?.['limit'] === 'cost') ?? false;

function expectNoErrors(label: string, response: GraphQLResponse): void {
  expect({ label, status: response.status, errors: response.errors }).toEqual({ label, status: 200, errors: undefined });
}

/** Object types a query can reach: the query type and every type its fields lead to, through lists, interfaces and unions. */
function typesReachableFromQuery(schema: GraphQLSchema): Set<GraphQLObjectType> {
  const reached = new Set<GraphQLObjectType>();
  const queryType = schema.getQueryType();
  const pending: GraphQLNamedType[] = queryType ? [queryType] : [];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const type = pending.pop()!;
    if (seen.has(type.name) || type.name.startsWith('__')) continue;
    seen.add(type.name);
    if (isObjectType(type)) reached.add(type);
    if (isObjectType(type) || isInterfaceType(type)) for (const field of Object.values(type.getFields())) pending.push(getNamedType(field.type));
    if (isAbstractType(type)) pending.push(...schema.getPossibleTypes(type));
  }
  return reached;
}

describe.each(TEST_DIALECTS)('identifiers for BI analysts on %s', (dialect) => {
  let graph: GraphUnderTest;
  let biSchema: GraphQLSchema;
  let raw: Set<string>;

  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: CUSTOMERS, subgraphTimeoutMs: 30_000 });
    const introspection = await graph.query<IntrospectionQuery>(getIntrospectionQuery(), {}, BI_ANALYST);
    biSchema = buildClientSchema(introspection.data!);
    raw = new Set<string>();
    for (const running of Object.values(graph.subgraphs)) for (const value of await storedIdentifiers(running.db)) raw.add(value);
    // Cursors as a raw (unsealed) connection would hand them out: keyset cursors over the ids of each table a
    // connection pages.
    const paged = [
      ['customers', 'customers'],
      ['policies', 'policies'],
      ['claims', 'claims'],
      ['complaints', 'complaints'],
      ['service-requests', 'service_requests'],
      ['insights', 'early_warnings'],
    ] as const;
    for (const [subgraph, table] of paged)
      for (const row of (await graph.subgraphs[subgraph]!.db(table).select('id')) as { id: number }[]) raw.add(encodeCursor(row.id));
  }, 180_000);
  afterAll(() => graph?.close());

  it('finds no raw id, business number or cursor anywhere in what BI reads of its whole schema, every root and page', async () => {
    const query = biSchema.getQueryType()!;
    const answers: unknown[] = [];
    const selected = new Set<string>();
    const sealedByCoordinate = new Map<string, Set<string>>();
    /**
     * Asks for `selections` below the item type together (`operation` renders them into the whole operation and runs
     * it): an operation over the gateway's cost limit is asked again as two halves, and a single field over it as
     * several narrower ones. Every field is so read, in as few requests as the cost limit allows.
     */
    const askFor = async (
      label: string,
      itemType: GraphQLObjectType,
      selections: readonly Selection[],
      operation: (text: string) => Promise<GraphQLResponse>,
    ): Promise<void> => {
      const text = selections.map(render).join(' ');
      const response = await operation(text);
      if (overCostLimit(response) && selections.length > 1) {
        const half = Math.ceil(selections.length / 2);
        await askFor(label, itemType, selections.slice(0, half), operation);
        await askFor(label, itemType, selections.slice(half), operation);
        return;
      }
      if (overCostLimit(response) && narrowed(selections[0]!).length > 0) {
        for (const narrower of narrowed(selections[0]!)) await askFor(label, itemType, [narrower], operation);
        return;
      }
      expectNoErrors(`${label}: ${text}`, response);
      coordinatesIn(itemType, selections, selected);
      answers.push(response.data);
      valuesByCoordinate(response.data, sealedByCoordinate);
    };
    const selectionsOf = (type: GraphQLObjectType) =>
      Object.values(type.getFields())
        .map((field) => selectionOf(field, 1, [type.name]))
        .filter((selection): selection is Selection => selection !== null);

    // Roots without required arguments (lists and connections): operations per field of what they return,
    // connections paged to the end with the sealed cursors they hand out.
    const lookups: GraphQLField<unknown, unknown>[] = [];
    await sideBySide(Object.values(query.getFields()), ROOTS_AT_ONCE, async (root) => {
      if (root.args.some((argument) => isNonNullType(argument.type) && argument.defaultValue === undefined)) {
        lookups.push(root);
        return;
      }
      const returned = getNamedType(root.type);
      if (!isObjectType(returned)) return;
      const connection = returned.getFields()['nodes'] !== undefined;
      const itemType = (connection ? getNamedType(returned.getFields()['nodes']!.type) : returned) as GraphQLObjectType;
      // The node's key: `id`, or the ID field an item keyed otherwise has (a customer insight's `customerId`).
      const nodeKey = itemType.getFields()['id']
        ? 'id'
        : (Object.values(itemType.getFields()).find((field) => getNamedType(field.type).name === 'ID')?.name ?? 'id');
      const wrapper = `__typename totalCount pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor } edges { __typename cursor node { __typename ${nodeKey} } }`;
      const leaves = (...names: string[]): Selection[] => names.map((name) => ({ name, children: null }));
      if (connection)
        coordinatesIn(
          returned,
          [
            ...leaves('totalCount'),
            { name: 'pageInfo', children: leaves('hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor') },
            { name: 'edges', children: [...leaves('cursor'), { name: 'node', children: leaves(nodeKey) }] },
            // The operations below select `nodes { … }`, every field of the item type in as few operations as the cost
            // limit allows (marked selected there).
            { name: 'nodes', children: null },
          ],
          selected,
        );
      await askFor(root.name, itemType, selectionsOf(itemType), async (text) => {
        if (!connection) return graph.query(`{ ${root.name} { __typename ${text} } }`, {}, BI_ANALYST);
        const operation = `query ($after: String) { ${root.name}(first: ${PAGE_SIZE}, after: $after) { ${wrapper} nodes { __typename ${text} } } }`;
        // Every page, each after the sealed end cursor of the one before; the pages' answers are read as one.
        const pages: GraphQLResponse[] = [];
        for (let after: string | null = null; ;) {
          const response: GraphQLResponse = await graph.query(operation, { after }, BI_ANALYST);
          pages.push(response);
          const pageInfo = (response.data?.[root.name] as { pageInfo?: { hasNextPage: boolean; endCursor: string } } | undefined)?.pageInfo;
          // Customers to the end; the other roots list records their customers already lead to, so their second page
          // (after a sealed cursor) is enough (tests/bi-connections pages each of them to the end as BI).
          const lastPage = root.name === 'customers' ? CUSTOMERS / PAGE_SIZE + 1 : 1;
          if (response.errors || !pageInfo?.hasNextPage || pages.length > lastPage) break;
          after = pageInfo.endCursor;
        }
        const failed = pages.find((page) => page.errors !== undefined);
        return failed ?? { ...pages[0]!, data: { pages: pages.map((page) => page.data) } };
      });
      selected.add(`${query.name}.${root.name}`);
    });

    // Lookups take identifiers: BI hands back the sealed values it was given (argument `x` of a lookup returning
    // T is T.x), and reads everything below the record found.
    await sideBySide(lookups, ROOTS_AT_ONCE, async (root) => {
      const returned = getNamedType(root.type) as GraphQLObjectType;
      const variables = Object.fromEntries(
        root.args.map((argument) => {
          const known = [...(sealedByCoordinate.get(`${returned.name}.${argument.name}`) ?? [])];
          expect({ lookup: root.name, argument: argument.name, known: known.length > 0 }).toEqual({ lookup: root.name, argument: argument.name, known: true });
          return [argument.name, known[known.length - 1]];
        }),
      );
      const variableList = root.args.map((argument) => `$${argument.name}: ${argument.type.toString()}`).join(', ');
      const argumentList = root.args.map((argument) => `${argument.name}: $${argument.name}`).join(', ');
      await askFor(root.name, returned, selectionsOf(returned), async (text) => {
        const response = await graph.query(`query (${variableList}) { ${root.name}(${argumentList}) { __typename ${text} } }`, variables, BI_ANALYST);
        expect({ lookup: root.name, found: response.errors !== undefined || response.data?.[root.name] !== null }).toEqual({
          lookup: root.name,
          found: true,
        });
        return response;
      });
      selected.add(`${query.name}.${root.name}`);
    });

    // Every field BI may read was asked for, from some root (fields needing arguments BI has no value for aside).
    // Types only a mutation returns (e.g. a job run's counts) are not read by walking the queries.
    const readable = [...typesReachableFromQuery(biSchema)].flatMap((type) =>
      Object.values(type.getFields())
        .filter((field) => !field.args.some((argument) => isNonNullType(argument.type) && argument.defaultValue === undefined) || type === query)
        .map((field) => `${type.name}.${field.name}`),
    );
    expect(readable.filter((coordinate) => !selected.has(coordinate))).toEqual([]);

    // Nothing BI got is a raw identifier, or holds a business number or cursor inside a longer text.
    // Each distinct text once: the pages repeat most of them (statuses, names, sealed keys).
    const leaves = [...new Set(stringLeaves(answers))];
    const longRaw = [...raw].filter((value) => value.length >= 8);
    expect(leaves.filter((leaf) => raw.has(leaf))).toEqual([]);
    expect([...new Set(leaves.filter((leaf) => leaf.length >= 8).flatMap((leaf) => longRaw.filter((value) => leaf.includes(value))))]).toEqual([]);
    // What BI got instead are sealed identifiers of the stores' records, of every kind.
    const sealed = [...new Set(leaves.filter((leaf) => leaf.startsWith(SEALED_IDENTIFIER_PREFIX)))];
    const opened = sealed.map((text) => unsealIdentifier(TEST_PSEUDONYM_SECRET, text));
    expect(opened.filter((value) => value === undefined || !raw.has(value))).toEqual([]);
    const kinds = { id: /^\d+$/, customerNo: /^CU\d{10}$/, policyNo: /^P[A-Z]{2}\d{12}$/, reportNo: /^RPT\d{12}$/, registrationNo: /^CLM\d{16}$/ };
    const moreKinds = { ticketNo: /^SR\d{12}$/, complaintNo: /^CP\d{12}$/, staffNo: /^S\d{5}$/, cursor: /^azE6/ };
    const found = Object.entries({ ...kinds, ...moreKinds }).filter(([, pattern]) => opened.some((value) => pattern.test(value!)));
    expect(found.map(([kind]) => kind)).toEqual([...Object.keys(kinds), ...Object.keys(moreKinds)]);
  }, 600_000);

  it('joins across two queries: a customer’s sealed key is the same from the customers and from the policies subgraph', async () => {
    type Page = { customers: { nodes: { id: string; customerNo: string; policies: { policyNo: string }[] }[] } };
    const customers = await graph.query<Page>('{ customers(first: 20) { nodes { id customerNo policies { policyNo } } } }', {}, BI_ANALYST);
    expectNoErrors('customers', customers);
    const holder = customers.data!.customers.nodes.find((node) => node.policies.length > 0)!;
    const policy = await graph.query<{ policy: { customer: { id: string; customerNo: string } } }>(
      'query ($no: String!) { policy(policyNo: $no) { customer { id customerNo } } }',
      { no: holder.policies[0]!.policyNo },
      BI_ANALYST,
    );
    expectNoErrors('policy', policy);
    expect(policy.data!.policy.customer).toEqual({ id: holder.id, customerNo: holder.customerNo });
    // And it is the seal of the customer the auditor reads in clear.
    const clear = await graph.query<{ customers: { nodes: { id: string; customerNo: string }[] } }>('{ customers(first: 20) { nodes { id customerNo } } }');
    const index = customers.data!.customers.nodes.indexOf(holder);
    const auditorView = clear.data!.customers.nodes[index]!;
    expect(holder.id).toBe(seal(auditorView.id));
    expect(holder.customerNo).toBe(seal(auditorView.customerNo));
  });

  it('pages with sealed cursors: page 2 is the page after page 1', async () => {
    type Page = { customers: { pageInfo: { endCursor: string; hasNextPage: boolean }; edges: { cursor: string }[]; nodes: { id: string }[] } };
    const page = '($after: String) { customers(first: 5, after: $after) { pageInfo { endCursor hasNextPage } edges { cursor } nodes { id } } }';
    const first = await graph.query<Page>(`query ${page}`, { after: null }, BI_ANALYST);
    expectNoErrors('page 1', first);
    const { endCursor } = first.data!.customers.pageInfo;
    expect(endCursor.startsWith(SEALED_IDENTIFIER_PREFIX)).toBe(true);
    const second = await graph.query<Page>(`query ${page}`, { after: endCursor }, BI_ANALYST);
    expectNoErrors('page 2', second);
    const clear = await graph.query<Page>('{ customers(first: 10) { pageInfo { endCursor hasNextPage } edges { cursor } nodes { id } } }');
    expect([...first.data!.customers.nodes, ...second.data!.customers.nodes].map((node) => node.id)).toEqual(
      clear.data!.customers.nodes.map((node) => seal(node.id)),
    );
    expect(second.data!.customers.edges.map((edge) => edge.cursor)).toEqual(clear.data!.customers.edges.slice(5).map((edge) => seal(edge.cursor)));
  });

  it('looks a customer up by its sealed number, and refuses the raw number naming the argument', async () => {
    const clear = await graph.query<{ customer: { customerNo: string } }>('{ customer(id: "7") { customerNo } }');
    const rawNo = clear.data!.customer.customerNo;
    const bySealed = await graph.query<{ customerByNo: { id: string; customerNo: string } }>(
      'query ($no: String!) { customerByNo(customerNo: $no) { id customerNo } }',
      { no: seal(rawNo) },
      BI_ANALYST,
    );
    expectNoErrors('customerByNo sealed', bySealed);
    expect(bySealed.data!.customerByNo).toEqual({ id: seal('7'), customerNo: seal(rawNo) });
    const byRaw = await graph.query('query ($no: String!) { customerByNo(customerNo: $no) { id customerNo } }', { no: rawNo }, BI_ANALYST);
    expect(byRaw.data?.['customerByNo'] ?? null).toBeNull();
    expect(byRaw.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName: 'customerNo' }) })]);
    expect(JSON.stringify(byRaw)).not.toMatch(/select|stack|http:\/\/|not found/i);
    expect(JSON.stringify(byRaw)).not.toContain(rawNo);
  });

  it.each([
    ['id', '{ customer(id: "2") { kind } }', 'customer'],
    ['policyNo', '{ policy(policyNo: "PMO000000000201") { status } }', 'policy'],
    ['id', '{ claimById(id: "20101") { status } }', 'claimById'],
    ['after', '{ customers(first: 2, after: "azE6Mg") { totalCount } }', 'customers'],
    ['filter.branchId', '{ customers(first: 2, filter: { branchId: "3" }) { totalCount } }', 'customers'],
    ['id', '{ branch(id: "1") { name } }', 'branch'],
  ])('refuses a raw identifier (%s) from BI with BAD_USER_INPUT naming the argument', async (argumentName, operation, root) => {
    const response = await graph.query(operation, {}, BI_ANALYST);
    expect(response.data?.[root] ?? null).toBeNull();
    expect(response.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName }) })]);
    expect(JSON.stringify(response)).not.toMatch(/select|stack|http:\/\//i);
  });

  it('opens sealed entity keys in _entities and refuses raw ones, when a subgraph is called directly as BI', async () => {
    const claims = graph.subgraphs['claims']!;
    const entities = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id claims { reportNo } } } }';
    const clear = await postToSubgraph<{ _entities: { id: string; claims: { reportNo: string }[] }[] }>(`${claims.url}/graphql`, 'claims', entities, {
      r: [{ __typename: 'Customer', id: '3' }],
    });
    const sealed = await postToSubgraph<{ _entities: { id: string; claims: { reportNo: string }[] }[] }>(
      `${claims.url}/graphql`,
      'claims',
      entities,
      { r: [{ __typename: 'Customer', id: seal('3') }] },
      BI_ANALYST,
    );
    expectNoErrors('sealed key', sealed);
    expect(sealed.data!._entities).toEqual(
      clear.data!._entities.map((customer) => ({ id: seal(customer.id), claims: customer.claims.map((claim) => ({ reportNo: seal(claim.reportNo) })) })),
    );
    const rawKey = await postToSubgraph(`${claims.url}/graphql`, 'claims', entities, { r: [{ __typename: 'Customer', id: '3' }] }, BI_ANALYST);
    expect(rawKey.data?.['_entities'] ?? null).toBeNull();
    expect(rawKey.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName: 'representations' }) }),
    ]);
  });

  it('leaves other roles as they were: raw identifiers in, raw identifiers out', async () => {
    const response = await graph.query<{ customer: { id: string; policies: { policyNo: string }[] } }>(
      '{ customer(id: "7") { id policies { policyNo } } }',
      {},
      AUDITOR,
    );
    expectNoErrors('auditor', response);
    expect(response.data!.customer.id).toBe('7');
    expect(response.data!.customer.policies.every((policy) => raw.has(policy.policyNo))).toBe(true);
    const hotline = await graph.query<{ customer: { customerNo: string } }>('{ customer(id: "7") { customerNo } }', {}, { role: 'HOTLINE_AGENT' });
    expect(raw.has(hotline.data!.customer.customerNo)).toBe(true);
  });
});
